"""Factories of the research app (factory_boy), on top of organisation/tests/factories.py.

Rows made here go straight to the database (they set up a test); what the services do to hours and
audit is tested through the services themselves.
"""

import datetime as dt

import factory
from django.utils import timezone

from tisheng.framework.models import AbilityPoint
from tisheng.organisation.tests.factories import (  # noqa: F401 - re-exported for the research tests
    PASSWORD,
    CityFactory,
    CountyFactory,
    GroupFactory,
    Role,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    assign,
    user_with_role,
)
from tisheng.research.models import Observation, OpenClass


def point(code: str = "1-1") -> AbilityPoint:
    return AbilityPoint.objects.get(framework__code="henan-2021", code=code, city__isnull=True)


class OpenClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpenClass

    teacher = factory.SubFactory(TeacherFactory)
    school = factory.SelfAttribute("teacher.school")
    topic = factory.Sequence(lambda n: f"用希沃白板上《春》第{n}课")
    point = factory.LazyFunction(point)
    scheduled_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    place = "录播教室"
    created_by = factory.SubFactory(UserFactory)


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    open_class = factory.SubFactory(OpenClassFactory)
    observer = factory.SubFactory(TeacherFactory, school=factory.SelfAttribute("..open_class.school"))
    comment = "课件使用恰当，学生参与度高，建议增加互动环节。"
    rating = "good"
