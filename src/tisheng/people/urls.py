"""人员与角色 (appointments), under /people/. Sign-in pages are in account_urls.py, under /accounts/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.people_home, name="people-home"),
    path("cities/<int:city_id>/", views.city_people, name="people-city"),
    path("counties/<int:county_id>/", views.county_people, name="people-county"),
    path("schools/<int:school_id>/", views.school_people, name="people-school"),
    path("assignments/<int:assignment_id>/remove/", views.assignment_remove, name="people-remove"),
]
