from django.urls import path

from . import views

urlpatterns = [
    path("", views.sheets_home, name="scoring-home"),
    path("school/<int:school_id>/", views.school_sheet, name="scoring-school"),
    path("county/<int:county_id>/", views.county_sheet, name="scoring-county"),
    path("city/<int:city_id>/", views.city_rates, name="scoring-city"),
    path("city/<int:city_id>/rules/", views.sheet_rules, name="scoring-rules"),
]
