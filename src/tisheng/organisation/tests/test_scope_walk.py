"""Scope is never crossed (foundation item 3).

Walks every page and every API operation that takes an id, with users of every role and scope,
and checks each gets the row when it is theirs and "not found" otherwise — with exactly the same
response as for an id that does not exist, so ids leak nothing. List pages and list operations are
checked to contain only rows in scope.

The expected visibility is written out here by hand (the oracle), not computed by core/scoping.py.
A new URL or API operation with an id parameter this test does not know fails the test until it
is added to PARAMS / the oracle.
"""

import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tisheng.config.api import api
from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    GroupFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    assign,
)
from tisheng.people.models import Role

MISSING_ID = 987654321

# Non-GET API operations and how their cross-scope behaviour is tested elsewhere.
WRITE_OPERATIONS = {
    ("post", "/api/v1/auth/token"): "people/tests/test_api_tokens.py (anonymous, own credentials only)",
    ("delete", "/api/v1/auth/token"): "people/tests/test_api_tokens.py (revokes only the caller's token)",
    (
        "post",
        "/api/v1/frameworks/{code}/points",
    ): "framework/tests/test_local_points.py + test_write_scope below",
    ("post", "/api/v1/imports"): "exchange/tests/test_import_web.py (upload into another unit is not found)",
    ("post", "/api/v1/imports/{job_id}/confirm"): "walked below (POST) + exchange/tests/test_import_web.py",
}


@pytest.fixture
def world(db):
    city_a = CityFactory(name="甲市")
    city_b = CityFactory(name="乙市")
    a1 = CountyFactory(city=city_a, name="甲一县")
    a2 = CountyFactory(city=city_a, name="甲二县")
    b1 = CountyFactory(city=city_b, name="乙一县")
    s1 = SchoolFactory(county=a1, name="甲一县第一小学")
    s2 = SchoolFactory(county=a1, name="甲一县第二小学")
    s3 = SchoolFactory(county=a2, name="甲二县实验中学")
    sb = SchoolFactory(county=b1, name="乙一县育才小学")
    g1 = GroupFactory(school=s1, name="语文组")
    g2 = GroupFactory(school=s1, name="数学组")
    g3 = GroupFactory(school=s2, name="英语组")
    g4 = GroupFactory(school=s3, name="理化组")
    gb = GroupFactory(school=sb, name="综合组")
    t1 = TeacherFactory(school=s1, group=g1)
    t2 = TeacherFactory(school=s1, group=g2)
    t3 = TeacherFactory(school=s2, group=g3)
    t4 = TeacherFactory(school=s3, group=g4)
    tb = TeacherFactory(school=sb, group=gb)

    def user(role, unit, **marks):
        u = UserFactory()
        assign(u, role, unit, **marks)
        return u

    users = {
        "city_admin_a": user(Role.CITY_ADMIN, city_a),
        "city_guide_a": user(Role.CITY_GUIDE, city_a),
        "county_admin_a1": user(Role.COUNTY_ADMIN, a1),
        "county_guide_a2": user(Role.COUNTY_GUIDE, a2),
        "principal_s1": user(Role.SCHOOL_TEAM, s1, is_principal=True),
        "group_leader_g1": user(Role.GROUP_LEADER, g1),
        "teacher_t1": t1.user,
        "evaluator_s3": user(Role.EVALUATOR, s3),
        "city_admin_b": user(Role.CITY_ADMIN, city_b),
        "nobody": UserFactory(),
    }

    def job(unit_user, unit, name):
        from tisheng.exchange.models import ImportJob, ImportStatus

        school = unit if unit.__class__.__name__ == "School" else None
        county = school.county if school else (unit if unit.__class__.__name__ == "County" else None)
        city = county.city if county else unit
        j = ImportJob(
            kind="roster",
            status=ImportStatus.DONE,
            created_by=unit_user,
            city=city,
            county=county,
            school=school,
            original_name=name,
        )
        j.file.save(name, ContentFile(b"x"), save=False)
        j.report.save("r.xlsx", ContentFile(b"report"), save=False)
        j.save()
        return j

    jobs = {
        "j_a1": job(users["county_admin_a1"], a1, "甲一县花名册.xlsx"),
        "j_s1": job(users["principal_s1"], s1, "一小花名册.xlsx"),
        "j_b": job(users["city_admin_b"], city_b, "乙市学校.xlsx"),
    }
    objects = {
        "import": jobs,
        "county": {"a1": a1, "a2": a2, "b1": b1},
        "school": {"s1": s1, "s2": s2, "s3": s3, "sb": sb},
        "group": {"g1": g1, "g2": g2, "g3": g3, "g4": g4, "gb": gb},
        "teacher": {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "tb": tb},
    }
    # The oracle: which named objects each user may see.
    a_all = {"a1", "a2", "s1", "s2", "s3", "g1", "g2", "g3", "g4", "t1", "t2", "t3", "t4"}
    # Import jobs: their uploader and the managers of the unit they write into; guides never.
    visible = {
        "city_admin_a": a_all | {"j_a1", "j_s1"},
        "city_guide_a": a_all,
        "county_admin_a1": {"a1", "s1", "s2", "g1", "g2", "g3", "t1", "t2", "t3", "j_a1", "j_s1"},
        "county_guide_a2": {"a2", "s3", "g4", "t4"},
        "principal_s1": {"s1", "g1", "g2", "t1", "t2", "j_s1"},
        "group_leader_g1": {"g1", "t1"},
        "teacher_t1": {"t1"},
        "evaluator_s3": {"s3", "g4", "t4"},
        "city_admin_b": {"b1", "sb", "gb", "tb", "j_b"},
        "nobody": set(),
    }
    return users, objects, visible


PARAMS = {
    "county_id": "county",
    "school_id": "school",
    "group_id": "group",
    "teacher_id": "teacher",
    "job_id": "import",
}
MISSING = {"job_id": "00000000-0000-4000-8000-000000000000"}


def _page_patterns():
    """Every HTML route with an int id parameter (admin and the API are walked separately)."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                route = str(p.pattern)
                if route.startswith(("admin/", "api/", "i18n/")):
                    continue
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern) and p.pattern.converters:
                found.append((p.name, list(p.pattern.converters)))

    walk(get_resolver().url_patterns)
    return found


def _api_id_operations():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    ops = []
    for path, methods in schema["paths"].items():
        for method in methods:
            params = re.findall(r"{(\w+)}", path)
            ops.append((method, path, params))
    return ops


CSRF = re.compile(rb'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def _same_page(response, missing, path, missing_path) -> bool:
    """Equal but for the per-request CSRF mask and the requested path echoed in the language form."""

    def norm(content: bytes, own_path: str) -> bytes:
        return CSRF.sub(rb"\1", content).replace(own_path.encode(), b"PATH")

    return norm(response.content, path) == norm(missing.content, missing_path)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_every_page_with_an_id_is_walked():
    for name, params in _page_patterns():
        if name == "framework-detail":  # slug of a public framework, not a scoped row
            continue
        assert len(params) == 1 and params[0] in PARAMS, (
            f"page {name} has parameters {params}: add it to this test"
        )


def test_pages_show_rows_in_scope_and_not_found_otherwise(world):
    users, objects, visible = world
    pages = [(name, params[0]) for name, params in _page_patterns() if params[0] in PARAMS]
    assert len(pages) >= 4
    for user_key, user in users.items():
        client = _client(user)
        for name, param in pages:
            kind = PARAMS[param]
            missing_path = reverse(name, kwargs={param: MISSING.get(param, MISSING_ID)})
            call = client.get
            if client.get(missing_path).status_code == 405:
                call = client.post  # a POST-only action (e.g. confirm an import)
            missing = call(missing_path)
            assert missing.status_code == 404, (user_key, name)
            for obj_key, obj in objects[kind].items():
                path = reverse(name, kwargs={param: obj.pk})
                response = call(path)
                if obj_key in visible[user_key]:
                    expected = (200,) if call == client.get else (302, 409)
                    assert response.status_code in expected, (user_key, name, obj_key, response.status_code)
                else:
                    assert response.status_code == 404, (user_key, name, obj_key, response.status_code)
                    # Same page as for a row that does not exist: nothing tells them it exists.
                    assert _same_page(response, missing, path, missing_path), (user_key, name, obj_key)


def test_api_operations_with_an_id(world):
    users, objects, visible = world
    ops = _api_id_operations()
    id_ops = [(m, p, params) for m, p, params in ops if params and (m == "get" or (m, p) in WRITE_OPERATIONS)]
    assert {p for _m, p, _ in id_ops} >= {
        "/api/v1/counties/{county_id}",
        "/api/v1/schools/{school_id}",
        "/api/v1/groups/{group_id}",
        "/api/v1/teachers/{teacher_id}",
    }
    for method, path, params in ops:
        if method != "get":
            assert (method, path) in WRITE_OPERATIONS, f"{method.upper()} {path}: add its cross-scope test"
        if params and params != ["code"]:
            assert len(params) == 1 and params[0] in PARAMS, f"{path}: add it to this test"
    for user_key, user in users.items():
        client = _client(user)
        for method, path, params in id_ops:
            if params == ["code"]:
                continue
            param = params[0]
            kind = PARAMS[param]
            call = getattr(client, method)
            missing = call(path.replace("{" + param + "}", str(MISSING.get(param, MISSING_ID))))
            assert missing.status_code == 404
            assert missing.json()["error"]["code"] == "not_found"
            for obj_key, obj in objects[kind].items():
                response = call(path.replace("{" + param + "}", str(obj.pk)))
                if obj_key in visible[user_key]:
                    if path.endswith("/report"):
                        assert response.status_code == 200, (user_key, path, obj_key)
                    elif method == "post":
                        assert response.status_code == 409, (user_key, path, obj_key)  # already imported
                    else:
                        assert response.status_code == 200, (user_key, path, obj_key)
                        assert str(response.json()["id"]) == str(obj.pk)
                else:
                    assert response.status_code == 404, (user_key, path, obj_key)
                    assert response.json() == missing.json()


def test_api_lists_contain_only_rows_in_scope(world):
    users, objects, visible = world
    lists = {
        "/api/v1/counties": "county",
        "/api/v1/schools": "school",
        "/api/v1/groups": "group",
        "/api/v1/teachers": "teacher",
    }
    for user_key, user in users.items():
        client = _client(user)
        for path, kind in lists.items():
            body = client.get(path, {"limit": 100}).json()
            got = {item["id"] for item in body["items"]}
            expected = {obj.pk for key, obj in objects[kind].items() if key in visible[user_key]}
            assert got == expected, (user_key, path)
            assert body["count"] == len(expected)
        # Filtering by a unit outside the scope yields nothing, not the other unit's rows.
        for school in objects["school"].values():
            got = {t["id"] for t in client.get("/api/v1/teachers", {"school_id": school.pk}).json()["items"]}
            expected = {
                t.pk
                for k, t in objects["teacher"].items()
                if k in visible[user_key] and t.school_id == school.pk
            }
            assert got == expected, (user_key, school.name)


def test_list_pages_show_only_names_in_scope(world):
    users, objects, visible = world
    for user_key, user in users.items():
        client = _client(user)
        home = client.get(reverse("home")).content.decode()
        schools_page = client.get(reverse("school-list")).content.decode()
        for key, school in objects["school"].items():
            shown = school.name in home or school.name in schools_page
            assert shown == (
                key in visible[user_key] and user_key not in {"group_leader_g1", "teacher_t1"}
            ) or (
                # a teacher and a group leader see their own school's name on their home page only
                user_key in {"group_leader_g1", "teacher_t1"} and key == "s1"
            ), (user_key, school.name)


def test_anonymous_is_sent_to_login_and_api_says_unauthenticated(world):
    _users, objects, _visible = world
    client = Client()
    school = objects["school"]["s1"]
    response = client.get(reverse("school-detail", kwargs={"school_id": school.pk}))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    response = client.get(f"/api/v1/schools/{school.pk}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_write_scope_local_point_for_another_city_is_not_found(world):
    users, _objects, _visible = world
    city_a = users["city_admin_a"].role_assignments.get().city
    for user_key in ("city_admin_b", "county_admin_a1", "principal_s1", "teacher_t1", "evaluator_s3"):
        client = _client(users[user_key])
        response = client.post(
            "/api/v1/frameworks/henan-2021/points",
            {
                "city_id": city_a.pk,
                "code": "L-9",
                "environment": "mixed",
                "dimension": "design",
                "description": "x",
            },
            content_type="application/json",
        )
        assert response.status_code in (403, 404), user_key
        assert response.json()["error"]["code"] in ("not_found", "forbidden")
