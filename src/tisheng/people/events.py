"""Audit events of people and roles (one function per event kind)."""

from tisheng.core import audit


def login_failed(*, username: str, reason: str) -> None:
    # A failed login changes nothing else, so it is recorded on its own.
    audit.record_standalone(kind="login.failed", actor_label=username[:150], summary=reason)


def login_locked_out(*, username: str) -> None:
    audit.record_standalone(kind="login.locked_out", actor_label=username[:150], summary="账号暂时锁定")


def login_succeeded(*, user) -> None:
    audit.record(kind="login.succeeded", actor=user, target=user, summary="登录成功")


def logged_out(*, user) -> None:
    audit.record(kind="logout", actor=user, target=user, summary="退出登录")


def user_created(*, actor, user) -> None:
    audit.record(kind="user.created", actor=actor, target=user, summary=f"创建账号 {user.username}")


def _role_data(assignment) -> dict:
    unit = assignment.unit
    return {
        "user_id": assignment.user_id,
        "role": assignment.role,
        "unit_kind": type(unit)._meta.model_name.replace("teachinggroup", "group"),
        "unit_id": unit.pk,
        "unit": str(unit),
        "is_principal": assignment.is_principal,
        "is_cio": assignment.is_cio,
    }


def _marks(assignment) -> str:
    return "".join(
        m for m, on in (("（校长）", assignment.is_principal), ("（CIO）", assignment.is_cio)) if on
    )


def role_assigned(*, actor, assignment) -> None:
    audit.record(
        kind="role.assigned",
        actor=actor,
        target=assignment,
        summary=f"任命 {assignment.user.display_name} 为 {assignment.unit} "
        f"{assignment.get_role_display()}{_marks(assignment)}",
        data=_role_data(assignment),
    )


def role_revoked(*, actor, assignment) -> None:
    audit.record(
        kind="role.revoked",
        actor=actor,
        target=assignment,
        summary=f"撤销 {assignment.user.display_name} 的 {assignment.unit} "
        f"{assignment.get_role_display()}{_marks(assignment)}",
        data=_role_data(assignment),
    )


def token_issued(*, actor, token) -> None:
    audit.record(kind="api_token.issued", actor=actor, target=token, summary=f"签发 API 令牌 {token.prefix}…")


def token_revoked(*, actor, token) -> None:
    audit.record(
        kind="api_token.revoked", actor=actor, target=token, summary=f"吊销 API 令牌 {token.prefix}…"
    )
