from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from tisheng.core.admin import AuditedModelAdmin

from .models import ApiToken, RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ("city", "county", "school", "group")


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "is_active", "is_staff", "last_login")
    search_fields = ("username", "full_name")
    fieldsets = (*DjangoUserAdmin.fieldsets, ("姓名", {"fields": ("full_name",)}))
    inlines = [RoleInline]

    def save_formset(self, request, form, formset, change):
        from tisheng.core import audit

        instances = formset.save()
        for obj in instances:
            audit.record(
                kind="admin.role_saved", actor=request.user, target=obj, summary=f"管理后台保存角色 {obj}"
            )
        for obj in formset.deleted_objects:
            audit.record(
                kind="admin.role_deleted", actor=request.user, target=obj, summary=f"管理后台删除角色 {obj}"
            )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedModelAdmin):
    list_display = ("user", "role", "city", "county", "school", "group", "is_principal", "is_cio")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name")
    autocomplete_fields = ("user", "city", "county", "school", "group")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False
