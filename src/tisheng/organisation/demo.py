"""A Xinyang-shaped demo city (foundation item 7), deterministic for a given seed.

Built with bulk inserts inside one transaction so that 50,000 teachers take seconds, not minutes;
all demo accounts share one password hash computed once (hashing 50,000 passwords would take
hours and buys nothing for demo data).
"""

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from tisheng.people.models import Role, RoleAssignment, User

from . import events
from .models import (
    City,
    CollaborationZone,
    County,
    CountyKind,
    Locality,
    School,
    SchoolPair,
    Stage,
    Teacher,
    TeachingGroup,
    Zone,
)

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


@dataclass
class DemoLogin:
    username: str
    role: str
    unit: str


class DemoCityExists(Exception):
    pass


def _groups_for(stage: str):
    if stage in (Stage.NINE_YEAR, Stage.TWELVE_YEAR, Stage.COMPLETE_SECONDARY):
        return SUBJECT_GROUPS[Stage.JUNIOR]
    return SUBJECT_GROUPS[stage]


def _school_counts(total_schools: int) -> list[int]:
    w = sum(WEIGHTS)
    counts = [max(2, round(total_schools * x / w)) for x in WEIGHTS]
    return counts


@transaction.atomic
def demo_city_build(*, teachers: int, seed: int = 2021, actor=None) -> tuple[City, list[DemoLogin], dict]:
    if City.objects.filter(name=CITY_NAME).exists():
        raise DemoCityExists(CITY_NAME)
    rng = random.Random(seed)
    city = City.objects.create(name=CITY_NAME, code="411500")
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

    password = make_password(DEMO_PASSWORD)
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

    # One login for every role, on units that exist in every demo size.
    shihe = next(c for c in counties if c.name == "浉河区")
    pingqiao = next(c for c in counties if c.name == "平桥区")
    demo_school = pilots[0]
    demo_group = groups_by_school[demo_school.id][0]
    demo_teacher = next((t for t in teacher_rows if t.group_id == demo_group.id), None)
    if demo_teacher is None:
        demo_teacher = next(t for t in teacher_rows if t.school_id == demo_school.id)
        demo_teacher.group = demo_group
        demo_teacher.save(update_fields=["group"])
    staff = [
        ("cityadmin", "市工程办 周主任", Role.CITY_ADMIN, {"city": city}, {}),
        ("cityguide", "市级指导团队 陈老师", Role.CITY_GUIDE, {"city": city}, {}),
        ("shihe-admin", "浉河区 李科长", Role.COUNTY_ADMIN, {"county": shihe}, {}),
        ("pingqiao-admin", "平桥区 王科长", Role.COUNTY_ADMIN, {"county": pingqiao}, {}),
        ("shihe-guide", "浉河区指导团队 刘老师", Role.COUNTY_GUIDE, {"county": shihe}, {}),
        (
            "principal",
            f"{demo_school.name} 校长",
            Role.SCHOOL_TEAM,
            {"school": demo_school},
            {"is_principal": True},
        ),
        ("cio", f"{demo_school.name} CIO", Role.SCHOOL_TEAM, {"school": demo_school}, {"is_cio": True}),
        ("evaluator", "第三方评价 赵老师", Role.EVALUATOR, {"county": shihe}, {}),
    ]
    staff_users = User.objects.bulk_create(
        [User(username=u, full_name=n, password=password) for u, n, *_ in staff]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=user, role=role, **unit, **marks)
            for user, (_u, _n, role, unit, marks) in zip(staff_users, staff, strict=True)
        ]
        + [RoleAssignment(user=demo_teacher.user, role=Role.GROUP_LEADER, group=demo_group)]
    )
    # The demo teacher login is the plain teacher next to the group leader.
    plain_teacher = next(
        (t for t in teacher_rows if t.school_id == demo_school.id and t.id != demo_teacher.id), demo_teacher
    )
    plain_teacher.user.username = "teacher"
    plain_teacher.user.save(update_fields=["username"])
    demo_teacher.user.username = "groupleader"
    demo_teacher.user.save(update_fields=["username"])
    admin_user = User.objects.create(
        username="admin", full_name="平台管理员", password=password, is_staff=True, is_superuser=True
    )

    # R-RURAL: a collaboration zone and urban–rural pairs in each county with both kinds of school.
    for county in counties:
        mine = [s for s in schools if s.county_id == county.id]
        urban = [s for s in mine if s.locality == Locality.URBAN]
        rural = [s for s in mine if s.locality == Locality.VILLAGE]
        if urban and rural:
            zone = CollaborationZone.objects.create(city=city, county=county, name=f"{county.name}教研协作区")
            zone.schools.set(urban[:2] + rural[:3])
            SchoolPair.objects.bulk_create(
                [
                    SchoolPair(city=city, lead_school=u, partner_school=r)
                    for u, r in zip(urban, rural, strict=False)
                ]
            )

    logins = [DemoLogin(u, Role(r).label, str(next(iter(unit.values())))) for u, _n, r, unit, _m in staff]
    logins += [
        DemoLogin(
            "groupleader",
            f"{Role.GROUP_LEADER.label}、{Role.TEACHER.label}",
            f"{demo_school.name} {demo_group.name}",
        ),
        DemoLogin("teacher", Role.TEACHER.label, demo_school.name),
        DemoLogin("admin", "平台管理员（Django 管理后台）", CITY_NAME),
    ]
    counts = {
        "counties": len(counties),
        "schools": len(schools),
        "groups": len(groups),
        "teachers": len(teacher_rows),
        "pilot_schools": len(pilots),
    }
    events.demo_city_built(actor=actor or admin_user, city=city, counts=counts)
    return city, logins, counts
