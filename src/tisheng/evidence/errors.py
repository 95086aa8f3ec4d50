"""The evidence app's kinds of AppError (core/errors.py): one shape, a stable code each."""

from django.utils.translation import gettext_lazy as _

from tisheng.core.errors import AppError, Conflict, ValidationFailed


class TooLarge(AppError):
    code = "too_large"
    status = 413
    default_message = _("文件过大。")


class DeadlinePassed(Conflict):
    """R-OUTCOME: the school's batch calendar closes submissions (drafts may still be saved)."""

    code = "deadline_passed"


class NotEditable(Conflict):
    code = "not_editable"
    default_message = _("成果已提交，如需修改请先撤回。")


class StaleDraft(Conflict):
    code = "stale_draft"


class WrongOffset(Conflict):
    """A chunk that does not start where the upload stands; `fields.received` says where it does."""

    code = "wrong_offset"


class UploadBusy(Conflict):
    code = "upload_busy"


class NotPicked(ValidationFailed):
    code = "not_picked"
    default_message = _("您没有选择该能力点，不能提交该能力点的成果。")
