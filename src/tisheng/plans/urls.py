from django.urls import path

from . import views

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("<int:plan_id>/", views.plan_detail, name="plan-detail"),
    path("school/<int:school_id>/<slug:kind>/", views.plan_edit_school, name="plan-edit-school"),
    path("group/<int:group_id>/", views.plan_edit_group, name="plan-edit-group"),
    path("county/<int:county_id>/", views.plan_edit_county, name="plan-edit-county"),
    path("personal/", views.plan_edit_personal, name="plan-edit-personal"),
    path("<int:plan_id>/attachments/", views.plan_attach, name="plan-attach"),
    path("attachments/<int:attachment_id>/", views.plan_attachment_download, name="plan-attachment-download"),
    path(
        "attachments/<int:attachment_id>/remove/", views.plan_attachment_remove, name="plan-attachment-remove"
    ),
    path("launch/<int:school_id>/", views.launch_edit, name="launch-edit"),
    path("picks/", views.my_picks, name="my-picks"),
    path("picks/<int:pick_id>/unlock/", views.pick_unlock, name="pick-unlock"),
]
