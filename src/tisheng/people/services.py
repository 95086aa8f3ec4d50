"""Writes about people, roles, logins and API tokens."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tisheng.core.context import current_origin
from tisheng.core.errors import Conflict, LockedOut, NotFound, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.core.scoping import scope_for

from . import events
from .models import ROLE_UNITS, ApiToken, Role, RoleAssignment, User

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
