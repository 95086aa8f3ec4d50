"""Factories of the hours app (factory_boy), on top of organisation/tests/factories.py.

Rows made here go straight to the database (they set up a test); what the services do to balances
and audit is tested through the services themselves.
"""

import datetime as dt
from decimal import Decimal

import factory

from tisheng.hours.models import HoursEntry, HoursKind, HoursSource
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
