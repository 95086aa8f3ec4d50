"""The trainings app in Django admin: read-only, like the hours ledger. Attendance changes only through
the services, which credit the hours and record the audit event in step."""

from django.contrib import admin

from tisheng.hours.admin import ReadOnlyAdmin

from .models import Attendance, Training


@admin.register(Training)
class TrainingAdmin(ReadOnlyAdmin):
    list_display = ("title", "starts_at", "ends_at", "hours", "kind", "city")
    list_filter = ("kind", "city")
    search_fields = ("title", "place")


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ("training", "teacher", "method", "at")
    list_filter = ("method",)
    list_select_related = ("training", "teacher__user")
    raw_id_fields = ("training", "teacher", "recorded_by")
