from django import forms
from django.utils.translation import gettext_lazy as _

from tisheng.core.files import ACCEPT

from .models import MAX_TEXT

MAX_FILES_PER_SAVE = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input multiple> (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _text_widget(rows: int):
    return forms.Textarea(attrs={"rows": rows, "maxlength": MAX_TEXT})


class EvidenceForm(forms.Form):
    summary = forms.CharField(
        label=_("成果说明（教学设计说明等）"),
        required=False,
        widget=_text_widget(8),
        help_text=_("说明如何在教学中应用该能力点，最多1万字。"),
    )
    reflection = forms.CharField(
        label=_("反思"),
        required=False,
        widget=_text_widget(6),
        help_text=_("应用后的反思与改进，最多1万字。"),
    )
    files = MultipleFileField(
        label=_("添加文件（文档、演示文稿、PDF、图片；视频请用下方的分片上传）"),
        required=False,
        max_length=255,
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    action = forms.ChoiceField(choices=[("save", _("保存草稿")), ("submit", _("提交"))], required=False)

    def _text(self, name: str, label: str) -> str:
        value = (self.cleaned_data.get(name) or "").replace("\r\n", "\n").replace("\r", "\n")
        if len(value) > MAX_TEXT:
            raise forms.ValidationError(
                _("%(label)s不能超过%(n)s个字（现在%(m)s个字）。"),
                params={"label": label, "n": MAX_TEXT, "m": len(value)},
            )
        return value

    def clean_summary(self):
        return self._text("summary", _("成果说明"))

    def clean_reflection(self):
        return self._text("reflection", _("反思"))

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if len(files) > MAX_FILES_PER_SAVE:
            raise forms.ValidationError(_("一次最多上传%(n)s个文件。"), params={"n": MAX_FILES_PER_SAVE})
        return files


class StartForm(forms.Form):
    point = forms.IntegerField(min_value=1, max_value=2**31 - 1)
