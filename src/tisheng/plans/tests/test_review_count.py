"""The home page's count of plans waiting for review is the length of the review queue, for every
kind of manager (it is computed without the queue's visibility joins)."""

import pytest

from tisheng.core.scoping import scope_for
from tisheng.organisation.tests.factories import (
    CountyFactory,
    GroupFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    user_with_role,
)
from tisheng.people.models import Role
from tisheng.plans.models import Plan
from tisheng.plans.selectors import plans_to_review, plans_to_review_count

pytestmark = pytest.mark.django_db


def test_the_count_equals_the_queue_for_every_manager():
    county = CountyFactory()
    other = CountyFactory(city=county.city)
    far = CountyFactory()
    schools = [SchoolFactory(county=c) for c in (county, county, other, far)]
    for i, school in enumerate(schools):
        group = GroupFactory(school=school)
        teacher = TeacherFactory(school=school, group=group)
        for kind, owner in (
            ("school_it", {}),
            ("school_research", {}),
            ("group_research", {"group": group}),
            ("personal", {"teacher": teacher}),
        ):
            status = "submitted" if (i + len(kind)) % 3 else "approved"
            Plan.objects.create(kind=kind, school=school, title=kind, status=status, version=1, **owner)
    superuser = UserFactory(is_superuser=True)
    users = [
        user_with_role(Role.CITY_ADMIN, county.city),
        user_with_role(Role.CITY_GUIDE, county.city),
        user_with_role(Role.COUNTY_ADMIN, county),
        user_with_role(Role.COUNTY_GUIDE, county),
        user_with_role(Role.SCHOOL_TEAM, schools[0]),
        user_with_role(Role.SCHOOL_TEAM, schools[3]),
        TeacherFactory(school=schools[0]).user,
        superuser,
    ]
    counts = []
    for user in users:
        scope = scope_for(user)
        counts.append(plans_to_review_count(scope=scope))
        assert counts[-1] == plans_to_review(scope=scope).count(), user
    assert max(counts) > 0 and min(counts) == 0
