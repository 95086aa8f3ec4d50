from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from tisheng.exchange import views as exchange_views
from tisheng.framework import views as framework_views
from tisheng.home import views as home_views
from tisheng.organisation import views as org_views
from tisheng.people import views as people_views

from .api import api, unknown_endpoint

admin.site.site_header = _("提升工程2.0 管理平台")
admin.site.site_title = _("提升工程2.0")

urlpatterns = [
    path("", home_views.home, name="home"),
    path("accounts/login/", people_views.login_view, name="login"),
    path("accounts/logout/", people_views.logout_view, name="logout"),
    path("accounts/", include("tisheng.people.account_urls")),
    path("org/counties/<int:county_id>/", org_views.county_detail, name="county-detail"),
    path("org/schools/", org_views.school_list, name="school-list"),
    path("org/schools/<int:school_id>/", org_views.school_detail, name="school-detail"),
    path("org/groups/<int:group_id>/", org_views.group_detail, name="group-detail"),
    path("org/teachers/<int:teacher_id>/", org_views.teacher_detail, name="teacher-detail"),
    path("framework/", framework_views.framework_list, name="framework-list"),
    path("framework/<slug:code>/", framework_views.framework_detail, name="framework-detail"),
    path("imports/", exchange_views.import_list, name="import-list"),
    path("imports/<uuid:job_id>/", exchange_views.import_detail, name="import-detail"),
    path("imports/<uuid:job_id>/progress/", exchange_views.import_progress, name="import-progress"),
    path("imports/<uuid:job_id>/confirm/", exchange_views.import_confirm, name="import-confirm"),
    path("imports/<uuid:job_id>/retry/", exchange_views.import_retry, name="import-retry"),
    path("imports/<uuid:job_id>/report/", exchange_views.import_report, name="import-report"),
    path("programme/", include("tisheng.programme.urls")),
    path("plans/", include("tisheng.plans.urls")),
    # The hours, trainings and research pages share /hours/, where they were before the split, and the
    # pages that gather all three (progress/hours_urls.py).
    path("hours/", include("tisheng.progress.hours_urls")),
    path("hours/", include("tisheng.hours.urls")),
    path("hours/", include("tisheng.trainings.urls")),
    path("hours/", include("tisheng.research.urls")),
    path("evidence/", include("tisheng.evidence.urls")),
    path("evaluation/peer/", include("tisheng.evaluation.peer_urls")),
    path("evaluation/", include("tisheng.evaluation.urls")),
    path("progress/", include("tisheng.progress.urls")),
    path("sheets/", include("tisheng.scoring.urls")),
    path("people/", include("tisheng.people.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/", unknown_endpoint),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "tisheng.core.views.bad_request"
handler404 = "tisheng.core.views.not_found"
handler500 = "tisheng.core.views.server_error"
