"""tisheng import-roster: teachers from a school office's roster (花名册)."""

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext_noop

from tisheng.core import audit, cleaning
from tisheng.core.changes import schools_changed
from tisheng.core.problems import Problem, define, problem
from tisheng.organisation.models import Gender, School, Teacher, TeachingGroup
from tisheng.people.logins import new_logins
from tisheng.people.models import User

from .importing import Importer, ImportResult, Planned, RowError, cell, cell_text, chunks
from .readers import Column
from .targets import ImportTarget

define("gender_value", gettext_noop("性别应填写“男”或“女”。"))
define("duplicate_id_number", gettext_noop("与第%(row)s行的身份证号重复。"))
define("duplicate_phone", gettext_noop("与第%(row)s行的手机号重复。"))
define("school_not_in_county", gettext_noop("在“%(county)s”未找到学校“%(school)s”，请核对学校名称和县区。"))
define("school_not_found", gettext_noop("未找到学校“%(school)s”，请核对学校名称（须与学校名单一致）。"))
define("id_number_elsewhere", gettext_noop("该身份证号已登记在其他单位，如需调动请联系上级管理员。"))
define("phone_taken", gettext_noop("该手机号已被其他教师使用。"))

COLUMNS = [
    Column("name", gettext_noop("姓名"), ("教师姓名", "名字", "姓 名")),
    Column("gender", gettext_noop("性别"), (), required=False),
    Column(
        "id_number",
        gettext_noop("身份证号"),
        ("身份证号码", "证件号码", "证件号", "身份证", "公民身份号码", "身份证件号码"),
    ),
    Column(
        "phone", gettext_noop("手机号"), ("联系电话", "手机", "手机号码", "电话", "联系方式"), required=False
    ),
    Column(
        "county",
        gettext_noop("县区"),
        ("县(区)", "县/区", "区县", "所在县区", "县区名称", "县市区"),
        required=False,
    ),
    Column(
        "school", gettext_noop("学校名称"), ("学校", "所在学校", "单位", "工作单位", "单位名称", "任教学校")
    ),
    Column("subject", gettext_noop("学科"), ("任教学科", "所教学科"), required=False),
    Column("stage", gettext_noop("学段"), ("任教学段",), required=False),
    Column("group", gettext_noop("教研组"), ("所在教研组", "教研组名称"), required=False),
]
GENDERS = {"男": Gender.MALE, "M": Gender.MALE, "女": Gender.FEMALE, "F": Gender.FEMALE}
TEACHER_FIELDS = ("gender", "phone", "subject", "stage")


def _gender(value) -> str:
    s = cleaning.compact(value).upper()
    if not s:
        return ""
    if s in GENDERS:
        return GENDERS[s]
    raise cleaning.CellProblem("gender_value")


class RosterImporter(Importer):
    kind = "roster"
    columns = COLUMNS

    def __init__(self, *, target: ImportTarget, actor=None, progress=None):
        super().__init__(actor=actor, progress=progress)
        self.target = target

    def clean_row(self, table, cells):
        problems: list[tuple[str, str]] = []
        data = {
            "name": cell_text(
                table, cells, "name", max_length=64, required=True, label="姓名", problems=problems
            ),
            "id_number": cell(cleaning.id_number, table, cells, "id_number", problems),
            "gender": cell(_gender, table, cells, "gender", problems),
            "phone": cell(cleaning.mobile, table, cells, "phone", problems),
            "county": cleaning.compact(table.value(cells, "county")),
            "school": cell_text(
                table, cells, "school", max_length=128, required=True, label="学校名称", problems=problems
            ).replace(" ", ""),
            "subject": cell_text(
                table, cells, "subject", max_length=32, required=False, label="学科", problems=problems
            ),
            "stage": cell_text(
                table, cells, "stage", max_length=20, required=False, label="学段", problems=problems
            ),
            "group": cell_text(
                table, cells, "group", max_length=64, required=False, label="教研组", problems=problems
            ),
        }
        if not problems and not data["gender"]:
            data["gender"] = cleaning.gender_from_id(data["id_number"])
        return data, problems

    def check_duplicates(self, rows):
        errors = []
        first_id: dict[str, int] = {}
        first_phone: dict[str, int] = {}
        for number, data in rows:
            seen = first_id.setdefault(data["id_number"], number)
            if seen != number:
                errors.append(RowError(number, "身份证号", problem("duplicate_id_number", row=seen)))
            if data["phone"]:
                seen = first_phone.setdefault(data["phone"], number)
                if seen != number:
                    errors.append(RowError(number, "手机号", problem("duplicate_phone", row=seen)))
        return errors

    # -- against the platform --------------------------------------------------------------
    def _school_index(self):
        by_name: dict[str, list[School]] = {}
        for school in (
            self.target.schools()
            .select_related("county")
            .only("id", "name", "county__name", "county_id", "city_id")
        ):
            by_name.setdefault(school.name.replace(" ", ""), []).append(school)
        return by_name

    def _find_school(self, by_name, data) -> tuple[School | None, Problem | None]:
        candidates = by_name.get(data["school"], [])
        if data["county"]:
            candidates = [s for s in candidates if s.county.name.replace(" ", "") == data["county"]]
            if not candidates:
                return None, problem("school_not_in_county", county=data["county"], school=data["school"])
        if not candidates:
            return None, problem("school_not_found", school=data["school"])
        if len(candidates) > 1:
            counties = sorted(s.county.name for s in candidates)
            return None, problem("school_ambiguous", school=data["school"], counties=counties)
        return candidates[0], None

    def resolve(self, rows):
        errors: list[RowError] = []
        by_name = self._school_index()
        allowed_schools = {s.id for group in by_name.values() for s in group}
        ids = [d["id_number"] for _, d in rows]
        existing: dict[str, Teacher] = {}
        for part in chunks(ids):
            for t in Teacher.objects.filter(id_number__in=part).select_related("user"):
                existing[t.id_number] = t
        phones = [d["phone"] for _, d in rows if d["phone"]]
        phone_owner: dict[str, str | None] = {}
        for part in chunks(phones):
            for phone, idn in Teacher.objects.filter(phone__in=part).values_list("phone", "id_number"):
                phone_owner[phone] = idn
        school_ids = set()
        pending: list[tuple[int, dict, School]] = []
        for number, data in rows:
            school, missing = self._find_school(by_name, data)
            if missing:
                errors.append(RowError(number, "学校名称", missing))
                continue
            teacher = existing.get(data["id_number"])
            if teacher is not None and teacher.school_id not in allowed_schools:
                errors.append(RowError(number, "身份证号", problem("id_number_elsewhere")))
                continue
            owner = phone_owner.get(data["phone"]) if data["phone"] else None
            if data["phone"] and data["phone"] in phone_owner and owner != data["id_number"]:
                errors.append(RowError(number, "手机号", problem("phone_taken")))
                continue
            school_ids.add(school.id)
            pending.append((number, data, school))
        self.groups = {}
        for part in chunks(school_ids):
            for g in TeachingGroup.objects.filter(school_id__in=part):
                self.groups[(g.school_id, g.name)] = g
        plan = []
        for number, data, school in pending:
            data["school_obj"] = school
            teacher = existing.get(data["id_number"])
            if teacher is None:
                plan.append(Planned(number, "create", data))
            elif self._changes(teacher, data, school):
                plan.append(Planned(number, "update", data, teacher))
            else:
                plan.append(Planned(number, "unchanged", data, teacher))
        return plan, errors

    def _wanted_group_id(self, data, school):
        if "group" not in self.present or not data["group"]:
            return None
        group = self.groups.get((school.id, data["group"]))
        return group.id if group else "new"

    def _changes(self, teacher: Teacher, data: dict, school: School) -> bool:
        if teacher.user.full_name != data["name"] or teacher.school_id != school.id:
            return True
        for fld in TEACHER_FIELDS:
            # A blank cell means "not given here", never "erase what the platform has".
            if (fld in self.present or fld == "gender") and data[fld] and getattr(teacher, fld) != data[fld]:
                return True
        if "group" in self.present and data["group"]:
            return self._wanted_group_id(data, school) != teacher.group_id
        return False

    # -- writing ---------------------------------------------------------------------------
    def apply(self, plan: list[Planned]) -> None:
        missing = {
            (p.data["school_obj"].id, p.data["group"])
            for p in plan
            if p.action != "unchanged" and "group" in self.present and p.data["group"]
        } - set(self.groups)
        for g in TeachingGroup.objects.bulk_create(
            [TeachingGroup(school_id=s, name=n, subject="") for s, n in sorted(missing)], batch_size=1000
        ):
            self.groups[(g.school_id, g.name)] = g

        # Schools whose progress totals change (progress/totals.py): new and moved teachers, new groups.
        touched = {s for s, _n in missing}
        touched |= {p.data["school_obj"].id for p in plan if p.action != "unchanged"}
        touched |= {p.target.school_id for p in plan if p.action == "update"}  # before the move
        creates = [p for p in plan if p.action == "create"]
        # Accounts start without a usable password; the school issues sign-in codes (people app).
        # The login is generated, never the ID number (issue 8 item 3).
        unusable = make_password(None)
        logins = new_logins(len(creates))
        users = User.objects.bulk_create(
            [
                User(username=login, full_name=p.data["name"], password=unusable)
                for login, p in zip(logins, creates, strict=True)
            ],
            batch_size=2000,
        )
        Teacher.objects.bulk_create(
            [self._teacher(Teacher(user=u), p.data) for u, p in zip(users, creates, strict=True)],
            batch_size=2000,
        )
        updates = [p for p in plan if p.action == "update"]
        if updates:
            teachers, renamed = [], []
            for p in updates:
                teacher = self._teacher(p.target, p.data)
                teachers.append(teacher)
                if teacher.user.full_name != p.data["name"]:
                    teacher.user.full_name = p.data["name"]
                    renamed.append(teacher.user)
            Teacher.objects.bulk_update(
                teachers,
                ["city", "county", "school", "group", "gender", "phone", "subject", "stage"],
                batch_size=1000,
            )
            User.objects.bulk_update(renamed, ["full_name"], batch_size=1000)
        schools_changed(touched)

    def _teacher(self, teacher: Teacher, data: dict) -> Teacher:
        school = data["school_obj"]
        if teacher.school_id != school.id:
            teacher.group = None  # a group belongs to the old school
        teacher.city_id, teacher.county_id, teacher.school_id = school.city_id, school.county_id, school.id
        teacher.id_number = data["id_number"]
        teacher.gender = data["gender"]
        for fld in ("phone", "subject", "stage"):
            if fld in self.present and data[fld]:
                setattr(teacher, fld, data[fld])
        if "group" in self.present and data["group"]:
            teacher.group = self.groups[(school.id, data["group"])]
        return teacher

    def record_audit(self, result: ImportResult, source: str) -> None:
        audit.record(
            kind="import.roster",
            actor=self.actor,
            target=("exchange.import", source) if source else None,
            summary=f"导入教师花名册（{self.target.describe()}）：新增{result.created}，更新{result.updated}，未变{result.unchanged}",
            data={
                **{k: v for k, v in result.as_dict().items() if k != "errors"},
                "errors": len(result.errors),
            },
        )
