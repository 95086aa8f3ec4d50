"""`tisheng import-course-hours`, and the same file through the web and the API (R-HOURS, online).

Files are built in the tests (exchange/tests/files.py). Every check of the issue: unknown teacher,
a teacher outside the importer's scope, a name that does not match the roster, hours that are not a
positive number ≤ 100, dates that are no dates, duplicates in the file; the same exit codes, JSON
and error report as the roster import; idempotent per teacher and course.
"""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from tisheng.core.models import AuditEvent
from tisheng.exchange.importing import shown
from tisheng.exchange.models import ImportJob, ImportStatus
from tisheng.exchange.tests.files import (
    binary_junk,
    full_width,
    report_rows,
    run,
    valid_id,
    write_csv,
    write_file,
    zip_without_sheet,
)
from tisheng.hours.models import HoursBalance, HoursEntry

from .factories import (
    CityFactory,
    CountyFactory,
    Role,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

HEADER = ["序号", "身份证号", "姓名", "课程名称", "学时", "完成时间"]
KEYS = {
    "rows",
    "valid",
    "created",
    "updated",
    "unchanged",
    "would_create",
    "would_update",
    "would_keep",
    "errors",
}


@pytest.fixture
def place():
    city = CityFactory(name="信阳市")
    county = CountyFactory(city=city, name="浉河区")
    far_county = CountyFactory(city=city, name="固始县")
    school = SchoolFactory(county=county, name="浉河区第一小学")
    far = SchoolFactory(county=far_county, name="固始县第一小学")

    def teacher(n, school, name):
        t = TeacherFactory(
            school=school, id_number=valid_id(n), user=UserFactory(username=valid_id(n), full_name=name)
        )
        return t

    return {
        "city": city,
        "county": county,
        "far_county": far_county,
        "school": school,
        "zhang": teacher(1, school, "张 三"),
        "li": teacher(2, school, "李四"),
        "far": teacher(3, far, "王五"),
        "admin": user_with_role(Role.COUNTY_ADMIN, county),
        "principal": user_with_role(Role.SCHOOL_TEAM, school),
        "guide": user_with_role(Role.COUNTY_GUIDE, county),
    }


def rows_for(*rows):
    return [HEADER, *[[i + 1, *r] for i, r in enumerate(rows)]]


GOOD = [
    [valid_id(1), "张三", "信息技术与课堂教学深度融合", 10, "2022-03-05"],
    [valid_id(1), "张三", "微课设计与制作", "6.5", 44625],
    [valid_id(2), "李四", "信息技术与课堂教学深度融合", 10, "2022/3/5"],
]


def import_json(path, *extra):
    outcome = run("import-course-hours", path, "--json", *extra)
    return outcome.code, outcome.json


def hours_of(teacher):
    row = HoursBalance.objects.filter(teacher=teacher).first()
    return row.online if row else Decimal(0)


def state():
    return (
        HoursEntry.objects.count(),
        AuditEvent.objects.filter(kind="import.course_hours").count(),
        AuditEvent.objects.filter(kind="hours.credited").count(),
    )


# ---- the command line --------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_completion_export_is_imported_as_online_hours(place, tmp_path, suffix):
    path = write_file(tmp_path / f"courses{suffix}", rows_for(*GOOD))

    code, result = import_json(path)

    assert code == 0, result
    assert set(result) == KEYS
    assert (result["rows"], result["valid"], result["created"], result["unchanged"]) == (3, 3, 3, 0)
    assert hours_of(place["zhang"]) == Decimal("16.5")
    assert hours_of(place["li"]) == Decimal("10")
    entry = HoursEntry.objects.get(teacher=place["zhang"], title="微课设计与制作")
    assert (entry.kind, entry.source, str(entry.date)) == ("online", "course_import", "2022-03-05")
    assert entry.source_key == "微课设计与制作"
    assert state()[1:] == (1, 1)


def test_reimporting_the_same_file_changes_nothing(place, tmp_path):
    path = write_file(tmp_path / "courses.xlsx", rows_for(*GOOD))
    import_json(path)
    before = (state(), hours_of(place["zhang"]))

    code, result = import_json(path)

    assert code == 0
    assert (result["created"], result["unchanged"]) == (0, 3)
    assert (state()[0], state()[2], hours_of(place["zhang"])) == (before[0][0], before[0][2], before[1])


def test_the_same_course_written_differently_is_the_same_course(place, tmp_path):
    import_json(
        write_file(tmp_path / "a.xlsx", rows_for([valid_id(1), "张三", "微课设计 与制作", 6, "2022-03-05"]))
    )

    code, result = import_json(
        write_file(
            tmp_path / "b.xlsx",
            rows_for([valid_id(1), "张三", full_width("微课设计与制作"), 8, "2022-04-01"]),
        )
    )

    assert code == 0 and result["unchanged"] == 1
    assert hours_of(place["zhang"]) == Decimal("6")


def test_dry_run_checks_and_writes_nothing(place, tmp_path):
    code, result = import_json(write_file(tmp_path / "c.xlsx", rows_for(*GOOD)), "--dry-run")

    assert code == 0 and (result["created"], result["would_create"]) == (0, 3)
    assert state() == (0, 0, 0)


def test_platform_account_instead_of_id_number(place, tmp_path):
    header = ["平台账号", "姓名", "课程名称", "学时", "完成时间"]
    other = TeacherFactory(school=place["school"], user=UserFactory(username="xy_wang", full_name="王老师"))
    path = write_file(
        tmp_path / "acct.xlsx",
        [
            header,
            [valid_id(2), "李四", "课程甲", 3, "2022-05-01"],
            ["xy_wang", "王老师", "课程甲", 2, "2022-05-01"],
        ],
    )

    code, result = import_json(path)

    assert code == 0, result
    assert hours_of(place["li"]) == 3 and hours_of(other) == 2


def test_a_file_with_neither_id_nor_account_column_is_refused_whole(place, tmp_path):
    path = write_file(
        tmp_path / "x.xlsx", [["姓名", "课程名称", "学时", "完成时间"], ["张三", "课程甲", 3, "2022-05-01"]]
    )

    outcome = run("import-course-hours", path)

    assert outcome.code == 2
    assert "身份证号（或平台账号）" in outcome.err
    assert "Traceback" not in outcome.err + outcome.out
    assert state() == (0, 0, 0)


@pytest.mark.parametrize("maker", [binary_junk, zip_without_sheet])
def test_files_that_are_no_spreadsheet(place, tmp_path, maker):
    outcome = run("import-course-hours", maker(tmp_path / "x.xlsx"), "--json")

    assert outcome.code == 2
    assert "error" in outcome.json and "Traceback" not in outcome.out
    assert state() == (0, 0, 0)


def test_a_missing_file_exits_2(place, tmp_path):
    outcome = run("import-course-hours", tmp_path / "nope.xlsx")
    assert outcome.code == 2 and "找不到文件" in outcome.err


BAD_ROWS = [
    pytest.param(
        [valid_id(9), "赵六", "课程甲", 2, "2022-03-05"], "身份证号", "花名册中没有", id="unknown-id"
    ),
    pytest.param(
        ["410102197501010010", "张三", "课程甲", 2, "2022-03-05"], "身份证号", "校验位", id="bad-id"
    ),
    pytest.param([valid_id(1), "张四", "课程甲", 2, "2022-03-05"], "姓名", "不一致", id="name-mismatch"),
    pytest.param([valid_id(1), "", "课程甲", 2, "2022-03-05"], "姓名", "不能为空", id="name-empty"),
    pytest.param([valid_id(1), "张三", "", 2, "2022-03-05"], "课程名称", "不能为空", id="course-empty"),
    pytest.param([valid_id(1), "张三", "课" * 201, 2, "2022-03-05"], "课程名称", "200", id="course-long"),
    pytest.param([valid_id(1), "张三", "课程甲", 0, "2022-03-05"], "学时", "大于0", id="hours-zero"),
    pytest.param([valid_id(1), "张三", "课程甲", -3, "2022-03-05"], "学时", "大于0", id="hours-negative"),
    pytest.param([valid_id(1), "张三", "课程甲", 101, "2022-03-05"], "学时", "不超过100", id="hours-101"),
    pytest.param([valid_id(1), "张三", "课程甲", "两学时", "2022-03-05"], "学时", "数字", id="hours-text"),
    pytest.param([valid_id(1), "张三", "课程甲", "", "2022-03-05"], "学时", "不能为空", id="hours-empty"),
    pytest.param(
        [valid_id(1), "张三", "课程甲", 1.25, "2022-03-05"], "学时", "一位小数", id="hours-2-decimals"
    ),
    pytest.param([valid_id(1), "张三", "课程甲", 2, "上周"], "完成时间", "无法识别", id="date-text"),
    pytest.param(
        [valid_id(1), "张三", "课程甲", 2, "2022-02-30"], "完成时间", "不存在", id="date-impossible"
    ),
    pytest.param([valid_id(1), "张三", "课程甲", 2, "2017-01-01"], "完成时间", "2019", id="date-too-early"),
    pytest.param([valid_id(1), "张三", "课程甲", 2, "2999-01-01"], "完成时间", "晚于今天", id="date-future"),
    pytest.param([valid_id(1), "张三", "课程甲", 2, ""], "完成时间", "不能为空", id="date-empty"),
    pytest.param(["", "张三", "课程甲", 2, "2022-03-05"], "身份证号", "不能为空", id="id-empty"),
]


@pytest.mark.parametrize(("bad", "column", "words"), BAD_ROWS)
def test_a_wrong_row_is_reported_and_nothing_is_written(place, tmp_path, bad, column, words):
    path = write_file(tmp_path / "bad.xlsx", rows_for(GOOD[0], bad))

    code, result = import_json(path)

    assert code == 1
    assert result["valid"] == 1
    (error,) = result["errors"]
    assert (error["row"], error["column"]) == (3, column), error
    assert words in error["message"]
    assert state() == (0, 0, 0)


def test_duplicates_in_the_file(place, tmp_path):
    path = write_file(
        tmp_path / "dup.xlsx",
        rows_for(GOOD[0], [valid_id(1), "张三", "信息技术与课堂教学 深度融合", 4, "2022-03-06"]),
    )

    code, result = import_json(path)

    assert code == 1
    assert result["errors"] == [
        {"row": 3, "column": "课程名称", "message": "与第2行重复（同一教师的同一课程）。"}
    ]


def test_duplicates_under_id_and_account_are_found(place, tmp_path):
    header = ["身份证号", "平台账号", "姓名", "课程名称", "学时", "完成时间"]
    path = write_file(
        tmp_path / "dup2.xlsx",
        [
            header,
            [valid_id(1), "", "张三", "课程甲", 2, "2022-03-05"],
            ["", valid_id(1), "张三", "课程甲", 2, "2022-03-05"],
        ],
    )

    code, result = import_json(path)

    assert code == 1 and "重复" in result["errors"][0]["message"]


def test_valid_only_imports_exactly_the_good_rows_and_reports_the_rest(place, tmp_path):
    path = write_file(
        tmp_path / "mixed.xlsx", rows_for(*GOOD, [valid_id(9), "赵六", "课程甲", 2, "2022-03-05"])
    )
    report = tmp_path / "report.xlsx"

    outcome = run("import-course-hours", path, "--valid-only", "--report", report)

    assert outcome.code == 1
    assert "已导入：新增 3" in outcome.out
    assert "第5行 [身份证号]" in outcome.out
    assert HoursEntry.objects.count() == 3
    rows = report_rows(report)
    assert rows[0][:3] == ["行号", "列", "问题"]
    assert rows[1][:2] == [5, "身份证号"] or rows[1][:2] == [5.0, "身份证号"]


def test_gbk_csv_with_a_title_row(place, tmp_path):
    path = write_csv(
        tmp_path / "gbk.csv",
        [["2022年网络研修完成情况"], HEADER, [1, valid_id(2), "李四", "课程甲", "3学时", "2022年3月5日"]],
        encoding="gb18030",
    )

    code, result = import_json(path)

    assert code == 0, result
    assert hours_of(place["li"]) == 3


def test_human_output(place, tmp_path):
    outcome = run("import-course-hours", write_file(tmp_path / "ok.xlsx", rows_for(*GOOD)))

    assert outcome.code == 0
    assert "网络研修学时：共 3 行数据，3 行无误，0 个问题。" in outcome.out


# ---- the web and the API (the import job flow of exchange) -----------------------------------------------
def _xlsx(rows) -> io.BytesIO:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "课程完成记录.xlsx"
    return buf


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_county_admin_imports_course_hours_from_the_web(place, django_capture_on_commit_callbacks):
    client = _client(place["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("import-list"),
            {"kind": "course_hours", "unit": f"county:{place['county'].pk}", "file": _xlsx(rows_for(*GOOD))},
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.CHECKED and (job.rows, job.created, job.would_create) == (3, 0, 3)
    assert HoursEntry.objects.count() == 0
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "确认导入 3 行" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-confirm", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert hours_of(place["zhang"]) == Decimal("16.5")
    event = AuditEvent.objects.get(kind="import.course_hours")
    assert event.actor == place["admin"] and "浉河区" in event.summary


def test_a_school_imports_only_its_own_teachers(place, django_capture_on_commit_callbacks):
    client = _client(place["principal"])
    far_row = [valid_id(3), "王五", "课程甲", 2, "2022-03-05"]  # a teacher of another county
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("import-list"),
            {
                "kind": "course_hours",
                "unit": f"school:{place['school'].pk}",
                "file": _xlsx(rows_for(GOOD[0], far_row)),
            },
        )
    job = ImportJob.objects.get()
    assert job.error_count == 1
    assert job.errors[0]["column"] == "身份证号"
    # Stored as a code with its parameters, read in the reader's words (exchange/importing.py shown).
    message = shown(job.errors[0])["message"]
    assert "不在本单位范围内" in message
    # The same words as for an ID on no roster at all: nothing tells the school the teacher exists.
    assert message == "花名册中没有该身份证号的教师，或该教师不在本单位范围内。"


def test_the_api_flow(place, django_capture_on_commit_callbacks):
    client = _client(place["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/imports",
            {
                "kind": "course_hours",
                "unit_kind": "county",
                "unit_id": place["county"].pk,
                "file": _xlsx(rows_for(*GOOD)),
            },
        )
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    assert response.json()["kind"] == "course_hours"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/imports/{job_id}/confirm")
    assert response.status_code == 202
    assert client.get(f"/api/v1/imports/{job_id}").json()["status"] == "done"
    assert HoursEntry.objects.count() == 3


def test_a_guide_cannot_import(place):
    response = _client(place["guide"]).post(
        "/api/v1/imports",
        {
            "kind": "course_hours",
            "unit_kind": "county",
            "unit_id": place["county"].pk,
            "file": _xlsx(rows_for(*GOOD)),
        },
    )
    assert response.status_code == 404
    assert ImportJob.objects.count() == 0
