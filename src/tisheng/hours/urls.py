from django.urls import path

from . import views

urlpatterns = [
    path("", views.my_hours, name="hours-home"),
    path("overview/", views.overview, name="hours-overview"),
    path("teachers/<int:teacher_id>/", views.teacher_hours, name="hours-teacher"),
    path("entries/<int:entry_id>/remove/", views.entry_remove, name="hours-entry-remove"),
    path("schools/<int:school_id>/", views.school_hours, name="hours-school"),
    path("trainings/", views.training_list, name="hours-trainings"),
    path("trainings/<int:training_id>/", views.training_detail, name="hours-training"),
    path("trainings/<int:training_id>/qr/", views.training_qr, name="hours-training-qr"),
    path("trainings/<int:training_id>/qr/code/", views.training_qr_code, name="hours-training-qr-code"),
    path("checkin/<str:token>/", views.checkin_view, name="hours-checkin"),
    path("open-classes/", views.open_class_list, name="hours-open-classes"),
    path("open-classes/<int:open_class_id>/", views.open_class_detail, name="hours-open-class"),
    path("open-classes/<int:open_class_id>/held/", views.open_class_held, name="hours-open-class-held"),
]
