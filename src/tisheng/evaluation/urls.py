from django.urls import path

from . import views

# Included at /evaluation/. Every route with an id is walked by organisation/tests/test_scope_walk.py.
# (The peer-review pages have their own peer_urls.py.)
urlpatterns = [
    path("rubrics/", views.rubric_home, name="rubric-home"),
    path("cities/<int:city_id>/rubrics/", views.rubric_list, name="rubric-list"),
    path("rubrics/<int:rubric_id>/", views.rubric_detail, name="rubric-detail"),
    path("rubrics/<int:rubric_id>/edit/", views.rubric_edit, name="rubric-edit"),
    path("assess/", views.assess_queue, name="assess-queue"),
    path("assess/count/", views.assess_count, name="assess-count"),
    path("assess/<int:evidence_id>/", views.assess_detail, name="assess-detail"),
    path("evidence/<int:evidence_id>/self-evaluation/", views.self_evaluate, name="self-evaluate"),
    path("evidence/<int:evidence_id>/appeal/", views.appeal, name="appeal"),
]
