"""Integers beyond what the database can hold, oversized pages and repeated scalar parameters are a 422
in the one error shape, never a 500 (core/schemas.py `Id`/`Count`, core/pagination.py `ApiPagination`,
config/api.py `StrictParser`)."""

import pytest
from django.test import Client

from tisheng.core.models import AuditEvent
from tisheng.core.pagination import API_MAX_LIMIT
from tisheng.core.tests.test_api_errors import _assert_error
from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    Role,
    SchoolFactory,
    TeacherFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

BEYOND_BIGINT = 2**63  # SQLite's and PostgreSQL's bigint end at 2**63 - 1
HUGE = 10**30


@pytest.fixture
def city():
    city = CityFactory(name="信阳市")
    SchoolFactory(county=CountyFactory(city=city))
    return city


@pytest.fixture
def client(city):
    client = Client()
    client.force_login(user_with_role(Role.CITY_ADMIN, city))
    return client


@pytest.mark.parametrize("value", [BEYOND_BIGINT, HUGE, -BEYOND_BIGINT])
@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/counties/{v}", "county_id"),
        ("/api/v1/schools?county_id={v}", "county_id"),
        ("/api/v1/teachers?group_id={v}", "group_id"),
        ("/api/v1/schools?offset={v}", "offset"),
        ("/api/v1/schools?limit={v}", "limit"),
        ("/api/v1/hours/teachers?school_id={v}", "school_id"),
        ("/api/v1/trainings/1/attendance?offset={v}", "offset"),
        ("/api/v1/evidence?teacher_id={v}", "teacher_id"),
        ("/api/v1/cities/{v}/programme", "city_id"),
        ("/api/v1/cities/1/calendar/{v}", "batch_year"),
    ],
)
def test_integers_beyond_the_database_range_in_the_url_give_422(client, url, field, value):
    method = client.put if "calendar" in url else client.get
    response = method(url.format(v=value), {}, content_type="application/json")

    error = _assert_error(response, 422, "invalid")
    assert field in error["fields"]


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        (
            "put",
            "/api/v1/schools/1/menu",
            {"environments": ["multimedia"], "point_ids": [HUGE]},
            "point_ids.0",
        ),
        ("put", "/api/v1/schools/1/menu", {"environments": ["multimedia"], "point_ids": [0]}, "point_ids.0"),
        ("post", "/api/v1/evidence", {"point_id": BEYOND_BIGINT}, "point_id"),
        ("post", "/api/v1/trainings/1/attendance", {"teacher_ids": [1, HUGE]}, "teacher_ids.1"),
        ("put", "/api/v1/me/picks", {"point_ids": [-HUGE]}, "point_ids.0"),
        (
            "post",
            "/api/v1/frameworks/henan-2021/points",
            {
                "city_id": HUGE,
                "code": "X",
                "environment": "multimedia",
                "dimension": "design",
                "description": "x",
            },
            "city_id",
        ),
    ],
)
def test_integers_beyond_the_database_range_in_a_body_give_422_and_write_nothing(
    client, method, url, body, field
):
    events = AuditEvent.objects.count()

    response = getattr(client, method)(url, body, content_type="application/json")

    error = _assert_error(response, 422, "invalid")
    assert field in error["fields"]
    assert AuditEvent.objects.count() == events


def test_the_largest_id_the_database_holds_is_an_ordinary_not_found(client):
    _assert_error(client.get(f"/api/v1/counties/{2**63 - 1}"), 404, "not_found")
    _assert_error(client.get(f"/api/v1/teachers/{2**31}"), 404, "not_found")


def test_limit_is_capped_and_the_cap_is_accepted(client):
    assert client.get(f"/api/v1/schools?limit={API_MAX_LIMIT}").status_code == 200

    error = _assert_error(client.get(f"/api/v1/schools?limit={API_MAX_LIMIT + 1}"), 422, "invalid")
    assert "limit" in error["fields"]


def test_a_far_offset_within_range_is_an_empty_page(client):
    response = client.get("/api/v1/schools?offset=2000000000")

    assert response.status_code == 200
    assert response.json()["items"] == []
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=1&limit=5000", "limit"),
        ("offset=0&offset=1", "offset"),
        ("county_id=1&county_id=2", "county_id"),
        ("q=a&q=b", "q"),
    ],
)
def test_repeated_values_for_a_scalar_query_parameter_are_refused(client, query, field):
    error = _assert_error(client.get(f"/api/v1/schools?{query}"), 422, "invalid")

    assert field in error["fields"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["fields"][field])


def test_a_teacher_sees_the_same_422_for_a_huge_id(city):
    teacher = TeacherFactory(school=SchoolFactory(county=city.counties.first()))
    client = Client()
    client.force_login(teacher.user)

    _assert_error(client.get(f"/api/v1/teachers/{HUGE}/progress"), 422, "invalid")


def _integer_schemas(node, path=""):
    """Every JSON schema of type integer under node, with where it was found."""
    if isinstance(node, dict):
        types = node.get("type")
        if types == "integer" or (isinstance(types, list) and "integer" in types):
            yield path, node
        for key, value in node.items():
            yield from _integer_schemas(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _integer_schemas(value, f"{path}/{i}")


def _resolve(doc, node):
    if isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _resolve(doc, doc["components"]["schemas"][name])
    if isinstance(node, dict):
        return {k: _resolve(doc, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(doc, v) for v in node]
    return node


def test_every_integer_a_client_sends_is_bounded_in_the_openapi_document(client):
    """The general mechanism holds for new operations too: an `int` parameter or input field without
    `Id`/`Count`/bounds fails here."""
    doc = client.get("/api/v1/openapi.json").json()
    unbounded = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            inputs = _resolve(doc, [operation.get("parameters", []), operation.get("requestBody", {})])
            for where, schema in _integer_schemas(inputs):
                if "maximum" not in schema or "minimum" not in schema:
                    unbounded.append(f"{method.upper()} {path} {where}")
    assert unbounded == []


def test_the_openapi_document_states_the_limit_cap(client):
    doc = client.get("/api/v1/openapi.json").json()
    limit = next(p for p in doc["paths"]["/api/v1/schools"]["get"]["parameters"] if p["name"] == "limit")

    assert limit["schema"]["maximum"] == API_MAX_LIMIT


def test_unknown_parameters_are_ignored_even_when_repeated_or_holding_nul(client):
    assert client.get("/api/v1/schools?utm=1&utm=2&x=%00").status_code == 200
