"""Writes about people, roles, logins and API tokens."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tisheng.core.context import current_origin
from tisheng.core.errors import Conflict, LockedOut, NotFound, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.core.scoping import scope_for

from . import events, rules
from .models import MANAGING_ROLES, ROLE_UNITS, ApiToken, Role, RoleAssignment, User

MAX_USERNAME = 150
MAX_PASSWORD = 256


def _recent_failures(*, username: str, ip: str | None) -> int:
    """Failed logins for this user name from this address since the window opened and since the
    last success. The audit trail is the store, so what locks an account is what the auditor sees."""
    window_start = timezone.now() - timedelta(minutes=settings.TISHENG_LOGIN_LOCKOUT_MINUTES)
    last_success = (
        AuditEvent.objects.filter(kind="login.succeeded", actor_label=username, ip=ip, at__gte=window_start)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    since = max(window_start, last_success) if last_success else window_start
    return AuditEvent.objects.filter(kind="login.failed", actor_label=username, ip=ip, at__gt=since).count()


def login_attempt(*, username: str, password: str, request=None) -> User:
    """Check a user name and password, with lockout after repeated failures (foundation item 5).

    Lockout is per (user name, address), so one attacker cannot lock a teacher out from elsewhere.
    """
    username = (username or "").strip()
    if not username or not password:
        raise ValidationFailed(_("请输入账号和密码。"))
    if "\x00" in username:
        # No account name holds NUL, and PostgreSQL cannot store or compare it: a plain failure.
        events.login_failed(username=username.replace("\x00", "")[:MAX_USERNAME], reason="账号含空字符")
        raise ValidationFailed(_("账号或密码错误。"))
    if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
        events.login_failed(username=username[:MAX_USERNAME], reason="输入过长")
        raise ValidationFailed(_("账号或密码错误。"))
    ip = current_origin().ip
    if _recent_failures(username=username, ip=ip) >= settings.TISHENG_LOGIN_FAILURE_LIMIT:
        events.login_locked_out(username=username)
        raise LockedOut(
            _("登录失败次数过多，账号已暂时锁定，请 %(minutes)s 分钟后再试。")
            % {"minutes": settings.TISHENG_LOGIN_LOCKOUT_MINUTES}
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        events.login_failed(username=username, reason="账号或密码错误")
        raise ValidationFailed(_("账号或密码错误。"))
    with transaction.atomic():
        events.login_succeeded(user=user)
    return user


@transaction.atomic
def user_create(*, actor, username: str, full_name: str = "", password: str | None = None) -> User:
    username = (username or "").strip()
    if not username or len(username) > MAX_USERNAME:
        raise ValidationFailed(_("账号不能为空，且不超过150个字符。"), fields={"username": _("账号无效")})
    try:
        User.username_validator(username)
    except DjangoValidationError:
        raise ValidationFailed(
            _("账号只能包含字母、数字和 @ . + - _ 字符。"), fields={"username": _("账号无效")}
        ) from None
    if User.objects.filter(username=username).exists():
        raise Conflict(_("账号“%(u)s”已存在。") % {"u": username})
    user = User(username=username, full_name=(full_name or "").strip()[:64])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    events.user_created(actor=actor, user=user)
    return user


MAX_NAME = 64


def _clean_name(full_name) -> str:
    from tisheng.core.cleaning import text

    if not isinstance(full_name, str) or "\x00" in full_name:
        raise ValidationFailed(_("姓名含有不允许的字符。"), fields={"full_name": _("无效")})
    name = text(full_name)
    if not name:
        raise ValidationFailed(_("请填写姓名。"), fields={"full_name": _("必填")})
    if len(name) > MAX_NAME:
        raise ValidationFailed(
            _("姓名不能超过%(n)s个字。") % {"n": MAX_NAME}, fields={"full_name": _("过长")}
        )
    return name


def _clean_phone(phone) -> str:
    from tisheng.core.cleaning import CellProblem, mobile

    if not isinstance(phone, str) or "\x00" in phone or len(phone) > 32:
        raise ValidationFailed(_("手机号应为11位数字，以1开头。"), fields={"phone": _("无效")})
    try:
        return mobile(phone, required=True)
    except CellProblem as exc:
        raise ValidationFailed(str(exc), fields={"phone": _("无效")}) from None


@transaction.atomic
def person_get_or_create(*, actor, full_name: str, phone: str) -> tuple[User, bool]:
    """The person with this phone in the actor's scope, or a new account for someone on no roster
    (a guidance-team expert, an evaluator, a county official), signing in with the phone number.

    A phone known elsewhere on the platform is refused without saying whose it is."""
    from tisheng.core.cleaning import compact, mask_phone
    from tisheng.organisation.models import Teacher

    from . import selectors

    name = _clean_name(full_name)
    number = _clean_phone(phone)
    scope = scope_for(actor)
    found = list(
        selectors.people_in_scope(scope=scope)
        .filter(Q(teacher__phone=number) | Q(username=number))
        .distinct()[:2]
    )
    if len(found) > 1:
        raise Conflict(
            _("手机号 %(p)s 对应多人，请按姓名搜索后选择。") % {"p": mask_phone(number)},
            fields={"phone": _("重复")},
        )
    if found:
        person = found[0]
        if compact(person.full_name) != compact(name):
            raise ValidationFailed(
                _("手机号 %(p)s 已登记为“%(n)s”，与填写的姓名不一致，请核对。")
                % {"p": mask_phone(number), "n": person.full_name},
                fields={"full_name": _("不一致")},
            )
        return person, False
    if User.objects.filter(username=number).exists() or Teacher.objects.filter(phone=number).exists():
        raise Conflict(
            _("该手机号已被其他单位的人员使用，请联系其所在单位或上级管理员。"),
            fields={"phone": _("已被使用")},
        )
    user = User(username=number, full_name=name)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Conflict(_("该手机号刚刚被他人登记，请重新搜索。"), fields={"phone": _("已被使用")}) from None
    events.user_created(actor=actor, user=user)
    return user, True


def _unit_label(unit) -> str:
    kind = rules.unit_kind(unit)
    if kind == "group":
        return f"{unit.school.name} {unit.name}"
    return unit.name


def _school_of(unit):
    kind = rules.unit_kind(unit)
    return unit.school if kind == "group" else unit if kind == "school" else None


@transaction.atomic
def role_assign(
    *, actor, user: User, role: str, unit, is_principal: bool = False, is_cio: bool = False
) -> RoleAssignment:
    """Appoint `user` to `role` on `unit` (R-TEAM). Checks, in order: the role and unit kind, who may
    appoint it there (people/rules.py), that the person is in the actor's scope, then the team rules."""
    return _assign(
        actor=actor,
        user=user,
        role=role,
        unit=unit,
        is_principal=is_principal,
        is_cio=is_cio,
        new_person=False,
    )


@transaction.atomic
def appointment_create(
    *,
    actor,
    role: str,
    unit,
    user: User | None = None,
    full_name: str = "",
    phone: str = "",
    is_principal: bool = False,
    is_cio: bool = False,
) -> RoleAssignment:
    """Appoint a person found in the actor's scope (`user`), or one given by name and phone: the roster
    teacher or role holder with that phone in scope, else a new account (person_get_or_create)."""
    if user is not None:
        return role_assign(
            actor=actor, user=user, role=role, unit=unit, is_principal=is_principal, is_cio=is_cio
        )
    # The rules first: someone who may not make this appointment learns nothing about a phone number.
    _check_role_unit(role=role, unit=unit, is_principal=is_principal, is_cio=is_cio)
    rules.require_may_hand_out(scope=scope_for(actor), role=role, unit=unit, is_principal=is_principal)
    user, created = person_get_or_create(actor=actor, full_name=full_name, phone=phone)
    return _assign(
        actor=actor,
        user=user,
        role=role,
        unit=unit,
        is_principal=is_principal,
        is_cio=is_cio,
        new_person=created,
    )


def _check_role_unit(*, role, unit, is_principal, is_cio) -> None:
    if role == Role.TEACHER:
        raise ValidationFailed(_("教师角色来自学校花名册，不能在这里任命。"), fields={"role": _("无效")})
    if role not in ROLE_UNITS:
        raise ValidationFailed(_("没有这个角色。"), fields={"role": _("无效")})
    if rules.unit_kind(unit) not in ROLE_UNITS[role]:
        raise ValidationFailed(
            _("角色“%(role)s”不能任命到该类单位。") % {"role": Role(role).label}, fields={"unit": _("无效")}
        )
    if (is_principal or is_cio) and role != Role.SCHOOL_TEAM:
        raise ValidationFailed(_("只有学校管理团队成员可以标记为校长或CIO。"), fields={"role": _("无效")})


def _assign(*, actor, user, role, unit, is_principal, is_cio, new_person: bool) -> RoleAssignment:
    from tisheng.organisation.models import School, Teacher
    from tisheng.programme.selectors import settings_for_city

    from . import selectors

    _check_role_unit(role=role, unit=unit, is_principal=is_principal, is_cio=is_cio)
    kind = rules.unit_kind(unit)
    scope = scope_for(actor)
    rules.require_may_appoint(
        scope=scope, actor=actor, user=user, role=role, unit=unit, is_principal=is_principal
    )
    if not new_person and not selectors.people_in_scope(scope=scope).filter(pk=user.pk).exists():
        raise NotFound()
    school = _school_of(unit)
    if school is not None:
        # Lock the school: two appointments at once must not make a sixth team member or a second
        # principal (R-TEAM). Every change of a school's roles takes this lock first.
        School.objects.select_for_update().filter(pk=school.pk).first()
    if role == Role.GROUP_LEADER and not Teacher.objects.filter(user=user, school_id=school.pk).exists():
        raise ValidationFailed(
            _("教研组长须是本校花名册上的教师（%(n)s 不在 %(s)s 的花名册上）。")
            % {"n": user.display_name, "s": school.name},
            fields={"user": _("不在本校")},
        )
    existing = RoleAssignment.objects.filter(user=user, role=role, **{kind: unit}).exists()
    if existing:
        raise Conflict(
            _("%(n)s 已是%(u)s的%(r)s。")
            % {"n": user.display_name, "u": _unit_label(unit), "r": Role(role).label}
        )
    if role == Role.SCHOOL_TEAM:
        team = RoleAssignment.objects.filter(role=Role.SCHOOL_TEAM, school=school)
        limit = settings_for_city(school.city_id).school_team_max
        if team.count() >= limit:
            raise Conflict(
                _("%(s)s的管理团队已有%(n)s人，已达上限（%(m)s人）。请先撤销一名成员。")
                % {"s": school.name, "n": team.count(), "m": limit}
            )
        for flag, label in ((is_principal, "is_principal"), (is_cio, "is_cio")):
            holder = team.filter(**{label: True}).select_related("user").first() if flag else None
            if holder is not None:
                raise Conflict(
                    _("%(s)s已有%(what)s：%(n)s。请先撤销其任命。")
                    % {
                        "s": school.name,
                        "what": _("校长") if label == "is_principal" else _("CIO"),
                        "n": holder.user.display_name,
                    }
                )
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user, role=role, is_principal=is_principal, is_cio=is_cio, **{kind: unit}
            )
    except IntegrityError:
        raise Conflict(_("该任命与已有任命冲突（可能刚被他人修改），请刷新后重试。")) from None
    events.role_assigned(actor=actor, assignment=assignment)
    return assignment


def role_revoke_effects(*, assignment: RoleAssignment) -> list[str]:
    """What removing this assignment changes, in sentences for the confirmation page."""
    from tisheng.programme.selectors import settings_for_city

    user = assignment.user
    lines = [
        _("%(n)s 将不再是%(u)s的%(r)s。")
        % {"n": user.display_name, "u": _unit_label(assignment.unit), "r": assignment.get_role_display()}
    ]
    others = RoleAssignment.objects.filter(user=user).exclude(pk=assignment.pk).count()
    has_roster = hasattr(user, "teacher")
    if assignment.role in MANAGING_ROLES:
        lines.append(_("其管理权限（任命、导入、审核等）在其下一次操作时即失效。"))
    if not others and not has_roster:
        lines.append(_("撤销后其账号不再有任何角色，登录后看不到任何数据。"))
    if assignment.is_principal:
        lines.append(_("学校将没有校长，请尽快任命新校长。"))
    if assignment.is_cio:
        lines.append(_("学校将没有CIO，请尽快任命。"))
    if assignment.role == Role.SCHOOL_TEAM:
        school = assignment.school
        size = RoleAssignment.objects.filter(role=Role.SCHOOL_TEAM, school=school).count() - 1
        minimum = settings_for_city(school.city_id).school_team_min
        if size < minimum:
            lines.append(_("撤销后管理团队只剩%(n)s人，少于要求的%(m)s人。") % {"n": size, "m": minimum})
    return lines


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    from tisheng.organisation.models import School

    scope = scope_for(actor)
    school = _school_of(assignment.unit)
    if school is not None:
        School.objects.select_for_update().filter(pk=school.pk).first()  # see role_assign
    # Re-read under the lock: it may have been removed a moment ago by someone else.
    assignment = RoleAssignment.objects.filter(pk=assignment.pk).select_related("user").first()
    if assignment is None:
        raise NotFound()
    others_managing = (
        RoleAssignment.objects.filter(user_id=assignment.user_id, role__in=MANAGING_ROLES)
        .exclude(pk=assignment.pk)
        .count()
    )
    rules.require_may_remove(scope=scope, actor=actor, assignment=assignment, others_managing=others_managing)
    events.role_revoked(actor=actor, assignment=assignment)
    assignment.delete()


@transaction.atomic
def api_token_issue(*, actor: User, name: str = "") -> tuple[ApiToken, str]:
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=actor, name=(name or "")[:64], key_hash=ApiToken.hash_key(key), prefix=key[:8]
    )
    events.token_issued(actor=actor, token=token)
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise NotFound()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    events.token_revoked(actor=actor, token=token)


def api_token_authenticate(key: str) -> User | None:
    if not key or len(key) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Touch at most once a minute so reads do not turn into writes on every call.
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
