"""An import's row messages are read in the reader's language (issue 9 item 16).

The check runs in a worker that does not know who will read it, so a job stores each problem as a
code with its parameters and the page, the API and the downloadable report put it into words when
they are read. These tests use messages whose English is in the catalog already
("%(label)s不能为空。", "手机号应为11位数字，以1开头。", the column labels), so the English below
can only come from gettext at reading time.
"""

import io

import openpyxl
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tisheng.core.problems import define, problem, render
from tisheng.exchange import services
from tisheng.exchange.importing import shown, shown_all
from tisheng.exchange.models import ImportJob, ImportKind, ImportStatus
from tisheng.exchange.tests.test_import_web import good_rows, ident, place, xlsx  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

MOBILE_ZH = "手机号应为11位数字，以1开头。"
MOBILE_EN = "The mobile number must be 11 digits starting with 1."
NAME_ZH = "姓名不能为空。"
NAME_EN = "Name must not be empty."


def _client(user, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _bad_rows():
    """Two good rows and one with an empty name and a short mobile number (row 4 in Excel)."""
    return good_rows() + [
        [3, "", "男", ident(3), "123", "浉河区", "浉河区第一小学", "语文", "小学", "语文组"],
    ]


def _committed(post, *, worker_language, capture):
    """Make the request, then run what it queued on commit (the check) with `worker_language`
    active: the request's own language is gone by then, as in a worker."""
    with capture() as queued:
        response = post()
    with translation.override(worker_language):
        for callback in queued:
            callback()
    return response


def _checked_job(client, place, django_capture_on_commit_callbacks, *, worker_language=None) -> ImportJob:  # noqa: F811
    response = _committed(
        lambda: client.post(
            reverse("import-list"),
            {"kind": "roster", "unit": f"county:{place['county'].pk}", "file": xlsx(_bad_rows())},
        ),
        worker_language=worker_language,
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.CHECKED and job.error_count == 2
    return job


def _report_rows(client, job) -> list[tuple]:
    response = client.get(reverse("import-report", args=[job.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [tuple(r) for r in book.worksheets[1].iter_rows(values_only=True)]


def test_a_job_stores_codes_not_words(place, django_capture_on_commit_callbacks):  # noqa: F811
    # Uploaded by someone reading English and checked with English active: what is stored is the
    # same as for anyone else.
    job = _checked_job(
        _client(place["admin"], "en"), place, django_capture_on_commit_callbacks, worker_language="en"
    )
    assert job.errors == [
        {"row": 4, "column": "姓名", "message": {"code": "required", "params": {"label": "姓名"}}},
        {"row": 4, "column": "手机号", "message": {"code": "mobile_format", "params": {}}},
    ]
    problems = next(r for r in job.preview if r["row"] == 4)["problems"]
    assert {p["message"]["code"] for p in problems} == {"required", "mobile_format"}
    assert job.report.name.endswith(".jsonl.gz")


def test_an_english_reader_reads_the_row_messages_in_english(place, django_capture_on_commit_callbacks):  # noqa: F811
    # Checked while the uploader read Chinese; read later by someone who chose English.
    job = _checked_job(_client(place["admin"]), place, django_capture_on_commit_callbacks)
    english = _client(place["admin"], "en")

    page = english.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert '<html lang="en">' in page
    assert NAME_EN in page and MOBILE_EN in page
    assert "<strong>Mobile</strong>" in page and "<strong>Name</strong>" in page
    assert MOBILE_ZH not in page and NAME_ZH not in page

    body = english.get(f"/api/v1/imports/{job.pk}").json()
    assert body["errors"] == [
        {"row": 4, "column": "Name", "message": NAME_EN},
        {"row": 4, "column": "Mobile", "message": MOBILE_EN},
    ]

    rows = _report_rows(english, job)
    assert (rows[0][0], rows[0][2]) == ("Row", "Problems")  # the headings are gettext's too
    assert [r[:3] for r in rows[1:]] == [(4, "Name", NAME_EN), (4, "Mobile", MOBILE_EN)]
    assert rows[1][3:5] == ("3", "")  # the row's own cells after the problem, as the clerk typed them


def test_a_chinese_reader_reads_what_they_always_did(place, django_capture_on_commit_callbacks):  # noqa: F811
    # Checked while the uploader read English (and English was active); read in Chinese.
    job = _checked_job(
        _client(place["admin"], "en"), place, django_capture_on_commit_callbacks, worker_language="en"
    )
    chinese = _client(place["admin"])

    page = chinese.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert NAME_ZH in page and MOBILE_ZH in page and "<strong>手机号</strong>" in page
    assert MOBILE_EN not in page

    body = chinese.get(f"/api/v1/imports/{job.pk}").json()
    assert body["errors"] == [
        {"row": 4, "column": "姓名", "message": NAME_ZH},
        {"row": 4, "column": "手机号", "message": MOBILE_ZH},
    ]

    rows = _report_rows(chinese, job)
    assert rows[0][:3] == ("行号", "列", "问题")
    assert [r[:3] for r in rows[1:]] == [(4, "姓名", NAME_ZH), (4, "手机号", MOBILE_ZH)]
    assert rows[0][3:] == (
        "序号",
        "姓名",
        "性别",
        "身份证号",
        "手机号",
        "县区",
        "学校名称",
        "学科",
        "学段",
        "教研组",
    )


def test_a_refused_file_says_why_in_the_readers_language(place, django_capture_on_commit_callbacks):  # noqa: F811
    job = _checked_job(_client(place["admin"]), place, django_capture_on_commit_callbacks)
    with translation.override("en"):
        services._say(job, problem("import_interrupted"))
    job.status = ImportStatus.FAILED
    job.save()
    assert job.message == "导入中断，未写入任何数据，请重新确认"  # the Chinese words, whatever was active
    assert job.message_data == {"code": "import_interrupted", "params": {}}
    english = _client(place["admin"], "en").get(f"/api/v1/imports/{job.pk}").json()
    assert english["message"].startswith("The import was interrupted and nothing was written.")
    assert _client(place["admin"]).get(f"/api/v1/imports/{job.pk}").json()["message"] == job.message


def test_a_services_refusal_in_a_roles_import_is_kept_in_chinese_and_read_in_english(
    place,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """The roles import runs the appointment service row by row; its refusal is stored as the
    service's Chinese words even when the uploader reads English, and translated when read."""
    sheet = xlsx(
        [["钱专家", "13700002222", "第三方评价人员", "浉河区"]], header=["姓名", "手机号", "角色", "县区"]
    )
    # Checked with English active, as a worker might be.
    _committed(
        lambda: _client(place["admin"], "en").post(
            reverse("import-list"), {"kind": "roles", "unit": f"county:{place['county'].pk}", "file": sheet}
        ),
        worker_language="en",
        capture=django_capture_on_commit_callbacks,
    )
    job = ImportJob.objects.get()
    refusal = "只有市工程办可以任命或撤销该角色（第三方评价人员由市里委托）。"
    assert job.errors == [
        {"row": 2, "column": "角色", "message": {"code": "refused", "params": {"text": refusal}}}
    ]
    english = _client(place["admin"], "en").get(f"/api/v1/imports/{job.pk}").json()["errors"][0]
    assert english["column"] == "Role"
    assert english["message"].startswith("Only the city project office can appoint or remove this role")
    chinese = _client(place["admin"]).get(f"/api/v1/imports/{job.pk}").json()["errors"][0]
    assert chinese == {"row": 2, "column": "角色", "message": refusal}


def test_many_messages_read_at_once_read_the_same():
    entries = [
        {"row": n, "column": "手机号", "message": problem("duplicate_phone", row=n - 1).stored()}
        for n in (3, 4)
    ] + [{"row": 5, "column": "姓名", "message": "旧的文字"}]
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert shown_all(entries) == [shown(e) for e in entries]
    assert shown_all(entries)[0] == {"row": 3, "column": "手机号", "message": "与第2行的手机号重复。"}


def test_a_job_stored_before_codes_still_shows_its_chinese_text(place):  # noqa: F811
    job = ImportJob.objects.create(
        kind=ImportKind.ROSTER,
        created_by=place["admin"],
        city=place["city"],
        county=place["county"],
        original_name="旧花名册.xlsx",
        status=ImportStatus.CHECKED,
        rows=1,
        error_count=2,
        errors=[
            {
                "row": 2,
                "column": "学校名称",
                "message": "未找到学校“第九十九中学”，请核对学校名称（须与学校名单一致）。",
            },
            {"row": 2, "column": "手机号", "message": MOBILE_ZH},
        ],
        preview=[
            {
                "row": 2,
                "cells": ["张三", "13"],
                "problems": [
                    {
                        "column": "学校名称",
                        "message": "未找到学校“第九十九中学”，请核对学校名称（须与学校名单一致）。",
                    },
                    {"column": "手机号", "message": MOBILE_ZH},
                ],
            }
        ],
        message="一段旧的说明。",
    )
    old_report = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["行号", "列", "问题"])
    workbook.save(old_report)
    job.report.save("旧花名册-问题清单.xlsx", ContentFile(old_report.getvalue()))

    for language in (None, "en"):
        client = _client(place["admin"], language)
        page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
        assert "未找到学校“第九十九中学”" in page and "一段旧的说明。" in page
        body = client.get(f"/api/v1/imports/{job.pk}").json()
        assert "第九十九中学" in body["errors"][0]["message"] and body["message"] == "一段旧的说明。"
        served = client.get(reverse("import-report", args=[job.pk]))
        assert b"".join(served.streaming_content) == old_report.getvalue()  # served as it was written
    # An old text that is a whole msgid is translated too.
    english = _client(place["admin"], "en").get(f"/api/v1/imports/{job.pk}").json()
    assert english["errors"][1] == {"row": 2, "column": "Mobile", "message": MOBILE_EN}


# ---- the renderer ----------------------------------------------------------------------------------
def test_render_fills_parameters_translates_labels_and_joins_lists():
    stored = problem("school_ambiguous", school="第一小学", counties=["平桥区", "浉河区"]).stored()
    assert stored == {
        "code": "school_ambiguous",
        "params": {"school": "第一小学", "counties": ["平桥区", "浉河区"]},
    }
    assert render(stored) == "有多所学校名为“第一小学”（平桥区、浉河区），请填写县区。"
    with translation.override("en"):
        assert render(problem("required", label="手机号").stored()) == "Mobile must not be empty."
        assert (
            render(problem("too_long", label="姓名", n=64).stored()) == "Name must not exceed 64 characters."
        )
        assert (
            shown({"column": "身份证号", "message": {"code": "id_number_empty", "params": {}}})["column"]
            == "ID number"
        )


def test_a_lazy_parameter_is_stored_as_its_msgid():
    from tisheng.people.models import Role

    with translation.override("en"):
        stored = problem("role_needs_unit", role=Role.GROUP_LEADER.label, unit="县区").stored()
    with translation.override(None):
        assert stored["params"]["role"] == str(Role.GROUP_LEADER.label)
    assert render(stored).startswith("“" + stored["params"]["role"] + "”须填写县区")


def test_unknown_or_broken_stored_messages_still_read_as_words():
    assert render({"code": "no_such_code", "params": {}}) == "这一行有问题，请核对后重新上传。"
    assert render({"code": "too_long", "params": {"label": "姓名"}}) == "这一行有问题，请核对后重新上传。"
    assert render("") == "" and render(None) == ""
    assert render({"code": "mobile_format"}) == MOBILE_ZH


def test_a_code_cannot_be_given_two_texts():
    from django.core.exceptions import ImproperlyConfigured

    define("mobile_format", "手机号应为11位数字，以1开头。")  # the same words again: fine
    with pytest.raises(ImproperlyConfigured):
        define("mobile_format", "别的话。")
    with pytest.raises(ImproperlyConfigured):
        problem("never_defined")
