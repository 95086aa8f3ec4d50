"""The 人员与角色 pages (people/views.py): list, search, appoint, confirm and remove."""

import pytest
from django.test import Client

from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    GroupFactory,
    SchoolFactory,
    TeacherFactory,
    user_with_role,
)
from tisheng.people.models import Role, RoleAssignment, User

pytestmark = pytest.mark.django_db


def _named(user, name):
    user.full_name = name
    user.save()
    return user


@pytest.fixture
def world():
    city = CityFactory(name="信阳市")
    county = CountyFactory(city=city, name="浉河区")
    school = SchoolFactory(county=county, name="浉河区第一小学")
    group = GroupFactory(school=school, name="语文组")
    principal = TeacherFactory(school=school, group=group, user__full_name="王校长").user
    RoleAssignment.objects.create(user=principal, role=Role.SCHOOL_TEAM, school=school, is_principal=True)
    teacher = TeacherFactory(school=school, group=group, user__full_name="李老师", phone="13912345678")
    other_school = SchoolFactory(county=county, name="浉河区第二小学")
    leader_elsewhere = TeacherFactory(school=other_school, user__full_name="外校组长")
    RoleAssignment.objects.create(
        user=leader_elsewhere.user, role=Role.GROUP_LEADER, group=GroupFactory(school=other_school)
    )
    return {
        "city": city,
        "county": county,
        "school": school,
        "group": group,
        "principal": principal,
        "teacher": teacher,
        "county_admin": _named(user_with_role(Role.COUNTY_ADMIN, county), "县管理员"),
    }


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_menu_leads_managers_to_their_unit(world):
    client = _client(world["principal"])
    home = client.get("/").content.decode()
    assert "人员与角色" in home
    r = client.get("/people/")
    assert r.status_code == 302 and r["Location"] == f"/people/schools/{world['school'].pk}/"
    assert "人员与角色" not in _client(world["teacher"].user).get("/").content.decode()
    assert _client(world["teacher"].user).get("/people/").status_code == 200  # "nothing to manage"


def test_county_page_lists_its_schools_teams(world):
    page = _client(world["county_admin"]).get(f"/people/counties/{world['county'].pk}/").content.decode()
    assert "王校长" in page and "外校组长" in page and "县管理员" in page
    # The county's offers: its own roles and its schools' teams.
    assert "县级指导团队成员 · 浉河区" in page and "学校管理团队成员 · 浉河区第二小学" in page
    assert "教研组长" not in page.split('data-testid="appoint-form"')[1].split("</form>")[0]


def test_principal_searches_and_appoints_a_group_leader(world):
    client = _client(world["principal"])
    url = f"/people/schools/{world['school'].pk}/"
    page = client.get(url, {"find": "13912345678"}).content.decode()
    assert "李老师" in page and "13912345678" in page  # the principal may see the teacher's phone
    target = f"group_leader:group:{world['group'].pk}"
    r = client.post(url, {"find": "13912345678", "person": world["teacher"].user.pk, "target": target})
    assert r.status_code == 302
    assert RoleAssignment.objects.filter(user=world["teacher"].user, role=Role.GROUP_LEADER).exists()
    page = client.get(url).content.decode()
    assert "已任命 李老师 为语文组的教研组长。" in page
    # The principal cannot mark a principal: the box is not even offered.
    assert 'name="is_principal"' not in page
    assert 'name="is_principal"' in _client(world["county_admin"]).get(url).content.decode()


def test_the_same_appointment_twice_says_so(world):
    client = _client(world["principal"])
    url = f"/people/schools/{world['school'].pk}/"
    body = {"person": world["teacher"].user.pk, "target": f"assessment_group:school:{world['school'].pk}"}
    assert client.post(url, body).status_code == 302
    r = client.post(url, body)
    assert r.status_code == 409 and "已是" in r.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        {"target": "city_admin:city:1", "new_name": "张三", "new_phone": "13700001111"},
        {"target": "group_leader:group:987654321", "new_name": "张三", "new_phone": "13700001111"},
        {"target": "x" * 5000, "new_name": "张三", "new_phone": "13700001111"},
        {"target": "", "new_name": "张三", "new_phone": "13700001111"},
        {"target": "T", "new_name": "张\x00三", "new_phone": "13700001111"},
        {"target": "T", "new_name": "张" * 65, "new_phone": "13700001111"},
        {"target": "T", "new_name": "张三", "new_phone": "1" * 33},
        {"target": "T", "new_name": "张三", "new_phone": "12345"},
        {"target": "T", "new_name": "张三"},
        {"target": "T", "person": "P", "new_name": "张三", "new_phone": "13700001111"},
        {"target": "T", "person": "987654321"},
        {"target": "T", "person": "abc\x00"},
    ],
)
def test_bad_input_on_the_page(world, body):
    body = {k: v for k, v in body.items()}
    if body.get("target") == "T":
        body["target"] = f"assessment_group:school:{world['school'].pk}"
    if body.get("person") == "P":
        body["person"] = world["teacher"].user.pk
    before = (RoleAssignment.objects.count(), User.objects.count())
    r = _client(world["principal"]).post(f"/people/schools/{world['school'].pk}/", body)
    assert r.status_code == 400, r.status_code
    text = r.content.decode()
    assert 'class="form-error"' in text and "Traceback" not in text
    assert (RoleAssignment.objects.count(), User.objects.count()) == before


def test_removal_asks_first_and_says_what_changes(world):
    own = RoleAssignment.objects.get(user=world["principal"])
    client = _client(world["county_admin"])
    page = client.get(f"/people/assignments/{own.pk}/remove/").content.decode()
    assert "王校长 将不再是浉河区第一小学的学校管理团队成员" in page
    assert "学校将没有校长" in page and "只剩0人" in page
    assert RoleAssignment.objects.filter(pk=own.pk).exists()  # the GET changed nothing
    r = client.post(f"/people/assignments/{own.pk}/remove/")
    assert r.status_code == 302 and not RoleAssignment.objects.filter(pk=own.pk).exists()


def test_a_refused_removal_shows_why(world):
    own = RoleAssignment.objects.get(user=world["principal"])
    r = _client(world["principal"]).post(f"/people/assignments/{own.pk}/remove/")
    assert r.status_code == 403 and "校长由县区管理员" in r.content.decode()
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_county_page_costs_the_same_queries_for_more_schools(world, django_assert_max_num_queries):
    """No query per school or per row: the offers and the list are read in a fixed number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(world["county_admin"])
    url = f"/people/counties/{world['county'].pk}/"
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(5):
        school = SchoolFactory(county=world["county"], name=f"新学校{n}")
        member = TeacherFactory(school=school).user
        RoleAssignment.objects.create(user=member, role=Role.SCHOOL_TEAM, school=school)
        RoleAssignment.objects.create(user=member, role=Role.GROUP_LEADER, group=GroupFactory(school=school))
    with django_assert_max_num_queries(len(small)):
        assert client.get(url).status_code == 200
