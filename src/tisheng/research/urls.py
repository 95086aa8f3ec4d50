"""Pages of the research app, mounted under /hours/ (config/urls.py) where they were when research
activities were part of the hours app: the same paths and names, so bookmarks keep working."""

from django.urls import path

from . import views

urlpatterns = [
    path("open-classes/", views.open_class_list, name="hours-open-classes"),
    path("open-classes/<int:open_class_id>/", views.open_class_detail, name="hours-open-class"),
    path("open-classes/<int:open_class_id>/hours/", views.open_class_hours, name="hours-open-class-hours"),
    path("open-classes/<int:open_class_id>/held/", views.open_class_held, name="hours-open-class-held"),
]
