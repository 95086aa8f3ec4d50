"""The demo city's units and roster: Xinyang's 16 county-level units, their zones, schools (about one
per 45 teachers, every locality and stage, the 11 pilots of R-STAGES), teaching groups and teachers.

Written with bulk inserts, one statement per level and batch: the same code builds 50,000 teachers
and 1,100 schools, where one service call (with its checks and audit event) per row would take
minutes. The rows are what organisation's services would write: schools and teachers carry their
county and city ids, names are unique per county. All teacher accounts share one password hash,
computed once by the caller (hashing 50,000 passwords would take hours and buys nothing for demo data).
"""

import random
from dataclasses import dataclass

from tisheng.organisation.models import (
    City,
    County,
    CountyKind,
    Locality,
    School,
    Stage,
    Teacher,
    TeachingGroup,
    Zone,
)
from tisheng.people.models import User

DEMO_PASSWORD = "tisheng-demo-2026"
CITY_NAME = "信阳市"

# DOMAIN §1: Xinyang's counties and districts, management areas and the city-direct unit.
COUNTIES = [
    ("浉河区", CountyKind.DISTRICT, False),
    ("平桥区", CountyKind.DISTRICT, False),
    ("罗山县", CountyKind.COUNTY, False),
    ("光山县", CountyKind.COUNTY, True),
    ("新县", CountyKind.COUNTY, True),
    ("商城县", CountyKind.COUNTY, True),
    ("固始县", CountyKind.COUNTY, True),
    ("潢川县", CountyKind.COUNTY, False),
    ("淮滨县", CountyKind.COUNTY, True),
    ("息县", CountyKind.COUNTY, True),
    ("羊山新区", CountyKind.MANAGEMENT_AREA, False),
    ("上天梯管理区", CountyKind.MANAGEMENT_AREA, False),
    ("鸡公山管理区", CountyKind.MANAGEMENT_AREA, False),
    ("南湾湖风景区", CountyKind.MANAGEMENT_AREA, False),
    ("高新区", CountyKind.MANAGEMENT_AREA, False),
    ("市直", CountyKind.CITY_DIRECT, False),
]
# Relative size of each unit (teachers), so the big counties get more schools.
WEIGHTS = [8, 9, 7, 8, 5, 9, 14, 8, 6, 9, 2, 1, 1, 1, 2, 6]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥建国建华志强海燕丹晓东晓明雪梅春梅文静俊杰欣怡子涵浩然宇轩梓萱雨涵思远佳琪"
SUBJECT_GROUPS = {
    Stage.KINDERGARTEN: [("保教组", "学前")],
    Stage.PRIMARY: [("语文组", "语文"), ("数学组", "数学"), ("英语组", "英语"), ("综合组", "综合")],
    Stage.JUNIOR: [
        ("语文组", "语文"),
        ("数学组", "数学"),
        ("英语组", "英语"),
        ("理化生组", "理科"),
        ("政史地组", "文科"),
    ],
    Stage.SENIOR: [
        ("语文组", "语文"),
        ("数学组", "数学"),
        ("英语组", "英语"),
        ("理化生组", "理科"),
        ("政史地组", "文科"),
        ("信息技术组", "信息技术"),
    ],
}
STAGE_CYCLE = [
    Stage.PRIMARY,
    Stage.PRIMARY,
    Stage.PRIMARY,
    Stage.JUNIOR,
    Stage.KINDERGARTEN,
    Stage.NINE_YEAR,
    Stage.SENIOR,
    Stage.PRIMARY,
    Stage.JUNIOR,
    Stage.TWELVE_YEAR,
    Stage.COMPLETE_SECONDARY,
]
STAGE_SUFFIX = {
    Stage.KINDERGARTEN: "幼儿园",
    Stage.PRIMARY: "小学",
    Stage.JUNIOR: "初级中学",
    Stage.SENIOR: "高级中学",
    Stage.NINE_YEAR: "九年一贯制学校",
    Stage.TWELVE_YEAR: "实验学校",
    Stage.COMPLETE_SECONDARY: "中学",
}
PLACE = "东南西北中明德育才启智实验文昌龙潭清河金桥春晖光明红旗建设朝阳新华和平胜利"


def _groups_for(stage: str):
    if stage in (Stage.NINE_YEAR, Stage.TWELVE_YEAR, Stage.COMPLETE_SECONDARY):
        return SUBJECT_GROUPS[Stage.JUNIOR]
    return SUBJECT_GROUPS[stage]


def _school_counts(total_schools: int) -> list[int]:
    w = sum(WEIGHTS)
    counts = [max(2, round(total_schools * x / w)) for x in WEIGHTS]
    return counts


@dataclass
class Units:
    """What `units_build` wrote, in creation order."""

    counties: list[County]
    schools: list[School]
    pilots: list[School]
    groups: list[TeachingGroup]
    groups_by_school: dict[int, list[TeachingGroup]]
    teachers: list[Teacher]


def units_build(*, city: City, teachers: int, rng: random.Random, password: str) -> Units:
    counties = County.objects.bulk_create(
        [
            County(city=city, name=n, kind=k, is_poverty_county=p, sort_order=i)
            for i, (n, k, p) in enumerate(COUNTIES)
        ]
    )
    zones = Zone.objects.bulk_create(
        [
            Zone(county=c, name=f"{c.name}{z}")
            for c in counties
            if c.kind != CountyKind.CITY_DIRECT
            for z in ("一片", "二片")
        ]
    )
    zones_by_county: dict[int, list[Zone]] = {}
    for z in zones:
        zones_by_county.setdefault(z.county_id, []).append(z)

    # Schools: about one per 45 teachers, at least two per unit; every locality and stage appears.
    school_counts = _school_counts(max(len(COUNTIES) * 2, teachers // 45))
    schools: list[School] = []
    code_seq = 4115000000
    for county, n in zip(counties, school_counts, strict=True):
        for i in range(n):
            stage = STAGE_CYCLE[(i + county.sort_order) % len(STAGE_CYCLE)]
            if county.kind in (CountyKind.DISTRICT, CountyKind.CITY_DIRECT):
                locality = Locality.URBAN if i % 3 else Locality.TOWN
            else:
                locality = [Locality.URBAN, Locality.TOWN, Locality.TOWN, Locality.VILLAGE, Locality.VILLAGE][
                    i % 5
                ]
            teaching_point = locality == Locality.VILLAGE and stage == Stage.PRIMARY and i % 2 == 0
            place = PLACE[(i * 7 + county.sort_order) % len(PLACE)] + PLACE[(i * 3 + 1) % len(PLACE)]
            prefix = (
                "信阳市"
                if county.kind == CountyKind.CITY_DIRECT
                else county.name.replace("管理区", "").replace("风景区", "")
            )
            name = f"{prefix}{place}{STAGE_SUFFIX[stage]}"
            if teaching_point:
                name = f"{prefix}{place}教学点"
            name = f"{name}{'' if i < len(PLACE) else i}"
            code_seq += 1
            county_zones = zones_by_county.get(county.id, [])
            schools.append(
                School(
                    city=city,
                    county=county,
                    zone=county_zones[i % len(county_zones)] if county_zones else None,
                    name=name,
                    code=str(code_seq) if i % 4 else None,
                    locality=locality,
                    is_teaching_point=teaching_point,
                    stage=stage,
                    is_poverty_county=county.is_poverty_county,
                    is_pilot=False,
                    batch_year=2022 if i % 2 else 2023,
                )
            )
    # Names must be unique per county; a clash gets a numeric suffix.
    seen: set[tuple[int, str]] = set()
    for s in schools:
        base, k = s.name, 2
        while (s.county_id, s.name) in seen:
            s.name, k = f"{base}{k}", k + 1
        seen.add((s.county_id, s.name))
    # R-STAGES: 8 provincial sample schools in 浉河区 and 平桥区, 3 more city pilots in 市直: 11 pilots of 2021.
    by_county = {c.name: [s for s in schools if s.county_id == c.id] for c in counties}
    pilots = by_county["浉河区"][:4] + by_county["平桥区"][:4] + by_county["市直"][:3]
    for s in pilots:
        s.is_pilot, s.batch_year = True, 2021
    schools = School.objects.bulk_create(schools, batch_size=1000)

    groups = TeachingGroup.objects.bulk_create(
        [TeachingGroup(school=s, name=g, subject=subj) for s in schools for g, subj in _groups_for(s.stage)],
        batch_size=2000,
    )
    groups_by_school: dict[int, list[TeachingGroup]] = {}
    for g in groups:
        groups_by_school.setdefault(g.school_id, []).append(g)

    # Teachers spread over schools with the unit weights; each school gets at least one.
    users: list[User] = []
    placements: list[tuple[School, TeachingGroup]] = []
    for i in range(teachers):
        school = schools[i % len(schools)] if i < len(schools) else schools[rng.randrange(len(schools))]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        users.append(User(username=f"t{i + 1:06d}", full_name=name, password=password))
        placements.append((school, rng.choice(groups_by_school[school.id])))
    users = User.objects.bulk_create(users, batch_size=2000)
    teacher_rows = Teacher.objects.bulk_create(
        [
            Teacher(
                user=u,
                city=city,
                county_id=s.county_id,
                school=s,
                group=g,
                gender=rng.choice("MF"),
                subject=g.subject,
                stage=s.get_stage_display(),
            )
            for u, (s, g) in zip(users, placements, strict=True)
        ],
        batch_size=2000,
    )

    return Units(
        counties=counties,
        schools=schools,
        pilots=pilots,
        groups=groups,
        groups_by_school=groups_by_school,
        teachers=teacher_rows,
    )
