"""Audit events of people and roles (one function per event kind)."""

from tisheng.core import audit


def _account_target(account):
    return ("people.user", account.pk) if account is not None else None


def login_failed(*, username: str, reason: str, channel: str, account=None) -> None:
    # A failed login changes nothing else, so it is recorded on its own. The account it meant (when
    # the name is one) is the target, so failures count per account whatever name or address was used.
    audit.record_standalone(
        kind="login.failed",
        actor_label=username[:150],
        summary=reason,
        target=_account_target(account),
        data={"channel": channel},
    )


def login_locked_out(*, username: str, account=None, reason: str = "pair") -> None:
    audit.record_standalone(
        kind="login.locked_out",
        actor_label=username[:150],
        summary="登录被拒绝：失败次数过多",
        target=_account_target(account),
        data={"limit": reason},
    )


def account_locked(*, account) -> None:
    audit.record(
        kind="login.account_locked", actor=None, target=account, summary=f"账号 {account.username} 已锁定"
    )


def account_unlocked(*, actor, user, was_locked: bool) -> None:
    audit.record(
        kind="login.account_unlocked",
        actor=actor,
        target=user,
        summary=f"解除账号 {user.username} 的锁定",
        data={"was_locked": was_locked},
    )


def user_active_changed(*, actor, user, active: bool) -> None:
    audit.record(
        kind="user.enabled" if active else "user.disabled",
        actor=actor,
        target=user,
        summary=f"{'启用' if active else '停用'}账号 {user.username}",
    )


def tokens_revoked(*, user, reason: str, count: int) -> None:
    audit.record(
        kind="api_token.revoked_all",
        actor=None,
        target=user,
        summary=f"吊销 {user.username} 的全部 API 令牌（{count} 个）",
        data={"reason": reason, "count": count},
    )


def login_succeeded(*, user, channel: str = "web", with_code: bool = False) -> None:
    audit.record(
        kind="login.succeeded",
        actor=user,
        target=user,
        summary="用激活码登录" if with_code else "登录成功",
        data={"channel": channel, "with_code": True} if with_code else {"channel": channel},
    )


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
        f"{audit.chinese(assignment.get_role_display)}{_marks(assignment)}",
        data=_role_data(assignment),
    )


def role_revoked(*, actor, assignment) -> None:
    audit.record(
        kind="role.revoked",
        actor=actor,
        target=assignment,
        summary=f"撤销 {assignment.user.display_name} 的 {assignment.unit} "
        f"{audit.chinese(assignment.get_role_display)}{_marks(assignment)}",
        data=_role_data(assignment),
    )


def token_issued(*, actor, token) -> None:
    audit.record(kind="api_token.issued", actor=actor, target=token, summary=f"签发 API 令牌 {token.prefix}…")


def token_revoked(*, actor, token) -> None:
    audit.record(
        kind="api_token.revoked", actor=actor, target=token, summary=f"吊销 API 令牌 {token.prefix}…"
    )


def sign_in_codes_requested(*, actor, batch, count: int) -> None:
    audit.record(
        kind="sign_in_codes.requested",
        actor=actor,
        target=batch,
        summary=f"为 {batch.unit} 的 {count} 位教师申请登录码",
        data={"count": count, "selected": len(batch.teacher_ids)},
    )


def sign_in_codes_issued(*, batch, reset_user_ids: list[int]) -> None:
    audit.record(
        kind="sign_in_codes.issued",
        actor=batch.created_by,
        target=batch,
        summary=f"为 {batch.unit} 发放登录码 {batch.issued} 个（其中重置密码 {batch.reset} 个）",
        data={"issued": batch.issued, "reset_user_ids": reset_user_ids[:5000]},
    )


def account_activated(*, user) -> None:
    audit.record(kind="password.first_set", actor=user, target=user, summary="用激活码设置了密码")


def password_changed(*, user) -> None:
    audit.record(kind="password.changed", actor=user, target=user, summary="修改了密码")
