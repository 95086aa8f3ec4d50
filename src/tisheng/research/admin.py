"""The research app in Django admin: read-only, like the hours ledger. Open classes and observations
change only through the services, which credit the hours and record the audit event in step."""

from django.contrib import admin

from tisheng.hours.admin import ReadOnlyAdmin

from .models import Observation, OpenClass


@admin.register(OpenClass)
class OpenClassAdmin(ReadOnlyAdmin):
    list_display = ("topic", "school", "teacher", "scheduled_at", "held_at")
    list_select_related = ("school", "teacher__user")
    raw_id_fields = ("school", "teacher", "point", "held_by", "created_by")


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    list_display = ("open_class", "observer", "rating", "at")
    list_select_related = ("open_class", "observer__user")
    raw_id_fields = ("open_class", "observer")
