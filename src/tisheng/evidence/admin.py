"""Evidence in the admin: read-only. Every change of evidence goes through services.py (rules,
versions, audit events); the admin only lets the city office look."""

from django.contrib import admin

from .models import Evidence, EvidenceUpload


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("id", "teacher", "point", "status", "version", "submitted_at", "updated_at")
    list_filter = ("status", "point__code")
    search_fields = ("teacher__user__full_name", "teacher__user__username", "point__code")
    list_select_related = ("teacher__user", "point")


@admin.register(EvidenceUpload)
class EvidenceUploadAdmin(ReadOnlyAdmin):
    list_display = ("name", "evidence", "status", "received", "size", "updated_at")
    list_filter = ("status",)
    search_fields = ("name",)
    list_select_related = ("evidence",)
