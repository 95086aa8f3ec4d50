from django.urls import path

from . import views

urlpatterns = [path("<int:city_id>/", views.programme_settings, name="programme-settings")]
