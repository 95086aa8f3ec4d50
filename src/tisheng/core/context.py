"""Where the current request came from, for audit events written deep inside services."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    ip: str | None = None
    user_agent: str = ""
    via: str = "web"  # web, api, cli, task


_CLI = RequestOrigin(via="cli")
_origin: ContextVar[RequestOrigin | None] = ContextVar("tisheng_origin", default=None)


def current_origin() -> RequestOrigin:
    return _origin.get() or _CLI


def set_origin(origin: RequestOrigin):
    return _origin.set(origin)


def reset_origin(token) -> None:
    _origin.reset(token)
