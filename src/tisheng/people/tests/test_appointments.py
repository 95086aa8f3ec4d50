"""Appointing and removing people (people/services.py role_assign, role_revoke, person_get_or_create)."""

import pytest
from django.test import Client

from tisheng.core.errors import AppError
from tisheng.core.models import AuditEvent
from tisheng.core.scoping import scope_for
from tisheng.organisation.tests.factories import (
    GroupFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    user_with_role,
)
from tisheng.people import services
from tisheng.people.models import Role, RoleAssignment, User
from tisheng.programme.models import ProgrammeSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return SchoolFactory(name="浉河区第一小学")


@pytest.fixture
def county_admin(school):
    return user_with_role(Role.COUNTY_ADMIN, school.county)


@pytest.fixture
def principal(school, county_admin):
    teacher = TeacherFactory(school=school)
    services.role_assign(
        actor=county_admin, user=teacher.user, role=Role.SCHOOL_TEAM, unit=school, is_principal=True
    )
    return teacher.user


def _error(fn, **kwargs) -> AppError:
    with pytest.raises(AppError) as exc:
        fn(**kwargs)
    return exc.value


def test_principal_appoints_a_group_leader_audited(school, principal):
    group = GroupFactory(school=school, name="语文组")
    teacher = TeacherFactory(school=school, group=group)
    a = services.role_assign(actor=principal, user=teacher.user, role=Role.GROUP_LEADER, unit=group)
    event = AuditEvent.objects.get(kind="role.assigned", target_id=str(a.pk))
    assert event.actor == principal
    assert event.data["role"] == "group_leader" and event.data["unit_id"] == group.pk
    assert event.data["user_id"] == teacher.user.pk
    services.role_revoke(actor=principal, assignment=a)
    assert not RoleAssignment.objects.filter(pk=a.pk).exists()
    event = AuditEvent.objects.get(kind="role.revoked", target_id=str(a.pk))
    assert event.data["unit"] == "语文组" and event.actor == principal


def test_one_person_holds_several_roles(school, principal):
    group = GroupFactory(school=school)
    teacher = TeacherFactory(school=school, group=group)
    services.role_assign(actor=principal, user=teacher.user, role=Role.GROUP_LEADER, unit=group)
    services.role_assign(actor=principal, user=teacher.user, role=Role.ASSESSMENT_GROUP, unit=school)
    services.role_assign(actor=principal, user=teacher.user, role=Role.SCHOOL_TEAM, unit=school, is_cio=True)
    assert set(RoleAssignment.objects.filter(user=teacher.user).values_list("role", flat=True)) == {
        "group_leader",
        "assessment_group",
        "school_team",
    }


def test_duplicate_appointment_is_a_chinese_conflict(school, principal):
    teacher = TeacherFactory(school=school)
    services.role_assign(actor=principal, user=teacher.user, role=Role.ASSESSMENT_GROUP, unit=school)
    err = _error(
        services.role_assign, actor=principal, user=teacher.user, role=Role.ASSESSMENT_GROUP, unit=school
    )
    assert err.code == "conflict" and "已是" in str(err.message)
    assert RoleAssignment.objects.filter(user=teacher.user).count() == 1


@pytest.mark.parametrize("role", ["teacher", "headmaster", "", "x" * 500, "city_admin\x00"])
def test_unknown_role_is_refused_in_chinese(school, principal, role):
    teacher = TeacherFactory(school=school)
    err = _error(services.role_assign, actor=principal, user=teacher.user, role=role, unit=school)
    assert err.code == "invalid"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.message))


def test_role_on_the_wrong_kind_of_unit(school, principal):
    teacher = TeacherFactory(school=school)
    err = _error(
        services.role_assign, actor=principal, user=teacher.user, role=Role.GROUP_LEADER, unit=school
    )
    assert err.code == "invalid" and "不能任命到该类单位" in str(err.message)


def test_marks_only_for_the_school_team(school, principal):
    teacher = TeacherFactory(school=school)
    err = _error(
        services.role_assign,
        actor=principal,
        user=teacher.user,
        role=Role.ASSESSMENT_GROUP,
        unit=school,
        is_cio=True,
    )
    assert err.code == "invalid"


def test_team_size_is_the_city_setting(school, principal, county_admin):
    # R-TEAM: 3–5 by default; the principal is the first member.
    for _ in range(4):
        services.role_assign(
            actor=principal, user=TeacherFactory(school=school).user, role=Role.SCHOOL_TEAM, unit=school
        )
    err = _error(
        services.role_assign,
        actor=county_admin,
        user=TeacherFactory(school=school).user,
        role=Role.SCHOOL_TEAM,
        unit=school,
    )
    assert err.code == "conflict" and "上限（5人）" in str(err.message)
    ProgrammeSettings.objects.create(city=school.city, school_team_max=6)
    services.role_assign(
        actor=county_admin, user=TeacherFactory(school=school).user, role=Role.SCHOOL_TEAM, unit=school
    )
    assert RoleAssignment.objects.filter(school=school, role=Role.SCHOOL_TEAM).count() == 6


def test_one_principal_and_one_cio(school, principal, county_admin):
    other = TeacherFactory(school=school).user
    err = _error(
        services.role_assign,
        actor=county_admin,
        user=other,
        role=Role.SCHOOL_TEAM,
        unit=school,
        is_principal=True,
    )
    assert err.code == "conflict" and "已有校长" in str(err.message)
    services.role_assign(actor=principal, user=other, role=Role.SCHOOL_TEAM, unit=school, is_cio=True)
    err = _error(
        services.role_assign,
        actor=principal,
        user=TeacherFactory(school=school).user,
        role=Role.SCHOOL_TEAM,
        unit=school,
        is_cio=True,
    )
    assert err.code == "conflict" and "已有CIO" in str(err.message)


def test_group_leader_must_be_on_the_schools_roster(school, principal):
    group = GroupFactory(school=school)
    elsewhere = TeacherFactory(school=SchoolFactory(county=school.county))
    err = _error(
        services.role_assign, actor=principal, user=elsewhere.user, role=Role.GROUP_LEADER, unit=group
    )
    # The other school is outside the principal's scope: its teacher cannot even be found.
    assert err.code == "not_found"
    county_admin = user_with_role(Role.COUNTY_ADMIN, school.county)
    err = _error(
        services.role_assign, actor=county_admin, user=elsewhere.user, role=Role.GROUP_LEADER, unit=group
    )
    assert err.code == "invalid" and "花名册" in str(err.message)


def test_a_person_outside_the_scope_is_not_found(school, principal):
    stranger = UserFactory()
    err = _error(
        services.role_assign, actor=principal, user=stranger, role=Role.ASSESSMENT_GROUP, unit=school
    )
    assert err.code == "not_found"


def test_nobody_removes_their_own_last_managing_role(school, principal, county_admin):
    own = RoleAssignment.objects.get(user=principal)
    err = _error(services.role_revoke, actor=principal, assignment=own)
    # The principal mark is the county's to remove, and it is their only managing role anyway.
    assert err.code == "forbidden"
    admin_row = RoleAssignment.objects.get(user=county_admin)
    err = _error(services.role_revoke, actor=county_admin, assignment=admin_row)
    assert err.code == "forbidden" and "唯一的管理角色" in str(err.message)
    # With another managing role, a person may step down from one.
    other_school = SchoolFactory(county=school.county)
    colleague = user_with_role(Role.COUNTY_ADMIN, school.county)
    services.role_assign(actor=colleague, user=county_admin, role=Role.SCHOOL_TEAM, unit=other_school)
    county_admin = User.objects.get(pk=county_admin.pk)  # a new request: scope rebuilt
    services.role_revoke(actor=county_admin, assignment=admin_row)
    assert not RoleAssignment.objects.filter(pk=admin_row.pk).exists()


def test_a_non_managing_role_of_ones_own_can_be_given_up(school, principal, county_admin):
    group = GroupFactory(school=school)
    teacher = TeacherFactory(school=school, group=group)
    services.role_assign(actor=county_admin, user=teacher.user, role=Role.SCHOOL_TEAM, unit=school)
    leader = services.role_assign(actor=principal, user=teacher.user, role=Role.GROUP_LEADER, unit=group)
    services.role_revoke(actor=User.objects.get(pk=teacher.user.pk), assignment=leader)
    assert not RoleAssignment.objects.filter(pk=leader.pk).exists()


def test_removal_effects_say_what_changes(school, principal, county_admin):
    own = RoleAssignment.objects.get(user=principal)
    lines = services.role_revoke_effects(assignment=own)
    text = " ".join(str(x) for x in lines)
    assert "将不再是浉河区第一小学的学校管理团队成员" in text
    assert "没有校长" in text
    assert "只剩0人，少于要求的3人" in text


def test_assessment_group_views_the_school_and_manages_nothing(school, principal):
    teacher = TeacherFactory(school=school)
    services.role_assign(actor=principal, user=teacher.user, role=Role.ASSESSMENT_GROUP, unit=school)
    member = User.objects.get(pk=teacher.user.pk)
    scope = scope_for(member)
    assert list(scope.schools()) == [school]
    assert not scope.can_manage_school(school)
    assert not scope.schools(manage=True).exists()
    err = _error(
        services.role_assign,
        actor=member,
        user=TeacherFactory(school=school).user,
        role=Role.ASSESSMENT_GROUP,
        unit=school,
    )
    assert err.code == "not_found"


def test_a_removed_role_is_gone_on_the_next_request(school, principal, county_admin):
    """Scope is built per request: an open session loses the role at once (two clients)."""
    member = TeacherFactory(school=school).user
    a = services.role_assign(actor=county_admin, user=member, role=Role.SCHOOL_TEAM, unit=school)
    member_client, admin_client = Client(), Client()
    member_client.force_login(member)
    admin_client.force_login(county_admin)
    page = f"/people/schools/{school.pk}/"
    assert member_client.get(page).status_code == 200
    assert member_client.get(f"/api/v1/schools/{school.pk}").status_code == 200
    response = admin_client.post(f"/people/assignments/{a.pk}/remove/")
    assert response.status_code == 302
    # The member's session is still open, but their next request no longer manages the school.
    assert member_client.get(page).status_code == 404
    assert member_client.get(f"/api/v1/role-assignments?school_id={school.pk}").json()["count"] == 0


# ---- finding or adding a person --------------------------------------------------------------------
def test_person_by_phone_is_the_roster_teacher(school, principal):
    teacher = TeacherFactory(school=school, phone="13912345678")
    person, created = services.person_get_or_create(
        actor=principal, full_name=teacher.user.full_name, phone="139-1234-5678"
    )
    assert person == teacher.user and not created


def test_person_by_phone_name_must_agree(school, principal):
    teacher = TeacherFactory(school=school, phone="13912345678")
    err = _error(services.person_get_or_create, actor=principal, full_name="别人", phone="13912345678")
    assert err.code == "invalid" and teacher.user.full_name in str(err.message)
    assert "139****5678" in str(err.message)


def test_new_person_signs_in_with_the_phone(school):
    city_admin = user_with_role(Role.CITY_ADMIN, school.city)
    a = services.appointment_create(
        actor=city_admin, full_name="赵 专家", phone="13700001111", role=Role.EVALUATOR, unit=school.county
    )
    person = a.user
    assert person.username == "13700001111" and person.full_name == "赵 专家"
    assert not person.has_usable_password()
    assert AuditEvent.objects.filter(kind="user.created", target_id=str(person.pk)).exists()
    # A new person is created only with an appointment the actor may make.
    err = _error(
        services.appointment_create,
        actor=user_with_role(Role.COUNTY_ADMIN, school.county),
        full_name="钱专家",
        phone="13700003333",
        role=Role.EVALUATOR,
        unit=school.county,
    )
    assert err.code == "forbidden" and not User.objects.filter(username="13700003333").exists()
    # Found again by phone (now in scope through the role).
    again, created = services.person_get_or_create(actor=city_admin, full_name="赵专家", phone="13700001111")
    assert again == person and not created


def test_a_phone_used_elsewhere_is_refused_without_a_name(school, principal):
    TeacherFactory(phone="13800002222", user__full_name="外校教师")  # another county, another city
    err = _error(services.person_get_or_create, actor=principal, full_name="新人", phone="13800002222")
    assert err.code == "conflict" and "外校教师" not in str(err.message)
    assert not User.objects.filter(username="13800002222").exists()


@pytest.mark.parametrize(
    "name,phone,field",
    [
        ("", "13700001111", "full_name"),
        ("张\x00三", "13700001111", "full_name"),
        ("长" * 65, "13700001111", "full_name"),
        ("张三", "1370000111", "phone"),
        ("张三", "1" * 5000, "phone"),
        ("张三", "1370000\x001111", "phone"),
        ("张三", "", "phone"),
    ],
)
def test_person_bad_input(school, principal, name, phone, field):
    users = User.objects.count()
    err = _error(services.person_get_or_create, actor=principal, full_name=name, phone=phone)
    assert err.code == "invalid" and field in err.fields
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.message))
    assert User.objects.count() == users
