"""tisheng import-roles: appointments from a sheet of roles (R-TEAM), through exchange's import engine.

Columns: 姓名, 手机号 or 身份证号, 角色, and the unit: 县区, 学校名称, 教研组 (as the role needs), with
optional 是否校长 / 是否CIO. A role is written as its name (教研组长, 县级指导团队成员, ...) or as a
usual short form (校长 and CIO are school-team members with the mark; 考核小组 is the assessment group).
An evaluator reads the most specific unit given (a school, else a county, else the city).

Every row goes through the same services as the pages (people/services.appointment_create): the
same rules of who may appoint whom where, the same team size and one principal, the same audit. To
check a file without writing, the rows are appointed in order inside a savepoint that is rolled back
(each row in its own, so one wrong row does not hide the next): the checks are the services' own,
and rows see each other (a sixth team member, the same person twice). An appointment already there
is "unchanged", so importing the same sheet again changes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_noop

from tisheng.core import audit, cleaning
from tisheng.core.errors import AppError
from tisheng.core.problems import Problem, define, problem
from tisheng.organisation.models import City, County, TeachingGroup
from tisheng.people import selectors, services
from tisheng.people.models import ROLE_UNITS, Role, RoleAssignment

from .importing import Importer, ImportResult, Planned, RowError, cell, cell_text
from .readers import Column, FileProblem
from .targets import ImportTarget

define("role_empty", gettext_noop("角色不能为空。"))
define("role_teacher", gettext_noop("教师角色来自学校花名册，请用花名册导入。"))
define(
    "role_unknown",
    gettext_noop(
        "没有这个角色。可填写：市工程办管理员、市级指导团队成员、第三方评价人员、县区管理员、"
        "县级指导团队成员、学校管理团队成员（或校长、CIO）、教研组长、学校考核小组成员。"
    ),
)
define("phone_or_id_required", gettext_noop("手机号和身份证号至少填写一项。"))
define("role_needs_unit", gettext_noop("“%(role)s”须填写%(unit)s。"), labels=("role", "unit"))
define("role_duplicate", gettext_noop("与第%(row)s行重复（同一人员在同一单位的同一角色）。"))
define("city_ambiguous", gettext_noop("请在“市”一列填写城市名称。"))
define("city_not_in_scope", gettext_noop("未找到该市，或不在本次导入的范围内。"))
define("county_not_in_scope", gettext_noop("未找到县区“%(county)s”，或不在本次导入的范围内。"))
define("county_ambiguous", gettext_noop("有多个市有县区“%(county)s”，请填写“市”一列。"))
define("school_not_in_scope", gettext_noop("未找到学校“%(school)s”，或不在本次导入的范围内。"))
define("group_not_found", gettext_noop("%(school)s没有教研组“%(group)s”。"))
define("person_not_on_roster", gettext_noop("花名册中没有该身份证号的教师，或该教师不在您的管理范围内。"))
define("appoint_not_allowed", gettext_noop("您无权在该单位任命该角色，或该人员不在您的管理范围内。"))
PHONE_OR_ID = "手机号（或身份证号）"  # as the header names it
UNIT_NEEDED = {
    "county": gettext_noop("县区"),
    "school": gettext_noop("学校名称"),
    "group": gettext_noop("学校名称和教研组"),
}
ANY_UNIT = gettext_noop("单位")

COLUMNS = [
    Column("name", gettext_noop("姓名"), ("教师姓名", "人员姓名", "名字", "姓 名")),
    Column(
        "phone", gettext_noop("手机号"), ("联系电话", "手机", "手机号码", "电话", "联系方式"), required=False
    ),
    Column(
        "id_number",
        gettext_noop("身份证号"),
        ("身份证号码", "证件号码", "证件号", "身份证", "公民身份号码", "身份证件号码"),
        required=False,
    ),
    Column("role", gettext_noop("角色"), ("职务", "任命角色", "岗位", "担任角色")),
    Column("city", gettext_noop("市"), ("地市", "城市", "所在市"), required=False),
    Column(
        "county",
        gettext_noop("县区"),
        ("县(区)", "县/区", "区县", "所在县区", "县区名称", "县市区"),
        required=False,
    ),
    Column("school", gettext_noop("学校名称"), ("学校", "所在学校", "单位名称", "任职学校"), required=False),
    Column("group", gettext_noop("教研组"), ("所在教研组", "教研组名称"), required=False),
    Column("principal", gettext_noop("是否校长"), ("校长",), required=False),
    Column("cio", gettext_noop("是否CIO"), ("CIO", "是否首席信息官", "首席信息官"), required=False),
]

# Role names as clerks write them → (role, marks).
ROLE_NAMES: dict[str, tuple[str, dict]] = {}
with translation.override(None):  # the Chinese labels (translated lazily), whatever language imports us
    for _role in Role:
        if _role != Role.TEACHER:
            ROLE_NAMES[cleaning.compact(_role.label)] = (_role.value, {})
            ROLE_NAMES[_role.value.upper()] = (_role.value, {})
ROLE_NAMES.update(
    {
        "市工程办": (Role.CITY_ADMIN, {}),
        "市级指导团队": (Role.CITY_GUIDE, {}),
        "市级指导专家": (Role.CITY_GUIDE, {}),
        "县区管理员": (Role.COUNTY_ADMIN, {}),
        "县级管理员": (Role.COUNTY_ADMIN, {}),
        "县级指导团队": (Role.COUNTY_GUIDE, {}),
        "县级指导专家": (Role.COUNTY_GUIDE, {}),
        "学校管理团队": (Role.SCHOOL_TEAM, {}),
        "管理团队成员": (Role.SCHOOL_TEAM, {}),
        "校长": (Role.SCHOOL_TEAM, {"is_principal": True}),
        "CIO": (Role.SCHOOL_TEAM, {"is_cio": True}),
        "首席信息官": (Role.SCHOOL_TEAM, {"is_cio": True}),
        "首席信息官(CIO)": (Role.SCHOOL_TEAM, {"is_cio": True}),
        "学校考核小组": (Role.ASSESSMENT_GROUP, {}),
        "考核小组成员": (Role.ASSESSMENT_GROUP, {}),
        "考核小组": (Role.ASSESSMENT_GROUP, {}),
        "第三方评价": (Role.EVALUATOR, {}),
        "第三方评估": (Role.EVALUATOR, {}),
        "评价专家": (Role.EVALUATOR, {}),
    }
)
FIELD_COLUMNS = {"full_name": "姓名", "phone": "手机号", "role": "角色", "user": "姓名"}


def _role(value) -> tuple[str, dict]:
    s = cleaning.compact(value).upper().replace("（", "(").replace("）", ")")
    if not s:
        raise cleaning.CellProblem("role_empty")
    found = ROLE_NAMES.get(s) or ROLE_NAMES.get(s.replace("(CIO)", ""))
    if found is None:
        if s in ("教师", "TEACHER"):
            raise cleaning.CellProblem("role_teacher")
        raise cleaning.CellProblem("role_unknown")
    return found[0], dict(found[1])


class _Rollback(Exception):
    pass


class RolesImporter(Importer):
    kind = "roles"
    columns = COLUMNS

    def __init__(self, *, target: ImportTarget, actor, progress=None):
        super().__init__(actor=actor, progress=progress)
        self.target = target

    # -- rows ------------------------------------------------------------------------------------
    def clean_row(self, table, cells):
        if "phone" not in self.present and "id_number" not in self.present:
            raise FileProblem("file_missing_columns", columns=[PHONE_OR_ID])
        problems: list[tuple[str, str]] = []
        name = cell_text(table, cells, "name", max_length=64, required=True, label="姓名", problems=problems)
        phone = cell(cleaning.mobile, table, cells, "phone", problems) or ""
        idn = ""
        if cleaning.compact(table.value(cells, "id_number")):
            idn = cell(cleaning.id_number, table, cells, "id_number", problems) or ""
        if not phone and not idn and not any(f in ("phone", "id_number") for f, _m in problems):
            problems.append(("phone", problem("phone_or_id_required")))
        role = cell(_role, table, cells, "role", problems)
        marks = dict(role[1]) if role else {}
        for fld in ("principal", "cio"):
            flag = cell(cleaning.yes_no, table, cells, fld, problems)
            if flag:
                marks["is_principal" if fld == "principal" else "is_cio"] = True
        units = {
            fld: cell_text(
                table, cells, fld, max_length=128, required=False, label=self.label(fld), problems=problems
            ).replace(" ", "")
            for fld in ("city", "county", "school", "group")
        }
        data = {
            "name": name,
            "phone": phone,
            "id_number": idn,
            "role": role[0] if role else "",
            "marks": marks,
            **units,
        }
        if role and not problems:
            kind = self._unit_kind(data)
            if kind is None:
                kind_needed = ROLE_UNITS[data["role"]][-1]
                unit = UNIT_NEEDED.get(kind_needed, ANY_UNIT)
                problems.append(
                    ("role", problem("role_needs_unit", role=Role(data["role"]).label, unit=unit))
                )
            data["unit_kind"] = kind
        return data, problems

    @staticmethod
    def _unit_kind(data) -> str | None:
        kinds = ROLE_UNITS[data["role"]]
        if data["role"] == Role.EVALUATOR:
            return "school" if data["school"] else "county" if data["county"] else "city"
        kind = kinds[0]
        if kind == "group":
            return "group" if data["group"] and data["school"] else None
        if kind == "school":
            return "school" if data["school"] else None
        if kind == "county":
            return "county" if data["county"] else None
        return "city"

    @staticmethod
    def _who(data) -> str:
        return data["id_number"] or data["phone"]

    def check_duplicates(self, rows):
        errors = []
        first: dict[tuple, int] = {}
        for number, data in rows:
            key = (self._who(data), data["role"], data["city"], data["county"], data["school"], data["group"])
            seen = first.setdefault(key, number)
            if seen != number:
                errors.append(RowError(number, "角色", problem("role_duplicate", row=seen)))
        return errors

    # -- against the platform --------------------------------------------------------------------
    def _find_unit(self, data) -> tuple[object | None, str, Problem | None]:
        """The unit a row names, within the import's target; (unit, column, problem)."""
        kind = data["unit_kind"]
        cities = City.objects.all()
        if self.target.city is not None:
            cities = cities.filter(pk=self.target.city.pk)
        if data["city"]:
            cities = cities.filter(name=data["city"])
        if kind == "city":
            found = list(cities[:2])
            if len(found) != 1:
                return None, "市", problem("city_ambiguous" if len(found) > 1 else "city_not_in_scope")
            return found[0], "", None
        counties = County.objects.filter(city__in=cities)
        if self.target.county is not None:
            counties = counties.filter(pk=self.target.county.pk)
        if data["county"]:
            counties = counties.filter(name=data["county"])
        if kind == "county":
            found = list(counties[:2])
            if not found:
                return None, "县区", problem("county_not_in_scope", county=data["county"])
            if len(found) > 1:
                return None, "县区", problem("county_ambiguous", county=data["county"])
            return found[0], "", None
        schools = self.target.schools().filter(county__in=counties, name=data["school"])
        found = list(schools.select_related("county")[:3])
        if not found:
            return None, "学校名称", problem("school_not_in_scope", school=data["school"])
        if len(found) > 1:
            names = sorted(s.county.name for s in found)
            return None, "学校名称", problem("school_ambiguous", school=data["school"], counties=names)
        school = found[0]
        if kind == "school":
            return school, "", None
        group = TeachingGroup.objects.filter(school=school, name=data["group"]).first()
        if group is None:
            return None, "教研组", problem("group_not_found", school=school.name, group=data["group"])
        return group, "", None

    def _person(self, data):
        """The person a row names by ID number (a roster row the actor manages); None to go by phone."""
        if not data["id_number"]:
            return None
        from tisheng.core.scoping import scope_for

        teacher = (
            scope_for(self.actor)
            .teachers(manage=True)
            .select_related("user")
            .filter(id_number=data["id_number"])
            .first()
        )
        if teacher is None:
            raise _RowProblem("身份证号", problem("person_not_on_roster"))
        if cleaning.compact(teacher.user.full_name) != cleaning.compact(data["name"]):
            raise _RowProblem(
                "姓名", problem("name_mismatch", written=data["name"], roster=teacher.user.full_name)
            )
        return teacher.user

    def _appoint(self, data):
        unit, column, missing = self._find_unit(data)
        if unit is None:
            raise _RowProblem(column, missing)
        user = self._person(data)
        kind = data["unit_kind"]
        if user is not None:
            existing = RoleAssignment.objects.filter(user=user, role=data["role"], **{kind: unit}).first()
            if existing is not None and self._same_marks(existing, data):
                return "unchanged"
        elif data["phone"]:
            existing = (
                RoleAssignment.objects.filter(role=data["role"], **{kind: unit})
                .filter(user__in=selectors.users_with_phone(data["phone"]))
                .first()
            )
            if existing is not None and self._same_marks(existing, data):
                return "unchanged"
        services.appointment_create(
            actor=self.actor,
            role=data["role"],
            unit=unit,
            user=user,
            full_name=data["name"],
            phone=data["phone"],
            **data["marks"],
        )
        return "create"

    @staticmethod
    def _same_marks(existing, data) -> bool:
        return existing.is_principal == bool(data["marks"].get("is_principal")) and existing.is_cio == bool(
            data["marks"].get("is_cio")
        )

    def resolve(self, rows):
        plan: list[Planned] = []
        errors: list[RowError] = []
        try:
            # Untranslated: a service's refusal is kept as its Chinese msgid (see _message), whatever
            # language the checking process happens to have active.
            with translation.override(None), transaction.atomic():
                for number, data in rows:
                    try:
                        with transaction.atomic():
                            action = self._appoint(data)
                    except _RowProblem as exc:
                        errors.append(RowError(number, exc.column, exc.message))
                        continue
                    except AppError as exc:
                        errors.append(RowError(number, self._column(exc, data), self._message(exc)))
                        continue
                    plan.append(Planned(number, action, data))
                raise _Rollback
        except _Rollback:
            pass
        return plan, errors

    def _column(self, exc: AppError, data) -> str:
        for key in exc.fields:
            if key in FIELD_COLUMNS:
                return FIELD_COLUMNS[key]
        if exc.code == "not_found":
            return "角色"
        return "角色"

    @staticmethod
    def _message(exc: AppError) -> Problem:
        if exc.code == "not_found":
            return problem("appoint_not_allowed")
        # The service's own words, untranslated (resolve() runs it so): translated when read.
        return problem("refused", text=exc.message)

    # -- writing ---------------------------------------------------------------------------------
    def apply(self, plan: list[Planned]) -> None:
        for p in plan:
            if p.action == "create":
                self._appoint(p.data)

    def record_audit(self, result: ImportResult, source: str) -> None:
        audit.record(
            kind="import.roles",
            actor=self.actor,
            target=("exchange.import", source) if source else None,
            summary=f"导入人员角色（{self.target.describe()}）：新增{result.created}，未变{result.unchanged}",
            data={
                **{k: v for k, v in result.as_dict().items() if k != "errors"},
                "errors": len(result.errors),
            },
        )


class _RowProblem(Exception):
    def __init__(self, column: str, message: Problem):
        super().__init__(message.code)
        self.column = column
        self.message = message
