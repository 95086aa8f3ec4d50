"""Importing from the web and the API: upload, background check, preview, confirm, result, report."""

import io
import zipfile

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from tisheng.core.cleaning import id_check_char
from tisheng.core.models import AuditEvent
from tisheng.exchange.importing import shown
from tisheng.exchange.models import ImportJob, ImportStatus
from tisheng.organisation.models import Teacher
from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    SchoolFactory,
    TeacherFactory,
    user_with_role,
)
from tisheng.people.models import Role

pytestmark = pytest.mark.django_db

HEADER = ["序号", "姓名", "性别", "身份证号", "手机号", "县区", "学校名称", "学科", "学段", "教研组"]


def ident(n: int) -> str:
    base = f"41150219850101{n:03d}"
    return base + id_check_char(base)


def xlsx(rows, header=HEADER) -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "花名册.xlsx"
    return buf


@pytest.fixture
def place():
    city = CityFactory(name="信阳市")
    shihe = CountyFactory(city=city, name="浉河区")
    other = CountyFactory(city=city, name="固始县")
    school = SchoolFactory(county=shihe, name="浉河区第一小学")
    far = SchoolFactory(county=other, name="固始县第一小学")
    return {
        "city": city,
        "county": shihe,
        "other": other,
        "school": school,
        "far": far,
        "admin": user_with_role(Role.COUNTY_ADMIN, shihe),
        "other_admin": user_with_role(Role.COUNTY_ADMIN, other),
        "guide": user_with_role(Role.COUNTY_GUIDE, shihe),
        "principal": user_with_role(Role.SCHOOL_TEAM, school, is_principal=True),
    }


def good_rows():
    return [
        [1, "张三", "男", ident(1), "13800000001", "浉河区", "浉河区第一小学", "语文", "小学", "语文组"],
        [2, "李四", "女", ident(2), "13800000002", "浉河区", "浉河区第一小学", "数学", "小学", "数学组"],
    ]


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _upload(client, place, data, *, valid_only=False, unit=None):
    unit = unit or f"county:{place['county'].pk}"
    form = {"kind": "roster", "unit": unit, "file": data}
    if valid_only:
        form["valid_only"] = "on"
    return client.post(reverse("import-list"), form)


def test_county_admin_imports_a_roster_from_the_web(place, django_capture_on_commit_callbacks):
    client = _client(place["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, place, xlsx(good_rows()))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.CHECKED and (job.rows, job.valid, job.would_create) == (2, 2, 2)
    assert job.created == 0  # checked, nothing written yet
    assert Teacher.objects.count() == 0  # checked, not yet written

    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "确认导入 2 行" in page and "张三" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created == 2
    assert set(Teacher.objects.values_list("id_number", flat=True)) == {ident(1), ident(2)}
    assert AuditEvent.objects.filter(kind="import.roster", actor=place["admin"]).count() == 1
    assert AuditEvent.objects.filter(kind="import.uploaded").count() == 1
    assert AuditEvent.objects.filter(kind="import.confirmed").count() == 1
    progress = client.get(reverse("import-progress", args=[job.pk]))
    assert progress["HX-Refresh"] == "true"


def test_problems_are_marked_on_their_rows_and_block_the_import(place, django_capture_on_commit_callbacks):
    rows = good_rows() + [[3, "", "", "41150219850101001", "123", "", "不存在的学校", "", "", ""]]
    client = _client(place["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, place, xlsx(rows))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.CHECKED and job.error_count >= 3
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "姓名不能为空" in page and "身份证号应为18位" in page and "手机号应为11位" in page
    assert 'data-testid="fix-first"' in page and 'data-testid="confirm"' not in page
    report = client.get(reverse("import-report", args=[job.pk]))
    assert report.status_code == 200
    assert b"".join(report.streaming_content)[:2] == b"PK"

    response = client.post(reverse("import-confirm", args=[job.pk]))
    assert response.status_code == 400
    assert "有问题的行" in response.content.decode()
    assert Teacher.objects.count() == 0


def test_valid_only_imports_exactly_the_good_rows(place, django_capture_on_commit_callbacks):
    rows = good_rows() + [[3, "王五", "", "123", "", "浉河区", "浉河区第一小学", "", "", ""]]
    client = _client(place["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, place, xlsx(rows), valid_only=True)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created == 2 and job.error_count == 1
    assert Teacher.objects.count() == 2


def test_a_zip_that_is_no_spreadsheet_is_rejected_with_a_message(place, django_capture_on_commit_callbacks):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "not a spreadsheet")
    buf.seek(0)
    buf.name = "名单.xlsx"
    client = _client(place["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, place, buf)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REJECTED
    assert "不是有效的 Excel" in job.message
    assert "不是有效的 Excel" in client.get(reverse("import-detail", args=[job.pk])).content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("名单.exe", b"MZ\x90\x00", "请上传 .xlsx"),
        ("名单.xlsx", b"", "空文件"),
        ("../../etc/passwd.csv", b"\xff\xfe\x00\x00", None),
    ],
)
def test_bad_uploads_get_a_message_and_no_job(
    place, name, content, message, django_capture_on_commit_callbacks
):
    data = io.BytesIO(content)
    data.name = name
    client = _client(place["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, place, data)
    if message is None:
        # A path in the name is reduced to its last part; the binary content is refused by the check.
        job = ImportJob.objects.get()
        assert "/" not in job.original_name and ".." not in job.file.name
        assert job.status == ImportStatus.REJECTED and job.message
    else:
        assert response.status_code == 400
        assert message in response.content.decode()
        assert ImportJob.objects.count() == 0


def test_an_oversized_upload_is_refused_before_it_is_stored(place, settings):
    settings.TISHENG_IMPORT_MAX_BYTES = 1024
    data = io.BytesIO(b"a" * 200_000)
    data.name = "大文件.csv"
    response = _upload(_client(place["admin"]), place, data)
    assert response.status_code in (400, 413)
    assert "文件过大" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_a_missing_file_is_a_form_error(place):
    response = _client(place["admin"]).post(
        reverse("import-list"), {"kind": "roster", "unit": f"county:{place['county'].pk}"}
    )
    assert response.status_code == 400
    assert ImportJob.objects.count() == 0


def test_an_admin_cannot_import_into_another_county(place, django_capture_on_commit_callbacks):
    client = _client(place["admin"])
    response = _upload(client, place, xlsx(good_rows()), unit=f"county:{place['other'].pk}")
    assert response.status_code == 400  # not one of the choices offered
    assert ImportJob.objects.count() == 0
    response = client.post(
        "/api/v1/imports",
        {"kind": "roster", "unit_kind": "county", "unit_id": place["other"].pk, "file": xlsx(good_rows())},
    )
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert ImportJob.objects.count() == 0


def test_rows_for_a_school_of_another_county_are_not_imported(place, django_capture_on_commit_callbacks):
    rows = [[1, "赵六", "男", ident(9), "", "固始县", "固始县第一小学", "", "", ""]]
    client = _client(place["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, place, xlsx(rows))
    job = ImportJob.objects.get()
    assert job.error_count == 1 and "未找到学校" in shown(job.errors[0])["message"]


def test_a_school_team_imports_its_own_roster_but_not_a_school_list(
    place, django_capture_on_commit_callbacks
):
    client = _client(place["principal"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, place, xlsx(good_rows()), unit=f"school:{place['school'].pk}")
    assert response.status_code == 302
    response = client.post(
        reverse("import-list"),
        {"kind": "units", "unit": f"school:{place['school'].pk}", "file": xlsx(good_rows())},
    )
    assert response.status_code == 400
    assert "学校不能导入学校名单" in response.content.decode()


def test_people_who_manage_nothing_have_no_import_page(place):
    teacher = TeacherFactory(school=place["school"])
    for user in (place["guide"], teacher.user):
        assert _client(user).get(reverse("import-list")).status_code == 404


def test_the_api_runs_the_same_flow(place, django_capture_on_commit_callbacks):
    client = _client(place["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/imports",
            {
                "kind": "roster",
                "unit_kind": "county",
                "unit_id": place["county"].pk,
                "file": xlsx(good_rows()),
            },
        )
    assert response.status_code == 201
    job_id = response.json()["id"]
    body = client.get(f"/api/v1/imports/{job_id}").json()
    assert body["status"] == "checked" and body["valid"] == 2 and body["percent"] == 100
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/imports/{job_id}/confirm")
    assert response.status_code == 202
    body = client.get(f"/api/v1/imports/{job_id}").json()
    assert body["status"] == "done" and body["created"] == 2
    assert client.post(f"/api/v1/imports/{job_id}/confirm").status_code == 409
    # Malformed calls get the one error shape.
    response = client.post(
        "/api/v1/imports", {"kind": "roster", "unit_kind": "planet", "unit_id": 1, "file": xlsx([])}
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"
    response = client.post("/api/v1/imports", {"kind": "roster"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid"


def test_personal_data_is_masked_except_for_the_person_and_their_managers(place):
    teacher = TeacherFactory(school=place["school"], id_number=ident(5), phone="13912345678")
    full = {"id_number": ident(5), "phone": "13912345678"}
    for user, expect_full in (
        (place["admin"], True),
        (place["principal"], True),
        (teacher.user, True),
        (place["guide"], False),
    ):
        body = _client(user).get(f"/api/v1/teachers/{teacher.pk}").json()
        page = _client(user).get(reverse("teacher-detail", args=[teacher.pk])).content.decode()
        if expect_full:
            assert {k: body[k] for k in full} == full
            assert ident(5) in page
        else:
            assert body["id_number"] == f"{ident(5)[:4]}**********{ident(5)[-4:]}"
            assert body["phone"] == "139****5678"
            assert ident(5) not in page and "13912345678" not in page
