"""The home page's SQL query count per role, pinned, and the N+1 guard: it does not grow with the data.

The numbers are per request with a logged-in session (force_login), e.g. for a county admin:
session, user, role assignments, roster row (scope_for); counties, schools, groups, teachers
(scope_totals); unit names (role_labels); locality × stage (school_breakdown); the paginator's
COUNT(*) and the page of schools with their teacher counts. A city admin reads the counties and
their kept progress totals (progress/totals.py) instead of counting teachers and plans waiting for
review. bench/run.py and bench/city.py print the same counts on the demo city.
"""

import pytest

from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    GroupFactory,
    Role,
    SchoolFactory,
    TeacherFactory,
    assign,
    user_with_role,
)

pytestmark = pytest.mark.django_db

# One query for unread notices on every home page; one more for the schools a school team manages;
# one more for the plans waiting for a manager's review (the city office too, since issue 10: it
# reviews the counties' own IT development plans, R-FILING, sheet 3.1 item 1).
HOME_QUERIES = {
    "city_admin": 12,
    "county_admin": 14,
    "school_team": 14,
    "group_leader": 11,
    "teacher": 8,
}


class World:
    """A city with two counties; `grow(n)` adds n schools (alternating counties) with groups and
    teachers, and more groups and teachers in the first school and its first group, so that every
    role's scope grows."""

    def __init__(self):
        self.city = CityFactory()
        self.counties = [CountyFactory(city=self.city, sort_order=i) for i in range(2)]
        self.schools = []
        self.first_school = self._school()
        self.first_group = GroupFactory(school=self.first_school)
        self.leader = TeacherFactory(school=self.first_school, group=self.first_group)
        self.teacher = TeacherFactory(school=self.first_school, group=self.first_group)
        self.recount()

    def recount(self) -> None:
        """Factories write around the services: count the progress totals as the demo builder does."""
        from tisheng.progress.totals import recompute

        recompute(city_id=self.city.pk)

    def _school(self):
        school = SchoolFactory(county=self.counties[len(self.schools) % 2])
        self.schools.append(school)
        return school

    def grow(self, n_schools: int) -> None:
        for _ in range(n_schools):
            school = self._school()
            groups = [GroupFactory(school=school), GroupFactory(school=school)]
            for i in range(3):
                TeacherFactory(school=school, group=groups[i % 2])
        for _ in range(2):
            GroupFactory(school=self.first_school)
        for _ in range(3):
            TeacherFactory(school=self.first_school, group=self.first_group)
        self.recount()

    def login_for(self, role: str):
        if role == "city_admin":
            return user_with_role(Role.CITY_ADMIN, self.city)
        if role == "county_admin":
            return user_with_role(Role.COUNTY_ADMIN, self.counties[0])
        if role == "school_team":
            return user_with_role(Role.SCHOOL_TEAM, self.first_school, is_principal=True)
        if role == "group_leader":
            assign(self.leader.user, Role.GROUP_LEADER, self.first_group)
            return self.leader.user
        return self.teacher.user


def _home(client, django_assert_num_queries, expected: int):
    with django_assert_num_queries(expected):
        response = client.get("/")
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("role", list(HOME_QUERIES))
def test_home_query_count_is_pinned_and_does_not_grow_with_the_data(role, client, django_assert_num_queries):
    world = World()
    world.grow(1)  # two schools in all
    client.force_login(world.login_for(role))
    small = _home(client, django_assert_num_queries, HOME_QUERIES[role])

    world.grow(18)  # twenty schools in all, more groups and teachers everywhere
    big = _home(client, django_assert_num_queries, HOME_QUERIES[role])

    if role != "teacher":  # a teacher sees only themself, however big the school gets
        assert big.context["totals"]["teachers"] > small.context["totals"]["teachers"]


def test_home_counts_shown_match_the_rows(client):
    """The teacher counts of the schools table and of the county chart are those of the roster."""
    world = World()
    world.grow(5)
    client.force_login(world.login_for("city_admin"))
    response = client.get("/")

    schools = list(response.context["schools"].object_list)
    assert len(schools) == 6
    for school in schools:
        assert school.teacher_count == school.teachers.count()
    assert {s.id for s in schools if s.teacher_count == 0} == set()

    overview = response.context["county_progress"]
    assert [r["county"].id for r in overview["rows"]] == [c.id for c in world.counties]
    assert [r["row"].teachers for r in overview["rows"]] == [c.teachers.count() for c in world.counties]
    assert response.context["totals"]["teachers"] == sum(c.teachers.count() for c in world.counties)
    assert response.context["totals"]["groups"] == sum(s.groups.count() for s in world.schools)


def test_home_school_without_teachers_shows_zero(client):
    county = CountyFactory()
    empty = SchoolFactory(county=county)
    client.force_login(user_with_role(Role.COUNTY_ADMIN, county))
    response = client.get("/")
    (row,) = response.context["schools"].object_list
    assert row.id == empty.id
    assert row.teacher_count == 0
