from django.contrib import admin

from tisheng.core.admin import AuditedModelAdmin

from .models import AbilityPoint, Framework


@admin.register(Framework)
class FrameworkAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "issuer", "is_builtin")


@admin.register(AbilityPoint)
class AbilityPointAdmin(AuditedModelAdmin):
    list_display = ("code", "framework", "environment", "dimension", "city", "short")
    list_filter = ("framework", "environment", "dimension", "city")
    search_fields = ("code", "description", "title")

    @admin.display(description="评价指标")
    def short(self, obj):
        return obj.description[:40]
