"""The world of the assessment tests (issue 10 items 1, 2, 4): a school with a teacher who handed in
evidence, two members of the school assessment group (one of them a teacher of the school), the
principal, a colleague, the county and city people, and a school of another county.

A test module makes it a fixture: `@pytest.fixture(name="world") def _world(db): return build_world()`."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

from tisheng.evaluation import services
from tisheng.evaluation.models import Level
from tisheng.evaluation.rubrics import current_rubric
from tisheng.evidence.models import Evidence
from tisheng.evidence.tests.helpers import submitted
from tisheng.framework.models import AbilityPoint
from tisheng.organisation.models import School, Teacher
from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    GroupFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    assign,
    user_with_role,
)
from tisheng.people.models import Role, User
from tisheng.plans.models import Pick

REFLECTION = "对照量规逐项检查，识字游戏的互动设计有效，分层练习还需改进。"
COMMENT = "材料齐全，技术应用恰当，能体现能力点要求，反思具体。"


@dataclass
class World:
    city: object
    county: object
    school: School
    far_school: School
    teacher: Teacher  # 李老师, 语文组: hands in evidence for 1-1 and 1-2
    colleague: Teacher  # 王老师, 语文组
    member: User  # 张老师: assessment group, also a teacher (数学组)
    member_teacher: Teacher
    member_b: User  # 陈老师: assessment group, no roster row
    principal: User
    group_leader: User
    county_admin: User
    county_guide: User
    city_admin: User
    city_guide: User
    far_admin: User  # county admin of another county
    far_teacher: Teacher
    p11: AbilityPoint
    p12: AbilityPoint

    def client(self, user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    def hand_in(self, teacher: Teacher | None = None, point=None) -> Evidence:
        return submitted(teacher or self.teacher, point or self.p11)

    def rated(self, evidence: Evidence, level: str = Level.PASS) -> dict:
        rubric = current_rubric(city_id=evidence.teacher.city_id, point=evidence.point)
        return {c["key"]: level for c in rubric.criteria}

    def self_evaluate(self, evidence: Evidence):
        return services.self_evaluation_submit(
            actor=evidence.teacher.user,
            evidence=evidence,
            ratings=self.rated(evidence),
            overall=Level.PASS,
            reflection=REFLECTION,
        )

    def ready_for_verdict(self, teacher: Teacher | None = None, point=None) -> Evidence:
        evidence = self.hand_in(teacher, point)
        self.self_evaluate(evidence)
        evidence.refresh_from_db()
        return evidence

    def judge(self, evidence: Evidence, decision: str, *, by=None, seen=None, comment=COMMENT):
        evidence.refresh_from_db()
        from tisheng.evaluation.models import Verdict

        return services.verdict_give(
            actor=by or self.member,
            evidence=evidence,
            version_id=evidence.versions.get(number=evidence.version).pk,
            verdicts_seen=Verdict.objects.filter(evidence=evidence).count() if seen is None else seen,
            decision=decision,
            ratings=self.rated(evidence, "pass" if decision == "returned" else decision),
            comment=comment,
        )


def build_world() -> World:
    city = CityFactory(name="信阳市")
    county = CountyFactory(city=city, name="浉河区")
    far_county = CountyFactory(city=city, name="固始县")
    school = SchoolFactory(county=county, name="浉河区第一小学", batch_year=2022)
    far_school = SchoolFactory(county=far_county, name="固始县育才小学", batch_year=2022)
    chinese = GroupFactory(school=school, name="语文组")
    maths = GroupFactory(school=school, name="数学组", subject="数学")
    teacher = TeacherFactory(
        school=school, group=chinese, user=UserFactory(username="lilaoshi", full_name="李老师")
    )
    colleague = TeacherFactory(
        school=school, group=chinese, user=UserFactory(username="wanglaoshi", full_name="王老师")
    )
    member_teacher = TeacherFactory(
        school=school, group=maths, user=UserFactory(username="zhanglaoshi", full_name="张老师")
    )
    assign(member_teacher.user, Role.ASSESSMENT_GROUP, school)
    member_b = UserFactory(username="chenlaoshi", full_name="陈老师")
    assign(member_b, Role.ASSESSMENT_GROUP, school)
    far_teacher = TeacherFactory(
        school=far_school, user=UserFactory(username="zhaolaoshi", full_name="赵老师")
    )
    points = {p.code: p for p in AbilityPoint.objects.filter(framework__code="henan-2021", city__isnull=True)}
    for t, codes in ((teacher, ("1-1", "1-2")), (colleague, ("1-1",)), (far_teacher, ("1-1",))):
        for code in codes:
            Pick.objects.create(teacher=t, point=points[code])
    return World(
        city=city,
        county=county,
        school=school,
        far_school=far_school,
        teacher=teacher,
        colleague=colleague,
        member=member_teacher.user,
        member_teacher=member_teacher,
        member_b=member_b,
        principal=user_with_role(Role.SCHOOL_TEAM, school, is_principal=True),
        group_leader=user_with_role(Role.GROUP_LEADER, chinese),
        county_admin=user_with_role(Role.COUNTY_ADMIN, county),
        county_guide=user_with_role(Role.COUNTY_GUIDE, county),
        city_admin=user_with_role(Role.CITY_ADMIN, city),
        city_guide=user_with_role(Role.CITY_GUIDE, city),
        far_admin=user_with_role(Role.COUNTY_ADMIN, far_county),
        far_teacher=far_teacher,
        p11=points["1-1"],
        p12=points["1-2"],
    )
