"""A refused import says it wrote nothing; a job a dead worker left behind is marked failed when a
worker starts again, and can be retried; a checked upload can be confirmed where it is listed."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from tisheng.core.models import AuditEvent
from tisheng.exchange import services
from tisheng.exchange.models import ImportJob, ImportStatus
from tisheng.organisation.models import Teacher

from . import test_import_web as web
from .test_import_web import _client, _upload, good_rows, xlsx

place = web.place  # the same small county as the web import tests

pytestmark = pytest.mark.django_db

INTERRUPTED = "导入中断，未写入任何数据，请重新确认"


@pytest.fixture
def db_queue(settings):
    """The embedded queue `make demo` runs (django-tasks-db), instead of the tests' immediate one."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _work_off() -> None:
    """What `tisheng db_worker` does with each waiting task (its loop would close the test's
    database connection between tasks, so the loop is ours)."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.claim(worker.worker_id)
        worker.run_task(result)


def _uploaded(place, capture, rows=None, **kwargs) -> ImportJob:
    with capture(execute=True):
        response = _upload(_client(place["admin"]), place, xlsx(rows or good_rows()), **kwargs)
    assert response.status_code == 302
    return ImportJob.objects.get()


def _die_while_running(job: ImportJob, status: str) -> None:
    """A worker claims the job's task, starts it and is killed: the task row stays RUNNING."""
    DBTaskResult.objects.get(pk=job.task_id).claim("dead-worker")
    ImportJob.objects.filter(pk=job.pk).update(status=status)


# ---- a refused import reports created 0 --------------------------------------------------------------
def test_a_refused_import_reports_created_zero_on_the_page_and_in_the_api(
    place, django_capture_on_commit_callbacks
):
    # A job confirmed past its check (as when the platform changed in between) whose file has a bad
    # row: the all-or-nothing import refuses it.
    rows = good_rows() + [[3, "王五", "", "123", "", "浉河区", "浉河区第一小学", "", "", ""]]
    job = _uploaded(place, django_capture_on_commit_callbacks, rows)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    services.import_job_apply(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and Teacher.objects.count() == 0
    assert (job.created, job.updated, job.would_create) == (0, 0, 2)

    client = _client(place["admin"])
    body = client.get(f"/api/v1/imports/{job.pk}").json()
    assert (body["created"], body["would_create"], body["would_update"]) == (0, 2, 0)
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert 'data-testid="created">0<' in page
    assert "无误的行本可新增 2 行" in page


def test_a_checked_job_shows_what_it_would_do_and_has_created_nothing(
    place, django_capture_on_commit_callbacks
):
    job = _uploaded(place, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.CHECKED
    assert (job.created, job.would_create) == (0, 2)
    page = _client(place["admin"]).get(reverse("import-detail", args=[job.pk])).content.decode()
    assert 'data-testid="would-create">2<' in page and 'data-testid="created"' not in page


# ---- a worker that died ---------------------------------------------------------------------------
@pytest.mark.parametrize("status", [ImportStatus.CHECKING, ImportStatus.UPLOADED])
def test_a_check_cut_short_by_a_dead_worker_is_failed_at_the_next_start_and_retried(
    place, db_queue, django_capture_on_commit_callbacks, status
):
    job = _uploaded(place, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.UPLOADED and job.task_id  # waiting in the database queue
    _die_while_running(job, status)

    out = StringIO()
    call_command("import-recover", stdout=out)
    assert "1 interrupted" in out.getvalue()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.interrupted and job.message == INTERRUPTED
    assert job.retry_stage == "check"
    event = AuditEvent.objects.get(kind="import.interrupted")
    assert event.target_id == str(job.pk) and event.data == {"was": status}

    client = _client(place["admin"])
    for path in (reverse("import-detail", args=[job.pk]), reverse("import-list")):
        page = client.get(path).content.decode()
        assert 'data-testid="retry"' in page and "重新检查" in page
    assert INTERRUPTED in client.get(reverse("import-detail", args=[job.pk])).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED and not job.interrupted and job.message == ""
    _work_off()
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and job.would_create == 2
    assert AuditEvent.objects.filter(kind="import.retried", actor=place["admin"]).count() == 1


@pytest.mark.parametrize("status", [ImportStatus.APPLYING, ImportStatus.QUEUED])
def test_an_import_cut_short_is_failed_and_retried_by_the_api(
    place, db_queue, django_capture_on_commit_callbacks, status
):
    job = _uploaded(place, django_capture_on_commit_callbacks)
    _work_off()
    client = _client(place["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/imports/{job.pk}/confirm").status_code == 202
    job.refresh_from_db()
    _die_while_running(job, status)

    marked = services.import_jobs_recover()
    assert [j.pk for j in marked] == [job.pk]
    body = client.get(f"/api/v1/imports/{job.pk}").json()
    assert body["status"] == "failed" and body["message"] == INTERRUPTED
    assert (body["interrupted"], body["retry_stage"], body["created"]) == (True, "apply", 0)
    assert Teacher.objects.count() == 0
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "重新确认导入 2 行" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/imports/{job.pk}/retry")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    _work_off()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created == 2
    assert Teacher.objects.count() == 2
    # Retrying again is a conflict, in the one error shape.
    response = client.post(f"/api/v1/imports/{job.pk}/retry")
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"


def test_a_job_whose_task_still_waits_in_the_queue_is_left_for_the_worker(
    place, db_queue, django_capture_on_commit_callbacks
):
    job = _uploaded(place, django_capture_on_commit_callbacks)
    assert services.import_jobs_recover() == []
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED
    _work_off()
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED


def test_a_queued_job_whose_task_the_queue_lost_is_failed(
    place, db_queue, django_capture_on_commit_callbacks
):
    job = _uploaded(place, django_capture_on_commit_callbacks)
    DBTaskResult.objects.all().delete()
    assert [j.pk for j in services.import_jobs_recover()] == [job.pk]


def test_with_several_workers_recent_jobs_are_spared(place, db_queue, django_capture_on_commit_callbacks):
    job = _uploaded(place, django_capture_on_commit_callbacks)
    _die_while_running(job, ImportStatus.CHECKING)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    assert services.import_jobs_recover(older_than=dt.timedelta(minutes=30)) == []
    later = timezone.now() + dt.timedelta(minutes=31)
    assert [j.pk for j in services.import_jobs_recover(older_than=dt.timedelta(minutes=30), now=later)] == [
        job.pk
    ]


def test_finished_jobs_are_never_touched_and_cannot_be_retried(place, django_capture_on_commit_callbacks):
    job = _uploaded(place, django_capture_on_commit_callbacks)
    assert services.import_jobs_recover() == []
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    client = _client(place["admin"])
    assert client.post(reverse("import-retry", args=[job.pk])).status_code == 409
    assert client.get(reverse("import-retry", args=[job.pk])).status_code == 405
    # Someone who does not manage the unit: not found, like a job that does not exist.
    assert _client(place["other_admin"]).post(reverse("import-retry", args=[job.pk])).status_code == 404


def test_make_demo_marks_left_behind_jobs_before_it_starts_the_worker():
    makefile = (Path(__file__).resolve().parents[4] / "Makefile").read_text()
    demo = makefile[makefile.index("\ndemo:") :]
    demo = demo[: demo.index("\n\n")]
    assert "tisheng import-recover" in demo
    assert demo.index("tisheng import-recover") < demo.index("tisheng db_worker")


# ---- confirm from the list ------------------------------------------------------------------------
def test_a_checked_upload_can_be_confirmed_from_the_job_list(place, django_capture_on_commit_callbacks):
    job = _uploaded(place, django_capture_on_commit_callbacks)
    bad = good_rows() + [[3, "", "", "1", "", "", "", "", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        _upload(_client(place["admin"]), place, xlsx(bad))
    refused = ImportJob.objects.exclude(pk=job.pk).get()
    client = _client(place["admin"])
    page = client.get(reverse("import-list")).content.decode()
    assert f'data-testid="confirm-{job.pk}"' in page
    assert reverse("import-confirm", args=[job.pk]) in page
    assert f'data-testid="confirm-{refused.pk}"' not in page  # rows with problems: fix first
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Teacher.objects.count() == 2
    assert f'data-testid="confirm-{job.pk}"' not in client.get(reverse("import-list")).content.decode()
