from django import forms
from django.utils.translation import gettext_lazy as _

from tisheng.framework.models import Environment


class MenuForm(forms.Form):
    environments = forms.MultipleChoiceField(
        label=_("学校的教学环境"),
        choices=Environment.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    points = forms.TypedMultipleChoiceField(label=_("提供给教师的能力点"), coerce=int, required=False)
    # Sent with the confirmation: the version previewed, and the explicit yes for held picks.
    version = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)
    confirm_held = forms.BooleanField(required=False)

    def __init__(self, *args, point_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["points"].choices = point_choices


class PicksForm(forms.Form):
    points = forms.TypedMultipleChoiceField(label=_("我的能力点"), coerce=int, required=False)

    def __init__(self, *args, point_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["points"].choices = point_choices


class PlanForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(
        label=_("正文"), max_length=50_000, required=False, widget=forms.Textarea(attrs={"rows": 14})
    )


class ReviewForm(forms.Form):
    # No default: a reviewer who did not choose has not decided (R-FILING).
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("approve", _("通过")), ("return", _("退回"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择审核结论：通过或退回。"),
            "invalid_choice": _("请选择审核结论：通过或退回。"),
        },
    )
    reason = forms.CharField(
        label=_("意见/理由"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("意见不能超过2000个字。")},
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件（Word、PDF、PPT、Excel 或图片）"), max_length=200)
