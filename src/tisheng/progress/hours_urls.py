"""The hours pages of progress (hours_views.py), mounted under /hours/ beside the hours, trainings
and research pages: the paths and names bookmarks and templates use are those they always had."""

from django.urls import path

from . import hours_views

urlpatterns = [
    path("", hours_views.my_hours, name="hours-home"),
    path("overview/", hours_views.overview, name="hours-overview"),
    path("schools/<int:school_id>/", hours_views.school_hours, name="hours-school"),
]
