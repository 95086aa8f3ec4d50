from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tisheng.core.pagination import ApiPagination
from tisheng.core.schemas import Id
from tisheng.core.scoping import scope_for

from . import selectors

router = Router(tags=["organisation"])


class CountyOut(Schema):
    id: int
    name: str
    kind: str
    city_id: int
    city_name: str = Field(alias="city.name")


class SchoolOut(Schema):
    id: int
    name: str
    code: str | None
    county_id: int
    county_name: str = Field(alias="county.name")
    zone_id: int | None
    locality: str
    is_teaching_point: bool
    stage: str
    is_poverty_county: bool
    is_pilot: bool
    batch_year: int | None


class GroupOut(Schema):
    id: int
    name: str
    subject: str
    school_id: int
    teacher_count: int


class TeacherOut(Schema):
    id: int
    full_name: str = Field(alias="user.full_name")
    username: str
    school_id: int
    school_name: str = Field(alias="school.name")
    group_id: int | None
    gender: str
    subject: str
    id_number: str
    phone: str

    # Personal data in full only for the teacher and the managers of their school; masked otherwise.
    # A login that is an ID or mobile number is personal data too (issue 8 item 3).
    @staticmethod
    def resolve_username(obj, context):
        if scope_for(context["request"].auth).can_see_personal_data(obj):
            return obj.user.username
        return obj.username_masked

    @staticmethod
    def resolve_id_number(obj, context):
        if not obj.id_number:
            return ""
        return (
            obj.id_number
            if scope_for(context["request"].auth).can_see_personal_data(obj)
            else obj.id_number_masked
        )

    @staticmethod
    def resolve_phone(obj, context):
        if not obj.phone:
            return ""
        return (
            obj.phone if scope_for(context["request"].auth).can_see_personal_data(obj) else obj.phone_masked
        )


@router.get("/counties", response=list[CountyOut], summary="可见的县区")
@paginate(ApiPagination)
def counties(request):
    return selectors.county_list(scope=scope_for(request.auth))


@router.get("/counties/{county_id}", response=CountyOut)
def county_detail(request, county_id: Id):
    return selectors.county_get(scope=scope_for(request.auth), county_id=county_id)


@router.get("/schools", response=list[SchoolOut], summary="可见的学校")
@paginate(ApiPagination)
def schools(request, county_id: Id | None = None, q: str = Query("", max_length=64)):
    return selectors.school_list(scope=scope_for(request.auth), county_id=county_id, q=q)


@router.get("/schools/{school_id}", response=SchoolOut)
def school_detail(request, school_id: Id):
    return selectors.school_get(scope=scope_for(request.auth), school_id=school_id)


@router.get("/groups", response=list[GroupOut], summary="可见的教研组")
@paginate(ApiPagination)
def groups(request, school_id: Id | None = None):
    return selectors.group_list(scope=scope_for(request.auth), school_id=school_id)


@router.get("/groups/{group_id}", response=GroupOut)
def group_detail(request, group_id: Id):
    scope = scope_for(request.auth)
    group = selectors.group_get(scope=scope, group_id=group_id)
    group.teacher_count = group.teachers.count()
    return group


@router.get("/teachers", response=list[TeacherOut], summary="可见的教师")
@paginate(ApiPagination)
def teachers(
    request, school_id: Id | None = None, group_id: Id | None = None, q: str = Query("", max_length=64)
):
    return selectors.teacher_list(scope=scope_for(request.auth), school_id=school_id, group_id=group_id, q=q)


@router.get("/teachers/{teacher_id}", response=TeacherOut)
def teacher_detail(request, teacher_id: Id):
    return selectors.teacher_get(scope=scope_for(request.auth), teacher_id=teacher_id)
