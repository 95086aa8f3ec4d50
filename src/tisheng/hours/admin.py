"""The hours ledger in Django admin: read-only. Hours change only through the services, which keep the
balances and the audit trail in step (a ledger row edited here would leave its teacher's total
wrong)."""

from django.contrib import admin

from tisheng.core.admin import AuditedModelAdmin

from .models import HoursEntry


class ReadOnlyAdmin(AuditedModelAdmin):
    """Read-only in admin (also the base of the trainings and research admins)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HoursEntry)
class HoursEntryAdmin(ReadOnlyAdmin):
    list_display = ("teacher", "kind", "hours", "date", "source", "title", "removed_at")
    list_filter = ("kind", "source")
    search_fields = ("teacher__user__full_name", "teacher__user__username", "title", "source_key")
    list_select_related = ("teacher__user",)
    raw_id_fields = ("teacher", "recorded_by", "removed_by")
