"""HTML forms of peer review (R-PEER). They check types and sizes; the rules are peer.py's."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .peer import MAX_COMMENT, SEED_MAX


class ReviewForm(forms.Form):
    """The rubric's criteria, each with its levels and no default (the reviewer chooses), the overall
    level and the comment. Built from the rubric the page shows."""

    def __init__(self, *args, rubric, min_chars: int, **kwargs):
        super().__init__(*args, **kwargs)
        levels = [(row["level"], row["label"]) for row in rubric.levels]
        self.criteria = []
        for criterion in rubric.criteria:
            name = f"c_{criterion['key']}"
            self.fields[name] = forms.ChoiceField(
                label=criterion["label"],
                help_text=criterion.get("description", ""),
                choices=levels,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("请为这一项选择等级。"),
                    "invalid_choice": _("请选择列出的等级。"),
                },
            )
            self.criteria.append((criterion["key"], name))
        self.fields["overall"] = forms.ChoiceField(
            label=_("总体评价"),
            choices=levels,
            widget=forms.RadioSelect,
            error_messages={"required": _("请选择总体评价。"), "invalid_choice": _("请选择列出的等级。")},
        )
        self.fields["comment"] = forms.CharField(
            label=_("评语（至少%(n)s字）") % {"n": min_chars},
            min_length=min_chars,
            max_length=MAX_COMMENT,
            widget=forms.Textarea(attrs={"rows": 6}),
            error_messages={
                "required": _("请填写评语。"),
                "min_length": _("评语至少%(limit_value)d个字（现在%(show_value)d个字），请写出具体的意见。"),
                "max_length": _("评语不能超过%(limit_value)d个字（现在%(show_value)d个字）。"),
            },
        )

    def ratings(self) -> dict[str, str]:
        return {key: self.cleaned_data[name] for key, name in self.criteria}

    def criterion_fields(self):
        return [self[name] for _key, name in self.criteria]


class AllocationForm(forms.Form):
    """Preview (dry run) or confirm an allocation; confirming carries the previewed seed so the plan
    confirmed is the plan shown (if nothing changed meanwhile)."""

    action = forms.ChoiceField(choices=[("preview", _("预览")), ("confirm", _("确认分配"))])
    seed = forms.IntegerField(
        label=_("随机种子（可不填）"),
        required=False,
        min_value=0,
        max_value=SEED_MAX,
        error_messages={"invalid": _("随机种子应为非负整数。")},
    )
