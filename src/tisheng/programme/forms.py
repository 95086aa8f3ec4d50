from django import forms

from .models import BatchCalendar, ProgrammeSettings
from .services import EDITABLE


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ProgrammeSettings
        fields = EDITABLE


class CalendarForm(forms.ModelForm):
    class Meta:
        model = BatchCalendar
        fields = ["batch_year", "starts_on", "plans_due", "picks_due", "evidence_due", "assessment_due"]
        widgets = {
            f: forms.DateInput(attrs={"type": "date"})
            for f in ["starts_on", "plans_due", "picks_due", "evidence_due", "assessment_due"]
        }

    def validate_unique(self):
        """Not an error here: the service updates the row of that batch year if it exists."""
