"""The appointment operations of the API (people/api.py): list, create, delete, find a person."""

import pytest
from django.test import Client

from tisheng.config.api import api
from tisheng.core.models import AuditEvent
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
URL = "/api/v1/role-assignments"


@pytest.fixture
def world():
    city = CityFactory(name="信阳市")
    county = CountyFactory(city=city, name="浉河区")
    school = SchoolFactory(county=county, name="浉河区第一小学")
    group = GroupFactory(school=school, name="语文组")
    other = SchoolFactory(county=CountyFactory(city=city, name="平桥区"), name="平桥区实验小学")
    principal = TeacherFactory(school=school, group=group).user
    RoleAssignment.objects.create(user=principal, role=Role.SCHOOL_TEAM, school=school, is_principal=True)
    teacher = TeacherFactory(school=school, group=group, phone="13912345678", id_number="411502198001011234")
    return {
        "city": city,
        "county": county,
        "school": school,
        "group": group,
        "other": other,
        "principal": principal,
        "teacher": teacher,
        "county_admin": user_with_role(Role.COUNTY_ADMIN, county),
        "city_admin": user_with_role(Role.CITY_ADMIN, city),
    }


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_principal_appoints_a_group_leader_by_roster_row(world):
    client = _client(world["principal"])
    r = _post(
        client, {"role": "group_leader", "group_id": world["group"].pk, "teacher_id": world["teacher"].pk}
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["role"] == "group_leader" and body["unit_name"] == "浉河区第一小学 语文组"
    assert body["person"]["teacher_id"] == world["teacher"].pk
    assert body["person"]["phone"] == "13912345678"  # the principal manages the teacher's school
    assert AuditEvent.objects.filter(kind="role.assigned", target_id=str(body["id"])).exists()
    listed = client.get(URL, {"school_id": world["school"].pk}).json()
    assert {i["id"] for i in listed["items"]} >= {body["id"]}
    r = client.delete(f"{URL}/{body['id']}")
    assert r.status_code == 204
    assert not RoleAssignment.objects.filter(pk=body["id"]).exists()


def test_city_admin_adds_an_evaluator_by_phone_and_sees_it_masked(world):
    client = _client(world["city_admin"])
    r = _post(
        client,
        {
            "role": "evaluator",
            "county_id": world["county"].pk,
            "new_person": {"full_name": "赵专家", "phone": "13700001111"},
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["person"]["phone"] == "137****1111"
    assert r.json()["person"]["login"] == "137****1111"
    assert User.objects.get(username="13700001111").full_name == "赵专家"


def test_people_search_in_scope_with_masking(world):
    # The city guide sees the school but may not see personal data, and manages nothing: no one found.
    guide = user_with_role(Role.CITY_GUIDE, world["city"])
    assert _client(guide).get("/api/v1/people", {"q": "13912345678"}).json() == []
    found = _client(world["county_admin"]).get("/api/v1/people", {"q": "139 1234 5678"}).json()
    assert [p["id"] for p in found] == [world["teacher"].user.pk]
    by_id = _client(world["principal"]).get("/api/v1/people", {"q": "411502198001011234"}).json()
    assert [p["id"] for p in by_id] == [world["teacher"].user.pk]
    by_row = _client(world["principal"]).get("/api/v1/people", {"q": str(world["teacher"].pk)}).json()
    assert world["teacher"].user.pk in [p["id"] for p in by_row]
    # Someone who sees the teacher but not their personal data reads a masked phone in lists.
    multi = TeacherFactory(school=world["other"]).user
    RoleAssignment.objects.create(user=multi, role=Role.SCHOOL_TEAM, school=world["other"])
    RoleAssignment.objects.create(user=world["teacher"].user, role=Role.SCHOOL_TEAM, school=world["other"])
    items = _client(multi).get(URL, {"school_id": world["other"].pk}).json()["items"]
    mine = [i for i in items if i["person"]["id"] == world["teacher"].user.pk]
    assert mine and mine[0]["person"]["phone"] == "139****5678"


@pytest.mark.parametrize(
    "body,status,code",
    [
        ({"role": "headmaster", "school_id": "S", "teacher_id": "T"}, 400, "invalid"),
        ({"role": "teacher", "school_id": "S", "teacher_id": "T"}, 400, "invalid"),
        ({"role": "group_leader", "school_id": "S", "teacher_id": "T"}, 400, "invalid"),
        ({"role": "assessment_group", "school_id": "O", "teacher_id": "T"}, 404, "not_found"),
        ({"role": "assessment_group", "school_id": 987654321, "teacher_id": "T"}, 404, "not_found"),
        ({"role": "assessment_group", "school_id": "S"}, 400, "invalid"),
        ({"role": "assessment_group", "school_id": "S", "group_id": "G", "teacher_id": "T"}, 400, "invalid"),
        ({"role": "assessment_group", "teacher_id": "T"}, 400, "invalid"),
        ({"role": "x" * 21, "school_id": "S", "teacher_id": "T"}, 422, "invalid"),
        ({"role": "assessment_group\x00", "school_id": "S", "teacher_id": "T"}, 422, "invalid"),
        (
            {
                "role": "assessment_group",
                "school_id": "S",
                "new_person": {"full_name": "张" * 65, "phone": "13700001111"},
            },
            422,
            "invalid",
        ),
        (
            {
                "role": "assessment_group",
                "school_id": "S",
                "new_person": {"full_name": "张\x00三", "phone": "13700001111"},
            },
            422,
            "invalid",
        ),
        (
            {
                "role": "assessment_group",
                "school_id": "S",
                "new_person": {"full_name": "张三", "phone": "12345"},
            },
            400,
            "invalid",
        ),
        ({"role": "assessment_group", "school_id": -1, "teacher_id": "T"}, 422, "invalid"),
        ({"role": "assessment_group", "school_id": 2**70, "teacher_id": "T"}, 422, "invalid"),
        ({"role": ["assessment_group"], "school_id": "S", "teacher_id": "T"}, 422, "invalid"),
        (
            {"role": "school_team", "school_id": "S", "teacher_id": "T", "is_principal": True},
            403,
            "forbidden",
        ),
        ({"role": "assessment_group", "school_id": "S", "user_id": "P"}, 403, "forbidden"),
    ],
)
def test_bad_input_gets_a_chinese_error_and_writes_nothing(world, body, status, code):
    ids = {"S": world["school"].pk, "O": world["other"].pk, "G": world["group"].pk, "T": world["teacher"].pk}
    ids["P"] = world["principal"].pk
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = (RoleAssignment.objects.count(), User.objects.count(), AuditEvent.objects.count())
    r = _post(_client(world["principal"]), body)
    assert r.status_code == status, r.content
    err = r.json()["error"]
    assert err["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"])
    assert (RoleAssignment.objects.count(), User.objects.count(), AuditEvent.objects.count()) == before


def test_duplicate_is_409(world):
    client = _client(world["principal"])
    body = {"role": "assessment_group", "school_id": world["school"].pk, "teacher_id": world["teacher"].pk}
    assert _post(client, body).status_code == 201
    r = _post(client, body)
    assert r.status_code == 409 and "已是" in r.json()["error"]["message"]


def test_not_json_and_oversized_bodies(world):
    client = _client(world["principal"])
    r = client.post(URL, "not json", content_type="application/json")
    assert r.status_code in (400, 422) and "error" in r.json()
    r = client.get("/api/v1/people", {"q": "x" * 65})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"
    r = client.get("/api/v1/people", {"q": "张\x00"})
    assert r.status_code in (400, 422) and r.json()["error"]["code"] == "invalid"
    r = client.get(URL, {"q": "张\x00"})
    assert r.status_code == 422


def test_removing_the_principal_is_the_countys(world):
    own = RoleAssignment.objects.get(user=world["principal"])
    r = _client(world["principal"]).delete(f"{URL}/{own.pk}")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = _client(world["county_admin"]).delete(f"{URL}/{own.pk}")
    assert r.status_code == 204
    event = AuditEvent.objects.get(kind="role.revoked", target_id=str(own.pk))
    assert event.actor == world["county_admin"] and event.data["is_principal"] is True


def test_every_status_is_declared():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    declared = {
        ("get", URL): {"200", "401", "422"},
        ("post", URL): {"201", "400", "401", "403", "404", "409", "422"},
        ("delete", URL + "/{assignment_id}"): {"204", "401", "403", "404"},
        ("get", "/api/v1/people"): {"200", "400", "401", "422"},
    }
    for (method, path), statuses in declared.items():
        assert statuses <= {str(s) for s in schema["paths"][path][method]["responses"]}, (method, path)


def test_a_phone_cannot_be_probed_by_someone_who_may_not_appoint(world):
    """The rules come before the phone lookup: a guide hears "not found", whether or not the phone is used."""
    guide = user_with_role(Role.COUNTY_GUIDE, world["county"])
    client = _client(guide)
    answers = [
        _post(
            client,
            {
                "role": "assessment_group",
                "school_id": world["school"].pk,
                "new_person": {"full_name": "某人", "phone": phone},
            },
        )
        for phone in ("13912345678", "13711112222")
    ]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].json() == answers[1].json()
