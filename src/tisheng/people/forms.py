from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tisheng.core.errors import AppError


class LoginForm(forms.Form):
    username = forms.CharField(label=_("账号"), max_length=150)
    password = forms.CharField(label=_("密码"), max_length=256, widget=forms.PasswordInput)


class AppointForm(forms.Form):
    """Appoint one person to one role on one unit. `target` is one of the page's offers
    ("role:kind:id"); the person is a search result (`person`) or a new one (name and phone)."""

    target = forms.ChoiceField(label=_("任命为"))
    person = forms.TypedChoiceField(label=_("人员"), coerce=int, required=False, widget=forms.RadioSelect)
    new_name = forms.CharField(label=_("或：新人员姓名"), max_length=64, required=False)
    new_phone = forms.CharField(label=_("新人员手机号"), max_length=32, required=False)
    is_principal = forms.BooleanField(label=_("校长"), required=False)
    is_cio = forms.BooleanField(label=_("首席信息官（CIO）"), required=False)

    def __init__(self, *args, targets=(), people=(), allow_principal=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", _("请选择"))] + list(targets)
        self.fields["person"].choices = list(people)
        if not allow_principal:
            del self.fields["is_principal"]

    def clean(self):
        data = super().clean()
        person = data.get("person")
        if person and (data.get("new_name") or data.get("new_phone")):
            raise forms.ValidationError(_("请选择一位已有人员，或填写新人员的姓名和手机号，不要同时填写。"))
        if not person and not (data.get("new_name") and data.get("new_phone")):
            raise forms.ValidationError(_("请先搜索并选择一位人员，或填写新人员的姓名和手机号。"))
        return data


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
