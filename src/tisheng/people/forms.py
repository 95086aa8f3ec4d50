from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tisheng.core.errors import AppError


class LoginForm(forms.Form):
    username = forms.CharField(label=_("账号"), max_length=150)
    password = forms.CharField(label=_("密码"), max_length=256, widget=forms.PasswordInput)


class AdminLoginForm(AdminAuthenticationForm):
    """Django admin's login through people.services.login_attempt: the same limits and the same audit
    record as the login page and the API (issue 8 item 4). Django's own form would call authenticate()
    directly, around the lockout."""

    def clean(self):
        from . import services

        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        try:
            user = services.login_attempt(
                username=username, password=password, request=self.request, channel=services.ADMIN
            )
        except AppError as exc:
            raise ValidationError(str(exc.message), code=exc.code) from None
        self.user_cache = user
        self.confirm_login_allowed(user)  # active and staff (AdminAuthenticationForm)
        return self.cleaned_data


class NewPasswordForm(forms.Form):
    password = forms.CharField(label=_("新密码"), max_length=128, widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(
        label=_("再次输入新密码"), max_length=128, widget=forms.PasswordInput, strip=False
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            raise ValidationError(_("两次输入的新密码不一致。"))
        return data


class PasswordChangeForm(NewPasswordForm):
    old_password = forms.CharField(label=_("原密码"), max_length=256, widget=forms.PasswordInput, strip=False)
    field_order = ["old_password", "password", "password2"]
