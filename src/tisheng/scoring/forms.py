from django import forms
from django.utils.translation import gettext_lazy as _

from .services import REASON_MAX


class EnteredScoreForm(forms.Form):
    key = forms.ChoiceField(label=_("项目"))
    points = forms.DecimalField(label=_("得分"), min_value=0, max_value=100, max_digits=4, decimal_places=1)
    reason = forms.CharField(
        label=_("评定理由"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [
            (i.key, f"{i.label}（0–{i.weight}）") for i in items if i.kind == "entered"
        ]
