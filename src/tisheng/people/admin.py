from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from tisheng.core.admin import AuditedModelAdmin

from . import services
from .forms import AdminLoginForm
from .models import ApiToken, RoleAssignment, User

# Admin's login goes through the platform's sign-in check (lockout and audit), like every other way in.
admin.site.login_form = AdminLoginForm


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ("city", "county", "school", "group")


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "is_active", "is_staff", "locked_at", "last_login")
    list_filter = (*DjangoUserAdmin.list_filter, ("locked_at", admin.EmptyFieldListFilter))
    search_fields = ("username", "full_name")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("姓名", {"fields": ("full_name",)}),
        ("登录锁定", {"fields": ("locked_at", "failures_reset_at")}),
    )
    readonly_fields = ("locked_at", "failures_reset_at")
    inlines = [RoleInline]
    actions = ["unlock_accounts"]

    @admin.action(description="解除所选账号的登录锁定")
    def unlock_accounts(self, request, queryset):
        from django.contrib import messages

        from tisheng.core.errors import AppError

        done = 0
        for user in queryset:
            try:
                services.account_unlock(actor=request.user, user=user)
                done += 1
            except AppError as exc:
                self.message_user(request, f"{user.username}：{exc.message}", messages.ERROR)
        self.message_user(request, f"已解除 {done} 个账号的锁定。")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Disabled here: the person's API tokens end now, as with services.user_set_active.
            services.revoke_all_tokens(user=obj, reason="disabled")

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
