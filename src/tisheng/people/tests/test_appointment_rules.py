"""Who may appoint what, where (R-TEAM, people/rules.py): one table, every manager role × every role ×
own unit / unit below / other county / other city / self.

The expected outcomes are written out by hand below (the oracle), not computed by people/rules.py.
"home" is the unit of the role's kind on the manager's own branch: their own unit, the one below it
(city admin → county a1, school s1, group g1) or the one above it (school team → county a1, city A).
"""

import pytest
from django.db import transaction

from tisheng.core.errors import AppError
from tisheng.core.models import AuditEvent
from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    GroupFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    assign,
)
from tisheng.people import services
from tisheng.people.models import Role, RoleAssignment

# role target → (role, unit kind, marks)
TARGETS = {
    "city_admin": (Role.CITY_ADMIN, "city", {}),
    "city_guide": (Role.CITY_GUIDE, "city", {}),
    "evaluator@city": (Role.EVALUATOR, "city", {}),
    "evaluator@county": (Role.EVALUATOR, "county", {}),
    "evaluator@school": (Role.EVALUATOR, "school", {}),
    "county_admin": (Role.COUNTY_ADMIN, "county", {}),
    "county_guide": (Role.COUNTY_GUIDE, "county", {}),
    "school_team": (Role.SCHOOL_TEAM, "school", {}),
    "principal": (Role.SCHOOL_TEAM, "school", {"is_principal": True}),
    "cio": (Role.SCHOOL_TEAM, "school", {"is_cio": True}),
    "group_leader": (Role.GROUP_LEADER, "group", {}),
    "assessment_group": (Role.ASSESSMENT_GROUP, "school", {}),
}
RELATIONS = ("home", "other_county", "other_city", "self")
BELOW_CITY = {"home", "other_county"}
EVERY_TARGET_BELOW_CITY = {
    t: BELOW_CITY for t in TARGETS if t not in ("city_admin", "city_guide", "evaluator@city")
}

# The oracle: which relations each manager may appoint each role at. Anything not listed is refused.
ALLOWED = {
    "city_admin": {
        "city_admin": {"home"},
        "city_guide": {"home"},
        "evaluator@city": {"home"},
        **EVERY_TARGET_BELOW_CITY,
    },
    "county_admin": {
        "county_admin": {"home"},
        "county_guide": {"home"},
        "school_team": {"home"},
        "principal": {"home"},
        "cio": {"home"},
        "group_leader": {"home"},
        "assessment_group": {"home"},
    },
    # A team member and the principal alike: the team, the CIO mark, group leaders, the assessment
    # group — never the principal mark (the county's), never evaluators (the city's).
    "school_team": {
        "school_team": {"home"},
        "cio": {"home"},
        "group_leader": {"home"},
        "assessment_group": {"home"},
    },
    "principal": {
        "school_team": {"home"},
        "cio": {"home"},
        "group_leader": {"home"},
        "assessment_group": {"home"},
    },
    "city_guide": {},
    "county_guide": {},
    "group_leader": {},
    "evaluator": {},
    "assessment_group": {},
    "teacher": {},
    "superuser": {
        t: (
            {"home", "other_city"}
            if t in ("city_admin", "city_guide", "evaluator@city")
            else {"home", "other_county", "other_city"}
        )
        for t in TARGETS
    },
}


@pytest.fixture
def world(db):
    city_a, city_b = CityFactory(name="甲市"), CityFactory(name="乙市")
    a1, a2, b1 = CountyFactory(city=city_a), CountyFactory(city=city_a), CountyFactory(city=city_b)
    s1, s3, sb = SchoolFactory(county=a1), SchoolFactory(county=a2), SchoolFactory(county=b1)
    g1, g3, gb = GroupFactory(school=s1), GroupFactory(school=s3), GroupFactory(school=sb)
    # Where each relation puts a role of each unit kind, and a person on that branch's roster.
    branches = {
        "home": {"city": city_a, "county": a1, "school": s1, "group": g1},
        "other_county": {"city": None, "county": a2, "school": s3, "group": g3},
        "other_city": {"city": city_b, "county": b1, "school": sb, "group": gb},
    }
    people = {
        "home": TeacherFactory(school=s1, group=g1).user,
        "other_county": TeacherFactory(school=s3, group=g3).user,
        "other_city": TeacherFactory(school=sb, group=gb).user,
    }

    def manager(role, unit, **marks):
        # Each manager is also a teacher of s1's group g1, so "self" as a group leader is not refused
        # for a reason other than being oneself.
        teacher = TeacherFactory(school=s1, group=g1)
        if role:
            assign(teacher.user, role, unit, **marks)
        return teacher.user

    superuser = UserFactory(is_superuser=True)
    TeacherFactory(user=superuser, school=s1, group=g1)
    managers = {
        "city_admin": manager(Role.CITY_ADMIN, city_a),
        "county_admin": manager(Role.COUNTY_ADMIN, a1),
        "school_team": manager(Role.SCHOOL_TEAM, s1),
        "principal": manager(Role.SCHOOL_TEAM, s1, is_principal=True),
        "city_guide": manager(Role.CITY_GUIDE, city_a),
        "county_guide": manager(Role.COUNTY_GUIDE, a1),
        "group_leader": manager(Role.GROUP_LEADER, g1),
        "evaluator": manager(Role.EVALUATOR, city_a),
        "assessment_group": manager(Role.ASSESSMENT_GROUP, s1),
        "teacher": manager(None, None),
        "superuser": superuser,
    }
    return managers, branches, people


def _cases():
    for manager in ALLOWED:
        for target in TARGETS:
            for relation in RELATIONS:
                yield manager, target, relation


def _make_room(unit, marks):
    """The world's principal holds s1's mark: appointing another is a conflict, not a rule."""
    if marks.get("is_principal"):
        RoleAssignment.objects.filter(school=unit, is_principal=True).update(is_principal=False)


def _attempt(actor, user, target, unit):
    role, _kind, marks = TARGETS[target]
    with transaction.atomic():
        _make_room(unit, marks)
        try:
            assignment = services.role_assign(actor=actor, user=user, role=role, unit=unit, **marks)
        except AppError as exc:
            outcome = exc
        else:
            audited = AuditEvent.objects.filter(
                kind="role.assigned", actor=actor, target_id=str(assignment.pk)
            ).exists()
            outcome = ("appointed", audited)
        transaction.set_rollback(True)  # each case starts from the same world
    return outcome


def test_the_appointment_table(world):
    managers, branches, people = world
    checked = 0
    wrong = []
    for manager, target, relation in _cases():
        _role, kind, _marks = TARGETS[target]
        place = "home" if relation == "self" else relation
        unit = branches[place][kind]
        if unit is None:
            continue  # a city role has no "other county"
        actor = managers[manager]
        user = actor if relation == "self" else people[place]
        before = RoleAssignment.objects.count()
        outcome = _attempt(actor, user, target, unit)
        checked += 1
        allowed = relation in ALLOWED[manager].get(target, set())
        if allowed:
            if outcome != ("appointed", True):
                wrong.append((manager, target, relation, "expected appointed+audited", outcome))
        else:
            if not isinstance(outcome, AppError) or outcome.code not in ("not_found", "forbidden"):
                wrong.append((manager, target, relation, "expected refusal", outcome))
            elif relation == "other_city" and outcome.code != "not_found":
                # Another city's units are not even acknowledged.
                wrong.append((manager, target, relation, "expected not_found", outcome.code))
            elif relation == "self" and outcome.code == "not_found" and allowed_home(manager, target):
                # Someone who manages the unit hears why; others hear "not found".
                wrong.append((manager, target, relation, "expected forbidden", outcome.code))
        assert RoleAssignment.objects.count() == before
    assert not wrong, "\n".join(map(str, wrong))
    assert checked == len(ALLOWED) * (len(TARGETS) * 4 - 3)


def allowed_home(manager, target) -> bool:
    return "home" in ALLOWED[manager].get(target, set())


def test_self_appointment_message_is_chinese(world):
    managers, branches, _people = world
    with pytest.raises(AppError) as exc:
        services.role_assign(
            actor=managers["county_admin"],
            user=managers["county_admin"],
            role=Role.COUNTY_GUIDE,
            unit=branches["home"]["county"],
        )
    assert exc.value.code == "forbidden"
    assert "不能给自己任命角色" in str(exc.value.message)


def test_the_same_table_governs_removal(world):
    """Whoever may appoint a role there may remove it; nobody else (the principal: the county)."""
    managers, branches, people = world
    superuser = managers["superuser"]
    wrong = []
    for target, (role, kind, marks) in TARGETS.items():
        for place in ("home", "other_county", "other_city"):
            unit = branches[place][kind]
            if unit is None:
                continue
            for manager, allowed_map in ALLOWED.items():
                if manager == "superuser":
                    continue
                with transaction.atomic():
                    _make_room(unit, marks)
                    assignment = services.role_assign(
                        actor=superuser, user=people[place], role=role, unit=unit, **marks
                    )
                    try:
                        services.role_revoke(actor=managers[manager], assignment=assignment)
                    except AppError as exc:
                        removed = False
                        code = exc.code
                    else:
                        removed = not RoleAssignment.objects.filter(pk=assignment.pk).exists()
                        code = ""
                    transaction.set_rollback(True)
                if removed != (place in allowed_map.get(target, set())):
                    wrong.append((manager, target, place, removed, code))
    assert not wrong, "\n".join(map(str, wrong))
