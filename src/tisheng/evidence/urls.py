from django.urls import path

from . import views

# Included at /evidence/. Every route with an id is walked by organisation/tests/test_scope_walk.py.
urlpatterns = [
    path("", views.evidence_list, name="evidence-list"),
    path("start/", views.evidence_start, name="evidence-start"),
    path("<int:evidence_id>/", views.evidence_detail, name="evidence-detail"),
    path("<int:evidence_id>/withdraw/", views.evidence_withdraw, name="evidence-withdraw"),
    path("files/<int:file_id>/", views.evidence_file_download, name="evidence-file"),
    path("files/<int:file_id>/remove/", views.evidence_file_remove, name="evidence-file-remove"),
]
