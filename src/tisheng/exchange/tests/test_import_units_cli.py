"""`tisheng import-units`: a city's schools, county by county, from the list the city office keeps."""

import pytest

from tisheng.core.models import AuditEvent
from tisheng.exchange.targets import ImportTarget, target_for
from tisheng.exchange.units import UnitsImporter
from tisheng.organisation.models import City, County, CountyKind, Locality, School, Stage, Zone
from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    Role,
    SchoolFactory,
    user_with_role,
)

from .files import (
    UNITS_HEADER,
    binary_junk,
    report_rows,
    run,
    write_csv,
    write_file,
    write_xlsx,
    written,
    zip_without_sheet,
)

pytestmark = pytest.mark.django_db


def unit(
    name, county="浉河区", *, city="", zone="", code="", locality="城区", stage="小学", pilot="", batch=""
):
    """One row in UNITS_HEADER order."""
    return [city, county, zone, name, code, locality, stage, pilot, batch]


def units_file(tmp_path, rows, name="units.xlsx", header=UNITS_HEADER):
    return write_file(tmp_path / name, [header, *rows])


def state():
    return (
        City.objects.count(),
        County.objects.count(),
        Zone.objects.count(),
        School.objects.count(),
        AuditEvent.objects.filter(kind="import.units").count(),
    )


def import_json(path, *extra):
    outcome = run("import-units", path, "--json", *extra)
    return outcome.code, outcome.json


def errors_of(result):
    return [(e["row"], e["column"]) for e in result["errors"]]


# ---- creating a city's units ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["units.xlsx", "units.csv"])
def test_creates_city_counties_zones_and_schools(db, tmp_path, name):
    rows = [
        unit("信阳市第一高级中学", "市直", stage="高中", code="4115000001", pilot="是", batch="2022"),
        unit("浉河区第一小学", "浉河区", zone="东片", code="4115020001", batch="2023年"),
        unit("浉河区第二小学", "浉河区", zone="东片", locality="镇区", pilot="否"),
        unit("罗山县彭新镇中心校", "罗山县", zone="彭新片", locality="乡村", stage="九年一贯制学校"),
        unit("罗山县楠杆教学点", "罗山县", locality="教学点"),
        unit("南湾湖小学", "南湾湖风景区管理区", locality="镇区"),
        unit("上天梯中学", "上天梯管理区", stage="初中"),
    ]
    code, result = import_json(units_file(tmp_path, rows, name=name), "--city", "信阳市")

    assert code == 0, result
    assert result == written(rows=7, valid=7, created=7)
    city = City.objects.get()
    assert city.name == "信阳市"
    kinds = dict(County.objects.filter(city=city).values_list("name", "kind"))
    assert kinds == {
        "市直": CountyKind.CITY_DIRECT,
        "浉河区": CountyKind.DISTRICT,
        "罗山县": CountyKind.COUNTY,
        "南湾湖风景区管理区": CountyKind.MANAGEMENT_AREA,
        "上天梯管理区": CountyKind.MANAGEMENT_AREA,
    }
    assert set(Zone.objects.values_list("county__name", "name")) == {("浉河区", "东片"), ("罗山县", "彭新片")}

    first = School.objects.get(name="浉河区第一小学")
    assert (first.city, first.county.name, first.zone.name) == (city, "浉河区", "东片")
    assert (first.code, first.locality, first.stage, first.is_pilot, first.batch_year) == (
        "4115020001",
        Locality.URBAN,
        Stage.PRIMARY,
        False,
        2023,
    )
    assert School.objects.get(name="浉河区第二小学").zone == first.zone
    senior = School.objects.get(name="信阳市第一高级中学")
    assert (senior.stage, senior.is_pilot, senior.batch_year, senior.zone) == (Stage.SENIOR, True, 2022, None)
    point = School.objects.get(name="罗山县楠杆教学点")
    assert (point.locality, point.is_teaching_point) == (Locality.VILLAGE, True)
    assert School.objects.get(name="罗山县彭新镇中心校").stage == Stage.NINE_YEAR
    assert AuditEvent.objects.filter(kind="import.units").count() == 1


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("平桥区", CountyKind.DISTRICT),
        ("光山县", CountyKind.COUNTY),
        ("羊山新区", CountyKind.MANAGEMENT_AREA),
        ("高新区", CountyKind.MANAGEMENT_AREA),
        ("鸡公山管理区", CountyKind.MANAGEMENT_AREA),
        ("市直", CountyKind.CITY_DIRECT),
        ("市直学校", CountyKind.CITY_DIRECT),
        ("固始县", CountyKind.COUNTY),
    ],
)
def test_county_kind_is_guessed_from_the_name(org, tmp_path, name, kind):
    code, result = import_json(units_file(tmp_path, [unit("某校", name)]))
    assert code == 0, result
    county = County.objects.get(name=name)
    assert (county.city, county.kind) == (org.city, kind)


# ---- which city ----------------------------------------------------------------------------------
def test_city_may_be_left_out_when_the_platform_holds_one(org, tmp_path):
    before = state()
    code, result = import_json(
        units_file(tmp_path, [unit("新建小学", "浉河区"), unit("罗山一中", "罗山县", stage="高中")])
    )
    assert code == 0, result
    assert state()[:4] == (before[0], before[1] + 1, before[2], before[3] + 2)
    assert School.objects.get(name="新建小学").county == org.shihe
    assert County.objects.get(name="罗山县").city == org.city


def test_city_is_created_if_missing(org, tmp_path):
    code, result = import_json(units_file(tmp_path, [unit("驻马店实验小学", "驿城区")]), "--city", "驻马店市")
    assert code == 0, result
    city = City.objects.get(name="驻马店市")
    assert School.objects.get(name="驻马店实验小学").city == city
    assert County.objects.get(name="驿城区").city == city
    assert not County.objects.filter(city=org.city, name="驿城区").exists()


def test_named_city_that_exists_is_used(org, tmp_path):
    CityFactory(name="南阳市")
    code, result = import_json(units_file(tmp_path, [unit("浉河区第九小学", "浉河区")]), "--city", "信阳市")
    assert code == 0, result
    assert School.objects.get(name="浉河区第九小学").county == org.shihe
    assert City.objects.count() == 2


@pytest.mark.parametrize("cities", [0, 2])
def test_city_cannot_be_left_out_with_no_or_several_cities(db, tmp_path, cities):
    for n in range(cities):
        CityFactory(name=f"城市{n}")
    before = state()
    outcome = run("import-units", units_file(tmp_path, [unit("某小学")]))
    assert outcome.code == 2
    assert outcome.out == ""
    assert outcome.err_lines == ["units.xlsx：请用 --city 指定城市（平台中还没有城市，或有多个城市）。"]
    assert state() == before


def test_city_from_the_city_column(db, tmp_path):
    rows = [unit("信阳一中", "市直", city="信阳市", stage="高中"), unit("浉河一小", "浉河区", city="")]
    code, result = import_json(units_file(tmp_path, rows))
    assert code == 0, result
    assert list(City.objects.values_list("name", flat=True)) == ["信阳市"]


def test_several_cities_in_the_city_column(db, tmp_path):
    rows = [unit("信阳一中", "市直", city="信阳市"), unit("南阳一中", "市直", city="南阳市")]
    outcome = run("import-units", units_file(tmp_path, rows))
    assert outcome.code == 2
    assert outcome.err_lines == ["units.xlsx：文件中有多个市，请按市分别导入，并用 --city 指定。"]
    assert not City.objects.exists()


def test_rows_of_another_city_are_refused(org, tmp_path):
    rows = [unit("甲校", city="信阳市"), unit("乙校", city="南阳市")]
    code, result = import_json(units_file(tmp_path, rows), "--city", "信阳市")
    assert code == 1
    assert result["errors"] == [
        {"row": 3, "column": "市", "message": "本次导入的是“信阳市”的学校，这一行写的是“南阳市”。"}
    ]
    assert not School.objects.filter(name__in=["甲校", "乙校"]).exists()


# ---- vocabularies --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "locality", "point"),
    [
        ("城区", Locality.URBAN, False),
        ("县城", Locality.URBAN, False),
        ("镇区", Locality.TOWN, False),
        ("乡镇", Locality.TOWN, False),
        ("乡村", Locality.VILLAGE, False),
        ("农村", Locality.VILLAGE, False),
        ("教学点", Locality.VILLAGE, True),
        ("村教学点", Locality.VILLAGE, True),
        (" 教 学 点 ", Locality.VILLAGE, True),
    ],
)
def test_locality_vocabulary(org, tmp_path, typed, locality, point):
    code, result = import_json(units_file(tmp_path, [unit("某校", locality=typed)]))
    assert code == 0, result
    school = School.objects.get(name="某校")
    assert (school.locality, school.is_teaching_point) == (locality, point)


@pytest.mark.parametrize(
    ("typed", "stage"),
    [
        ("幼儿园", Stage.KINDERGARTEN),
        ("小学", Stage.PRIMARY),
        ("初级中学", Stage.JUNIOR),
        ("普通高中", Stage.SENIOR),
        ("九年一贯制", Stage.NINE_YEAR),
        ("十二年一贯制学校", Stage.TWELVE_YEAR),
        ("完中", Stage.COMPLETE_SECONDARY),
        ("完全中学", Stage.COMPLETE_SECONDARY),
    ],
)
def test_stage_vocabulary(org, tmp_path, typed, stage):
    code, result = import_json(units_file(tmp_path, [unit("某校", stage=typed)]))
    assert code == 0, result
    assert School.objects.get(name="某校").stage == stage


def test_unknown_words_and_bad_values(org, tmp_path):
    rows = [
        unit("甲校", locality="山区"),  # row 2
        unit("乙校", stage="职业高中"),  # row 3
        unit("丙校", code="411502001"),  # row 4: nine digits
        unit("丁校", code="41150200AB"),  # row 5
        unit("戊校", batch="2018"),  # row 6
        unit("己校", batch="第三批"),  # row 7
        unit("庚校", pilot="待定"),  # row 8
        unit("", locality="城区"),  # row 9: no name
        unit("辛校", county=""),  # row 10: no county
        unit("壬校", code="٤١١٥٠٢٠٠٠١"),  # row 11: digits of another script
        unit("癸校"),  # row 12: fine
    ]
    before = state()
    code, result = import_json(units_file(tmp_path, rows))
    assert code == 1
    assert errors_of(result) == [
        (2, "城乡类型"),
        (3, "办学类型"),
        (4, "学校标识码"),
        (5, "学校标识码"),
        (6, "批次"),
        (7, "批次"),
        (8, "是否试点校"),
        (9, "学校名称"),
        (10, "县区"),
        (11, "学校标识码"),
    ]
    messages = {e["row"]: e["message"] for e in result["errors"]}
    assert messages[2].startswith("城乡类型无法识别：“山区”。可填写：城区、")
    assert messages[3].startswith("办学类型无法识别：“职业高中”。")
    assert messages[4] == messages[5] == messages[11] == "学校标识码应为10位数字。"
    assert messages[6] == messages[7] == "批次应为2019至2030之间的年份，例如 2022。"
    assert messages[8] == "请填写“是”或“否”。"
    assert messages[9] == "学校名称不能为空。"
    assert messages[10] == "县区不能为空。"
    assert (result["rows"], result["valid"], result["created"], result["would_create"]) == (11, 1, 0, 1)
    assert state() == before


def test_code_typed_as_a_number_in_excel(org, tmp_path):
    path = write_xlsx(
        tmp_path / "u.xlsx", [UNITS_HEADER, unit("某校", code=4115020009), unit("某某校", code=4115020010.0)]
    )
    code, result = import_json(path)
    assert code == 0, result
    assert School.objects.get(name="某校").code == "4115020009"
    assert School.objects.get(name="某某校").code == "4115020010"


def test_header_variants_and_gbk_csv(org, tmp_path):
    header = ["序号", "区县", "片", "学校", "学校代码", "城乡分类", "学校类型", "试点校", "推进批次"]
    rows = [header, [1, "浉河区", "西片", "浉河区第三小学", "4115020003", "城区", "小学", "√", "2024批次"]]
    code, result = import_json(write_csv(tmp_path / "u.csv", rows, encoding="gbk"))
    assert code == 0, result
    school = School.objects.get(name="浉河区第三小学")
    assert (school.zone.name, school.code, school.is_pilot, school.batch_year) == (
        "西片",
        "4115020003",
        True,
        2024,
    )


# ---- duplicates ----------------------------------------------------------------------------------
def test_duplicate_school_in_the_file(org, tmp_path):
    rows = [
        unit("第五小学", "浉河区"),
        unit("第五小学", "平桥区"),  # the same name in another county is another school
        unit(" 第五 小学 ", "浉河区"),
        unit("第六小学", code="4115020006"),
        unit("第七小学", code="4115020006"),
    ]
    code, result = import_json(units_file(tmp_path, rows))
    assert code == 1
    assert result["errors"] == [
        {"row": 4, "column": "学校名称", "message": "与第2行重复（同一县区的同名学校）。"},
        {"row": 6, "column": "学校标识码", "message": "与第5行的学校标识码重复。"},
    ]
    assert not School.objects.filter(name="第五小学").exists()


def test_code_used_by_another_school(org, tmp_path):
    SchoolFactory(county=org.shihe, name="老学校", code="4115020001")
    other_city = CountyFactory(city=CityFactory(name="南阳市"), name="宛城区")
    SchoolFactory(county=other_city, name="南阳学校", code="4113020001")
    org.shiyan.code = "4115020099"
    org.shiyan.save()
    rows = [
        unit("新学校", code="4115020001"),
        unit("又一所学校", code="4113020001"),
        unit("实验中学", code="4115020099", stage="初中"),  # its own code: fine
    ]
    code, result = import_json(units_file(tmp_path, rows), "--city", "信阳市", "--valid-only")
    assert code == 1
    assert result["errors"] == [
        {"row": 2, "column": "学校标识码", "message": "学校标识码已被“老学校”使用。"},
        {"row": 3, "column": "学校标识码", "message": "学校标识码已被其他市的学校使用。"},
    ]
    assert not School.objects.filter(name__in=["新学校", "又一所学校"]).exists()


# ---- re-import, updates, partial columns ---------------------------------------------------------
def test_reimporting_the_same_file_changes_nothing(org, tmp_path):
    rows = [
        unit("浉河区第一小学", zone="东片", code="4115020001", pilot="是", batch="2022"),
        unit("罗山县第一小学", "罗山县", locality="教学点"),
        unit("实验中学", stage="初中"),
        unit("第一小学", "平桥区"),
    ]
    path = units_file(tmp_path, rows)
    code, first = import_json(path)
    assert code == 0 and (first["created"], first["updated"], first["unchanged"]) == (2, 1, 1)
    snapshot = list(School.objects.order_by("id").values())
    before = state()

    code, second = import_json(path)
    assert code == 0
    assert second == written(rows=4, valid=4, unchanged=4)
    assert state()[:4] == before[:4]
    assert list(School.objects.order_by("id").values()) == snapshot


def test_existing_school_is_updated(org, tmp_path):
    code, result = import_json(units_file(tmp_path, [unit("实验中学", locality="镇区", stage="完全中学")]))
    assert code == 0 and result["updated"] == 1
    org.shiyan.refresh_from_db()
    assert (org.shiyan.locality, org.shiyan.stage) == (Locality.TOWN, Stage.COMPLETE_SECONDARY)


def test_absent_optional_columns_do_not_wipe_existing_values(org, tmp_path):
    zone = Zone.objects.create(county=org.shihe, name="北片")
    School.objects.filter(pk=org.shiyan.pk).update(
        code="4115020042", is_pilot=True, batch_year=2021, zone=zone, stage=Stage.JUNIOR
    )
    header = ["县区", "学校名称", "城乡类型", "办学类型"]
    code, result = import_json(
        write_file(tmp_path / "u.xlsx", [header, ["浉河区", "实验中学", "城区", "初中"]])
    )
    assert code == 0
    assert (result["updated"], result["unchanged"]) == (0, 1)

    code, result = import_json(
        write_file(tmp_path / "u2.xlsx", [header, ["浉河区", "实验中学", "乡村", "初中"]])
    )
    assert code == 0 and result["updated"] == 1
    org.shiyan.refresh_from_db()
    assert org.shiyan.locality == Locality.VILLAGE
    assert (org.shiyan.code, org.shiyan.is_pilot, org.shiyan.batch_year, org.shiyan.zone) == (
        "4115020042",
        True,
        2021,
        zone,
    )


def test_empty_code_and_batch_cells_keep_existing_values(org, tmp_path):
    School.objects.filter(pk=org.shiyan.pk).update(code="4115020042", batch_year=2021, stage=Stage.JUNIOR)
    code, result = import_json(units_file(tmp_path, [unit("实验中学", stage="初中")]))
    assert code == 0 and result["unchanged"] == 1
    org.shiyan.refresh_from_db()
    assert (org.shiyan.code, org.shiyan.batch_year) == ("4115020042", 2021)


def test_poverty_county_mark_is_copied_to_new_schools(org, tmp_path):
    County.objects.filter(pk=org.pingqiao.pk).update(is_poverty_county=True)
    code, _ = import_json(units_file(tmp_path, [unit("平桥区新校", "平桥区"), unit("浉河区新校", "浉河区")]))
    assert code == 0
    assert School.objects.get(name="平桥区新校").is_poverty_county
    assert not School.objects.get(name="浉河区新校").is_poverty_county


# ---- all or nothing, dry run, report, json -------------------------------------------------------
def test_any_wrong_row_means_nothing_is_written(db, tmp_path):
    rows = [unit("甲校", "新县"), unit("乙校", "新县", zone="一片"), unit("丙校", stage="大学")]
    code, result = import_json(units_file(tmp_path, rows), "--city", "新市")
    assert code == 1
    assert errors_of(result) == [(4, "办学类型")]
    assert state() == (0, 0, 0, 0, 0)  # not even the city

    code, result = import_json(units_file(tmp_path, rows), "--city", "新市", "--valid-only")
    assert code == 1 and result["created"] == 2
    assert state() == (1, 1, 1, 2, 1)


def test_dry_run_writes_nothing(db, tmp_path):
    outcome = run(
        "import-units",
        units_file(tmp_path, [unit("甲校", "新县", zone="一片")]),
        "--city",
        "新市",
        "--dry-run",
    )
    assert outcome.code == 0
    assert "检查完成（未写入）：将新增 1，更新 0，未变 0。" in outcome.out
    assert state() == (0, 0, 0, 0, 0)


def test_report_lists_every_error_row(org, tmp_path):
    rows = [
        unit("甲校", locality="山区", stage="大学"),
        unit("乙校"),
        unit("甲校"),
        unit("丙校", batch="1999"),
    ]
    out = tmp_path / "report.xlsx"
    code, result = import_json(units_file(tmp_path, rows), "--report", out)
    assert code == 1
    expected = [(2, "办学类型"), (2, "城乡类型"), (5, "批次")]
    assert errors_of(result) == expected
    sheet = report_rows(out)
    assert sheet[0] == ["行号", "列", "问题", *UNITS_HEADER]
    assert [(int(r[0]), r[1]) for r in sheet[1:]] == expected
    assert sheet[1][3 + UNITS_HEADER.index("学校名称")] == "甲校"
    assert School.objects.filter(name__in=["甲校", "乙校", "丙校"]).count() == 0


def test_text_output(org, tmp_path):
    outcome = run("import-units", units_file(tmp_path, [unit("甲校"), unit("乙校", locality="?")]))
    assert outcome.code == 1
    assert "学校名单：共 2 行数据，1 行无误，1 个问题。" in outcome.out
    assert "第3行 [城乡类型] 城乡类型无法识别：“?”" in outcome.out


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (
            lambda p: write_file(p, [["县区", "学校名称", "办学类型"], ["浉河区", "甲校", "小学"]]),
            "缺少必需的列：城乡类型",
        ),
        (lambda p: write_file(p, [UNITS_HEADER]), "文件只有表头，没有数据行"),
        (zip_without_sheet, "不是有效的 Excel 表格"),
        (binary_junk, "文件不是表格"),
        (lambda p: p.write_bytes(b"") and p, "文件是空的"),
    ],
)
def test_unreadable_files_exit_2(org, tmp_path, make, says):
    path = tmp_path / "units.xlsx"
    make(path)
    before = state()
    outcome = run("import-units", path, "--city", "信阳市")
    assert outcome.code == 2
    assert len(outcome.err_lines) == 1 and says in outcome.err_lines[0]
    assert "Traceback" not in outcome.err
    assert state() == before


def test_row_limit(org, tmp_path, settings):
    settings.TISHENG_IMPORT_MAX_ROWS = 2
    outcome = run("import-units", units_file(tmp_path, [unit("甲"), unit("乙"), unit("丙")]), "--json")
    assert outcome.code == 2
    assert outcome.json == {"error": "units.xlsx：文件的数据行超过 2 行的上限，请拆分后分批导入。"}


# ---- a county administrator's import (Python API) ------------------------------------------------
def test_county_admin_imports_only_into_their_county(org, tmp_path):
    admin = user_with_role(Role.COUNTY_ADMIN, org.shihe)
    target = target_for(actor=admin, unit=org.shihe)
    assert not target.may_create_counties
    rows = [
        unit("浉河区新校", "浉河区", zone="南片"),
        unit("平桥区新校", "平桥区"),
        unit("罗山县新校", "罗山县"),
        unit("实验中学", "浉河区", locality="镇区", stage="初中"),
    ]
    before = state()
    result = UnitsImporter(target=target, actor=admin).run(units_file(tmp_path, rows))
    assert not result.written
    assert [e.as_dict() for e in result.errors] == [
        {"row": 3, "column": "县区", "message": "只能导入本县区（浉河区）的学校。"},
        {"row": 4, "column": "县区", "message": "只能导入本县区（浉河区）的学校。"},
    ]
    assert state() == before

    result = UnitsImporter(target=target, actor=admin).run(units_file(tmp_path, rows), valid_only=True)
    assert result.written and (result.created, result.updated) == (1, 1)
    assert state()[:4] == (before[0], before[1], before[2] + 1, before[3] + 1)
    assert School.objects.get(name="浉河区新校").county == org.shihe
    assert not County.objects.filter(name="罗山县").exists()
    assert not School.objects.filter(name__in=["平桥区新校", "罗山县新校"]).exists()
    assert AuditEvent.objects.get(kind="import.units").actor == admin


def test_school_target_cannot_create_counties(org, tmp_path):
    admin = user_with_role(Role.CITY_ADMIN, org.city)
    target = ImportTarget(city=org.city, school=org.shiyan)
    assert not target.may_create_counties
    result = UnitsImporter(target=target, actor=admin).run(units_file(tmp_path, [unit("某校", "罗山县")]))
    assert [e.as_dict() for e in result.errors] == [
        {"row": 2, "column": "县区", "message": "未找到县区“罗山县”。"}
    ]
    assert not County.objects.filter(name="罗山县").exists()


def test_city_admin_may_create_counties_in_their_city(org, tmp_path):
    admin = user_with_role(Role.CITY_ADMIN, org.city)
    target = target_for(actor=admin, unit=org.city)
    result = UnitsImporter(target=target, actor=admin).run(units_file(tmp_path, [unit("罗山一小", "罗山县")]))
    assert result.written and result.created == 1
    assert County.objects.get(name="罗山县").city == org.city


def test_a_blank_pilot_cell_keeps_the_pilot_mark(org, tmp_path):
    School.objects.filter(pk=org.shiyan.pk).update(is_pilot=True, stage=Stage.JUNIOR, locality=Locality.URBAN)
    header = ["县区", "学校名称", "城乡类型", "办学类型", "是否试点校"]
    code, result = import_json(
        write_file(tmp_path / "u.xlsx", [header, ["浉河区", "实验中学", "城区", "初中", ""]])
    )
    assert code == 0 and result["unchanged"] == 1
    org.shiyan.refresh_from_db()
    assert org.shiyan.is_pilot is True
    code, result = import_json(
        write_file(tmp_path / "u2.xlsx", [header, ["浉河区", "实验中学", "城区", "初中", "否"]])
    )
    assert code == 0 and result["updated"] == 1
    org.shiyan.refresh_from_db()
    assert org.shiyan.is_pilot is False
