"""The evaluation chain in the admin: read-only. Rubrics are edited on the city office's pages (a new
version each time, audited), verdicts and appeals through services.py; the admin only lets one look."""

from django.contrib import admin

from .models import Appeal, Rubric, SelfEvaluation, Verdict


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rubric)
class RubricAdmin(ReadOnlyAdmin):
    list_display = ("point", "city", "version", "is_current", "created_at", "note")
    list_filter = ("is_current", "city")
    search_fields = ("point__code", "note")
    list_select_related = ("point", "city")


@admin.register(SelfEvaluation)
class SelfEvaluationAdmin(ReadOnlyAdmin):
    list_display = ("version", "evidence", "overall", "created_at")
    list_select_related = ("version", "evidence")


@admin.register(Verdict)
class VerdictAdmin(ReadOnlyAdmin):
    list_display = ("evidence", "version", "outcome", "assessor", "created_at", "on_appeal")
    list_filter = ("outcome",)
    list_select_related = ("evidence", "version", "assessor")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("verdict", "status", "created_at", "decided_at")
    list_filter = ("status",)
    list_select_related = ("verdict",)
