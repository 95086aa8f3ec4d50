from django.contrib import admin

from tisheng.core.admin import AuditedModelAdmin

from .models import City, CollaborationZone, County, School, SchoolPair, Teacher, TeachingGroup, Zone


@admin.register(City)
class CityAdmin(AuditedModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name",)


@admin.register(County)
class CountyAdmin(AuditedModelAdmin):
    list_display = ("name", "city", "kind", "is_poverty_county", "sort_order")
    list_filter = ("city", "kind", "is_poverty_county")
    search_fields = ("name",)


@admin.register(Zone)
class ZoneAdmin(AuditedModelAdmin):
    list_display = ("name", "county")
    list_filter = ("county",)
    search_fields = ("name",)


@admin.register(School)
class SchoolAdmin(AuditedModelAdmin):
    list_display = ("name", "county", "zone", "locality", "stage", "is_pilot", "batch_year")
    list_filter = ("county", "locality", "stage", "is_pilot", "batch_year", "is_poverty_county")
    search_fields = ("name", "code")
    list_select_related = ("county", "zone")
    autocomplete_fields = ("county", "zone")
    exclude = ("city",)

    def save_model(self, request, obj, form, change):
        # Keep the denormalised city in step with the county (see organisation/models.py).
        obj.city_id = obj.county.city_id
        super().save_model(request, obj, form, change)


@admin.register(TeachingGroup)
class TeachingGroupAdmin(AuditedModelAdmin):
    list_display = ("name", "school", "subject")
    search_fields = ("name", "school__name")
    list_select_related = ("school",)
    autocomplete_fields = ("school",)


@admin.register(Teacher)
class TeacherAdmin(AuditedModelAdmin):
    list_display = ("__str__", "school", "group", "subject")
    search_fields = ("user__full_name", "user__username", "school__name")
    list_select_related = ("user", "school", "group")
    autocomplete_fields = ("user", "school", "group")
    exclude = ("city", "county")

    def save_model(self, request, obj, form, change):
        obj.county_id = obj.school.county_id
        obj.city_id = obj.school.city_id
        super().save_model(request, obj, form, change)


@admin.register(CollaborationZone)
class CollaborationZoneAdmin(AuditedModelAdmin):
    list_display = ("name", "city", "county")
    filter_horizontal = ("schools",)


@admin.register(SchoolPair)
class SchoolPairAdmin(AuditedModelAdmin):
    list_display = ("lead_school", "partner_school", "city")
    autocomplete_fields = ("lead_school", "partner_school")
