from django.urls import path

from . import peer_views

# Included at /evaluation/peer/. Every route with an id is walked by organisation/tests/test_scope_walk.py.
urlpatterns = [
    path("", peer_views.peer_home, name="peer-home"),
    path("<int:peer_assignment_id>/", peer_views.peer_review, name="peer-review"),
    path("schools/<int:school_id>/", peer_views.peer_school, name="peer-school"),
]
