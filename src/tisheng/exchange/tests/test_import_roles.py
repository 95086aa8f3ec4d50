"""tisheng import-roles and the web flow of a sheet of roles (exchange/roles.py)."""

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from tisheng.core.models import AuditEvent
from tisheng.exchange.models import ImportJob, ImportStatus
from tisheng.exchange.tests.files import report_rows, run, valid_id, write_csv, write_xlsx
from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    GroupFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    user_with_role,
)
from tisheng.people.models import Role, RoleAssignment, User

pytestmark = pytest.mark.django_db
HEADER = ["序号", "姓名", "手机号", "身份证号", "角色", "县区", "学校名称", "教研组"]


@pytest.fixture
def place():
    city = CityFactory(name="信阳市")
    shihe = CountyFactory(city=city, name="浉河区")
    gushi = CountyFactory(city=city, name="固始县")
    school = SchoolFactory(county=shihe, name="第一小学")
    gushi_school = SchoolFactory(county=gushi, name="第一小学")
    group = GroupFactory(school=school, name="语文组")
    teachers = [
        TeacherFactory(
            school=school,
            group=group,
            user__full_name=f"教师{i}",
            phone=f"1390000000{i}",
            id_number=valid_id(i),
        )
        for i in range(7)
    ]
    admin = UserFactory(username="cityadmin")
    RoleAssignment.objects.create(user=admin, role=Role.CITY_ADMIN, city=city)
    return {
        "city": city,
        "shihe": shihe,
        "gushi": gushi,
        "school": school,
        "gushi_school": gushi_school,
        "group": group,
        "teachers": teachers,
        "admin": admin,
        "county_admin": user_with_role(Role.COUNTY_ADMIN, shihe),
    }


def rows(place):
    return [
        HEADER,
        [1, "教师0", "13900000000", "", "校长", "浉河区", "第一小学", ""],
        [2, "教师1", "", valid_id(1), "CIO", "浉河区", "第一小学", ""],
        [3, "教师2", "13900000002", "", "学校管理团队成员", "浉河区", "第一小学", ""],
        [4, "教师3", "13900000003", "", "教研组长", "浉河区", "第一小学", "语文组"],
        [5, "教师3", "13900000003", "", "学校考核小组成员", "浉河区", "第一小学", ""],
        [6, "赵专家", "13700001111", "", "县级指导团队成员", "浉河区", "", ""],
        [7, "钱专家", "13700002222", "", "第三方评价人员", "固始县", "", ""],
        [8, "孙专家", "13700003333", "", "市级指导团队成员", "", "", ""],
    ]


def test_cli_imports_a_sheet_of_roles_and_a_second_run_changes_nothing(place, tmp_path):
    path = write_xlsx(tmp_path / "角色.xlsx", rows(place))
    out = run("import-roles", path, "--by", "cityadmin", "--json")
    assert out.code == 0, out.out + out.err
    assert out.json["created"] == 8 and out.json["errors"] == []
    school = place["school"]
    team = RoleAssignment.objects.filter(role=Role.SCHOOL_TEAM, school=school)
    assert team.count() == 3
    assert team.get(is_principal=True).user.full_name == "教师0"
    assert team.get(is_cio=True).user.full_name == "教师1"
    assert RoleAssignment.objects.get(role=Role.GROUP_LEADER).group == place["group"]
    assert RoleAssignment.objects.get(role=Role.EVALUATOR).county == place["gushi"]
    assert User.objects.get(username="13700003333").full_name == "孙专家"
    assert AuditEvent.objects.filter(kind="role.assigned", actor=place["admin"]).count() == 8
    assert AuditEvent.objects.filter(kind="import.roles").count() == 1
    again = run("import-roles", path, "--by", "cityadmin", "--json")
    assert again.code == 0 and again.json["created"] == 0 and again.json["unchanged"] == 8
    assert RoleAssignment.objects.count() == 8 + 2  # + the city admin and the county admin


def test_all_or_nothing_with_errors_named_by_row_and_column(place, tmp_path):
    sheet = rows(place) + [
        [9, "教师4", "13900000004", "", "校长", "浉河区", "第一小学", ""],  # a second principal
        [10, "教师5", "", "123", "教研组长", "浉河区", "第一小学", "语文组"],
        [11, "教师6", "13900000006", "", "校长助理", "浉河区", "第一小学", ""],
        [12, "教师6", "13900000006", "", "教研组长", "浉河区", "第一小学", "数学组"],
        [13, "外人", "13900000006", "", "学校考核小组成员", "浉河区", "第一小学", ""],
        [14, "教师6", "13900000006", "", "学校考核小组成员", "平桥区", "第一小学", ""],
        [15, "教师0", "13900000000", "", "校长", "浉河区", "第一小学", ""],  # same as row 2
        [16, "教师6", "13900000006", "", "教研组长", "浉河区", "第一小学", ""],
        [18, "长" * 65, "13900000098", "", "学校考核小组成员", "浉河区", "第一小学", ""],
        [19, "教师6", "", "", "学校考核小组成员", "浉河区", "第一小学", ""],
        [20, "教师6", "13900000006", "", "教师", "浉河区", "第一小学", ""],
    ]
    path = write_xlsx(tmp_path / "角色.xlsx", sheet)
    report = tmp_path / "问题.xlsx"
    before = (RoleAssignment.objects.count(), User.objects.count(), AuditEvent.objects.count())
    out = run("import-roles", path, "--by", "cityadmin", "--json", "--report", report)
    assert out.code == 1
    errors = {(e["row"], e["column"]): e["message"] for e in out.json["errors"]}
    assert "已有校长" in errors[(10, "角色")]
    assert "身份证号应为18位" in errors[(11, "身份证号")]
    assert "没有这个角色" in errors[(12, "角色")]
    assert "没有教研组“数学组”" in errors[(13, "教研组")]
    assert "姓名不一致" in errors[(14, "姓名")] or "不一致" in errors[(14, "姓名")]
    assert "未找到学校" in errors[(15, "学校名称")]
    assert "与第2行重复" in errors[(16, "角色")]
    assert "须填写学校名称和教研组" in errors[(17, "角色")]
    assert "不能超过64个字" in errors[(18, "姓名")]
    assert "至少填写一项" in errors[(19, "手机号")]
    assert "花名册" in errors[(20, "角色")]
    assert (RoleAssignment.objects.count(), User.objects.count()) == before[:2]
    assert AuditEvent.objects.count() == before[2]
    assert report_rows(report)[0][:3] == ["行号", "列", "问题"] or len(report_rows(report)) > 1


def test_nul_and_control_characters_in_a_csv(place, tmp_path):
    sheet = [
        HEADER,
        [1, "教师\x006", "1390000000\x006", "", "学校考核小组成员\x00", "浉河区", "第一小学", ""],
    ]
    path = write_csv(tmp_path / "角色.csv", sheet)
    before = RoleAssignment.objects.count()
    out = run("import-roles", path, "--by", "cityadmin", "--json")
    # A NUL byte is not text: the file is refused as a whole, in Chinese, and nothing is written.
    assert out.code == 2 and "文件不是表格" in out.json["error"]
    assert RoleAssignment.objects.count() == before
    # Other control characters are taken out by the cell cleaner; what is left is a valid row.
    sheet[1] = [1, "教师\x016", "13900000006", "", "学校考核小组成员\x07", "浉河区", "第一小学", ""]
    out = run("import-roles", write_csv(tmp_path / "角色2.csv", sheet), "--by", "cityadmin", "--json")
    assert out.code == 0, out.out + out.err
    assert RoleAssignment.objects.filter(role=Role.ASSESSMENT_GROUP, user__full_name="教师6").exists()


def test_valid_only_writes_exactly_the_good_rows(place, tmp_path):
    sheet = rows(place)[:3] + [[9, "教师4", "13900000004", "", "校长", "浉河区", "第一小学", ""]]
    path = write_xlsx(tmp_path / "角色.xlsx", sheet)
    out = run("import-roles", path, "--by", "cityadmin", "--valid-only", "--json")
    assert out.code == 1 and out.json["created"] == 2 and len(out.json["errors"]) == 1
    assert RoleAssignment.objects.filter(school=place["school"]).count() == 2


def test_the_appointing_persons_rules_apply(place, tmp_path):
    """A county admin's sheet: their own county's teams yes; an evaluator (the city's) or another
    county's school: no, row by row."""
    place["county_admin"].username = "shihe-admin"
    place["county_admin"].save()
    sheet = [
        HEADER,
        [1, "教师2", "13900000002", "", "学校管理团队成员", "浉河区", "第一小学", ""],
        [2, "钱专家", "13700002222", "", "第三方评价人员", "浉河区", "", ""],
        [3, "教师6", "13900000006", "", "学校管理团队成员", "固始县", "第一小学", ""],
        [4, "孙专家", "13700003333", "", "市级指导团队成员", "", "", ""],
    ]
    path = write_csv(tmp_path / "角色.csv", sheet)
    out = run("import-roles", path, "--by", "shihe-admin", "--json", "--dry-run")
    assert out.code == 1
    errors = {e["row"]: e["message"] for e in out.json["errors"]}
    assert set(errors) == {3, 4, 5}
    assert "只有市工程办" in errors[3]
    assert "无权" in errors[4] and "无权" in errors[5]
    assert RoleAssignment.objects.count() == 2 and not User.objects.filter(username="13700002222").exists()


def test_cli_file_problems_exit_2(place, tmp_path):
    path = write_xlsx(tmp_path / "角色.xlsx", [["姓名", "角色"], ["教师0", "校长"]])
    out = run("import-roles", path, "--by", "cityadmin")
    assert out.code == 2 and "手机号（或身份证号）" in out.err
    out = run("import-roles", path, "--by", "nobody-here")
    assert out.code == 2 and "找不到账号" in out.err
    out = run("import-roles", tmp_path / "none.xlsx", "--by", "cityadmin")
    assert out.code == 2


def _xlsx(rows) -> io.BytesIO:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "角色.xlsx"
    return buf


def test_web_flow_preview_confirm_done(place, django_capture_on_commit_callbacks):
    principal = place["teachers"][0].user
    RoleAssignment.objects.create(
        user=principal, role=Role.SCHOOL_TEAM, school=place["school"], is_principal=True
    )
    client = Client()
    client.force_login(principal)
    sheet = [
        HEADER,
        [1, "教师3", "13900000003", "", "教研组长", "浉河区", "第一小学", "语文组"],
        [2, "教师4", "13900000004", "", "考核小组", "", "第一小学", ""],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("import-list"),
            {"kind": "roles", "unit": f"school:{place['school'].pk}", "file": _xlsx(sheet)},
        )
    assert r.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.CHECKED and (job.rows, job.valid, job.would_create, job.created) == (
        2,
        2,
        2,
        0,
    )
    assert RoleAssignment.objects.count() == 3  # checked, not written (the three managers)
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "确认导入 2 行" in page and "教师3" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created == 2
    assert RoleAssignment.objects.filter(role__in=[Role.GROUP_LEADER, Role.ASSESSMENT_GROUP]).count() == 2
    assert AuditEvent.objects.filter(kind="role.assigned", actor=principal).count() == 2


def test_api_upload_of_roles_outside_the_scope_is_not_found(place):
    principal = place["teachers"][0].user
    RoleAssignment.objects.create(user=principal, role=Role.SCHOOL_TEAM, school=place["school"])
    client = Client()
    client.force_login(principal)
    r = client.post(
        "/api/v1/imports",
        {
            "kind": "roles",
            "unit_kind": "school",
            "unit_id": place["gushi_school"].pk,
            "file": _xlsx([HEADER]),
        },
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
