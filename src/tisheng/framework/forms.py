from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Dimension, Environment


class LocalPointForm(forms.Form):
    city = forms.TypedChoiceField(label=_("所属市"), coerce=int)
    code = forms.CharField(label=_("编号"), max_length=16, help_text=_("例如 L-1"))
    environment = forms.ChoiceField(label=_("教学环境"), choices=Environment.choices)
    dimension = forms.ChoiceField(label=_("维度"), choices=Dimension.choices)
    title = forms.CharField(label=_("名称"), max_length=64, required=False)
    description = forms.CharField(
        label=_("评价指标"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    requirements = forms.CharField(
        label=_("提交要求"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [(c.id, c.name) for c in cities]
