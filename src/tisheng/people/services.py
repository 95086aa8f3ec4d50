"""Writes about people, roles, logins and API tokens."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, is_password_usable, make_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from tisheng.core.context import current_origin
from tisheng.core.errors import AppError, Conflict, LockedOut, NotFound, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.core.scoping import scope_for

from . import events, rules
from .models import (
    MANAGING_ROLES,
    ROLE_UNITS,
    ActivationCode,
    ApiToken,
    CodeBatchStatus,
    Role,
    RoleAssignment,
    SignInCodeBatch,
    User,
)

logger = logging.getLogger(__name__)

MAX_USERNAME = 150
MAX_PASSWORD = 256


WEB, API, ADMIN = "web", "api", "admin"


def resolve_account(identifier: str) -> User | None:
    """The account a sign-in name means: its login; else a teacher's mobile number; else a teacher's
    ID number, only where the teacher's city still allows it (issue 8 item 3). One account whatever
    name was typed, so the lockout counts per account."""
    from tisheng.organisation.models import Teacher
    from tisheng.programme.models import ProgrammeSettings

    from .logins import ID_NUMBER, MOBILE

    user = User.objects.filter(username=identifier).first()
    if user is not None:
        return user
    if MOBILE.fullmatch(identifier):
        found = list(Teacher.objects.filter(phone=identifier).select_related("user")[:2])
        return found[0].user if len(found) == 1 else None
    if ID_NUMBER.fullmatch(identifier):
        teacher = Teacher.objects.filter(id_number=identifier.upper()).select_related("user").first()
        if (
            teacher
            and ProgrammeSettings.objects.filter(city_id=teacher.city_id, id_number_login=True).exists()
        ):
            return teacher.user
    return None


def _failures(**lookup):
    return AuditEvent.objects.filter(kind="login.failed", **lookup)


def _minutes(seconds: float) -> int:
    return max(1, -(-int(seconds) // 60))


def _check_limits(*, username: str, account: User | None, ip: str | None) -> None:
    """Refuse before the password is even looked at when one of the three limits is reached.

    1. the pair (this account or name, this address): TISHENG_LOGIN_FAILURE_LIMIT in the window;
    2. the address, whatever names it tries (password spraying): TISHENG_LOGIN_ADDRESS_LIMIT;
    3. the account, from every address together: after TISHENG_LOGIN_ACCOUNT_BACKOFF_AFTER failures
       each further try waits twice as long as the one before; at TISHENG_LOGIN_ACCOUNT_LOCK_AFTER the
       account is locked until a manager unlocks it (account_unlock).
    The audit trail is the only store: what refuses a login is what the auditor reads.
    """
    now = timezone.now()
    window_start = now - timedelta(minutes=settings.TISHENG_LOGIN_LOCKOUT_MINUTES)
    pair = (
        {"target_type": "people.user", "target_id": str(account.pk)} if account else {"actor_label": username}
    )
    last_success = (
        AuditEvent.objects.filter(kind="login.succeeded", ip=ip, at__gte=window_start, **pair)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    since = max(window_start, last_success) if last_success else window_start
    if _failures(ip=ip, at__gt=since, **pair).count() >= settings.TISHENG_LOGIN_FAILURE_LIMIT:
        events.login_locked_out(username=username, account=account, reason="pair")
        raise LockedOut(
            _("登录失败次数过多，账号已暂时锁定，请 %(minutes)s 分钟后再试。")
            % {"minutes": settings.TISHENG_LOGIN_LOCKOUT_MINUTES}
        )
    if ip and _failures(ip=ip, at__gt=window_start).count() >= settings.TISHENG_LOGIN_ADDRESS_LIMIT:
        events.login_locked_out(username=username, account=account, reason="address")
        raise LockedOut(
            _("您所在的网络登录失败次数过多，已暂停登录，请 %(minutes)s 分钟后再试。")
            % {"minutes": settings.TISHENG_LOGIN_LOCKOUT_MINUTES},
            code="address_locked_out",
        )
    if account is None:
        return
    if account.locked_at is not None:
        events.login_locked_out(username=username, account=account, reason="account")
        raise LockedOut(
            _("该账号登录失败次数过多，已被锁定。请联系学校或上级管理员解除锁定。"), code="account_locked"
        )
    failures = _account_failures(account)
    free = settings.TISHENG_LOGIN_ACCOUNT_BACKOFF_AFTER
    if len(failures) >= free:
        wait = settings.TISHENG_LOGIN_ACCOUNT_BACKOFF_SECONDS * 2 ** (len(failures) - free)
        left = (failures[0] + timedelta(seconds=wait) - now).total_seconds()
        if left > 0:
            events.login_locked_out(username=username, account=account, reason="backoff")
            raise LockedOut(
                _("该账号近期登录失败次数过多，请 %(minutes)s 分钟后再试。") % {"minutes": _minutes(left)},
                code="backoff",
            )


def _account_failures(account: User) -> list:
    """Times of the account's failures (newest first) since its last success or unlock, at most a
    day back (TISHENG_LOGIN_ACCOUNT_WINDOW_HOURS), from every address."""
    since = timezone.now() - timedelta(hours=settings.TISHENG_LOGIN_ACCOUNT_WINDOW_HOURS)
    if account.failures_reset_at and account.failures_reset_at > since:
        since = account.failures_reset_at
    last_success = (
        AuditEvent.objects.filter(kind="login.succeeded", actor=account, at__gt=since)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    if last_success:
        since = last_success
    return list(
        _failures(target_type="people.user", target_id=str(account.pk), at__gt=since)
        .order_by("-at")
        .values_list("at", flat=True)[: settings.TISHENG_LOGIN_ACCOUNT_LOCK_AFTER + 1]
    )


def _fail(*, username: str, account: User | None, reason: str, channel: str) -> None:
    events.login_failed(username=username, account=account, reason=reason, channel=channel)
    if account is not None and len(_account_failures(account)) >= settings.TISHENG_LOGIN_ACCOUNT_LOCK_AFTER:
        with transaction.atomic():
            locked = User.objects.filter(pk=account.pk, locked_at__isnull=True).update(
                locked_at=timezone.now()
            )
            if locked:
                events.account_locked(account=account)
        raise LockedOut(
            _("该账号登录失败次数过多，已被锁定。请联系学校或上级管理员解除锁定。"), code="account_locked"
        )


def login_attempt(*, username: str, password: str, request=None, channel: str = WEB) -> User:
    """Check a sign-in name and password. Every way in — the login page, POST /api/v1/auth/token and
    Django admin's login form — calls this, so one set of limits and one audit record cover them all.
    """
    user, _code_hash = _sign_in(username=username, password=password, request=request, channel=channel)
    return user


def login_or_activate(*, username: str, password: str, request=None) -> tuple[User, str | None]:
    """The login page: a password, or (first sign-in, or after a reset) the person's one-time code in
    the password box. With a code the person is not signed in yet: the hash of the code is returned so
    the page can let them set their password (activation_complete). The same limits and trail apply."""
    return _sign_in(username=username, password=password, request=request, channel=WEB, accept_code=True)


def _sign_in(
    *, username: str, password: str, request, channel: str, accept_code: bool = False
) -> tuple[User, str | None]:
    username = (username or "").strip()
    if not username or not password:
        raise ValidationFailed(_("请输入账号和密码。"))
    if "\x00" in username:
        # No account name holds NUL, and PostgreSQL cannot store or compare it: a plain failure.
        events.login_failed(
            username=username.replace("\x00", "")[:MAX_USERNAME], reason="账号含空字符", channel=channel
        )
        raise ValidationFailed(_("账号或密码错误。"))
    if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
        events.login_failed(username=username[:MAX_USERNAME], reason="输入过长", channel=channel)
        raise ValidationFailed(_("账号或密码错误。"))
    ip = current_origin().ip
    account = resolve_account(username)
    _check_limits(username=username, account=account, ip=ip)
    user = authenticate(request, username=account.username if account else username, password=password)
    if user is None and accept_code and account is not None:
        code_hash = code_sign_in_check(account=account, code=password)
        if code_hash:
            with transaction.atomic():
                events.login_succeeded(user=account, channel=channel, with_code=True)
            return account, code_hash
    if user is None:
        _fail(username=username, account=account, reason="账号或密码错误", channel=channel)
        raise ValidationFailed(_("账号或密码错误。"))
    with transaction.atomic():
        events.login_succeeded(user=user, channel=channel)
    return user, None


@transaction.atomic
def account_unlock(*, actor, user: User) -> None:
    """A manager lifts a lock (and restarts the count of failures) of a person they manage."""
    if not can_manage_person(actor=actor, user=user):
        raise NotFound()
    user = User.objects.select_for_update().get(pk=user.pk)
    was_locked = user.locked_at is not None
    user.locked_at = None
    user.failures_reset_at = timezone.now()
    user.save(update_fields=["locked_at", "failures_reset_at"])
    events.account_unlocked(actor=actor, user=user, was_locked=was_locked)


def can_manage_person(*, actor, user: User) -> bool:
    """Whether the actor manages this person: the managers of a teacher's school, or of a unit the
    person holds a role in. Nobody manages themself here (their own password has its own page)."""
    from tisheng.organisation.models import Teacher

    if actor is None or actor.pk == user.pk:
        return False
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return True
    teacher = Teacher.objects.filter(user=user).select_related("school").first()
    if teacher is not None and scope.can_manage_school(teacher.school):
        return True
    for ra in RoleAssignment.objects.filter(user=user).select_related("county", "school", "group__school"):
        if ra.city_id and scope.can_manage_city(ra.city_id):
            return True
        if ra.county_id and scope.can_manage_county(ra.county):
            return True
        if ra.school_id and scope.can_manage_school(ra.school):
            return True
        if ra.group_id and scope.can_manage_school(ra.group.school):
            return True
    return False


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool) -> None:
    """Disable (or enable again) a person; disabling revokes their API tokens at once."""
    if not can_manage_person(actor=actor, user=user):
        raise NotFound()
    User.objects.filter(pk=user.pk).update(is_active=active)
    user.is_active = active
    if not active:
        revoke_all_tokens(user=user, reason="disabled")
    events.user_active_changed(actor=actor, user=user, active=active)


def revoke_all_tokens(*, user: User, reason: str) -> int:
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if count:
        events.tokens_revoked(user=user, reason=reason, count=count)
    return count


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
        user=actor,
        name=(name or "")[:64],
        key_hash=ApiToken.hash_key(key),
        prefix=key[:8],
        expires_at=timezone.now() + timedelta(days=settings.TISHENG_API_TOKEN_DAYS),
        password_hash=actor.get_session_auth_hash(),
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
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(
            key_hash=ApiToken.hash_key(key),
            revoked_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
            user__locked_at__isnull=True,
        )
        .first()
    )
    if token is None:
        return None
    # A password changed by any path since the token was issued ends it, as it ends sessions.
    if not token.password_hash or not constant_time_compare(
        token.password_hash, token.user.get_session_auth_hash()
    ):
        return None
    # Touch at most once a minute so reads do not turn into writes on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# ---- first passwords: sign-in codes (issue 8 item 2) ------------------------------------------------

MAX_SELECTED = 5000
MAX_ID = 2**62  # beyond any primary key; larger numbers are refused, not sent to the database


def password_validate(*, user: User, password: str) -> None:
    """The platform's password rules (people/passwords.py), as one ValidationFailed in Chinese."""
    from django.contrib.auth.password_validation import validate_password

    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        message = " ".join(str(m) for m in exc.messages)
        raise ValidationFailed(message, code="weak_password", fields={"password": message}) from None


def _teachers_needing_codes(*, school=None, county=None, teacher_ids=None):
    from tisheng.organisation.models import Teacher

    qs = Teacher.objects.filter(user__is_active=True)
    qs = qs.filter(school=school) if school is not None else qs.filter(county=county)
    if teacher_ids:
        return qs.filter(id__in=teacher_ids)
    # A whole school or county: those who have no password yet (a reset is chosen teacher by teacher).
    return qs.filter(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)


@transaction.atomic
def sign_in_codes_issue(*, actor, school=None, county=None, teacher_ids=None) -> SignInCodeBatch:
    """Queue the codes of a school's or county's teachers who have no password yet, or of the teachers
    chosen (whose passwords, if they have one, are reset: void until they set a new one)."""
    from .tasks import issue_sign_in_codes

    scope = scope_for(actor)
    if school is not None:
        if not scope.can_manage_school(school):
            raise NotFound()
        county = school.county
    elif county is None or not scope.can_manage_county(county):
        raise NotFound()
    ids = sorted({int(i) for i in teacher_ids or []})
    if any(not 0 < i < MAX_ID for i in ids):
        raise ValidationFailed(_("所选教师无效，请刷新页面后重新选择。"), fields={"teacher_ids": _("无效")})
    if len(ids) > MAX_SELECTED:
        raise ValidationFailed(
            _("一次最多选择 %(n)s 位教师；发放全校或全县请不选教师直接发放。") % {"n": MAX_SELECTED},
            fields={"teacher_ids": _("过多")},
        )
    chosen = _teachers_needing_codes(school=school, county=county, teacher_ids=ids)
    count = chosen.count()
    if ids and count != len(ids):
        raise ValidationFailed(
            _("所选教师中有不属于该单位或已停用的账号，请刷新页面后重新选择。"),
            fields={"teacher_ids": _("无效")},
        )
    if count == 0:
        raise ValidationFailed(
            _("没有需要发放登录码的教师：所有教师都已设置密码。如需重置密码，请勾选教师。")
        )
    batch = SignInCodeBatch.objects.create(
        created_by=actor,
        city_id=county.city_id,
        county=county,
        school=school,
        teacher_ids=ids,
        progress_total=count,
        expires_at=timezone.now() + timedelta(days=settings.TISHENG_SIGN_IN_CODE_DAYS),
    )
    events.sign_in_codes_requested(actor=actor, batch=batch, count=count)
    transaction.on_commit(lambda: issue_sign_in_codes.enqueue(str(batch.pk)))
    return batch


def sign_in_code_batch_run(*, batch_id) -> None:
    """The background job: codes, slips and list are made first, then everything is written in one
    transaction, so a failure leaves the old codes and passwords as they were."""
    claimed = SignInCodeBatch.objects.filter(pk=batch_id, status=CodeBatchStatus.QUEUED).update(
        status=CodeBatchStatus.RUNNING
    )
    if not claimed:
        return  # already run (a job delivered twice) or unknown
    batch = SignInCodeBatch.objects.select_related("created_by").get(pk=batch_id)
    try:
        _run_batch(batch)
    except AppError as exc:
        _batch_failed(batch, str(exc.message))
    except Exception:
        logger.exception("sign-in code batch %s failed", batch_id)
        _batch_failed(batch, _("生成失败，请稍后重试或联系平台管理员。"))


def _batch_failed(batch: SignInCodeBatch, message: str) -> None:
    SignInCodeBatch.objects.filter(pk=batch.pk).update(
        status=CodeBatchStatus.FAILED, message=message[:255], finished_at=timezone.now()
    )


def _chunks(ids: list, size: int = 900):
    """Id lists cut to SQLite's limit of variables in one statement."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _run_batch(batch: SignInCodeBatch) -> None:
    import tempfile
    from pathlib import Path

    from django.core.files import File

    from . import codes, slips

    rows = list(
        _teachers_needing_codes(school=batch.school, county=batch.county, teacher_ids=batch.teacher_ids)
        .order_by("school__name", "school_id", "user__full_name", "id")
        .values_list(
            "user_id", "user__username", "user__full_name", "school__name", "county__name", "user__password"
        )
    )
    SignInCodeBatch.objects.filter(pk=batch.pk).update(progress_total=len(rows), progress_done=0)

    def progress(done: int) -> None:
        SignInCodeBatch.objects.filter(pk=batch.pk).update(progress_done=done)

    made = [codes.new_code() for _row in rows]
    sheet = [
        slips.Slip(name=r[2] or r[1], school=r[3], county=r[4], login=r[1], code=code)
        for r, code in zip(rows, made, strict=True)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        pdf_path, xlsx_path = Path(tmp) / "slips.pdf", Path(tmp) / "codes.xlsx"
        slips.write_pdf(
            sheet, pdf_path, expires_at=batch.expires_at, site=settings.TISHENG_SITE_URL, progress=progress
        )
        slips.write_xlsx(sheet, xlsx_path, expires_at=batch.expires_at)
        with transaction.atomic():
            now = timezone.now()
            user_ids = [r[0] for r in rows]
            for part in _chunks(user_ids):
                # One code per person: the new one voids any earlier one.
                ActivationCode.objects.filter(user_id__in=part).delete()
            ActivationCode.objects.bulk_create(
                [
                    ActivationCode(
                        user_id=r[0],
                        code_hash=codes.hash_code(code),
                        issued_by=batch.created_by,
                        batch=batch,
                        issued_at=now,
                        expires_at=batch.expires_at,
                    )
                    for r, code in zip(rows, made, strict=True)
                ],
                batch_size=2000,
            )
            reset_ids = [r[0] for r in rows if is_password_usable(r[5])]
            for part in _chunks(reset_ids):
                User.objects.filter(pk__in=part).update(password=make_password(None))
                ApiToken.objects.filter(user_id__in=part, revoked_at__isnull=True).update(revoked_at=now)
            stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
            unit = (batch.school or batch.county).name
            with pdf_path.open("rb") as fh:
                batch.pdf.save(f"{unit}-登录单-{stamp}.pdf", File(fh), save=False)
            with xlsx_path.open("rb") as fh:
                batch.xlsx.save(f"{unit}-登录码-{stamp}.xlsx", File(fh), save=False)
            batch.status = CodeBatchStatus.DONE
            batch.issued = len(rows)
            batch.reset = len(reset_ids)
            batch.progress_done = len(rows)
            batch.finished_at = now
            batch.save()
            events.sign_in_codes_issued(batch=batch, reset_user_ids=reset_ids)


def code_sign_in_check(*, account: User, code: str) -> str | None:
    """The hash of the account's code if `code` is its live code, else None."""
    from . import codes

    if not account.is_active or not codes.looks_like_code(code):
        return None
    row = ActivationCode.objects.filter(user=account).first()
    if row is None or not row.is_usable() or not codes.matches(code, row.code_hash):
        return None
    return row.code_hash


@transaction.atomic
def activation_complete(*, user: User, code_hash: str, password: str) -> User:
    """The teacher who signed in with their code sets their own password; the code is then spent."""
    row = ActivationCode.objects.select_for_update().filter(user=user).first()
    if row is None or not constant_time_compare(row.code_hash, code_hash or "") or not row.is_usable():
        raise ValidationFailed(
            _(
                "激活码已失效（已使用、已过期或已重新发放）。请重新用账号和激活码登录，或向学校管理员索取新的激活码。"
            ),
            code="code_invalid",
        )
    password_validate(user=user, password=password)
    user.set_password(password)
    user.save(update_fields=["password"])
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    revoke_all_tokens(user=user, reason="password_changed")
    events.account_activated(user=user)
    return user


@transaction.atomic
def password_change(*, actor: User, old_password: str, new_password: str) -> None:
    if not old_password or len(old_password) > MAX_PASSWORD or not actor.check_password(old_password):
        raise ValidationFailed(_("原密码不正确。"), fields={"old_password": _("原密码不正确")})
    if old_password == new_password:
        raise ValidationFailed(_("新密码不能与原密码相同。"), fields={"password": _("与原密码相同")})
    password_validate(user=actor, password=new_password)
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    revoke_all_tokens(user=actor, reason="password_changed")
    events.password_changed(user=actor)
