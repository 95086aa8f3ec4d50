"""Pages of the trainings app, mounted under /hours/ (config/urls.py) where they were when trainings
were part of the hours app: the same paths and names, so bookmarks and check-in links keep
working."""

from django.urls import path

from . import views

urlpatterns = [
    path("trainings/", views.training_list, name="hours-trainings"),
    path("trainings/<int:training_id>/", views.training_detail, name="hours-training"),
    path("trainings/<int:training_id>/qr/", views.training_qr, name="hours-training-qr"),
    path("trainings/<int:training_id>/qr/code/", views.training_qr_code, name="hours-training-qr-code"),
    path("checkin/<str:token>/", views.checkin_view, name="hours-checkin"),
]
