"""Pages of the hours ledger, mounted under /hours/ (config/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("teachers/<int:teacher_id>/", views.teacher_hours, name="hours-teacher"),
    path("entries/<int:entry_id>/remove/", views.entry_remove, name="hours-entry-remove"),
]
