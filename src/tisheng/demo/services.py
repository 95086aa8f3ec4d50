"""A Xinyang-shaped demo city (foundation item 7), deterministic for a given seed: `demo_city_build`.

The demo app sits on the top floor: it builds the city through each app's services where it creates
single things, and with bulk inserts where it creates many, all inside one transaction:

- through services: the city (`city_create`), the staff logins and their roles (`user_create`,
  `role_assign`), the city's programme settings and batch calendars (`programme_settings_update`,
  `batch_calendar_update`, in journey.py), and every hour credited (`hours_credit_many`);
- in bulk (city.py, journey.py): the units and roster (16 county-level units, ~1,100 schools and
  50,000 teachers for the benchmark's size, built in ~27 s, where one service call per row would take
  minutes) and the months of school-based work, whose rows carry past dates no service writes;
- directly, for want of a service: the `admin` superuser (the actor of everything above; no service
  creates superusers), the collaboration zones and school pairs, and the two demo logins renamed
  from roster rows.

All demo accounts share one password hash computed once (hashing 50,000 passwords would take hours and
buys nothing for demo data). The city is shown in the middle of the programme (journey.py): batch
calendars, launched schools with menus, plans and trainings, and teachers with picks, hours,
activities and evidence in varied states, so that every demo login lands on pages with data.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from tisheng.organisation.models import City, CollaborationZone, Locality, SchoolPair
from tisheng.organisation.services import city_create
from tisheng.people.models import Role, User
from tisheng.people.services import role_assign, user_create

from . import events
from .city import CITY_NAME, DEMO_PASSWORD, units_build
from .evaluation import evaluation_build
from .journey import journey_build

__all__ = ["CITY_NAME", "DEMO_PASSWORD", "DemoCityExists", "DemoLogin", "demo_city_build"]


@dataclass
class DemoLogin:
    username: str
    role: str
    unit: str


class DemoCityExists(Exception):
    """The demo city is already in the database (demo-data builds it once)."""


@transaction.atomic
def demo_city_build(
    *, teachers: int, seed: int = 2021, actor=None, now: dt.datetime | None = None
) -> tuple[City, list[DemoLogin], dict]:
    if City.objects.filter(name=CITY_NAME).exists():
        raise DemoCityExists(CITY_NAME)
    rng = random.Random(seed)
    password = make_password(DEMO_PASSWORD)
    admin_user = User.objects.create(
        username="admin", full_name="平台管理员", password=password, is_staff=True, is_superuser=True
    )
    city = city_create(actor=admin_user, name=CITY_NAME, code="411500")
    units = units_build(city=city, teachers=teachers, rng=rng, password=password)
    counties, schools, pilots = units.counties, units.schools, units.pilots
    groups_by_school, teacher_rows = units.groups_by_school, units.teachers

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
        ("cityadmin", "市工程办 周主任", Role.CITY_ADMIN, city, {}),
        ("cityguide", "市级指导团队 陈老师", Role.CITY_GUIDE, city, {}),
        ("shihe-admin", "浉河区 李科长", Role.COUNTY_ADMIN, shihe, {}),
        ("pingqiao-admin", "平桥区 王科长", Role.COUNTY_ADMIN, pingqiao, {}),
        ("shihe-guide", "浉河区指导团队 刘老师", Role.COUNTY_GUIDE, shihe, {}),
        ("principal", f"{demo_school.name} 校长", Role.SCHOOL_TEAM, demo_school, {"is_principal": True}),
        ("cio", f"{demo_school.name} CIO", Role.SCHOOL_TEAM, demo_school, {"is_cio": True}),
        ("evaluator", "第三方评价 赵老师", Role.EVALUATOR, shihe, {}),
    ]
    staff_users = [user_create(actor=admin_user, username=u, full_name=n) for u, n, *_ in staff]
    # user_create hashes a password per account; the demo's accounts all share the one hash above.
    User.objects.filter(pk__in=[u.pk for u in staff_users]).update(password=password)
    for user, (_u, _n, role, unit, marks) in zip(staff_users, staff, strict=True):
        user.password = password
        role_assign(actor=admin_user, user=user, role=role, unit=unit, **marks)
    role_assign(actor=admin_user, user=demo_teacher.user, role=Role.GROUP_LEADER, unit=demo_group)
    # The demo teacher login is the plain teacher next to the group leader.
    plain_teacher = next(
        (t for t in teacher_rows if t.school_id == demo_school.id and t.id != demo_teacher.id), demo_teacher
    )
    plain_teacher.user.username = "teacher"
    plain_teacher.user.save(update_fields=["username"])
    demo_teacher.user.username = "groupleader"
    demo_teacher.user.save(update_fields=["username"])
    # A member of the demo school's assessment group (学校考核小组, R-EVAL): a teacher of another group
    # of the school, so that the works of the `teacher` and the `groupleader` are theirs to judge; the
    # school's last such teacher, as the journey puts the first ones on the school team.
    assessor_teacher = next(
        (
            t
            for t in reversed(teacher_rows)
            if t.school_id == demo_school.id and t.group_id != demo_group.id and t.id != plain_teacher.id
        ),
        None,
    )
    assessor = None
    if assessor_teacher is not None:
        assessor = assessor_teacher.user
        assessor.username = "assessor"
        assessor.save(update_fields=["username"])
        role_assign(actor=admin_user, user=assessor, role=Role.ASSESSMENT_GROUP, unit=demo_school)

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

    logins = [DemoLogin(u, Role(r).label, str(unit)) for u, _n, r, unit, _m in staff]
    logins += [
        DemoLogin(
            "groupleader",
            f"{Role.GROUP_LEADER.label}、{Role.TEACHER.label}",
            f"{demo_school.name} {demo_group.name}",
        ),
        DemoLogin("teacher", Role.TEACHER.label, demo_school.name),
    ]
    if assessor is not None:
        logins.append(
            DemoLogin("assessor", f"{Role.ASSESSMENT_GROUP.label}、{Role.TEACHER.label}", demo_school.name)
        )
    logins += [
        DemoLogin("admin", "平台管理员（Django 管理后台）", CITY_NAME),
    ]
    counts = {
        "counties": len(counties),
        "schools": len(schools),
        "groups": len(units.groups),
        "teachers": len(teacher_rows),
        "pilot_schools": len(pilots),
    }
    # The journey credits hours school by school through the hours services; the progress totals are
    # counted once at the end instead of after each school (progress/totals.py).
    from tisheng.progress.totals import recompute, suspended
    from tisheng.scoring import keeping as sheets

    with suspended(), sheets.suspended():
        counts |= journey_build(
            admin=admin_user,
            city=city,
            schools=schools,
            pilots=pilots,
            groups_by_school=groups_by_school,
            teachers=teacher_rows,
            staff={u.username: u for u in staff_users},
            demo_school=demo_school,
            demo_group=demo_group,
            teacher=plain_teacher,
            group_leader=demo_teacher,
            seed=seed,
            now=now,
        )
        # The evaluation chain (issue 10) over the evidence the journey wrote.
        counts |= evaluation_build(
            city=city, demo_school=demo_school, teacher=plain_teacher, assessor=assessor, seed=seed, now=now
        )
    # The demo writes its rows in bulk, around the services: count the progress totals once.
    recompute(city_id=city.pk)
    sheets.recompute(city_id=city.pk)  # every teacher's sheet 3.3 and the rates above it
    events.demo_city_built(actor=actor or admin_user, city=city, counts=counts)
    return city, logins, counts
