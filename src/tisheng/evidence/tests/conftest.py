"""A school with teachers who picked ability points, the people who read their evidence, and one
teacher of another county."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from tisheng.framework.models import AbilityPoint
from tisheng.organisation.models import School, Teacher
from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    GroupFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    user_with_role,
)
from tisheng.people.models import Role, User
from tisheng.plans.models import Pick
from tisheng.programme.models import BatchCalendar, ProgrammeSettings


@dataclass
class Place:
    school: School
    other_school: School
    teacher: Teacher  # 李老师, 语文组, picked 1-1 and 1-2
    colleague: Teacher  # same school, 数学组, picked 1-1
    far_teacher: Teacher  # another county
    principal: User
    group_leader: User  # of 语文组
    other_group_leader: User  # of 数学组
    county_admin: User
    far_admin: User  # county admin of the other county
    evaluator: User
    p11: AbilityPoint
    p12: AbilityPoint
    p13: AbilityPoint  # not picked by anyone

    def client(self, user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    def deadline(self, days_from_today: int) -> BatchCalendar:
        due = timezone.localdate() + dt.timedelta(days=days_from_today)
        row, _ = BatchCalendar.objects.update_or_create(
            city_id=self.school.city_id, batch_year=2022, defaults={"evidence_due": due}
        )
        return row

    def limits(self, **mb) -> ProgrammeSettings:
        row, _ = ProgrammeSettings.objects.update_or_create(city_id=self.school.city_id, defaults=mb)
        return row


@pytest.fixture
def place(db) -> Place:
    city = CityFactory(name="信阳市")
    shihe = CountyFactory(city=city, name="浉河区")
    gushi = CountyFactory(city=city, name="固始县")
    school = SchoolFactory(county=shihe, name="浉河区第一小学", batch_year=2022)
    other_school = SchoolFactory(county=gushi, name="固始县育才小学", batch_year=2022)
    chinese = GroupFactory(school=school, name="语文组")
    maths = GroupFactory(school=school, name="数学组", subject="数学")
    teacher = TeacherFactory(
        school=school, group=chinese, user=UserFactory(username="lilaoshi", full_name="李老师")
    )
    colleague = TeacherFactory(
        school=school, group=maths, user=UserFactory(username="wanglaoshi", full_name="王老师")
    )
    far_teacher = TeacherFactory(
        school=other_school, user=UserFactory(username="zhaolaoshi", full_name="赵老师")
    )
    points = {p.code: p for p in AbilityPoint.objects.filter(framework__code="henan-2021", city__isnull=True)}
    Pick.objects.create(teacher=teacher, point=points["1-1"])
    Pick.objects.create(teacher=teacher, point=points["1-2"])
    Pick.objects.create(teacher=colleague, point=points["1-1"])
    Pick.objects.create(teacher=far_teacher, point=points["1-1"])
    return Place(
        school=school,
        other_school=other_school,
        teacher=teacher,
        colleague=colleague,
        far_teacher=far_teacher,
        principal=user_with_role(Role.SCHOOL_TEAM, school, is_principal=True),
        group_leader=user_with_role(Role.GROUP_LEADER, chinese),
        other_group_leader=user_with_role(Role.GROUP_LEADER, maths),
        county_admin=user_with_role(Role.COUNTY_ADMIN, shihe),
        far_admin=user_with_role(Role.COUNTY_ADMIN, gushi),
        evaluator=user_with_role(Role.EVALUATOR, other_school),
        p11=points["1-1"],
        p12=points["1-2"],
        p13=points["1-3"],
    )
