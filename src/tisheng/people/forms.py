from django import forms
from django.utils.translation import gettext_lazy as _


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
