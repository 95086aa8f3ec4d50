"""What the other tests leave out: every list page for every role, and hostile or oversized input on
the remaining forms, uploads and API operations (Chinese message, no traceback, nothing written)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.core.models import AuditEvent
from tisheng.exchange.models import ImportJob, ImportStatus
from tisheng.hours import services
from tisheng.hours.models import HoursEntry
from tisheng.organisation.tests.factories import place_of_every_role

pytestmark = pytest.mark.django_db


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def place():
    return place_of_every_role()


@pytest.mark.parametrize("reason", ["", "x", "原" * 501, "撤销\x00原因"])
def test_the_remove_form_refuses_bad_input(place, reason):
    entry = services.hours_record_manual(
        actor=place["users"]["principal"],
        teacher=place["teacher"],
        kind="online",
        hours=Decimal(2),
        date=dt.date(2022, 5, 1),
        reason="补录",
    )
    response = _client(place["users"]["principal"]).post(
        reverse("hours-entry-remove", args=[entry.pk]), {"reason": reason}
    )
    content = response.content.decode()
    assert response.status_code == 400 and 'class="form-error"' in content and "Traceback" not in content
    entry.refresh_from_db()
    assert entry.removed_at is None


@pytest.mark.parametrize(
    "payload", [{}, {"reason": ""}, {"reason": 5}, {"reason": "x" * 501}, {"reason": "a\x00b"}]
)
def test_the_remove_api_refuses_bad_input(place, payload):
    entry = services.hours_record_manual(
        actor=place["users"]["principal"],
        teacher=place["teacher"],
        kind="online",
        hours=Decimal(2),
        date=dt.date(2022, 5, 1),
        reason="补录",
    )
    response = _client(place["users"]["principal"]).post(
        f"/api/v1/hours/entries/{entry.pk}/remove", payload, content_type="application/json"
    )
    assert response.status_code in (400, 422) and chinese(response.json()["error"]["message"])
    entry.refresh_from_db()
    assert entry.removed_at is None


def _upload(client, place, content: bytes, name="课程完成记录.xlsx"):
    data = io.BytesIO(content)
    data.name = name
    return client.post(
        reverse("import-list"), {"kind": "course_hours", "unit": f"county:{place['county'].pk}", "file": data}
    )


def test_an_upload_that_is_no_spreadsheet_is_rejected_in_chinese(place, django_capture_on_commit_callbacks):
    client = _client(place["users"]["county_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, place, bytes(range(256)) * 8)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REJECTED and chinese(job.message)
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert job.message in page and "Traceback" not in page
    assert HoursEntry.objects.count() == 0


def test_an_oversized_upload_is_refused_in_chinese(place, settings):
    settings.TISHENG_IMPORT_MAX_BYTES = 1024
    response = _upload(_client(place["users"]["county_admin"]), place, b"x" * 4096, name="big.csv")
    assert response.status_code == 400 and "文件过大" in response.content.decode()
    assert ImportJob.objects.count() == 0 and HoursEntry.objects.count() == 0


def test_hostile_cells_are_stored_as_text(place, tmp_path):
    from tisheng.core.cleaning import id_check_char
    from tisheng.exchange.tests.files import run, write_file

    place["teacher"].id_number = "41010219750101001" + id_check_char("41010219750101001")
    place["teacher"].save()
    name = place["teacher"].user.full_name
    course = "<script>alert(1)</script>'; DROP TABLE hours_hoursentry; --"
    path = write_file(
        tmp_path / "h.xlsx",
        [
            ["身份证号", "姓名", "课程名称", "学时", "完成时间"],
            [place["teacher"].id_number, name, course, 2, "2022-03-05"],
        ],
    )

    outcome = run("import-course-hours", path, "--json")

    assert outcome.code == 0, outcome.out
    entry = HoursEntry.objects.get()
    assert entry.title == course
    page = _client(place["teacher"].user).get(reverse("hours-home")).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert AuditEvent.objects.filter(kind="import.course_hours").count() == 1
