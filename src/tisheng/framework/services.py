"""Writes to ability-point frameworks."""

import re

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tisheng.core.errors import Conflict, Forbidden, ValidationFailed
from tisheng.core.scoping import scope_for

from . import events
from .models import AbilityPoint, Dimension, Environment, Framework

LOCAL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{0,15}$")
MAX_DESCRIPTION = 2000


@transaction.atomic
def ability_point_add_local(
    *,
    actor,
    framework: Framework,
    city,
    code: str,
    environment: str,
    dimension: str,
    description: str,
    title: str = "",
    requirements: str = "",
) -> AbilityPoint:
    """R-FW-2: a city office adds a local ability point (地方特色能力点) to a framework for its city."""
    scope = scope_for(actor)
    if not scope.can_manage_city(city.id):
        raise Forbidden(_("只有市工程办管理员可以新增地方特色能力点。"))
    errors = {}
    code = (code or "").strip()
    if not LOCAL_CODE.match(code):
        errors["code"] = _("编号只能由字母、数字和短横线组成，最多16个字符，例如 L-1。")
    if environment not in Environment.values:
        errors["environment"] = _("请选择教学环境。")
    if dimension not in Dimension.values:
        errors["dimension"] = _("请选择维度。")
    description = (description or "").strip()
    if not description:
        errors["description"] = _("请填写评价指标。")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _("评价指标不能超过%(n)s个字。") % {"n": MAX_DESCRIPTION}
    title = (title or "").strip()
    if len(title) > 64:
        errors["title"] = _("名称不能超过64个字。")
    # PostgreSQL cannot store NUL in text; refuse it here rather than fail with a 500 (forms already do).
    for name, value, message in (
        ("title", title, _("名称不能包含空字符。")),
        ("description", description, _("评价指标不能包含空字符。")),
        ("requirements", requirements, _("提交要求不能包含空字符。")),
    ):
        if "\x00" in (value or ""):
            errors.setdefault(name, message)
    if errors:
        raise ValidationFailed(
            _("地方特色能力点填写有误：") + _("；").join(str(v) for v in errors.values()), fields=errors
        )
    if AbilityPoint.objects.filter(framework=framework, city__isnull=True, code__iexact=code).exists():
        raise Conflict(
            _("编号“%(code)s”是框架内置能力点的编号，请换一个。") % {"code": code}, fields={"code": _("重复")}
        )
    order = (AbilityPoint.objects.filter(framework=framework).aggregate(m=Max("sort_order"))["m"] or 0) + 1
    fields = dict(
        framework=framework,
        city=city,
        code=code,
        environment=environment,
        dimension=dimension,
        title=title,
        description=description,
        sort_order=order,
    )
    if requirements.strip():
        fields["requirements"] = requirements.strip()[:MAX_DESCRIPTION]
    try:
        with transaction.atomic():
            point = AbilityPoint.objects.create(**fields)
    except IntegrityError:
        raise Conflict(
            _("编号“%(code)s”在该框架中已被使用。") % {"code": code}, fields={"code": _("重复")}
        ) from None
    events.local_point_added(actor=actor, point=point)
    return point
