"""tisheng import-units: the schools of a city, county by county (学校名单)."""

import re

from django.utils.translation import gettext_noop

from tisheng.core import audit, cleaning
from tisheng.core.changes import schools_changed
from tisheng.core.problems import define, problem
from tisheng.organisation.models import City, County, CountyKind, Locality, School, Stage, Zone

from .importing import Importer, ImportResult, Planned, RowError, cell, cell_text, chunks
from .readers import Column, FileProblem
from .targets import ImportTarget

define(
    "choice_unknown", gettext_noop("%(what)s无法识别：“%(value)s”。可填写：%(choices)s等。"), labels=("what",)
)
define("school_code_format", gettext_noop("学校标识码应为10位数字。"))
define("school_duplicate_name", gettext_noop("与第%(row)s行重复（同一县区的同名学校）。"))
define("school_duplicate_code", gettext_noop("与第%(row)s行的学校标识码重复。"))
define("units_many_cities", gettext_noop("文件中有多个市，请按市分别导入，并用 --city 指定。"))
define("units_which_city", gettext_noop("请用 --city 指定城市（平台中还没有城市，或有多个城市）。"))
define("units_other_city", gettext_noop("本次导入的是“%(city)s”的学校，这一行写的是“%(written)s”。"))
define("units_own_county_only", gettext_noop("只能导入本县区（%(county)s）的学校。"))
define("county_not_found", gettext_noop("未找到县区“%(county)s”。"))
define("school_code_taken", gettext_noop("学校标识码已被“%(school)s”使用。"))
define("school_code_other_city", gettext_noop("学校标识码已被其他市的学校使用。"))

COLUMNS = [
    Column("city", gettext_noop("市"), ("地市", "市州", "所在市"), required=False),
    Column("county", gettext_noop("县区"), ("县(区)", "县/区", "区县", "所在县区", "县区名称", "县市区")),
    Column("zone", gettext_noop("片区"), ("片", "所在片区"), required=False),
    Column("name", gettext_noop("学校名称"), ("学校", "单位名称", "学校全称")),
    Column("code", gettext_noop("学校标识码"), ("学校代码", "标识码"), required=False),
    Column("locality", gettext_noop("城乡类型"), ("城乡分类", "城乡", "所在地类型")),
    Column("stage", gettext_noop("办学类型"), ("学校类型", "学段", "学校类别")),
    Column("is_pilot", gettext_noop("是否试点校"), ("试点校", "是否试点"), required=False),
    Column("batch_year", gettext_noop("批次"), ("批次年份", "推进批次"), required=False),
]

LOCALITIES = {
    "城区": (Locality.URBAN, False),
    "城市": (Locality.URBAN, False),
    "市区": (Locality.URBAN, False),
    "县城": (Locality.URBAN, False),
    "镇区": (Locality.TOWN, False),
    "乡镇": (Locality.TOWN, False),
    "城镇": (Locality.TOWN, False),
    "镇": (Locality.TOWN, False),
    "乡": (Locality.TOWN, False),
    "乡村": (Locality.VILLAGE, False),
    "农村": (Locality.VILLAGE, False),
    "村": (Locality.VILLAGE, False),
    "村小": (Locality.VILLAGE, False),
    "教学点": (Locality.VILLAGE, True),
    "村教学点": (Locality.VILLAGE, True),
}
STAGES = {
    "幼儿园": Stage.KINDERGARTEN,
    "小学": Stage.PRIMARY,
    "初中": Stage.JUNIOR,
    "初级中学": Stage.JUNIOR,
    "高中": Stage.SENIOR,
    "高级中学": Stage.SENIOR,
    "普通高中": Stage.SENIOR,
    "九年一贯制": Stage.NINE_YEAR,
    "九年一贯制学校": Stage.NINE_YEAR,
    "十二年一贯制": Stage.TWELVE_YEAR,
    "十二年一贯制学校": Stage.TWELVE_YEAR,
    "完全中学": Stage.COMPLETE_SECONDARY,
    "完中": Stage.COMPLETE_SECONDARY,
}
SCHOOL_FIELDS = ("zone", "code", "locality", "is_teaching_point", "stage", "is_pilot", "batch_year")


def _choice(mapping: dict, what: str):
    def parse(value):
        s = cleaning.compact(value)
        if s in mapping:
            return mapping[s]
        raise cleaning.CellProblem("choice_unknown", what=what, value=s, choices=list(mapping)[:8])

    return parse


def _code(value) -> str | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = cleaning.compact(value)
    if not s:
        return None
    if not re.fullmatch(r"[0-9]{10}", s):  # not isdigit(): it is true for ٠-٩ and other scripts
        raise cleaning.CellProblem("school_code_format")
    return s


def county_kind(name: str) -> str:
    if name in ("市直", "局直", "市直属", "市直学校"):
        return CountyKind.CITY_DIRECT
    if name.endswith(("管理区", "新区", "风景区", "高新区", "开发区", "示范区")):
        return CountyKind.MANAGEMENT_AREA
    if name.endswith("区"):
        return CountyKind.DISTRICT
    return CountyKind.COUNTY


class NeedCity(FileProblem):
    """The command line could not tell which city the file is for."""


class UnitsImporter(Importer):
    kind = "units"
    columns = COLUMNS

    def __init__(self, *, target: ImportTarget, actor=None, progress=None, city_name: str = ""):
        super().__init__(actor=actor, progress=progress)
        self.target = target
        self.city_name = cleaning.compact(city_name)
        self.city: City | None = target.city

    def clean_row(self, table, cells):
        problems: list[tuple[str, str]] = []
        data = {
            "city": cleaning.compact(table.value(cells, "city")),
            "county": cell_text(
                table, cells, "county", max_length=64, required=True, label="县区", problems=problems
            ).replace(" ", ""),
            "zone": cell_text(
                table, cells, "zone", max_length=64, required=False, label="片区", problems=problems
            ).replace(" ", ""),
            "name": cell_text(
                table, cells, "name", max_length=128, required=True, label="学校名称", problems=problems
            ).replace(" ", ""),
            "code": cell(_code, table, cells, "code", problems),
            "locality": cell(_choice(LOCALITIES, "城乡类型"), table, cells, "locality", problems),
            "stage": cell(_choice(STAGES, "办学类型"), table, cells, "stage", problems),
            "is_pilot": cell(cleaning.yes_no, table, cells, "is_pilot", problems),
            "batch_year": cell(cleaning.year, table, cells, "batch_year", problems),
        }
        if data["locality"]:
            data["locality"], data["is_teaching_point"] = data["locality"]
        return data, problems

    def check_duplicates(self, rows):
        errors = []
        first_name: dict[tuple[str, str], int] = {}
        first_code: dict[str, int] = {}
        for number, data in rows:
            seen = first_name.setdefault((data["county"], data["name"]), number)
            if seen != number:
                errors.append(RowError(number, "学校名称", problem("school_duplicate_name", row=seen)))
            if data["code"]:
                seen = first_code.setdefault(data["code"], number)
                if seen != number:
                    errors.append(RowError(number, "学校标识码", problem("school_duplicate_code", row=seen)))
        return errors

    def prepare(self, rows):
        """Decide the city: the target's, --city, the 市 column's one value, or the platform's only city."""
        if self.city is not None:
            return
        named = self.city_name or ""
        if not named:
            in_file = {d["city"] for _, d in rows if d["city"]}
            if len(in_file) == 1:
                named = in_file.pop()
            elif len(in_file) > 1:
                raise NeedCity("units_many_cities")
        if named:
            self.city = City.objects.filter(name=named).first() or City(name=named)
            return
        cities = list(City.objects.all()[:2])
        if len(cities) == 1:
            self.city = cities[0]
            return
        raise NeedCity("units_which_city")

    def resolve(self, rows):
        errors: list[RowError] = []
        if self.city.pk is None:
            # A new city was decided in prepare(), before the import lock: an import that held the
            # lock meanwhile may have created it.
            self.city = City.objects.filter(name=self.city.name).first() or self.city
        city = self.city
        counties = {c.name: c for c in County.objects.filter(city_id=city.pk)} if city.pk else {}
        zones = {(z.county_id, z.name): z for z in Zone.objects.filter(county__in=counties.values())}
        schools = {}
        by_code = {}
        for s in School.objects.filter(city_id=city.pk) if city.pk else []:
            schools[(s.county_id, s.name.replace(" ", ""))] = s
            if s.code:
                by_code[s.code] = s
        self.counties, self.zones = counties, zones
        file_codes = {d["code"] for _, d in rows if d["code"]}
        foreign_codes: set[str] = set()
        for part in chunks(file_codes):
            qs = School.objects.filter(code__in=part)
            if city.pk:
                qs = qs.exclude(city_id=city.pk)
            foreign_codes.update(qs.values_list("code", flat=True))
        plan: list[Planned] = []
        for number, data in rows:
            if data["city"] and data["city"] != city.name:
                errors.append(
                    RowError(number, "市", problem("units_other_city", city=city.name, written=data["city"]))
                )
                continue
            county = counties.get(data["county"])
            if self.target.county is not None and data["county"] != self.target.county.name:
                errors.append(
                    RowError(number, "县区", problem("units_own_county_only", county=self.target.county.name))
                )
                continue
            if county is None and not self.target.may_create_counties:
                errors.append(RowError(number, "县区", problem("county_not_found", county=data["county"])))
                continue
            existing = schools.get((county.pk, data["name"])) if county else None
            owner = by_code.get(data["code"]) if data["code"] else None
            if owner is not None and owner is not existing:
                errors.append(RowError(number, "学校标识码", problem("school_code_taken", school=owner.name)))
                continue
            if data["code"] in foreign_codes:
                errors.append(RowError(number, "学校标识码", problem("school_code_other_city")))
                continue
            if existing is None:
                plan.append(Planned(number, "create", data))
            elif self._changes(existing, data):
                plan.append(Planned(number, "update", data, existing))
            else:
                plan.append(Planned(number, "unchanged", data, existing))
        return plan, errors

    def _zone_id(self, county_id, data):
        if "zone" not in self.present or not data["zone"]:
            return None
        zone = self.zones.get((county_id, data["zone"]))
        return zone.pk if zone else "new"

    def _changes(self, school: School, data: dict) -> bool:
        if school.locality != data["locality"] or school.is_teaching_point != data["is_teaching_point"]:
            return True
        if school.stage != data["stage"]:
            return True
        if "code" in self.present and data["code"] and school.code != data["code"]:
            return True
        if (
            "is_pilot" in self.present
            and data["is_pilot"] is not None
            and school.is_pilot != data["is_pilot"]
        ):
            return True
        if "batch_year" in self.present and data["batch_year"] and school.batch_year != data["batch_year"]:
            return True
        return (
            "zone" in self.present
            and bool(data["zone"])
            and self._zone_id(school.county_id, data) != school.zone_id
        )

    def apply(self, plan):
        city = self.city
        if city.pk is None:
            city.save()
        new_counties = sorted({p.data["county"] for p in plan} - set(self.counties))
        for county in County.objects.bulk_create(
            [
                County(city=city, name=n, kind=county_kind(n), sort_order=100 + i)
                for i, n in enumerate(new_counties)
            ]
        ):
            self.counties[county.name] = county
        wanted_zones = {
            (self.counties[p.data["county"]].pk, p.data["zone"])
            for p in plan
            if p.action != "unchanged" and "zone" in self.present and p.data["zone"]
        }
        for zone in Zone.objects.bulk_create(
            [Zone(county_id=c, name=n) for c, n in sorted(wanted_zones - set(self.zones))]
        ):
            self.zones[(zone.county_id, zone.name)] = zone
        created = School.objects.bulk_create(
            [self._school(School(city=city), p.data) for p in plan if p.action == "create"], batch_size=1000
        )
        updates = [self._school(p.target, p.data) for p in plan if p.action == "update"]
        School.objects.bulk_update(updates, list(SCHOOL_FIELDS), batch_size=1000)
        # The progress totals count schools per county (progress/totals.py).
        schools_changed([s.pk for s in created] + [s.pk for s in updates])

    def _school(self, school: School, data: dict) -> School:
        county = self.counties[data["county"]]
        school.county = county
        school.name = school.name or data["name"]
        school.locality = data["locality"]
        school.is_teaching_point = data["is_teaching_point"]
        school.stage = data["stage"]
        school.is_poverty_county = county.is_poverty_county
        if "code" in self.present and data["code"]:
            school.code = data["code"]
        if "is_pilot" in self.present and data["is_pilot"] is not None:
            school.is_pilot = data["is_pilot"]
        if "batch_year" in self.present and data["batch_year"]:
            school.batch_year = data["batch_year"]
        if "zone" in self.present and data["zone"]:
            school.zone = self.zones[(county.pk, data["zone"])]
        return school

    def record_audit(self, result: ImportResult, source: str) -> None:
        audit.record(
            kind="import.units",
            actor=self.actor,
            target=("exchange.import", source) if source else None,
            summary=f"导入学校名单（{self.city.name}）：新增{result.created}，更新{result.updated}，未变{result.unchanged}",
            data={
                **{k: v for k, v in result.as_dict().items() if k != "errors"},
                "errors": len(result.errors),
            },
        )
