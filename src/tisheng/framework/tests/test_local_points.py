"""R-FW-2: a city office adds local ability points (地方特色能力点), seen only in its own city."""

import html
import re
import string
from dataclasses import dataclass

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tisheng.core.errors import AppError, Conflict, Forbidden, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.framework import services
from tisheng.framework.models import AbilityPoint, Framework
from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    Role,
    SchoolFactory,
    TeacherFactory,
    user_with_role,
)

POINTS_API = "/api/v1/frameworks/henan-2021/points"
PAGE = "/framework/henan-2021/"
FORBIDDEN_MESSAGE = "只有市工程办管理员可以新增地方特色能力点"

pytestmark = pytest.mark.django_db


@dataclass
class CityPeople:
    city: object
    county: object
    admin: object
    county_admin: object
    evaluator: object
    school_team: object
    teacher: object


def _people(city_name: str, county_name: str) -> CityPeople:
    city = CityFactory(name=city_name)
    county = CountyFactory(city=city, name=county_name)
    school = SchoolFactory(county=county)
    return CityPeople(
        city=city,
        county=county,
        admin=user_with_role(Role.CITY_ADMIN, city),
        county_admin=user_with_role(Role.COUNTY_ADMIN, county),
        evaluator=user_with_role(Role.EVALUATOR, city),
        school_team=user_with_role(Role.SCHOOL_TEAM, school),
        teacher=TeacherFactory(school=school).user,
    )


@pytest.fixture
def henan():
    return Framework.objects.get(code="henan-2021")


@pytest.fixture
def xinyang():
    return _people("信阳市", "浉河区")


@pytest.fixture
def nanyang():
    return _people("南阳市", "宛城区")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fields(**overrides) -> dict:
    fields = {
        "code": "XY-1",
        "environment": "mixed",
        "dimension": "guidance",
        "title": "茶乡研学",
        "description": "利用信阳毛尖茶文化数字资源开展项目式学习指导。",
    }
    fields.update(overrides)
    return fields


def _add(actor, henan, city, **overrides):
    return services.ability_point_add_local(actor=actor, framework=henan, city=city, **_fields(**overrides))


def _api_add(user, city, **overrides):
    return _client(user).post(
        POINTS_API, {"city_id": city.id, **_fields(**overrides)}, content_type="application/json"
    )


def _form_add(user, city, **overrides):
    return _client(user).post(PAGE, {"city": city.id, **_fields(**overrides)})


def _api_codes(user) -> set[str]:
    response = _client(user).get(POINTS_API)
    assert response.status_code == 200
    return {p["code"] for p in response.json()}


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class _Counts:
    def __init__(self):
        self.points = AbilityPoint.objects.count()
        self.events = AuditEvent.objects.count()

    def unchanged(self) -> bool:
        return AbilityPoint.objects.count() == self.points and AuditEvent.objects.count() == self.events


# ---- the city office adds a point, three ways -------------------------------------------------


def test_city_admin_adds_a_local_point_through_the_service(henan, xinyang):
    point = _add(xinyang.admin, henan, xinyang.city)

    assert point.is_local
    assert point.city_id == xinyang.city.id
    assert point.framework_id == henan.id
    assert (point.code, point.environment, point.dimension) == ("XY-1", "mixed", "guidance")
    assert point.title == "茶乡研学"
    # It sorts after the 29 seed points and gets the default rubric (R-FW-3).
    assert (
        point.sort_order
        > AbilityPoint.objects.filter(city__isnull=True).order_by("-sort_order")[0].sort_order
    )
    assert [level["label"] for level in point.rubric] == ["优秀", "合格", "不合格"]
    assert AuditEvent.objects.filter(kind="ability_point.local_added", actor=xinyang.admin).count() == 1


def test_surrounding_whitespace_is_trimmed(henan, xinyang):
    point = _add(xinyang.admin, henan, xinyang.city, code="  XY-2 ", description="  说明文字。 \n")

    assert point.code == "XY-2"
    assert point.description == "说明文字。"


def test_city_admin_adds_a_local_point_through_the_api(henan, xinyang):
    response = _api_add(xinyang.admin, xinyang.city)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "XY-1"
    assert body["is_local"] is True
    assert body["city_id"] == xinyang.city.id
    assert body["dimension_label"] == "学法指导"
    assert AbilityPoint.objects.filter(framework=henan, code="XY-1", city=xinyang.city).exists()


def test_city_admin_adds_a_local_point_through_the_page(henan, xinyang):
    client = _client(xinyang.admin)
    form_page = client.get(PAGE)
    assert "新增地方特色能力点" in form_page.content.decode()

    response = client.post(PAGE, {"city": xinyang.city.id, **_fields()}, follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    content = response.content.decode()
    assert "已新增地方特色能力点 XY-1" in content
    assert "共 30 个能力点" in content
    assert AbilityPoint.objects.filter(framework=henan, code="XY-1", city=xinyang.city).exists()


# ---- who sees it ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "county_admin", "evaluator", "school_team", "teacher"])
def test_local_point_is_visible_to_people_of_that_city(henan, xinyang, who):
    _add(xinyang.admin, henan, xinyang.city)
    user = getattr(xinyang, who)

    assert "XY-1" in _api_codes(user)
    content = _client(user).get(PAGE).content.decode()
    assert "利用信阳毛尖茶文化数字资源" in content
    assert "共 30 个能力点" in content


@pytest.mark.parametrize("who", ["admin", "county_admin", "evaluator", "school_team", "teacher"])
def test_local_point_is_hidden_from_people_of_another_city(henan, xinyang, nanyang, who):
    _add(xinyang.admin, henan, xinyang.city)
    user = getattr(nanyang, who)

    codes = _api_codes(user)
    assert "XY-1" not in codes
    assert len(codes) == 29
    response = _client(user).get(PAGE)
    assert response.status_code == 200
    content = response.content.decode()
    assert "利用信阳毛尖茶文化数字资源" not in content
    assert "茶乡研学" not in content
    assert "共 29 个能力点" in content


def test_filters_do_not_reveal_another_citys_point(henan, xinyang, nanyang):
    _add(xinyang.admin, henan, xinyang.city)

    response = _client(nanyang.teacher).get(POINTS_API + "?environment=mixed&dimension=guidance")

    assert "XY-1" not in {p["code"] for p in response.json()}


def test_each_city_sees_its_own_points_only(henan, xinyang, nanyang):
    _add(xinyang.admin, henan, xinyang.city, code="XY-1")
    _add(nanyang.admin, henan, nanyang.city, code="NY-1")

    assert _api_codes(xinyang.teacher) - _api_codes(nanyang.teacher) == {"XY-1"}
    assert _api_codes(nanyang.teacher) - _api_codes(xinyang.teacher) == {"NY-1"}


# ---- who may not add one ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["county_admin", "evaluator", "school_team", "teacher"])
def test_others_cannot_add_through_the_service(henan, xinyang, who):
    counts = _Counts()

    with pytest.raises(Forbidden) as caught:
        _add(getattr(xinyang, who), henan, xinyang.city)

    assert FORBIDDEN_MESSAGE in str(caught.value.message)
    assert counts.unchanged()


@pytest.mark.parametrize("who", ["county_admin", "evaluator", "school_team", "teacher"])
def test_others_cannot_add_through_the_api(xinyang, who):
    counts = _Counts()

    response = _api_add(getattr(xinyang, who), xinyang.city)

    assert response.status_code == 403, response.content
    error = response.json()["error"]
    assert error["code"] == "forbidden"
    assert FORBIDDEN_MESSAGE in error["message"]
    assert counts.unchanged()


@pytest.mark.parametrize("who", ["county_admin", "evaluator", "school_team", "teacher"])
def test_others_cannot_add_through_the_page(xinyang, who):
    client = _client(getattr(xinyang, who))
    assert "新增地方特色能力点" not in client.get(PAGE).content.decode()
    counts = _Counts()

    response = client.post(PAGE, {"city": xinyang.city.id, **_fields()})

    assert response.status_code == 403
    assert FORBIDDEN_MESSAGE in response.content.decode()
    assert counts.unchanged()


def test_a_city_admin_cannot_add_for_another_city(henan, xinyang, nanyang):
    counts = _Counts()

    with pytest.raises(Forbidden):
        _add(nanyang.admin, henan, xinyang.city)
    api = _api_add(nanyang.admin, xinyang.city)
    page = _form_add(nanyang.admin, xinyang.city)

    # Through the API the other city is not even there.
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"
    # On the page the other city is not among the choices.
    assert page.status_code == 400
    assert counts.unchanged()


def test_anonymous_visitors_cannot_add(xinyang):
    counts = _Counts()

    api = Client().post(
        POINTS_API, {"city_id": xinyang.city.id, **_fields()}, content_type="application/json"
    )
    page = Client().post(PAGE, {"city": xinyang.city.id, **_fields()})

    assert api.status_code == 401
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/")
    assert counts.unchanged()


# ---- malformed input --------------------------------------------------------------------------

BAD_INPUT = [
    pytest.param({"code": "L 1"}, "code", id="code-with-space"),
    pytest.param({"code": ""}, "code", id="code-empty"),
    pytest.param({"code": "L" * 17}, "code", id="code-17-chars"),
    pytest.param({"code": "<script>"}, "code", id="code-script"),
    pytest.param({"code": "-L1"}, "code", id="code-leading-hyphen"),
    pytest.param({"code": "编号1"}, "code", id="code-chinese"),
    pytest.param({"environment": "space"}, "environment", id="environment-unknown"),
    pytest.param({"environment": ""}, "environment", id="environment-empty"),
    pytest.param({"dimension": "cooking"}, "dimension", id="dimension-unknown"),
    pytest.param({"description": ""}, "description", id="description-empty"),
    pytest.param({"description": "   "}, "description", id="description-blank"),
    pytest.param({"description": "字" * 2001}, "description", id="description-2001-chars"),
    pytest.param({"title": "名" * 65}, "title", id="title-65-chars"),
    pytest.param({"description": "说明\x00文字"}, "description", id="description-nul"),
    pytest.param({"title": "名\x00称"}, "title", id="title-nul"),
    pytest.param({"requirements": "提交\x00教案"}, "requirements", id="requirements-nul"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUT)
def test_malformed_input_is_refused_by_the_service(henan, xinyang, overrides, field):
    counts = _Counts()

    with pytest.raises(ValidationFailed) as caught:
        _add(xinyang.admin, henan, xinyang.city, **overrides)

    assert field in caught.value.fields
    assert _has_chinese(str(caught.value.message))
    assert counts.unchanged()


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUT)
def test_malformed_input_is_refused_by_the_api(xinyang, overrides, field):
    counts = _Counts()

    response = _api_add(xinyang.admin, xinyang.city, **overrides)

    assert response.status_code in (400, 422), response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert _has_chinese(error["message"])
    assert counts.unchanged()


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUT)
def test_malformed_input_is_refused_by_the_page(xinyang, overrides, field):
    counts = _Counts()

    response = _form_add(xinyang.admin, xinyang.city, **overrides)

    assert response.status_code == 400
    content = response.content.decode()
    assert 'class="form-error"' in content
    assert "Traceback" not in content
    errors = re.findall(r'class="form-error"[^>]*>(.*?)</div>', content, flags=re.S)
    assert errors and all(_has_chinese(e) for e in errors)
    assert counts.unchanged()


def test_the_page_keeps_what_was_typed_after_an_error(xinyang):
    response = _form_add(xinyang.admin, xinyang.city, code="L 1")

    assert "利用信阳毛尖茶文化数字资源开展项目式学习指导。" in response.content.decode()


@pytest.mark.parametrize("code", ["1-1", "3-8"])
def test_a_code_of_a_seed_point_is_a_conflict(henan, xinyang, code):
    counts = _Counts()

    with pytest.raises(Conflict) as caught:
        _add(xinyang.admin, henan, xinyang.city, code=code)

    assert code in str(caught.value.message)
    assert counts.unchanged()
    assert AbilityPoint.objects.get(framework=henan, code=code).city_id is None


def test_duplicate_code_through_the_service_is_a_conflict(henan, xinyang):
    _add(xinyang.admin, henan, xinyang.city)
    counts = _Counts()

    with pytest.raises(Conflict):
        _add(xinyang.admin, henan, xinyang.city, description="另一条描述。")

    assert counts.unchanged()


def test_two_cities_may_each_have_the_same_local_code(henan, xinyang, nanyang):
    first = _add(xinyang.admin, henan, xinyang.city)
    second = _add(nanyang.admin, henan, nanyang.city)

    assert first.code == second.code and first.pk != second.pk
    assert first.code in _api_codes(xinyang.teacher)
    assert [p.city_id for p in AbilityPoint.objects.filter(code=first.code)] == [
        xinyang.city.pk,
        nanyang.city.pk,
    ]


def test_duplicate_code_through_the_api_gives_409(xinyang):
    assert _api_add(xinyang.admin, xinyang.city).status_code == 201
    counts = _Counts()

    response = _api_add(xinyang.admin, xinyang.city, description="另一条描述。")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert "XY-1" in error["message"] and _has_chinese(error["message"])
    assert counts.unchanged()


def test_duplicate_code_through_the_page_gives_409_with_a_message(xinyang):
    assert _form_add(xinyang.admin, xinyang.city).status_code == 302
    counts = _Counts()

    response = _form_add(xinyang.admin, xinyang.city, description="另一条描述。")

    assert response.status_code == 409
    assert "编号“XY-1”在该框架中已被使用" in response.content.decode()
    assert counts.unchanged()


# ---- hostile text is data ---------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_script_in_the_description_is_stored_as_text_and_rendered_escaped(henan, xinyang):
    response = _form_add(xinyang.admin, xinyang.city, title="<b>粗体</b>", description=f"说明{SCRIPT}结束")
    assert response.status_code == 302

    point = AbilityPoint.objects.get(framework=henan, code="XY-1")
    assert point.description == f"说明{SCRIPT}结束"
    assert point.title == "<b>粗体</b>"
    for user in (xinyang.admin, xinyang.teacher):
        content = _client(user).get(PAGE).content.decode()
        assert SCRIPT not in content
        assert "<b>粗体</b>" not in content
        assert html.escape(SCRIPT) in content
        assert "&lt;b&gt;粗体&lt;/b&gt;" in content


def test_script_in_the_description_comes_back_from_the_api_as_the_same_text(xinyang):
    _api_add(xinyang.admin, xinyang.city, description=SCRIPT)

    response = _client(xinyang.teacher).get(POINTS_API)

    assert response["Content-Type"].startswith("application/json")
    (local,) = [p for p in response.json() if p["code"] == "XY-1"]
    assert local["description"] == SCRIPT


# ---- properties -------------------------------------------------------------------------------

CODE_ALPHABET = string.ascii_letters + string.digits + "-"


def _is_valid_code(raw: str) -> bool:
    """The rule as a user reads it: after trimming, 1–16 ASCII letters, digits or hyphens, not starting
    with a hyphen."""
    code = raw.strip()
    return 1 <= len(code) <= 16 and all(ch in CODE_ALPHABET for ch in code) and not code.startswith("-")


CODES = st.one_of(
    st.text(max_size=24),
    st.text(alphabet=CODE_ALPHABET + " \t\n", max_size=20),
    st.text(alphabet=st.characters(codec="ascii"), max_size=20),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=CODES)
def test_any_code_either_adds_exactly_one_point_or_raises_an_app_error(henan, xinyang, code):
    before = AbilityPoint.objects.count()
    existing = set(AbilityPoint.objects.filter(framework=henan).values_list("code", flat=True))

    try:
        point = _add(xinyang.admin, henan, xinyang.city, code=code)
    except AppError as exc:
        assert AbilityPoint.objects.count() == before
        if not _is_valid_code(code):
            assert isinstance(exc, ValidationFailed)
            assert "code" in exc.fields
        else:
            assert isinstance(exc, Conflict)
            assert code.strip() in existing
    else:
        assert _is_valid_code(code)
        assert code.strip() not in existing
        assert point.code == code.strip()
        assert AbilityPoint.objects.count() == before + 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(description=st.text(max_size=2100), title=st.text(max_size=80))
def test_any_description_and_title_are_stored_exactly_or_refused(henan, xinyang, description, title):
    counts = _Counts()
    code = f"P-{AbilityPoint.objects.count()}"

    try:
        point = _add(xinyang.admin, henan, xinyang.city, code=code, description=description, title=title)
    except AppError as exc:
        assert isinstance(exc, ValidationFailed)
        assert set(exc.fields) <= {"description", "title"}
        assert counts.unchanged()
    else:
        point.refresh_from_db()
        assert point.description == description.strip()
        assert point.title == title.strip()
        assert 1 <= len(point.description) <= 2000
        assert len(point.title) <= 64
