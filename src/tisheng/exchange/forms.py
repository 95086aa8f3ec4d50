from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ImportKind


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), choices=ImportKind.choices)
    unit = forms.ChoiceField(label=_("导入到"))
    file = forms.FileField(label=_("文件（.xlsx / .xls / .csv）"), max_length=200)
    valid_only = forms.BooleanField(label=_("只导入无误的行（有问题的行跳过）"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {self.key(u): u for u in units}
        self.fields["unit"].choices = [(self.key(u), self.label(u)) for u in units]

    @staticmethod
    def key(unit) -> str:
        return f"{unit._meta.model_name}:{unit.pk}"

    @staticmethod
    def label(unit) -> str:
        model = unit._meta.model_name
        if model == "school":
            return f"{unit.county.name} · {unit.name}"
        return unit.name

    def clean_unit(self):
        value = self.cleaned_data["unit"]
        if value not in self.units:
            raise forms.ValidationError(_("请选择导入到的单位。"))
        return self.units[value]
