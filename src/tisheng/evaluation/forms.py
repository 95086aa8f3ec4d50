"""Forms of the evaluation pages: typed, bounded input; the rules themselves are in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tisheng.core.schemas import BIGINT_MAX, INT_MAX

from .models import Outcome
from .rubrics import MAX_CRITERIA, MAX_DESCRIPTION, MAX_LABEL
from .services import MAX_APPEAL, MAX_NOTE, MAX_REQUIREMENTS, MAX_TEXT


def _area(rows: int, maximum: int):
    return forms.Textarea(attrs={"rows": rows, "maxlength": maximum})


def _id_field():
    return forms.IntegerField(min_value=1, max_value=BIGINT_MAX, widget=forms.HiddenInput)


def _level_field(label, levels, *, required=True):
    return forms.ChoiceField(
        label=label,
        choices=[(row["level"], row["label"]) for row in levels],
        widget=forms.RadioSelect,
        required=required,
        error_messages={"required": _("请选择等级。"), "invalid_choice": _("请选择列出的等级。")},
    )


class RubricForm(forms.Form):
    """A point's rubric: up to 10 criteria (name + description), the level descriptions, the
    requirements and a change note (R-FW-3). Empty criterion rows are left out."""

    requirements = forms.CharField(
        label=_("提交要求"), required=False, max_length=MAX_REQUIREMENTS, widget=_area(4, MAX_REQUIREMENTS)
    )
    note = forms.CharField(
        label=_("修改说明"),
        max_length=MAX_NOTE,
        min_length=2,
        help_text=_("说明这次修改了什么、为什么修改（必填，将显示在版本历史中）。"),
        error_messages={"required": _("请填写修改说明。")},
    )

    def __init__(self, *args, rubric, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        for n in range(1, MAX_CRITERIA + 1):
            self.fields[f"c{n}_label"] = forms.CharField(
                label=_("指标%(n)s名称") % {"n": n}, required=False, max_length=MAX_LABEL
            )
            self.fields[f"c{n}_description"] = forms.CharField(
                label=_("指标%(n)s说明") % {"n": n},
                required=False,
                max_length=MAX_DESCRIPTION,
                widget=_area(2, MAX_DESCRIPTION),
            )
        for row in rubric.levels:
            self.fields[f"level_{row['level']}"] = forms.CharField(
                label=_("“%(l)s”的说明") % {"l": row["label"]},
                required=False,
                max_length=MAX_DESCRIPTION,
                widget=_area(2, MAX_DESCRIPTION),
            )
        if not self.is_bound:
            self.initial.setdefault("requirements", rubric.requirements)
            for n, c in enumerate(rubric.criteria, start=1):
                self.initial.setdefault(f"c{n}_label", c.get("label", ""))
                self.initial.setdefault(f"c{n}_description", c.get("description", ""))
            for row in rubric.levels:
                self.initial.setdefault(f"level_{row['level']}", row.get("description", ""))

    def criterion_rows(self):
        return [(self[f"c{n}_label"], self[f"c{n}_description"]) for n in range(1, MAX_CRITERIA + 1)]

    def level_fields(self):
        return [self[f"level_{row['level']}"] for row in self.rubric.levels]

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "criteria": [
                {"label": data.get(f"c{n}_label", ""), "description": data.get(f"c{n}_description", "")}
                for n in range(1, MAX_CRITERIA + 1)
            ],
            "level_descriptions": {
                row["level"]: data.get(f"level_{row['level']}", "") for row in self.rubric.levels
            },
            "requirements": data["requirements"],
            "note": data["note"],
        }


class _RatingsForm(forms.Form):
    """One radio group per criterion of the rubric (field r_<key>), plus the version shown."""

    version = _id_field()

    def __init__(self, *args, rubric, ratings_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        for c in rubric.criteria:
            self.fields[f"r_{c['key']}"] = _level_field(c["label"], rubric.levels, required=ratings_required)

    def rating_fields(self):
        return [(c, self[f"r_{c['key']}"]) for c in self.rubric.criteria]

    def ratings(self) -> dict:
        return {c["key"]: self.cleaned_data.get(f"r_{c['key']}") for c in self.rubric.criteria}


class SelfEvaluationForm(_RatingsForm):
    overall = forms.ChoiceField(
        label=_("总体自评"),
        choices=[],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择总体等级。"), "invalid_choice": _("请选择列出的等级。")},
    )
    reflection = forms.CharField(
        label=_("自评反思"),
        max_length=MAX_TEXT,
        widget=_area(5, MAX_TEXT),
        help_text=_("结合量规说明做得好的地方和需要改进的地方。"),
        error_messages={"required": _("请填写自评反思。")},
    )

    def __init__(self, *args, rubric, **kwargs):
        super().__init__(*args, rubric=rubric, **kwargs)
        self.fields["overall"].choices = [(row["level"], row["label"]) for row in rubric.levels]


class VerdictForm(_RatingsForm):
    """The assessment group's form: no decision is preselected (R-EVAL)."""

    seen = forms.IntegerField(min_value=0, max_value=INT_MAX, widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("考核结论"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择考核结论。"), "invalid_choice": _("请选择列出的结论。")},
    )
    comment = forms.CharField(
        label=_("考核评语（退回修改时填写退回理由）"),
        max_length=MAX_TEXT,
        widget=_area(5, MAX_TEXT),
        error_messages={"required": _("请填写考核评语或退回理由。")},
    )

    def __init__(self, *args, rubric, **kwargs):
        # Ratings are needed for 优秀/合格/不合格, not for 退回修改: the service says which is missing.
        super().__init__(*args, rubric=rubric, ratings_required=False, **kwargs)


class AppealForm(forms.Form):
    verdict = _id_field()
    reason = forms.CharField(
        label=_("申请复核的理由"),
        max_length=MAX_APPEAL,
        widget=_area(4, MAX_APPEAL),
        error_messages={"required": _("请填写申请复核的理由。")},
    )


class QueueFilterForm(forms.Form):
    status = forms.CharField(required=False, max_length=20)
    group = forms.IntegerField(required=False, min_value=1, max_value=BIGINT_MAX)
    point = forms.IntegerField(required=False, min_value=1, max_value=BIGINT_MAX)
