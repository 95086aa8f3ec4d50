from django.urls import path

from . import views

urlpatterns = [
    path("teachers/<int:teacher_id>/", views.teacher_hours, name="hours-teacher"),
    path("entries/<int:entry_id>/remove/", views.entry_remove, name="hours-entry-remove"),
    path("open-classes/", views.open_class_list, name="hours-open-classes"),
    path("open-classes/<int:open_class_id>/", views.open_class_detail, name="hours-open-class"),
    path("open-classes/<int:open_class_id>/held/", views.open_class_held, name="hours-open-class-held"),
]
