"""Password rules with messages teachers understand (issue 8 item 2).

Used through AUTH_PASSWORD_VALIDATORS, so the activation page, the change-password page, Django admin
and `tisheng changepassword` all apply the same rules and say the same Chinese sentences.
"""

import re

from django.contrib.auth.password_validation import CommonPasswordValidator as DjangoCommon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator:
    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                _("密码太短：至少需要 %(n)s 个字符。") % {"n": self.min_length}, code="password_too_short"
            )
        if len(password) > 128:
            raise ValidationError(_("密码太长：最多 128 个字符。"), code="password_too_long")

    def get_help_text(self):
        return _("至少 %(n)s 个字符。") % {"n": self.min_length}


class CommonPasswordValidator(DjangoCommon):
    """Django's list of 20,000 common passwords, and sequences such as 12345678 or aaaaaaaa."""

    def validate(self, password, user=None):
        lowered = password.lower().strip()
        simple = (
            len(set(lowered)) <= 2
            or lowered in "0123456789012345678901234567890"
            or lowered in ("abcdefghijklmnopqrstuvwxyz")
        )
        if simple or lowered in self.passwords:
            raise ValidationError(_("这个密码太常见，很容易被猜到，请换一个。"), code="password_too_common")

    def get_help_text(self):
        return _("不能是常见密码（如 12345678、password）。")


class NotOnlyDigitsValidator:
    def validate(self, password, user=None):
        if password.isdigit():
            raise ValidationError(_("密码不能全是数字，请加入字母或符号。"), code="password_entirely_numeric")

    def get_help_text(self):
        return _("不能全是数字。")


class PersonalDataValidator:
    """Not the ID number, the phone number or the login — nor a password that contains them."""

    def validate(self, password, user=None):
        if user is None:
            return
        from tisheng.organisation.models import Teacher

        lowered = password.lower()
        compact = re.sub(r"[\s-]", "", lowered)
        teacher = (
            Teacher.objects.filter(user_id=user.pk).values("id_number", "phone").first() if user.pk else None
        )
        if teacher and teacher["id_number"]:
            idn = teacher["id_number"].lower()
            if idn in compact or (len(compact) <= 12 and compact and compact in idn and len(compact) >= 6):
                raise ValidationError(_("密码不能使用身份证号或其中的一段。"), code="password_is_id_number")
        if teacher and teacher["phone"] and teacher["phone"] in compact:
            raise ValidationError(_("密码不能使用手机号。"), code="password_is_phone")
        if user.username and len(user.username) >= 4 and user.username.lower() in lowered:
            raise ValidationError(_("密码不能包含登录账号。"), code="password_is_login")

    def get_help_text(self):
        return _("不能使用身份证号、手机号或登录账号。")
