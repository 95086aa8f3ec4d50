"""HTML forms of the hours pages. They check types and sizes; the rules are the services'."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import HoursKind


class DateTimeInput(forms.DateTimeInput):
    """A datetime-local input (also used by the trainings and research forms)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ManualEntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("学时类型"), choices=HoursKind.choices)
    hours = forms.DecimalField(
        label=_("学时"), max_digits=4, decimal_places=1, min_value=Decimal("0.1"), max_value=Decimal("100")
    )
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("原因"), min_length=2, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class RemoveEntryForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销原因"), min_length=2, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
