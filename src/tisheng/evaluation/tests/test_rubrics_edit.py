"""Rubrics as data (R-FW-3, issue 10 item 1): the city office edits a point's rubric on pages and in
the API; every edit is a new version, the old one stays, and ratings keep the version they were given
under. Hostile, oversized and malformed input is refused in Chinese with nothing written."""

import pytest
from django.urls import reverse

from tisheng.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.evaluation import services
from tisheng.evaluation.models import Rubric
from tisheng.evaluation.rubrics import current_rubric
from tisheng.framework.models import AbilityPoint
from tisheng.organisation.tests.factories import CityFactory, user_with_role
from tisheng.people.models import Role

from .assess_world import build_world


@pytest.fixture(name="world")
def _world(db):
    return build_world()


GOOD = {
    "criteria": [
        {"label": "技术应用恰当", "description": "所用技术服务于教学目标。"},
        {"label": "学情分析到位", "description": "课前用问卷或平台数据了解学情。"},
    ],
    "level_descriptions": {"excellent": "技术应用有创新，效果显著。", "fail": "材料缺失。"},
    "requirements": "教学设计一份、课堂实录片段一段。",
    "note": "细化评价指标",
}


def _edit(world, rubric, **change):
    return services.rubric_update(actor=world.city_admin, rubric=rubric, **{**GOOD, **change})


def _rows():
    return list(Rubric.objects.order_by("id").values_list("id", "version", "is_current"))


def test_an_edit_is_a_new_version_and_the_old_one_stays(world):
    first = current_rubric(city_id=world.city.pk, point=world.p11)
    new = _edit(world, first)
    first.refresh_from_db()
    assert (new.version, new.is_current, first.is_current) == (2, True, False)
    assert [c["key"] for c in new.criteria] == ["c1", "c2"]
    assert new.levels[0]["description"] == "技术应用有创新，效果显著。"
    assert new.levels[1]["description"] == first.levels[1]["description"]  # not sent: kept
    assert new.created_by == world.city_admin and new.note == "细化评价指标"
    assert current_rubric(city_id=world.city.pk, point=world.p11) == new
    event = AuditEvent.objects.get(kind="evaluation.rubric_changed")
    assert event.data["version"] == 2 and event.data["previous"] == first.pk


def test_ratings_keep_the_version_they_were_given_under(world):
    evidence = world.ready_for_verdict()
    v1 = current_rubric(city_id=world.city.pk, point=world.p11)
    v2 = _edit(world, v1)
    verdict = world.judge(evidence, "pass")
    assert evidence.self_evaluations.get().rubric == v1
    assert verdict.rubric == v2 and set(verdict.ratings) == {"c1", "c2"}
    page = world.client(world.member).get(reverse("assess-detail", args=[evidence.pk])).content.decode()
    assert "量规第1版" in page and "量规第2版" in page


def test_editing_a_version_that_is_no_longer_current_is_refused(world):
    first = current_rubric(city_id=world.city.pk, point=world.p11)
    _edit(world, first)
    before = _rows()
    with pytest.raises(Conflict, match="第2版"):
        _edit(world, first, note="另一位同事的修改")
    assert _rows() == before


def test_only_the_city_office_edits(world):
    rubric = current_rubric(city_id=world.city.pk, point=world.p11)
    for user in (world.city_guide, world.county_admin, world.principal, world.teacher.user, world.member):
        with pytest.raises(Forbidden):
            services.rubric_update(actor=user, rubric=rubric, **GOOD)
    other_city_admin = user_with_role(Role.CITY_ADMIN, CityFactory(name="南阳市"))
    with pytest.raises(NotFound):
        services.rubric_update(actor=other_city_admin, rubric=rubric, **GOOD)
    assert Rubric.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"criteria": []},
        {"criteria": [{"label": "", "description": ""}]},
        {"criteria": [{"label": f"指标{n}", "description": ""} for n in range(11)]},
        {"criteria": [{"label": "长" * 41, "description": ""}]},
        {"criteria": [{"label": "指标", "description": "长" * 501}]},
        {"criteria": [{"label": "", "description": "只有说明没有名称"}]},
        {"criteria": [{"label": "重复", "description": ""}, {"label": "重复", "description": ""}]},
        {"criteria": [{"label": "空字符\x00", "description": ""}]},
        {"criteria": "not a list"},
        {"criteria": ["not a dict"]},
        {"level_descriptions": {"perfect": "没有这个等级"}},
        {"level_descriptions": {"pass": "长" * 501}},
        {"level_descriptions": "not a dict"},
        {"requirements": "长" * 2001},
        {"note": ""},
        {"note": "长" * 201},
        {"note": "说明\x00"},
    ],
)
def test_bad_rubrics_are_refused_in_chinese_and_nothing_is_written(world, change):
    rubric = current_rubric(city_id=world.city.pk, point=world.p11)
    before = _rows()
    with pytest.raises(ValidationFailed) as exc:
        _edit(world, rubric, **change)
    assert not str(exc.value.message).isascii()
    assert _rows() == before


def test_local_points_have_rubrics_too(world):
    local = AbilityPoint.objects.create(
        framework=world.p11.framework,
        code="L-1",
        environment="mixed",
        dimension="design",
        description="利用本地资源平台开展混合式教学设计。",
        city=world.city,
        sort_order=999,
    )
    client = world.client(world.city_admin)
    page = client.get(reverse("rubric-list", args=[world.city.pk])).content.decode()
    assert 'data-testid="rubric-row-L-1"' in page and 'data-testid="rubric-row-3-8"' in page
    assert Rubric.objects.filter(city=world.city).count() == 30
    assert Rubric.objects.filter(point=local, is_current=True).exists()
    # Another city never sees this city's local point.
    other = user_with_role(Role.CITY_ADMIN, CityFactory(name="南阳市"))
    other_city = other.role_assignments.get().city
    other_page = world.client(other).get(reverse("rubric-list", args=[other_city.pk])).content.decode()
    assert "L-1" not in other_page


# ---- pages --------------------------------------------------------------------------------------------
def _form(rubric, **change):
    data = {"requirements": "教学设计一份。", "note": "细化评价指标"}
    for n, c in enumerate(rubric.criteria, start=1):
        data[f"c{n}_label"] = c["label"]
        data[f"c{n}_description"] = c["description"]
    for row in rubric.levels:
        data[f"level_{row['level']}"] = row["description"]
    data.update(change)
    return data


def test_the_city_office_edits_on_the_page(world):
    rubric = current_rubric(city_id=world.city.pk, point=world.p11)
    client = world.client(world.city_admin)
    menu = client.get(reverse("home")).content.decode()
    assert 'data-testid="nav-rubrics"' in menu
    assert client.get(reverse("rubric-home")).status_code == 302
    page = client.get(reverse("rubric-list", args=[world.city.pk])).content.decode()
    assert f'href="{reverse("rubric-edit", args=[rubric.pk])}"' in page
    assert client.get(reverse("rubric-edit", args=[rubric.pk])).status_code == 200
    response = client.post(
        reverse("rubric-edit", args=[rubric.pk]),
        _form(rubric, c4_label="课堂互动", c4_description="学生参与。"),
    )
    new = Rubric.objects.get(is_current=True, point=world.p11)
    assert response.status_code == 302 and response["Location"] == reverse("rubric-detail", args=[new.pk])
    assert new.version == 2 and new.criteria[3]["label"] == "课堂互动"
    detail = client.get(reverse("rubric-detail", args=[rubric.pk])).content.decode()
    assert "历史版本" in detail and "细化评价指标" in detail


def test_those_who_only_view_read_the_rubrics(world):
    rubric = current_rubric(city_id=world.city.pk, point=world.p11)
    for user in (world.city_guide, world.county_admin, world.principal, world.teacher.user):
        client = world.client(user)
        page = client.get(reverse("rubric-list", args=[world.city.pk]))
        assert (
            page.status_code == 200 and reverse("rubric-edit", args=[rubric.pk]) not in page.content.decode()
        )
        assert client.get(reverse("rubric-detail", args=[rubric.pk])).status_code == 200
        assert client.get(reverse("rubric-edit", args=[rubric.pk])).status_code == 404
        assert client.post(reverse("rubric-edit", args=[rubric.pk]), _form(rubric)).status_code == 404
    assert not Rubric.objects.filter(version__gt=1).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"note": ""},
        {"note": "长" * 201},
        {"c1_label": "长" * 41},
        {"c1_label": "空字符\x00"},
        {
            "c1_label": "",
            "c1_description": "",
            "c2_label": "",
            "c2_description": "",
            "c3_label": "",
            "c3_description": "",
        },
        {"level_pass": "长" * 501},
        {"requirements": "长" * 2001},
        {"c2_label": "能力点达成"},
        {"c1_label": "", "c1_description": "只有说明"},
    ],
)
def test_the_edit_page_refuses_bad_input(world, change):
    rubric = current_rubric(city_id=world.city.pk, point=world.p11)
    before = _rows()
    response = world.client(world.city_admin).post(
        reverse("rubric-edit", args=[rubric.pk]), _form(rubric, **change)
    )
    assert response.status_code == 400
    assert 'class="form-error"' in response.content.decode()
    assert _rows() == before


# ---- API ------------------------------------------------------------------------------------------------
def test_api_lists_gets_and_updates_rubrics(world):
    client = world.client(world.city_admin)
    listed = client.get(f"/api/v1/cities/{world.city.pk}/rubrics").json()
    assert listed["city_id"] == world.city.pk and len(listed["rubrics"]) == 29
    first = next(r for r in listed["rubrics"] if r["point_code"] == "1-1")
    assert client.get(f"/api/v1/rubrics/{first['id']}").json()["version"] == 1
    body = {
        "criteria": GOOD["criteria"],
        "levels": {"excellent": "有创新", "pass": "达到要求"},
        "requirements": "教学设计一份",
        "note": "细化",
    }
    response = client.put(f"/api/v1/rubrics/{first['id']}", body, content_type="application/json")
    assert response.status_code == 200, response.content
    new = response.json()
    assert new["version"] == 2 and new["is_current"] and new["levels"][1]["description"] == "达到要求"
    again = client.put(f"/api/v1/rubrics/{first['id']}", body, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "stale_rubric"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"criteria": [], "note": "细化"},
        {"criteria": [{"label": "x"}] * 11, "note": "细化"},
        {"criteria": [{"label": "长" * 41}], "note": "细化"},
        {"criteria": [{"label": "x\x00"}], "note": "细化"},
        {"criteria": [{"label": "x"}], "note": ""},
        {"criteria": [{"label": "x"}], "note": "长" * 201},
        {"criteria": [{"label": "x"}], "note": "细化", "levels": {"pass": "长" * 501}},
        {"criteria": [{"label": "x"}], "note": "细化", "requirements": "长" * 2001},
        {"criteria": "x", "note": "细化"},
        {"criteria": [{"label": 5}], "note": "细化"},
    ],
)
def test_api_refuses_malformed_rubrics(world, body):
    rubric = current_rubric(city_id=world.city.pk, point=world.p11)
    before = _rows()
    response = world.client(world.city_admin).put(
        f"/api/v1/rubrics/{rubric.pk}", body, content_type="application/json"
    )
    assert response.status_code in (400, 422)
    error = response.json()["error"]
    assert error["code"] == "invalid" and not error["message"].isascii()
    assert _rows() == before


def test_api_refuses_non_managers(world):
    rubric = current_rubric(city_id=world.city.pk, point=world.p11)
    body = {"criteria": GOOD["criteria"], "note": "细化"}
    response = world.client(world.principal).put(
        f"/api/v1/rubrics/{rubric.pk}", body, content_type="application/json"
    )
    assert response.status_code == 403 and not response.json()["error"]["message"].isascii()
    other = user_with_role(Role.CITY_ADMIN, CityFactory(name="南阳市"))
    response = world.client(other).put(f"/api/v1/rubrics/{rubric.pk}", body, content_type="application/json")
    assert response.status_code == 404
    assert Rubric.objects.count() == 1
