from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema

from tisheng.core.errors import Forbidden, NotFound
from tisheng.core.schemas import Id, InputSchema, choice_of, filter_of
from tisheng.core.scoping import scope_for
from tisheng.framework.models import Dimension, Environment

from . import selectors, services

router = Router(tags=["framework"])
FrameworkCode = Annotated[
    str, Path(max_length=32, pattern=r"^[-a-zA-Z0-9_]+$", description="框架代码，如 henan-2021")
]


class FrameworkOut(Schema):
    code: str
    name: str
    issuer: str
    is_builtin: bool


class PointOut(Schema):
    code: str
    environment: str
    environment_label: str = Field(alias="get_environment_display")
    dimension: str
    dimension_label: str = Field(alias="get_dimension_display")
    title: str
    description: str
    requirements: str
    rubric: list[dict]
    is_local: bool
    city_id: int | None


class LocalPointIn(InputSchema):
    city_id: Id
    code: str = Field(max_length=16)
    environment: choice_of(Environment)
    dimension: choice_of(Dimension)
    title: str = Field("", max_length=64)
    description: str = Field(max_length=2000)
    requirements: str = Field("", max_length=2000)


@router.get("/frameworks", response=list[FrameworkOut], summary="能力点框架")
def frameworks(request):
    return list(selectors.framework_list(scope=scope_for(request.auth)))


@router.get("/frameworks/{code}/points", response=list[PointOut], summary="框架中的能力点")
def points(
    request,
    code: FrameworkCode,
    environment: filter_of(Environment) = "",
    dimension: filter_of(Dimension) = "",
):
    scope = scope_for(request.auth)
    framework = selectors.framework_get(scope=scope, code=code)
    return list(
        selectors.point_list(scope=scope, framework=framework, environment=environment, dimension=dimension)
    )


@router.post("/frameworks/{code}/points", response={201: PointOut}, summary="新增地方特色能力点（市工程办）")
def point_add_local(request, code: FrameworkCode, payload: LocalPointIn):
    scope = scope_for(request.auth)
    framework = selectors.framework_get(scope=scope, code=code)
    city = scope.cities().filter(pk=payload.city_id).first()
    if city is None:
        if payload.city_id in scope.city_ids_in_view():
            # People of the city see its local points but may not add one: the same 403 the page gives.
            raise Forbidden(_("只有市工程办管理员可以新增地方特色能力点。"))
        raise NotFound()
    point = services.ability_point_add_local(
        actor=request.auth,
        framework=framework,
        city=city,
        code=payload.code,
        environment=payload.environment,
        dimension=payload.dimension,
        title=payload.title,
        description=payload.description,
        requirements=payload.requirements,
    )
    return 201, point
