"""Writes about people, roles, logins and API tokens."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from tisheng.core.context import current_origin
from tisheng.core.errors import Conflict, LockedOut, NotFound, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.core.scoping import scope_for

from . import events
from .models import ROLE_UNITS, ApiToken, Role, RoleAssignment, User

MAX_USERNAME = 150
MAX_PASSWORD = 256


WEB, API, ADMIN = "web", "api", "admin"


def resolve_account(identifier: str) -> User | None:
    """The account a sign-in name means: its login (user name)."""
    return User.objects.filter(username=identifier).first()


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
    if user is None:
        _fail(username=username, account=account, reason="账号或密码错误", channel=channel)
        raise ValidationFailed(_("账号或密码错误。"))
    with transaction.atomic():
        events.login_succeeded(user=user, channel=channel)
    return user


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
    if scope.is_superuser:
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


def _require_can_assign(*, actor, role: str, unit) -> None:
    """Who may hand out a role: the manager of the unit (or of a unit above it)."""
    from tisheng.organisation.models import City, County, School, TeachingGroup

    scope = scope_for(actor)
    if isinstance(unit, City):
        allowed = scope.can_manage_city(unit.id)
    elif isinstance(unit, County):
        allowed = scope.can_manage_county(unit)
    elif isinstance(unit, School):
        allowed = scope.can_manage_school(unit)
    elif isinstance(unit, TeachingGroup):
        allowed = scope.can_manage_school(unit.school)
    else:
        allowed = False
    if not allowed:
        raise NotFound()


@transaction.atomic
def role_assign(
    *, actor, user: User, role: str, unit, is_principal: bool = False, is_cio: bool = False
) -> RoleAssignment:
    if role not in ROLE_UNITS:
        raise ValidationFailed(_("该角色不能直接分配（教师角色来自学校花名册）。"))
    unit_kind = unit._meta.model_name.replace("teachinggroup", "group")
    if unit_kind not in ROLE_UNITS[role]:
        raise ValidationFailed(_("角色“%(role)s”不能绑定到该类单位。") % {"role": Role(role).label})
    _require_can_assign(actor=actor, role=role, unit=unit)
    if (is_principal or is_cio) and role != Role.SCHOOL_TEAM:
        raise ValidationFailed(_("只有学校管理团队成员可以标记为校长或CIO。"))
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user, role=role, is_principal=is_principal, is_cio=is_cio, **{unit_kind: unit}
            )
    except IntegrityError:
        raise Conflict(_("该用户已拥有此角色。")) from None
    events.role_assigned(actor=actor, assignment=assignment)
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    _require_can_assign(actor=actor, role=assignment.role, unit=assignment.unit)
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
