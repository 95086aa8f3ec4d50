"""R-FW-1 and R-FW-3: Henan's 29 ability points as loaded by migration 0003, checked against the seed."""

from pathlib import Path

import pytest
from django.test import Client

from tisheng.framework.models import AbilityPoint, Dimension, Environment, Framework
from tisheng.organisation.tests.factories import UserFactory

REPO_ROOT = next(p for p in Path(__file__).resolve().parents if (p / "docs" / "seeds").is_dir())
SEED = REPO_ROOT / "docs" / "seeds" / "xinyang-implementation-plan.txt"

# R-FW-1, as written in shared/DOMAIN.md: dimension by code.
LEARNER, DESIGN, GUIDANCE, ASSESSMENT = "学情分析", "教学设计", "学法指导", "学业评价"
EXPECTED_DIMENSIONS = {
    "1-1": LEARNER,
    **{f"1-{n}": DESIGN for n in (2, 3)},
    **{f"1-{n}": GUIDANCE for n in range(4, 9)},
    **{f"1-{n}": ASSESSMENT for n in (9, 10, 11)},
    "2-1": LEARNER,
    **{f"2-{n}": DESIGN for n in (2, 3)},
    **{f"2-{n}": GUIDANCE for n in range(4, 9)},
    **{f"2-{n}": ASSESSMENT for n in (9, 10)},
    **{f"3-{n}": DESIGN for n in (1, 2, 3)},
    **{f"3-{n}": GUIDANCE for n in (4, 5, 6)},
    **{f"3-{n}": ASSESSMENT for n in (7, 8)},
}
ENVIRONMENT_BY_PREFIX = {"1": "多媒体教学环境", "2": "混合教学环境", "3": "智慧教学环境"}
SEED_ORDER = (
    [f"1-{n}" for n in range(1, 12)] + [f"2-{n}" for n in range(1, 11)] + [f"3-{n}" for n in range(1, 9)]
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def henan():
    return Framework.objects.get(code="henan-2021")


@pytest.fixture
def points(henan):
    return list(AbilityPoint.objects.filter(framework=henan, city__isnull=True).order_by("sort_order"))


def test_the_expected_table_itself_matches_r_fw_1():
    assert len(EXPECTED_DIMENSIONS) == 29
    assert len(SEED_ORDER) == 29


def test_henan_framework_is_a_builtin_with_exactly_29_points(henan, points):
    assert henan.is_builtin
    assert henan.issuer == "河南省教育厅"
    assert len(points) == 29
    assert AbilityPoint.objects.filter(framework=henan).count() == 29


def test_points_are_11_10_8_per_environment(points):
    per_environment = {label: 0 for label in Environment.labels}
    for point in points:
        per_environment[point.get_environment_display()] += 1

    assert per_environment == {"多媒体教学环境": 11, "混合教学环境": 10, "智慧教学环境": 8}


def test_codes_are_exactly_1_1_to_3_8_in_the_seed_order(points):
    assert [p.code for p in points] == SEED_ORDER


def test_environment_follows_the_code_prefix(points):
    for point in points:
        assert point.get_environment_display() == ENVIRONMENT_BY_PREFIX[point.code.split("-")[0]], point.code


def test_dimension_of_each_point_is_as_r_fw_1_states(points):
    actual = {p.code: p.get_dimension_display() for p in points}

    assert actual == EXPECTED_DIMENSIONS


def test_smart_environment_has_no_learner_analysis_point(points):
    smart = [p for p in points if p.environment == Environment.SMART]

    assert smart
    assert all(p.dimension != Dimension.LEARNER_ANALYSIS for p in smart)


def test_every_description_appears_word_for_word_in_the_seed(points):
    seed = SEED.read_text(encoding="utf-8")

    for point in points:
        assert point.description.strip() == point.description, point.code
        assert len(point.description) >= 15, point.code
        assert point.description in seed, point.code


def test_every_description_is_the_seed_line_under_its_own_code(points):
    """Not just somewhere in the seed: in 附件3 each code is on its own line, its text on the next."""
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()]
    text_under_code = {}
    for i, line in enumerate(lines[:-1]):
        if line in EXPECTED_DIMENSIONS:
            assert line not in text_under_code, f"code {line} appears twice as a row of 附件3"
            text_under_code[line] = lines[i + 1]

    assert set(text_under_code) == set(EXPECTED_DIMENSIONS)
    for point in points:
        assert point.description == text_under_code[point.code], point.code


def test_descriptions_are_all_different(points):
    assert len({p.description for p in points}) == 29


def test_default_rubric_has_excellent_pass_fail(points):
    for point in points:
        assert [level["label"] for level in point.rubric] == ["优秀", "合格", "不合格"], point.code
        assert [level["level"] for level in point.rubric] == ["excellent", "pass", "fail"], point.code
        assert all(level["description"] for level in point.rubric), point.code
        assert point.requirements, point.code


def test_rubric_is_per_point_data(points):
    """R-FW-3: the rubric is editable data; changing one point's rubric leaves the others alone."""
    first, second = points[0], points[1]
    first.rubric = [{"level": "pass", "label": "通过", "description": "达到要求。"}]
    first.save()

    second.refresh_from_db()
    assert [level["label"] for level in second.rubric] == ["优秀", "合格", "不合格"]
    assert AbilityPoint.objects.get(pk=first.pk).rubric[0]["label"] == "通过"


def test_the_api_serves_the_29_points_with_labels_in_order():
    client = Client()
    client.force_login(UserFactory())

    response = client.get("/api/v1/frameworks/henan-2021/points")

    assert response.status_code == 200
    body = response.json()
    assert [p["code"] for p in body] == SEED_ORDER
    by_code = {p["code"]: p for p in body}
    assert by_code["1-1"]["dimension_label"] == "学情分析"
    assert by_code["3-8"]["environment_label"] == "智慧教学环境"
    assert all(p["is_local"] is False and p["city_id"] is None for p in body)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("environment=smart", 8),
        ("environment=mixed&dimension=guidance", 5),
        ("dimension=learner_analysis", 2),
        ("environment=nonsense", 0),
    ],
)
def test_the_api_filters_by_environment_and_dimension(query, expected):
    client = Client()
    client.force_login(UserFactory())

    response = client.get(f"/api/v1/frameworks/henan-2021/points?{query}")

    assert response.status_code == 200
    assert len(response.json()) == expected


def test_the_framework_page_shows_all_29_points_grouped_by_environment(points):
    client = Client()
    client.force_login(UserFactory())

    response = client.get("/framework/henan-2021/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "共 29 个能力点" in content
    for label in ENVIRONMENT_BY_PREFIX.values():
        assert label in content
    for point in points:
        assert point.description in content, point.code
    # Only a city office gets the form for local points.
    assert "新增地方特色能力点" not in content
