"""Imports run on a real Redis-backed queue (the scale-out backend), not only the embedded one."""

import io
import os

import openpyxl
import pytest
import redis
from django.test import Client
from django.urls import reverse

from tisheng.core.cleaning import id_check_char
from tisheng.exchange.models import ImportJob, ImportStatus
from tisheng.organisation.models import Teacher
from tisheng.organisation.tests.factories import CountyFactory, SchoolFactory, user_with_role
from tisheng.people.models import Role

REDIS_URL = os.environ.get("TISHENG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def rq_backend(settings):
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        message = f"Redis is not reachable at {REDIS_URL}"
        if os.environ.get("CI"):
            pytest.fail(message + " — CI provides Redis on 127.0.0.1:6379")
        pytest.skip(message + "; start redis-server to run the Redis queue test")
    connection.flushdb()
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}  # django-tasks reloads on change
    yield connection
    connection.flushdb()


def _work_off():
    """What `tisheng rqworker --job-class django_tasks_rq.Job default` does, in burst mode."""
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    queue = django_rq.get_queue("default", job_class=Job)
    worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
    return worker.work(burst=True)


def _roster() -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "学校名称"])
    for n in range(3):
        base = f"41150219900101{n:03d}"
        ws.append([f"教师{n}", base + id_check_char(base), "浉河区第一小学"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "花名册.xlsx"
    return buf


@pytest.mark.django_db(transaction=True)
def test_an_import_is_queued_on_redis_and_run_by_an_rq_worker(rq_backend):
    county = CountyFactory(name="浉河区")
    SchoolFactory(county=county, name="浉河区第一小学")
    admin = user_with_role(Role.COUNTY_ADMIN, county)
    client = Client()
    client.force_login(admin)

    response = client.post(
        reverse("import-list"), {"kind": "roster", "unit": f"county:{county.pk}", "file": _roster()}
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.UPLOADED  # queued on Redis, nobody has run it yet
    assert rq_backend.llen("rq:queue:default") == 1

    assert _work_off()
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and job.valid == 3

    client.post(reverse("import-confirm", args=[job.pk]))
    assert _work_off()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created == 3
    assert Teacher.objects.count() == 3
