"""HTML forms of the trainings pages. They check types and sizes; the rules are the services'."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from tisheng.hours.forms import DateTimeInput
from tisheng.hours.models import HoursKind


def unit_key(unit) -> str:
    return f"{unit._meta.model_name}:{unit.pk}"


def unit_label(unit) -> str:
    if unit._meta.model_name == "school":
        return f"{unit.county.name} · {unit.name}"
    return unit.name


class TrainingForm(forms.Form):
    organiser = forms.ChoiceField(label=_("主办单位"))
    title = forms.CharField(label=_("培训主题"), min_length=2, max_length=120)
    place = forms.CharField(label=_("地点"), max_length=120)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DateTimeInput())
    hours = forms.DecimalField(
        label=_("学时"), max_digits=4, decimal_places=1, min_value=Decimal("0.1"), max_value=Decimal("100")
    )
    kind = forms.ChoiceField(label=_("学时类型"), choices=HoursKind.choices, initial=HoursKind.PRACTICE)
    audience = forms.TypedMultipleChoiceField(
        label=_("参训学校（不选则面向主办单位全体教师）"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, units=(), schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {unit_key(u): u for u in units}
        self.fields["organiser"].choices = [(unit_key(u), unit_label(u)) for u in units]
        self.fields["audience"].choices = [(s.pk, unit_label(s)) for s in schools]

    def clean_organiser(self):
        value = self.cleaned_data["organiser"]
        if value not in self.units:
            raise forms.ValidationError(_("请选择主办单位。"))
        return self.units[value]


class AttendanceForm(forms.Form):
    teachers = forms.TypedMultipleChoiceField(
        label=_("参训教师"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {t.pk: t for t in candidates}
        self.fields["teachers"].choices = [(t.pk, f"{t} · {t.school.name}") for t in candidates]

    def clean_teachers(self):
        return [self.candidates[pk] for pk in self.cleaned_data["teachers"]]
