"""Django admin for the city office. Every change made here is an audit event like any other."""

from django.contrib import admin

from . import audit
from .models import AuditEvent


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin saves and deletes run inside Django admin's transaction; the audit row joins it."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            kind=f"admin.{'changed' if change else 'added'}",
            actor=request.user,
            target=obj,
            summary=f"管理后台{'修改' if change else '新增'} {obj._meta.verbose_name} {obj}",
            data={"fields": sorted(form.changed_data)} if form is not None else {},
        )

    def delete_model(self, request, obj):
        audit.record(
            kind="admin.deleted",
            actor=request.user,
            target=obj,
            summary=f"管理后台删除 {obj._meta.verbose_name} {obj}",
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.record(
                kind="admin.deleted",
                actor=request.user,
                target=obj,
                summary=f"管理后台删除 {obj._meta.verbose_name} {obj}",
            )
        super().delete_queryset(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The trail is read-only, for everyone."""

    list_display = ("at", "actor_label", "kind", "summary", "ip", "via")
    list_filter = ("kind", "via")
    search_fields = ("actor_label", "summary", "target_id")
    date_hierarchy = "at"
    list_select_related = ("actor",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
