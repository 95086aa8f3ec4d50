"""Factories of the hours app (factory_boy), on top of organisation/tests/factories.py.

Rows made here go straight to the database (they set up a test); what the services do to balances
and audit is tested through the services themselves.
"""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from tisheng.framework.models import AbilityPoint
from tisheng.hours.models import HoursEntry, HoursKind, HoursSource, Observation, OpenClass
from tisheng.organisation.tests.factories import (  # noqa: F401 - re-exported for the hours tests
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


class HoursEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HoursEntry

    teacher = factory.SubFactory(TeacherFactory)
    kind = HoursKind.ONLINE
    hours = Decimal("2")
    date = dt.date(2022, 3, 5)
    source = HoursSource.MANUAL
    source_key = factory.Sequence(lambda n: f"key-{n}")
    title = "手工录入"
    reason = "补录线下培训学时"


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
