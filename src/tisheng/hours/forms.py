"""HTML forms of the hours pages. They check types and sizes; the rules are the services'."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import HoursKind, Rating


class _DateTimeInput(forms.DateTimeInput):
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
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=_DateTimeInput())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=_DateTimeInput())
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


class OpenClassForm(forms.Form):
    teacher = forms.TypedChoiceField(label=_("授课教师"), coerce=int)
    topic = forms.CharField(label=_("课题"), min_length=2, max_length=120)
    point = forms.TypedChoiceField(label=_("能力点"), coerce=int)
    scheduled_at = forms.DateTimeField(label=_("上课时间"), widget=_DateTimeInput())
    place = forms.CharField(label=_("地点"), max_length=120)
    giver_hours = forms.DecimalField(
        label=_("授课教师计校本实践学时"),
        max_digits=3,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("20"),
        initial=Decimal("2"),
    )
    observer_hours = forms.DecimalField(
        label=_("每位听课教师计校本实践学时"),
        max_digits=3,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("20"),
        initial=Decimal("1"),
    )

    def __init__(self, *args, teachers=(), points=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.teacher_objs = {t.pk: t for t in teachers}
        self.point_objs = {p.pk: p for p in points}
        self.fields["teacher"].choices = [(t.pk, f"{t} · {t.school.name}") for t in teachers]
        self.fields["point"].choices = [(p.pk, f"{p.code} {p.title or p.description[:30]}") for p in points]

    def clean_teacher(self):
        return self.teacher_objs[self.cleaned_data["teacher"]]

    def clean_point(self):
        return self.point_objs[self.cleaned_data["point"]]


class ObservationForm(forms.Form):
    comment = forms.CharField(
        label=_("评课意见（10–2000字）"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    rating = forms.ChoiceField(
        label=_("评价（可不填）"), choices=[("", _("不评"))] + list(Rating.choices), required=False
    )
