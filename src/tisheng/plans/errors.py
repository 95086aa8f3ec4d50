"""The plans app's kinds of AppError (core/errors.py): one shape, a stable code each."""

from django.utils.translation import gettext_lazy as _

from tisheng.core.errors import Conflict


class MenuChangeUnconfirmed(Conflict):
    """A menu change would take points with submitted or accepted evidence off the menu and the
    school has not confirmed it explicitly. The error lists who is affected (`affected`)."""

    code = "confirm_required"
    default_message = _("新菜单会移出已有成果的能力点，请确认后再发布。")

    def __init__(self, message=None, *, affected: list[dict], **kwargs):
        super().__init__(message, **kwargs)
        self.affected = affected

    def as_dict(self) -> dict:
        body = super().as_dict()
        body["error"]["affected"] = self.affected
        return body


class MenuChanged(Conflict):
    """The menu was published again between the preview and the confirmation."""

    code = "menu_changed"
