"""Worlds for the peer-review tests: teachers in groups with self-evaluated submissions."""

from tisheng.evaluation.models import Level, SelfEvaluation
from tisheng.evaluation.rubrics import current_rubric
from tisheng.evidence.tests.helpers import make_rows
from tisheng.framework.models import AbilityPoint
from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    GroupFactory,
    SchoolFactory,
    TeacherFactory,
    user_with_role,
)
from tisheng.people.models import Role


def point(code="1-1"):
    return AbilityPoint.objects.get(framework__code="henan-2021", code=code)


def self_evaluate(version):
    evidence = version.evidence
    rubric = current_rubric(city_id=evidence.teacher.city_id, point=evidence.point)
    return SelfEvaluation.objects.create(
        version=version,
        evidence=evidence,
        rubric=rubric,
        ratings={c["key"]: Level.PASS for c in rubric.criteria},
        overall=Level.PASS,
        reflection="自评反思",
    )


def work(teacher, code="1-1", *, evaluated=True):
    """A submitted version 1 of the teacher's evidence for a point, self-evaluated unless told."""
    evidence, _file = make_rows(teacher, point(code))
    version = evidence.versions.get()
    if evaluated:
        self_evaluate(version)
    return version


def school_world(groups=(4, 4), *, name="第一小学", county=None):
    """A school with groups of the given sizes, every teacher with one self-evaluated work, and its
    principal (school team)."""
    county = county or CountyFactory(city=CityFactory(name="信阳市"), name="浉河区")
    school = SchoolFactory(county=county, name=name)
    teachers, works = [], []
    for i, size in enumerate(groups):
        group = GroupFactory(school=school, name=f"教研组{i + 1}")
        for _n in range(size):
            t = TeacherFactory(school=school, group=group)
            teachers.append(t)
            works.append(work(t))
    principal = user_with_role(Role.SCHOOL_TEAM, school, is_principal=True)
    return {"school": school, "county": county, "teachers": teachers, "works": works, "principal": principal}
