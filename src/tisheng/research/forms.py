"""HTML forms of the research pages. They check types and sizes; the rules are the services'."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from tisheng.hours.forms import DateTimeInput

from .models import Rating

HOURS_FIELDS = ("giver_hours", "observer_hours")
HOURS_NOT_SENT = _(
    "公开课学时按本市项目设置计算，安排时不能填写；学校管理团队可在确认举行前注明理由调整某节课的学时。"
)


class OpenClassForm(forms.Form):
    teacher = forms.TypedChoiceField(label=_("授课教师"), coerce=int)
    topic = forms.CharField(label=_("课题"), min_length=2, max_length=120)
    point = forms.TypedChoiceField(label=_("能力点"), coerce=int)
    scheduled_at = forms.DateTimeField(label=_("上课时间"), widget=DateTimeInput())
    place = forms.CharField(label=_("地点"), max_length=120)

    def __init__(self, *args, teachers=(), points=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.teacher_objs = {t.pk: t for t in teachers}
        self.point_objs = {p.pk: p for p in points}
        self.fields["teacher"].choices = [(t.pk, f"{t} · {t.school.name}") for t in teachers]
        self.fields["point"].choices = [(p.pk, f"{p.code} {p.title or p.description[:30]}") for p in points]

    def clean(self):
        # Issue 9 item 10: the hours come from the programme settings, not from whoever schedules.
        if any(k in self.data for k in HOURS_FIELDS):
            raise forms.ValidationError(HOURS_NOT_SENT, code="hours_not_yours")
        return super().clean()

    def clean_teacher(self):
        return self.teacher_objs[self.cleaned_data["teacher"]]

    def clean_point(self):
        return self.point_objs[self.cleaned_data["point"]]


class OpenClassHoursForm(forms.Form):
    """The school team changes the hours one open class credits, with a reason (issue 9 item 10)."""

    giver_hours = forms.DecimalField(
        label=_("授课教师计校本实践学时"),
        max_digits=3,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("20"),
    )
    observer_hours = forms.DecimalField(
        label=_("每位听课教师计校本实践学时"),
        max_digits=3,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("20"),
    )
    reason = forms.CharField(label=_("调整理由"), min_length=4, max_length=500)


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
