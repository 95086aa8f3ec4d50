"""The one error shape of the API (config/api.py): every failure is JSON
`{"error": {"code": ..., "message": ..., "fields"?: {...}}}`, never an HTML page or a traceback."""

import json

import pytest
from django.test import Client

from tisheng.core.models import AuditEvent
from tisheng.framework.models import AbilityPoint
from tisheng.organisation.tests.factories import CityFactory, CountyFactory, Role, user_with_role

POINTS = "/api/v1/frameworks/henan-2021/points"

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return CityFactory(name="信阳市")


@pytest.fixture
def city_admin(city):
    return user_with_role(Role.CITY_ADMIN, city)


@pytest.fixture
def admin_client(city_admin):
    client = Client()
    client.force_login(city_admin)
    return client


def _valid(city, **overrides) -> dict:
    payload = {
        "city_id": city.id,
        "code": "XY-1",
        "environment": "multimedia",
        "dimension": "design",
        "description": "利用本地资源平台设计茶文化主题课。",
    }
    payload.update(overrides)
    return payload


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    text = response.content.decode()
    assert "Traceback" not in text
    assert "<html" not in text.lower()
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert set(error) <= {"code", "message", "fields"}
    return error


@pytest.fixture
def nothing_written():
    """Asserts at the end of the test that no ability point and no audit event was written."""
    points, events = AbilityPoint.objects.count(), AuditEvent.objects.count()
    yield
    assert AbilityPoint.objects.count() == points
    assert AuditEvent.objects.count() == events


# ---- not signed in ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/counties", "/api/v1/schools", "/api/v1/me", POINTS])
def test_unauthenticated_get_gives_401_in_the_error_shape(url):
    error = _assert_error(Client().get(url), 401, "unauthenticated")

    assert "fields" not in error


def test_unauthenticated_post_gives_401_and_writes_nothing(city, nothing_written):
    response = Client().post(POINTS, _valid(city), content_type="application/json")

    _assert_error(response, 401, "unauthenticated")


def test_the_control_request_succeeds(admin_client, city):
    """The requests below differ from this one in one respect only."""
    response = admin_client.post(POINTS, _valid(city), content_type="application/json")

    assert response.status_code == 201, response.content
    assert response.json()["code"] == "XY-1"


# ---- malformed bodies -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        '{"city_id": 1, "code": "XY-1",',
        "",
        "null",
        "[]",
        '"a string"',
        "\xff\xfe garbage",
    ],
)
def test_malformed_json_gives_a_4xx_error_shape_without_traceback(admin_client, body, nothing_written):
    response = admin_client.post(POINTS, body, content_type="application/json")

    assert 400 <= response.status_code < 500, response.content
    _assert_error(response, response.status_code, "invalid")


def test_non_utf8_bytes_give_a_4xx_error_shape(admin_client, nothing_written):
    response = admin_client.generic("POST", POINTS, b'{"code": "\xff\xfe"}', content_type="application/json")

    assert 400 <= response.status_code < 500, response.content
    _assert_error(response, response.status_code, "invalid")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"city_id": "abc"}, "city_id"),
        ({"city_id": None}, "city_id"),
        ({"city_id": {"id": 1}}, "city_id"),
        ({"code": 17}, "code"),
        ({"code": ["XY-1"]}, "code"),
        ({"description": {"text": "x"}}, "description"),
        ({"environment": None}, "environment"),
    ],
)
def test_wrong_types_give_422_with_the_offending_field(admin_client, city, overrides, field, nothing_written):
    response = admin_client.post(POINTS, _valid(city, **overrides), content_type="application/json")

    error = _assert_error(response, 422, "invalid")
    assert field in error["fields"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


def test_missing_fields_give_422_naming_each_missing_field(admin_client, city, nothing_written):
    response = admin_client.post(POINTS, {"city_id": city.id}, content_type="application/json")

    error = _assert_error(response, 422, "invalid")
    assert {"code", "environment", "dimension", "description"} <= set(error["fields"])


def test_form_encoded_body_on_a_json_endpoint_is_refused(admin_client, city, nothing_written):
    response = admin_client.post(POINTS, _valid(city))

    assert 400 <= response.status_code < 500
    _assert_error(response, response.status_code, "invalid")


def test_body_over_the_upload_limit_gives_413_too_large(admin_client, city, settings, nothing_written):
    payload = _valid(city, description="")
    padding = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1 - len(json.dumps(payload))
    payload["description"] = "x" * padding
    body = json.dumps(payload)
    assert len(body.encode()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = admin_client.post(POINTS, body, content_type="application/json")

    _assert_error(response, 413, "too_large")


# ---- unknown or invisible ids -------------------------------------------------------------------


def test_unknown_county_id_gives_404_not_found(admin_client):
    _assert_error(admin_client.get("/api/v1/counties/987654"), 404, "not_found")


def test_county_of_another_city_looks_exactly_like_a_missing_one(admin_client, city):
    own = CountyFactory(city=city)
    foreign = CountyFactory(city=CityFactory(name="南阳市"))

    assert admin_client.get(f"/api/v1/counties/{own.id}").status_code == 200
    hidden = admin_client.get(f"/api/v1/counties/{foreign.id}")
    missing = admin_client.get("/api/v1/counties/987654")

    _assert_error(hidden, 404, "not_found")
    assert hidden.json() == missing.json()


def test_unknown_framework_gives_404_not_found(admin_client):
    _assert_error(admin_client.get("/api/v1/frameworks/no-such-framework/points"), 404, "not_found")


def test_posting_to_an_unknown_framework_gives_404_and_writes_nothing(admin_client, city, nothing_written):
    response = admin_client.post(
        "/api/v1/frameworks/no-such-framework/points", _valid(city), content_type="application/json"
    )

    _assert_error(response, 404, "not_found")


def test_posting_for_an_unknown_city_gives_404_and_writes_nothing(admin_client, city, nothing_written):
    response = admin_client.post(POINTS, _valid(city, city_id=987654), content_type="application/json")

    _assert_error(response, 404, "not_found")


def test_a_non_numeric_id_in_the_path_is_a_client_error(admin_client):
    response = admin_client.get("/api/v1/counties/abc")

    assert 400 <= response.status_code < 500
    assert "Traceback" not in response.content.decode()


# ---- CSRF -------------------------------------------------------------------------------------


def test_csrf_is_enforced_for_session_authenticated_unsafe_calls(city, city_admin, nothing_written):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city_admin)

    response = client.post(POINTS, _valid(city), content_type="application/json")

    _assert_error(response, 403, "csrf_failed")
    assert "CSRF" in response.json()["error"]["message"]


def test_an_unknown_api_path_answers_in_the_error_shape(city_admin):
    client = Client()
    client.force_login(city_admin)
    for path in ("/api/v1/nope", "/api/v2/schools", "/api/"):
        response = client.get(path)
        _assert_error(response, 404, "not_found")


def test_a_session_call_with_the_csrf_token_goes_through(city, city_admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city_admin)
    client.get("/framework/henan-2021/")  # any page with a form sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value

    response = client.post(POINTS, _valid(city), content_type="application/json", HTTP_X_CSRFTOKEN=csrf)

    assert response.status_code == 201, response.content


def test_csrf_is_not_needed_for_safe_methods(city_admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city_admin)

    assert client.get("/api/v1/counties").status_code == 200


def test_bearer_token_calls_need_no_csrf_token(city, city_admin):
    client = Client(enforce_csrf_checks=True)
    issued = client.post(
        "/api/v1/auth/token",
        {"username": city_admin.username, "password": "Correct-horse-9"},
        content_type="application/json",
    )
    assert issued.status_code == 201, issued.content

    response = client.post(
        POINTS,
        _valid(city),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {issued.json()['token']}",
    )

    assert response.status_code == 201, response.content


# ---- business errors use the same shape ---------------------------------------------------------


def test_service_validation_error_gives_400_with_fields(admin_client, city, nothing_written):
    response = admin_client.post(POINTS, _valid(city, code="L 1"), content_type="application/json")

    error = _assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"code"}
    assert "编号" in error["message"]


def test_conflict_gives_409(admin_client, city):
    admin_client.post(POINTS, _valid(city), content_type="application/json")
    before = AbilityPoint.objects.count()

    response = admin_client.post(POINTS, _valid(city), content_type="application/json")

    error = _assert_error(response, 409, "conflict")
    assert "XY-1" in error["message"]
    assert AbilityPoint.objects.count() == before


# ---- bad tokens, methods, URLs: still the one shape ------------------------------------------------
def _issue_token(client, user) -> str:
    issued = client.post(
        "/api/v1/auth/token",
        {"username": user.username, "password": "Correct-horse-9"},
        content_type="application/json",
    )
    assert issued.status_code == 201, issued.content
    return issued.json()["token"]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", POINTS),
        ("put", "/api/v1/schools/1/menu"),
        ("patch", "/api/v1/cities/1/programme"),
        ("delete", "/api/v1/uploads/00000000-0000-0000-0000-000000000001"),
        ("get", POINTS),
    ],
)
def test_a_wrong_bearer_token_gets_401_not_a_csrf_403(city, method, url, nothing_written):
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)(
        url, _valid(city), content_type="application/json", HTTP_AUTHORIZATION="Bearer not-a-real-token"
    )

    _assert_error(response, 401, "unauthenticated")


def test_a_revoked_bearer_token_gets_401_on_an_unsafe_call(city, city_admin):
    client = Client(enforce_csrf_checks=True)
    key = _issue_token(client, city_admin)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.delete("/api/v1/auth/token", **auth).status_code == 204
    points = AbilityPoint.objects.count()

    response = client.post(POINTS, _valid(city), content_type="application/json", **auth)

    _assert_error(response, 401, "unauthenticated")
    assert AbilityPoint.objects.count() == points


def test_a_wrong_bearer_token_is_refused_even_with_a_valid_session(city, city_admin, nothing_written):
    client = Client()
    client.force_login(city_admin)

    response = client.post(
        POINTS, _valid(city), content_type="application/json", HTTP_AUTHORIZATION="Bearer revoked-or-wrong"
    )

    _assert_error(response, 401, "unauthenticated")


def test_an_unsafe_call_with_no_credentials_at_all_is_401_not_403(city, nothing_written):
    response = Client(enforce_csrf_checks=True).post(POINTS, _valid(city), content_type="application/json")

    _assert_error(response, 401, "unauthenticated")


def test_a_method_the_path_does_not_have_is_405_in_the_error_shape(admin_client):
    response = admin_client.patch("/api/v1/counties", {}, content_type="application/json")

    error = _assert_error(response, 405, "method_not_allowed")
    assert error["fields"] == {"method": "PATCH"}
    assert "GET" in response["Allow"]


def test_an_oversized_url_is_414_in_the_error_shape(admin_client):
    response = admin_client.get("/api/v1/schools", {"q": "校" * 3000})

    _assert_error(response, 414, "uri_too_long")


def test_an_ordinary_long_query_is_not_refused(admin_client):
    assert admin_client.get("/api/v1/schools", {"q": "校" * 64}).status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "says"),
    [
        ("limit=0", "limit", "应不小于 1"),
        ("limit=abc", "limit", "应为整数"),
        ("county_id=-1", "county_id", "应不小于 1"),
    ],
)
def test_schema_errors_explain_each_field_in_chinese(admin_client, query, field, says):
    error = _assert_error(admin_client.get(f"/api/v1/schools?{query}"), 422, "invalid")

    assert says in error["fields"][field]


def test_an_unknown_enum_value_names_the_accepted_ones(admin_client, city, nothing_written):
    response = admin_client.post(POINTS, _valid(city, environment="space"), content_type="application/json")

    error = _assert_error(response, 422, "invalid")
    assert "multimedia" in error["fields"]["environment"]
    assert "应为以下之一" in error["fields"]["environment"]


# ---- the OpenAPI document says all this -------------------------------------------------------------
@pytest.fixture
def openapi(admin_client):
    return admin_client.get("/api/v1/openapi.json").json()


def test_each_operation_declares_its_error_statuses_in_the_error_shape(openapi):
    responses = openapi["paths"][POINTS.replace("henan-2021", "{code}")]["post"]["responses"]

    assert {"400", "401", "403", "404", "409", "413", "414", "422"} <= set(responses)
    schema = responses["409"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/ErrorOut")
    assert {"401", "404", "422"} <= set(openapi["paths"]["/api/v1/counties/{county_id}"]["get"]["responses"])
    assert "404" in openapi["paths"]["/api/v1/me/picks"]["get"]["responses"]


def test_the_enums_the_services_enforce_are_in_the_document(openapi):
    schemas = openapi["components"]["schemas"]

    assert schemas["LocalPointIn"]["properties"]["environment"]["enum"] == ["multimedia", "mixed", "smart"]
    assert "design" in schemas["LocalPointIn"]["properties"]["dimension"]["enum"]
    assert "personal" in schemas["PlanIn"]["properties"]["kind"]["enum"]
    assert schemas["TrainingIn"]["properties"]["organiser_kind"]["enum"] == ["city", "county", "school"]
    assert schemas["LocalPointIn"]["properties"]["description"]["maxLength"] == 2000


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/schools?q=a%00b", "q"),
        ("/api/v1/teachers?q=%00", "q"),
        ("/api/v1/frameworks/henan-2021/points?environment=%00", "environment"),
        ("/api/v1/plans?status=%00", "status"),
        ("/api/v1/frameworks/a%00b/points", "code"),
    ],
)
def test_nul_in_a_query_or_path_parameter_is_422_not_a_database_error(admin_client, url, field):
    # PostgreSQL cannot hold NUL in text: without this check its driver raises (a 500).
    error = _assert_error(admin_client.get(url), 422, "invalid")

    assert field in error["fields"]


def test_the_document_says_texts_hold_no_nul_and_hours_are_tenths(openapi):
    schemas = openapi["components"]["schemas"]

    assert schemas["ManualEntryIn"]["properties"]["reason"]["pattern"] == "^[^\\u0000]*$"
    hours = schemas["ManualEntryIn"]["properties"]["hours"]
    assert (hours["type"], hours["multipleOf"], hours["exclusiveMinimum"], hours["maximum"]) == (
        "number",
        0.1,
        0,
        100,
    )
    q = next(p for p in openapi["paths"]["/api/v1/schools"]["get"]["parameters"] if p["name"] == "q")
    assert q["schema"]["pattern"] == "^[^\\u0000]*$"


def test_hours_sent_as_a_float_with_binary_noise_are_read_as_the_tenth_they_stand_for(city):
    from tisheng.organisation.tests.factories import SchoolFactory, TeacherFactory

    school = SchoolFactory(county=CountyFactory(city=city))
    teacher = TeacherFactory(school=school)
    client = Client()
    client.force_login(user_with_role(Role.SCHOOL_TEAM, school, is_principal=True))
    payload = {"kind": "practice", "hours": 0.1 * 3, "date": "2022-05-01", "reason": "补录线下培训"}
    assert payload["hours"] != 0.3

    response = client.post(
        f"/api/v1/hours/teachers/{teacher.pk}/entries", payload, content_type="application/json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["hours"] == 0.3
    error = _assert_error(
        client.post(
            f"/api/v1/hours/teachers/{teacher.pk}/entries",
            {**payload, "hours": 1.25},
            content_type="application/json",
        ),
        422,
        "invalid",
    )
    assert "1 位小数" in error["fields"]["hours"]
