"""Signing in: first passwords with a code, own password, the managers' code batches and unlocks (/accounts/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("activate/", views.activate_view, name="activate"),
    path("password/", views.password_change_view, name="password-change"),
    path("schools/<int:school_id>/sign-in/", views.school_sign_in, name="school-sign-in"),
    path("counties/<int:county_id>/sign-in/", views.county_sign_in, name="county-sign-in"),
    path("code-batches/<uuid:batch_id>/", views.code_batch_detail, name="code-batch"),
    path("code-batches/<uuid:batch_id>/progress/", views.code_batch_progress, name="code-batch-progress"),
    path(
        "code-batches/<uuid:batch_id>/pdf/", views.code_batch_download, {"kind": "pdf"}, name="code-batch-pdf"
    ),
    path(
        "code-batches/<uuid:batch_id>/xlsx/",
        views.code_batch_download,
        {"kind": "xlsx"},
        name="code-batch-xlsx",
    ),
    path("teachers/<int:teacher_id>/unlock/", views.teacher_unlock, name="teacher-unlock"),
]
