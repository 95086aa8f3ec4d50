"""Factories of the trainings app (factory_boy), on top of organisation/tests/factories.py.

Rows made here go straight to the database (they set up a test); what the services do to hours and
audit is tested through the services themselves.
"""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from tisheng.hours.models import HoursKind
from tisheng.organisation.tests.factories import (  # noqa: F401 - re-exported for the trainings tests
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
from tisheng.trainings.models import Attendance, AttendanceMethod, Training


class TrainingFactory(factory.django.DjangoModelFactory):
    """A county training (audience: the whole county) by default."""

    class Meta:
        model = Training

    organiser_city = None
    organiser_county = factory.SubFactory(CountyFactory)
    organiser_school = None
    city = factory.LazyAttribute(
        lambda o: (
            o.organiser_city or (o.organiser_county.city if o.organiser_county else o.organiser_school.city)
        )
    )
    title = factory.Sequence(lambda n: f"信息技术应用能力提升培训{n}")
    place = "县教师发展中心"
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))
    hours = Decimal("4")
    kind = HoursKind.PRACTICE
    audience_all = True
    created_by = factory.SubFactory(UserFactory)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    training = factory.SubFactory(TrainingFactory)
    teacher = factory.SubFactory(TeacherFactory)
    method = AttendanceMethod.LIST
    at = factory.LazyFunction(timezone.now)
