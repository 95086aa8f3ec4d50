from django.urls import path

from . import views

urlpatterns = [
    path("", views.my_progress, name="my-progress"),
    path("teacher/<int:teacher_id>/", views.teacher_progress, name="progress-teacher"),
    path("school/<int:school_id>/", views.school_progress, name="progress-school"),
    path("city/<int:city_id>/", views.city_progress, name="progress-city"),
    path("county/<int:county_id>/", views.county_progress, name="progress-county"),
]
