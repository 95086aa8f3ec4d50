"""The hours ledger (R-HOURS): credits counted once, manual entries by managers with a reason,
removal of manual entries only, totals against the city's settings, summaries per school and county."""

import datetime as dt
from decimal import Decimal

import pytest

from tisheng.access.scoping import Scope
from tisheng.core.errors import Conflict, Forbidden, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.core.scoping import scope_for
from tisheng.hours import selectors, services
from tisheng.hours.models import HoursBalance, HoursEntry, HoursKind, HoursSource
from tisheng.programme.models import ProgrammeSettings

from .factories import (
    CityFactory,
    CountyFactory,
    HoursEntryFactory,
    Role,
    SchoolFactory,
    TeacherFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def place():
    city = CityFactory(name="信阳市")
    county = CountyFactory(city=city, name="浉河区")
    other_county = CountyFactory(city=city, name="固始县")
    school = SchoolFactory(county=county, name="浉河区第一小学")
    other_school = SchoolFactory(county=county, name="浉河区第二小学")
    far_school = SchoolFactory(county=other_county, name="固始县第一小学")
    return {
        "city": city,
        "county": county,
        "school": school,
        "other_school": other_school,
        "far_school": far_school,
        "teacher": TeacherFactory(school=school),
        "colleague": TeacherFactory(school=school),
        "far_teacher": TeacherFactory(school=far_school),
        "principal": user_with_role(Role.SCHOOL_TEAM, school, is_principal=True),
        "other_principal": user_with_role(Role.SCHOOL_TEAM, other_school),
        "county_admin": user_with_role(Role.COUNTY_ADMIN, county),
        "city_admin": user_with_role(Role.CITY_ADMIN, city),
        "guide": user_with_role(Role.COUNTY_GUIDE, county),
        "evaluator": user_with_role(Role.EVALUATOR, city),
    }


def credit(teacher, key="课程A", hours="2", kind=HoursKind.ONLINE, source=HoursSource.COURSE_IMPORT):
    return services.hours_credit(
        teacher=teacher,
        kind=kind,
        hours=D(hours),
        date=dt.date(2022, 3, 5),
        source=source,
        source_key=key,
        recorded_by=None,
        title=key,
    )


def balance(teacher) -> tuple[Decimal, Decimal]:
    row = HoursBalance.objects.filter(teacher=teacher).first()
    return (row.online, row.practice) if row else (D(0), D(0))


def manual(actor, teacher, **kw):
    args = {
        "kind": HoursKind.PRACTICE,
        "hours": D("3"),
        "date": dt.date(2022, 5, 1),
        "reason": "参加省级培训",
    }
    args.update(kw)
    return services.hours_record_manual(actor=actor, teacher=teacher, **args)


# ---- hours_credit: idempotent ------------------------------------------------------------------------
def test_a_credit_adds_one_entry_and_updates_the_balance(place):
    entry, added = credit(place["teacher"])

    assert added is True
    assert (entry.kind, entry.hours, entry.source, entry.source_key) == (
        "online",
        D("2.0"),
        "course_import",
        "课程A",
    )
    assert balance(place["teacher"]) == (D("2.0"), D("0"))
    assert AuditEvent.objects.filter(kind="hours.credited").count() == 1


def test_the_same_source_twice_counts_once(place):
    first, _ = credit(place["teacher"], hours="2")
    events = AuditEvent.objects.count()

    again, added = credit(place["teacher"], hours="9")  # different hours: still the same source

    assert added is False
    assert again.pk == first.pk and again.hours == D("2.0")
    assert HoursEntry.objects.count() == 1
    assert balance(place["teacher"]) == (D("2.0"), D("0"))
    assert AuditEvent.objects.count() == events  # nothing changed, nothing recorded


def test_the_same_key_from_another_source_or_teacher_is_another_credit(place):
    credit(place["teacher"], key="1")
    credit(place["teacher"], key="1", source=HoursSource.OFFLINE_TRAINING, kind=HoursKind.PRACTICE)
    credit(place["colleague"], key="1")

    assert HoursEntry.objects.count() == 3
    assert balance(place["teacher"]) == (D("2"), D("2"))


def test_credit_many_skips_duplicates_within_one_call_and_known_sources(place):
    t = place["teacher"]
    credit(t, key="old")
    credits = [
        services.Credit(t.pk, HoursKind.ONLINE, D("1"), dt.date(2022, 1, 1), HoursSource.COURSE_IMPORT, k)
        for k in ("old", "new", "new", "other")
    ]

    added = services.hours_credit_many(credits=credits)

    assert [c.source_key for c in added] == ["new", "other"]
    assert balance(t) == (D("4"), D("0"))
    assert services.hours_credit_many(credits=credits) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hours", D("0")),
        ("hours", D("-1")),
        ("hours", D("100.1")),
        ("hours", D("1.25")),
        ("kind", "offline"),
        ("source", "manual"),  # manual hours need a manager and a reason: hours_record_manual
        ("source", "gift"),
        ("source_key", ""),
        ("source_key", "k" * 201),
    ],
)
def test_credit_refuses_bad_values_and_writes_nothing(place, field, value):
    args = {
        "teacher": place["teacher"],
        "kind": HoursKind.ONLINE,
        "hours": D("2"),
        "date": dt.date(2022, 3, 5),
        "source": HoursSource.COURSE_IMPORT,
        "source_key": "k",
        field: value,
    }

    with pytest.raises(ValidationFailed):
        services.hours_credit(**args)

    assert HoursEntry.objects.count() == 0 and AuditEvent.objects.count() == 0


# ---- manual entries ---------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["principal", "county_admin", "city_admin"])
def test_managers_of_the_school_record_manual_hours(place, who):
    entry = manual(place[who], place["teacher"])

    assert entry.source == HoursSource.MANUAL and entry.reason == "参加省级培训"
    assert entry.recorded_by == place[who]
    assert balance(place["teacher"]) == (D("0"), D("3"))
    event = AuditEvent.objects.get(kind="hours.manual_recorded")
    assert event.actor == place[who] and event.data["reason"] == "参加省级培训"


def test_two_manual_entries_with_the_same_values_are_two_entries(place):
    manual(place["principal"], place["teacher"])
    manual(place["principal"], place["teacher"])

    assert balance(place["teacher"]) == (D("0"), D("6"))


@pytest.mark.parametrize("who", ["other_principal", "guide", "evaluator"])
def test_others_cannot_record_manual_hours(place, who):
    with pytest.raises(Forbidden) as caught:
        manual(place[who], place["teacher"])

    assert "管理团队" in str(caught.value.message)
    assert HoursEntry.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_a_teacher_cannot_record_their_own_hours(place):
    with pytest.raises(Forbidden):
        manual(place["teacher"].user, place["teacher"])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": " 补 "[1:2]}, "reason"),
        ({"reason": "原" * 501}, "reason"),
        ({"reason": "原因\x00"}, "reason"),
        ({"kind": "online_practice"}, "kind"),
        ({"hours": D("0")}, "hours"),
        ({"hours": D("100.5")}, "hours"),
        ({"hours": D("2.25")}, "hours"),
        ({"hours": "abc"}, "hours"),
        ({"hours": None}, "hours"),
        ({"date": dt.date(2018, 12, 31)}, "date"),
        ({"date": dt.date(2999, 1, 1)}, "date"),
        ({"date": "2022-03-05"}, "date"),
    ],
)
def test_manual_entry_input_is_checked(place, overrides, field):
    with pytest.raises(ValidationFailed) as caught:
        manual(place["principal"], place["teacher"], **overrides)

    assert field in caught.value.fields
    assert "学时录入有误" in str(caught.value.message)
    assert HoursEntry.objects.count() == 0 and AuditEvent.objects.count() == 0


# ---- removing ---------------------------------------------------------------------------------------------
def test_a_manager_removes_a_manual_entry_with_a_reason(place):
    entry = manual(place["principal"], place["teacher"])

    removed = services.hours_entry_remove(actor=place["county_admin"], entry=entry, reason="重复录入")

    assert removed.removed_at is not None and removed.removed_by == place["county_admin"]
    assert removed.removed_reason == "重复录入"
    assert HoursEntry.objects.count() == 1  # kept in the ledger, marked
    assert balance(place["teacher"]) == (D("0"), D("0"))
    assert AuditEvent.objects.get(kind="hours.entry_removed").data["reason"] == "重复录入"


def test_removing_twice_is_a_conflict(place):
    entry = manual(place["principal"], place["teacher"])
    services.hours_entry_remove(actor=place["principal"], entry=entry, reason="重复录入")

    with pytest.raises(Conflict):
        services.hours_entry_remove(actor=place["principal"], entry=entry, reason="再次撤销")


def test_only_manual_entries_can_be_removed(place):
    entry, _ = credit(place["teacher"])

    with pytest.raises(ValidationFailed) as caught:
        services.hours_entry_remove(actor=place["city_admin"], entry=entry, reason="不认可")

    assert "只能撤销手工录入" in str(caught.value.message)
    assert balance(place["teacher"]) == (D("2"), D("0"))


@pytest.mark.parametrize("reason", ["", " ", "x" * 501])
def test_removal_needs_a_reason(place, reason):
    entry = manual(place["principal"], place["teacher"])

    with pytest.raises(ValidationFailed):
        services.hours_entry_remove(actor=place["principal"], entry=entry, reason=reason)

    entry.refresh_from_db()
    assert entry.removed_at is None


@pytest.mark.parametrize("who", ["other_principal", "guide", "evaluator"])
def test_others_cannot_remove(place, who):
    entry = manual(place["principal"], place["teacher"])

    with pytest.raises(Forbidden):
        services.hours_entry_remove(actor=place[who], entry=entry, reason="撤销")


# ---- totals -------------------------------------------------------------------------------------------------
def test_totals_and_what_remains_against_the_default_requirement(place):
    credit(place["teacher"], key="a", hours="12.5")
    credit(place["teacher"], key="b", hours="10")
    credit(place["teacher"], key="c", hours="8", kind=HoursKind.PRACTICE, source=HoursSource.OFFLINE_TRAINING)
    scope = scope_for(place["principal"])

    totals = selectors.teacher_totals(scope=scope, teacher_id=place["teacher"].pk)

    assert (totals.online, totals.practice, totals.total) == (D("22.5"), D("8"), D("30.5"))
    assert (totals.online_required, totals.practice_required, totals.total_required) == (D(20), D(30), D(50))
    assert totals.online_remaining == D(0)
    assert totals.practice_remaining == D(22)
    # Extra online hours do not make up for practice (R-HOURS: ≥ 30 school-based practice).
    assert totals.total_remaining == D(22)
    assert not totals.complete


def test_totals_follow_the_citys_settings(place):
    ProgrammeSettings.objects.create(
        city=place["city"], online_hours_required=10, practice_hours_required=10, total_hours_required=25
    )
    credit(place["teacher"], key="a", hours="12")
    credit(
        place["teacher"], key="b", hours="10", kind=HoursKind.PRACTICE, source=HoursSource.OFFLINE_TRAINING
    )

    totals = selectors.teacher_totals(scope=scope_for(place["teacher"].user), teacher_id=place["teacher"].pk)

    assert totals.total_remaining == D(3)
    credit(place["teacher"], key="c", hours="3")
    totals = selectors.teacher_totals(scope=scope_for(place["teacher"].user), teacher_id=place["teacher"].pk)
    assert totals.complete and totals.percent() == 100


def test_a_teacher_without_entries_has_zero_hours(place):
    totals = selectors.teacher_totals(scope=scope_for(place["teacher"].user), teacher_id=place["teacher"].pk)

    assert totals.total == 0 and totals.total_remaining == D(50) and totals.percent() == 0


def test_the_balance_is_always_the_sum_of_live_entries(place):
    t = place["teacher"]
    credit(t, key="a", hours="1.5")
    e1 = manual(place["principal"], t, hours=D("4"), kind=HoursKind.ONLINE)
    manual(place["principal"], t, hours=D("2.5"))
    services.hours_entry_remove(actor=place["principal"], entry=e1, reason="录错了")
    HoursEntryFactory(
        teacher=t, hours=D("9"), removed_at=dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    )  # removed: ignored

    services.hours_credit_many(credits=[])  # nothing to do
    credit(t, key="b", hours="1")

    live = HoursEntry.objects.filter(teacher=t, removed_at__isnull=True)
    online = sum((e.hours for e in live if e.kind == "online"), D(0))
    practice = sum((e.hours for e in live if e.kind == "practice"), D(0))
    assert balance(t) == (online, practice) == (D("2.5"), D("2.5"))


# ---- summaries: one query each ------------------------------------------------------------------------------
def test_school_and_county_summaries(place, django_assert_num_queries):
    t, c, far = place["teacher"], place["colleague"], place["far_teacher"]
    credit(t, key="a", hours="20")
    credit(t, key="b", hours="30", kind=HoursKind.PRACTICE, source=HoursSource.OFFLINE_TRAINING)
    credit(c, key="a", hours="5")
    credit(far, key="a", hours="1")
    scope = scope_for(place["city_admin"])
    scope.teachers()  # the scope itself is built before counting

    with django_assert_num_queries(1):
        schools = list(selectors.school_hours_summary(scope=scope))
    with django_assert_num_queries(1):
        counties = list(selectors.county_hours_summary(scope=scope))

    by_school = {r["school_id"]: r for r in schools}
    first = by_school[place["school"].pk]
    assert (first["teachers"], first["online"], first["practice"], first["complete"]) == (2, D(25), D(30), 1)
    assert by_school[place["far_school"].pk]["complete"] == 0
    by_county = {r["county__name"]: r for r in counties}
    assert by_county["浉河区"]["teachers"] == 2 and by_county["浉河区"]["complete"] == 1
    assert by_county["固始县"]["online"] == D(1)


def test_summaries_use_each_citys_requirement(place):
    other_city = CityFactory(name="南阳市")
    ProgrammeSettings.objects.create(
        city=other_city, online_hours_required=1, practice_hours_required=0, total_hours_required=1
    )
    far = TeacherFactory(school=SchoolFactory(county=CountyFactory(city=other_city)))
    credit(far, key="a", hours="1")
    credit(place["teacher"], key="a", hours="1")
    superuser = user_with_role(Role.CITY_ADMIN, other_city)
    superuser.is_superuser = True
    superuser.save()

    rows = {r["school_id"]: r["complete"] for r in selectors.school_hours_summary(scope=scope_for(superuser))}

    assert rows[far.school_id] == 1 and rows[place["school"].pk] == 0


def test_summaries_stay_in_scope(place):
    credit(place["far_teacher"], key="a", hours="1")

    rows = list(selectors.school_hours_summary(scope=scope_for(place["principal"])))

    assert {r["school_id"] for r in rows} == {place["school"].pk}
    assert list(selectors.school_hours_summary(scope=Scope(user_id=1))) == []
