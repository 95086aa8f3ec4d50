from django.urls import path

from . import views

urlpatterns = [
    path("", views.programme_home, name="programme-home"),
    path("<int:city_id>/", views.programme_settings, name="programme-settings"),
]
