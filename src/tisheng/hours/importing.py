"""tisheng import-course-hours: the completion export of an external course platform (网络研修).

Columns: 身份证号 (or 平台账号: the platform user name, which is the ID number for teachers that came
in through the roster import), 姓名, 课程名称, 学时, 完成时间. Each row credits the teacher with
online hours (R-HOURS) through hours_credit_many, once per teacher and course: the source key is the
normalised course name, so importing the same export again, or an export that overlaps an earlier
one, changes nothing for the courses already counted (the first import of a course wins).

The checks, the error report, the JSON summary and the exit codes are the roster import's
(exchange/importing.py, exchange/cli.py); this module only says what a row is and where it goes.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_noop

from tisheng.core import audit, cleaning
from tisheng.core.problems import define, problem
from tisheng.exchange.importing import Importer, ImportResult, Planned, RowError, cell, cell_text, chunks
from tisheng.exchange.readers import Column, FileProblem
from tisheng.exchange.targets import ImportTarget
from tisheng.organisation.models import Teacher

from .models import HoursEntry, HoursKind, HoursSource
from .services import Credit, hours_credit_many
from .values import parse_date, parse_hours

define("id_or_account_empty", gettext_noop("身份证号（或平台账号）不能为空。"))
define("account_too_long", gettext_noop("平台账号不能超过150个字符。"))
define("course_duplicate", gettext_noop("与第%(row)s行重复（同一教师的同一课程）。"))
define(
    "teacher_not_in_unit",
    gettext_noop("花名册中没有该%(what)s的教师，或该教师不在本单位范围内。"),
    labels=("what",),
)
ID_OR_ACCOUNT = "身份证号（或平台账号）"  # as the header names it

COLUMNS = [
    Column(
        "id_number",
        gettext_noop("身份证号"),
        ("身份证号码", "证件号码", "证件号", "身份证", "公民身份号码", "身份证件号码"),
        required=False,
    ),
    Column(
        "account",
        gettext_noop("平台账号"),
        ("账号", "用户名", "登录账号", "学员账号", "登录名"),
        required=False,
    ),
    Column("name", gettext_noop("姓名"), ("教师姓名", "学员姓名", "名字", "姓 名")),
    Column("course", gettext_noop("课程名称"), ("课程", "课程名", "课程标题")),
    Column("hours", gettext_noop("学时"), ("学时数", "获得学时", "课程学时", "学分学时")),
    Column("completed_on", gettext_noop("完成时间"), ("完成日期", "结业时间", "学习完成时间", "通过时间")),
]
MAX_COURSE = 200


def course_key(name: str) -> str:
    """The course as a source key: NFKC, no spaces, case-folded (英语 A1 = 英语a1)."""
    return cleaning.compact(name).casefold()[:MAX_COURSE]


class CourseHoursImporter(Importer):
    kind = "course_hours"
    columns = COLUMNS

    def __init__(self, *, target: ImportTarget, actor=None, progress=None):
        super().__init__(actor=actor, progress=progress)
        self.target = target
        self.today = timezone.localdate()

    # -- rows ------------------------------------------------------------------------------------
    def clean_row(self, table, cells):
        if "id_number" not in self.present and "account" not in self.present:
            raise FileProblem("file_missing_columns", columns=[ID_OR_ACCOUNT])
        problems: list[tuple[str, str]] = []
        idn, account = "", ""
        raw_id = table.value(cells, "id_number")
        if cleaning.compact(raw_id):
            idn = cell(cleaning.id_number, table, cells, "id_number", problems) or ""
        else:
            account = cleaning.compact(table.value(cells, "account"))
            if not account:
                problems.append(("id_number", problem("id_or_account_empty")))
            elif len(account) > 150:
                problems.append(("account", problem("account_too_long")))
        name = cell_text(table, cells, "name", max_length=64, required=True, label="姓名", problems=problems)
        course = cell_text(
            table, cells, "course", max_length=MAX_COURSE, required=True, label="课程名称", problems=problems
        )
        hours = cell(parse_hours, table, cells, "hours", problems)
        day = cell(parse_date, table, cells, "completed_on", problems, today=self.today)
        data = {
            "id_number": idn,
            "account": account,
            "name": name,
            "course": course,
            "key": course_key(course),
            "hours": hours,
            "date": day,
        }
        return data, problems

    @staticmethod
    def _who(data) -> str:
        return data["id_number"] or "@" + data["account"]

    def check_duplicates(self, rows):
        errors = []
        first: dict[tuple[str, str], int] = {}
        for number, data in rows:
            seen = first.setdefault((self._who(data), data["key"]), number)
            if seen != number:
                errors.append(RowError(number, "课程名称", problem("course_duplicate", row=seen)))
        return errors

    # -- against the platform --------------------------------------------------------------------
    def _teachers(self):
        """Teachers the importer may credit: those of the unit it imports into."""
        qs = Teacher.objects.all()
        if self.target.school is not None:
            return qs.filter(school_id=self.target.school.pk)
        if self.target.county is not None:
            return qs.filter(county_id=self.target.county.pk)
        if self.target.city is not None:
            return qs.filter(city_id=self.target.city.pk)
        return qs

    def resolve(self, rows):
        by_id: dict[str, tuple[int, str]] = {}
        by_account: dict[str, tuple[int, str]] = {}
        accounts = sorted({d["account"] for _, d in rows if d["account"]})
        # An account name that is an ID number also finds a teacher whose user name is something else.
        ids = sorted(
            {d["id_number"] for _, d in rows if d["id_number"]}
            | {a.upper() for a in accounts if len(a) == 18}
        )
        mine = self._teachers()
        for part in chunks(ids):
            for pk, idn, full in mine.filter(id_number__in=part).values_list(
                "pk", "id_number", "user__full_name"
            ):
                by_id[idn] = (pk, full)
        for part in chunks(accounts):
            for pk, username, full in mine.filter(user__username__in=part).values_list(
                "pk", "user__username", "user__full_name"
            ):
                by_account[username] = (pk, full)
        errors: list[RowError] = []
        found: list[tuple[int, dict, int]] = []
        first: dict[tuple[int, str], int] = {}
        for number, data in rows:
            if data["id_number"]:
                hit = by_id.get(data["id_number"])
            else:
                hit = by_account.get(data["account"]) or by_id.get(data["account"].upper())
            if hit is None:
                # The same words for "not on any roster" and "on another unit's roster": ids leak nothing.
                column, what = ("身份证号", "身份证号") if data["id_number"] else ("平台账号", "平台账号")
                errors.append(RowError(number, column, problem("teacher_not_in_unit", what=what)))
                continue
            teacher_id, full_name = hit
            if cleaning.compact(full_name) != cleaning.compact(data["name"]):
                errors.append(
                    RowError(number, "姓名", problem("name_mismatch", written=data["name"], roster=full_name))
                )
                continue
            # The same teacher twice under an ID number and an account name.
            seen = first.setdefault((teacher_id, data["key"]), number)
            if seen != number:
                errors.append(RowError(number, "课程名称", problem("course_duplicate", row=seen)))
                continue
            found.append((number, data, teacher_id))
        existing: set[tuple[int, str]] = set()
        teacher_ids = sorted({t for _, _, t in found})
        for part in chunks(teacher_ids):
            existing.update(
                HoursEntry.objects.filter(teacher_id__in=part, source=HoursSource.COURSE_IMPORT).values_list(
                    "teacher_id", "source_key"
                )
            )
        plan = []
        for number, data, teacher_id in found:
            data["teacher_id"] = teacher_id
            action = "unchanged" if (teacher_id, data["key"]) in existing else "create"
            plan.append(Planned(number, action, data))
        return plan, errors

    # -- writing ---------------------------------------------------------------------------------
    def apply(self, plan: list[Planned]) -> None:
        hours_credit_many(
            credits=[
                Credit(
                    teacher_id=p.data["teacher_id"],
                    kind=HoursKind.ONLINE,
                    hours=p.data["hours"],
                    date=p.data["date"],
                    source=HoursSource.COURSE_IMPORT,
                    source_key=p.data["key"],
                    title=p.data["course"],
                )
                for p in plan
                if p.action == "create"
            ],
            recorded_by=self.actor,
        )

    def record_audit(self, result: ImportResult, source: str) -> None:
        audit.record(
            kind="import.course_hours",
            actor=self.actor,
            target=("exchange.import", source) if source else None,
            summary=f"导入网络研修学时（{self.target.describe()}）：新增{result.created}，未变{result.unchanged}",
            data={
                **{k: v for k, v in result.as_dict().items() if k != "errors"},
                "errors": len(result.errors),
            },
        )
