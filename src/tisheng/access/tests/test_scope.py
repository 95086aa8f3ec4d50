"""The visibility primitive: units in view and managed, `restrict`, `own`, `holds` and `bound`.

The expected sets are written out by hand for a small city with two counties (the oracle), for each
kind of role; the apps' own visibility (plans, evidence, imports) is tested in their apps and walked
for every route in organisation/tests/test_scope_walk.py.
"""

import pytest

from tisheng.core.errors import NotFound
from tisheng.core.scoping import get_visible, scope_for
from tisheng.organisation.models import Teacher
from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    GroupFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    assign,
)
from tisheng.people.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    c = CityFactory(name="测试市")
    a, b = CountyFactory(city=c, name="甲县"), CountyFactory(city=c, name="乙县")
    s1, s2, s3 = SchoolFactory(county=a), SchoolFactory(county=a), SchoolFactory(county=b)
    g1, g2 = GroupFactory(school=s1), GroupFactory(school=s1)
    t = {
        "t1": TeacherFactory(school=s1, group=g1),
        "t2": TeacherFactory(school=s1, group=g2),
        "t3": TeacherFactory(school=s2, group=GroupFactory(school=s2)),
        "t4": TeacherFactory(school=s3, group=GroupFactory(school=s3)),
    }
    other = TeacherFactory()  # another city altogether
    return {"city": c, "a": a, "b": b, "s1": s1, "s2": s2, "s3": s3, "g1": g1, "g2": g2, **t, "other": other}


def _ids(qs):
    return set(qs.values_list("id", flat=True))


def _scope(role, unit):
    user = UserFactory()
    assign(user, role, unit)
    return scope_for(user)


def test_a_county_admin_views_and_manages_the_county_and_everything_in_it(city):
    scope = _scope(Role.COUNTY_ADMIN, city["a"])
    for manage in (False, True):
        assert _ids(scope.counties(manage=manage)) == {city["a"].id}
        assert _ids(scope.schools(manage=manage)) == {city["s1"].id, city["s2"].id}
        assert _ids(scope.teachers(manage=manage)) == {city["t1"].id, city["t2"].id, city["t3"].id}
    assert _ids(scope.cities()) == set()
    assert scope.manages_units and scope.sees_schools and scope.holds("county", manage=True)
    assert not scope.holds("city")


def test_a_guide_views_but_manages_nothing(city):
    scope = _scope(Role.COUNTY_GUIDE, city["b"])
    assert _ids(scope.schools()) == {city["s3"].id}
    assert _ids(scope.teachers()) == {city["t4"].id}
    assert _ids(scope.schools(manage=True)) == set()
    assert _ids(scope.teachers(manage=True)) == set()
    assert not scope.manages_units and scope.sees_schools


def test_a_city_admin_reaches_every_level_of_the_city_and_no_other(city):
    scope = _scope(Role.CITY_ADMIN, city["city"])
    assert _ids(scope.counties(manage=True)) == {city["a"].id, city["b"].id}
    assert _ids(scope.groups(manage=True)) == set(
        Teacher.objects.filter(city=city["city"]).values_list("group_id", flat=True)
    ) | {city["g2"].id}
    assert city["other"].id not in _ids(scope.teachers())
    assert scope.can_manage_school(city["s3"]) and not scope.can_manage_school(city["other"].school)


def test_a_group_leader_views_the_group_only_and_is_bound_to_it(city):
    scope = _scope(Role.GROUP_LEADER, city["g1"])
    assert _ids(scope.teachers()) == {city["t1"].id}
    assert _ids(scope.schools()) == set()
    assert _ids(scope.bound("group")) == {city["g1"].id}
    assert scope.views_group(city["g1"].id) and not scope.views_group(city["g2"].id)
    assert not scope.views_group(None)
    assert scope.holds("group") and not scope.sees_schools


def test_a_teacher_sees_themself_and_owns_only_their_rows(city):
    scope = scope_for(city["t2"].user)
    assert _ids(scope.teachers()) == {city["t2"].id}
    assert _ids(scope.teachers(manage=True)) == set()
    assert scope.own_school_id() == city["s1"].id
    assert _ids(scope.restrict(Teacher.objects.all(), teacher="")) == {city["t2"].id}
    assert _ids(scope.restrict(Teacher.objects.all(), manage=True, teacher="")) == set()


def test_own_is_the_teachers_own_rows_whoever_else_they_see(city):
    from tisheng.framework.models import AbilityPoint
    from tisheng.plans.models import Pick

    point = AbilityPoint.objects.first()
    mine, theirs = (
        Pick.objects.create(teacher=city["t1"], point=point),
        Pick.objects.create(teacher=city["t2"], point=point),
    )
    leader_and_teacher = city["t1"].user
    assign(leader_and_teacher, Role.GROUP_LEADER, city["g2"])
    scope = scope_for(leader_and_teacher)
    picks = type(mine).objects.all()
    assert _ids(scope.own(picks)) == {mine.id}
    assert _ids(scope.restrict(picks, teacher="teacher")) == {mine.id, theirs.id}
    assert _ids(scope_for(UserFactory()).own(picks)) == set()


def test_restrict_filters_any_queryset_by_the_unit_its_rows_belong_to(city):
    from tisheng.organisation.models import TeachingGroup

    school_team = _scope(Role.SCHOOL_TEAM, city["s1"])
    groups = TeachingGroup.objects.all()
    assert _ids(school_team.restrict(groups, school="school")) == _ids(groups.filter(school=city["s1"]))
    assert _ids(school_team.restrict(groups, manage=True, school="school")) == _ids(
        groups.filter(school=city["s1"])
    )
    guide = _scope(Role.COUNTY_GUIDE, city["a"])
    assert _ids(guide.restrict(groups, school="school")) == _ids(groups.filter(school__county=city["a"]))
    assert _ids(guide.restrict(groups, manage=True, school="school")) == set()
    # several levels: a row matches through any of them
    leader = _scope(Role.GROUP_LEADER, city["g2"])
    assert _ids(leader.restrict(groups, group="")) == {city["g2"].id}
    county_or_school = school_team.restrict(Teacher.objects.all(), school="school", group="group")
    assert _ids(county_or_school) == {city["t1"].id, city["t2"].id}
    with pytest.raises(TypeError):
        guide.restrict(groups)
    with pytest.raises(TypeError):
        guide.restrict(groups, planet="school")


def test_the_platform_admin_sees_and_manages_everything(city):
    admin = UserFactory(is_superuser=True, is_staff=True)
    scope = scope_for(admin)
    assert scope.is_platform_admin
    assert city["other"].id in _ids(scope.teachers(manage=True))
    assert scope.can_manage_city(city["other"].city_id)


def test_anonymous_sees_nothing_and_lookups_outside_the_scope_look_missing(city):
    scope = scope_for(None)
    assert scope.sees_nothing and scope.is_anonymous
    assert _ids(scope.schools()) == set()
    guide = _scope(Role.COUNTY_GUIDE, city["b"])
    with pytest.raises(NotFound):
        get_visible(guide.schools(), pk=city["s1"].id)
    assert get_visible(guide.schools(), pk=city["s3"].id) == city["s3"]
