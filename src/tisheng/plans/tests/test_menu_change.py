"""Publishing a school's menu (issue 9 item 1, R-DIM, R-OUTCOME): a preview of the change first (points
added and removed, the teachers whose picks fall off, which picks submitted or accepted evidence
holds); a held pick never leaves the menu without the school's explicit confirmation; an environment
chosen with no point in it is refused."""

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.core.errors import ValidationFailed
from tisheng.core.models import AuditEvent, Notice
from tisheng.evidence.models import Evidence, EvidenceStatus
from tisheng.evidence.tests.helpers import submitted
from tisheng.organisation.tests.factories import (
    CountyFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    user_with_role,
)
from tisheng.people.models import Role
from tisheng.plans import services
from tisheng.plans.errors import MenuChanged, MenuChangeUnconfirmed
from tisheng.plans.models import Pick, SchoolLaunch
from tisheng.plans.tests.factories import points, publish

pytestmark = pytest.mark.django_db

MENU = ["1-1", "1-2", "1-4", "1-9"]


def _ids(*codes):
    return [p.id for p in points(*codes)]


@pytest.fixture
def place():
    school = SchoolFactory(county=CountyFactory(name="浉河区"), name="浉河区第一小学", batch_year=2022)
    team = user_with_role(Role.SCHOOL_TEAM, school, is_principal=True)
    publish(school, MENU, environments=("multimedia",))
    li = TeacherFactory(school=school, user=UserFactory(full_name="李老师"))
    wang = TeacherFactory(school=school, user=UserFactory(full_name="王老师"))
    zhao = TeacherFactory(school=school, user=UserFactory(full_name="赵老师"))
    p = {pt.code: pt for pt in points(*MENU)}
    for teacher, codes in ((li, ["1-1", "1-4"]), (wang, ["1-4", "1-9"]), (zhao, ["1-2"])):
        for code in codes:
            Pick.objects.create(teacher=teacher, point=p[code])
    submitted(li, p["1-4"])  # 李老师 handed in evidence for 1-4
    accepted = submitted(wang, p["1-9"])
    Evidence.objects.filter(pk=accepted.pk).update(status=EvidenceStatus.ACCEPTED)  # 王老师's 1-9 accepted
    return {"school": school, "team": team, "li": li, "wang": wang, "zhao": zhao}


# The change: 1-4 and 1-9 leave, 1-3 and 1-10 come in.
NEW = ["1-1", "1-2", "1-3", "1-10"]


def _state():
    return (
        SchoolLaunch.objects.get().version,
        list(Pick.objects.filter(off_menu=True).values_list("pk", flat=True)),
        Notice.objects.count(),
        AuditEvent.objects.filter(kind="launch.menu_published").count(),
    )


def test_the_preview_lists_the_change_and_the_held_picks_and_writes_nothing(place):
    before = _state()

    change = services.menu_preview(
        actor=place["team"], school=place["school"], environments=["multimedia"], point_ids=_ids(*NEW)
    )

    assert [p.code for p in change.added] == ["1-3", "1-10"]
    assert [p.code for p in change.removed] == ["1-4", "1-9"]
    rows = {(a.teacher.user.display_name, a.point.code): a.held_by for a in change.affected}
    assert rows == {("李老师", "1-4"): "已提交，待评审", ("王老师", "1-4"): "", ("王老师", "1-9"): "合格"}
    assert {t.user.display_name for t in change.teachers} == {"李老师", "王老师"}  # not 赵老师
    assert _state() == before


def test_held_picks_leave_the_menu_only_with_explicit_confirmation(place):
    before = _state()
    with pytest.raises(MenuChangeUnconfirmed) as refused:
        services.menu_publish(
            actor=place["team"], school=place["school"], environments=["multimedia"], point_ids=_ids(*NEW)
        )
    message = str(refused.value.message)
    assert "李老师（1-4，已提交，待评审）" in message and "王老师（1-9，合格）" in message
    assert {(a["name"], a["point"], a["held_by"]) for a in refused.value.affected} >= {
        ("李老师", "1-4", "已提交，待评审"),
        ("王老师", "1-9", "合格"),
    }
    assert _state() == before  # nothing written, nobody told

    launch, affected = services.menu_publish(
        actor=place["team"],
        school=place["school"],
        environments=["multimedia"],
        point_ids=_ids(*NEW),
        confirm_held=True,
    )

    assert launch.version == 2 and {t.user.display_name for t in affected} == {"李老师", "王老师"}
    flagged = set(Pick.objects.filter(off_menu=True).values_list("teacher__user__full_name", "point__code"))
    assert flagged == {("李老师", "1-4"), ("王老师", "1-4"), ("王老师", "1-9")}  # kept, flagged
    event = AuditEvent.objects.filter(kind="launch.menu_published").latest("id")
    assert sorted(event.data["confirmed_held"]) == sorted(
        [f"{place['li'].pk}:1-4", f"{place['wang'].pk}:1-9"]
    )


def test_a_change_without_held_picks_needs_no_confirmation(place):
    launch, affected = services.menu_publish(
        actor=place["team"],
        school=place["school"],
        environments=["multimedia"],
        point_ids=_ids("1-1", "1-2", "1-4", "1-9", "1-10"),
    )
    assert launch.version == 2 and affected == []


def test_a_menu_published_after_the_preview_is_refused(place):
    with pytest.raises(MenuChanged) as refused:
        services.menu_publish(
            actor=place["team"],
            school=place["school"],
            environments=["multimedia"],
            point_ids=_ids(*MENU),
            expected_version=0,
        )
    assert "第1版" in str(refused.value.message)


@pytest.mark.parametrize(
    ("environments", "codes", "names"),
    [
        (["multimedia", "mixed"], ["1-1", "1-4"], "混合教学环境"),
        (["multimedia", "mixed", "smart"], ["1-1", "2-4"], "智慧教学环境"),
    ],
)
def test_an_environment_chosen_with_no_point_is_refused(place, environments, codes, names):
    before = _state()
    for call in (services.menu_preview, services.menu_publish):
        with pytest.raises(ValidationFailed) as refused:
            call(
                actor=place["team"], school=place["school"], environments=environments, point_ids=_ids(*codes)
            )
        message = str(refused.value.message)
        assert f"所选的教学环境“{names}”中没有选择任何能力点" in message
    assert _state() == before


# ---- the page ----------------------------------------------------------------------------------------
def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_page_previews_then_publishes_only_with_the_box_ticked(place):
    client = _client(place["team"])
    url = reverse("launch-edit", args=[place["school"].pk])
    chosen = {"environments": ["multimedia"], "points": _ids(*NEW)}

    page = client.post(url, {**chosen, "action": "preview"}).content.decode()

    preview = page.split('data-testid="menu-preview"')[1].split("</section>")[0]
    assert "1-3" in preview.split('data-testid="preview-added"')[1].split("</dd>")[0]
    assert "1-9" in preview.split('data-testid="preview-removed"')[1].split("</dd>")[0]
    assert "李老师" in preview and "王老师" in preview and "赵老师" not in preview
    assert 'data-testid="held-warning"' in preview and 'data-testid="confirm-held"' in preview
    assert SchoolLaunch.objects.get().version == 1

    response = client.post(url, {**chosen, "version": "1", "action": "publish"})
    html = response.content.decode()
    assert response.status_code == 409 and 'data-testid="menu-preview"' in html
    assert "李老师（1-4，已提交，待评审）" in html.split('data-testid="menu-error"')[1].split("</div>")[0]
    assert SchoolLaunch.objects.get().version == 1

    response = client.post(url, {**chosen, "version": "1", "action": "publish", "confirm_held": "1"})
    assert response.status_code == 200 and "第 2 版" in response.content.decode()


@pytest.mark.parametrize(
    "extra", [{"version": "-1"}, {"version": "x" * 50}, {"version": "9" * 30}, {"environments": ["<b>"]}]
)
def test_hostile_confirmation_input_is_refused_and_nothing_written(place, extra):
    client = _client(place["team"])
    data = {"environments": ["multimedia"], "points": _ids(*NEW), "action": "publish", "confirm_held": "1"}
    response = client.post(reverse("launch-edit", args=[place["school"].pk]), {**data, **extra})
    assert response.status_code == 400
    assert SchoolLaunch.objects.get().version == 1


# ---- the API -----------------------------------------------------------------------------------------
def test_the_api_previews_and_refuses_held_picks_with_409_and_the_list(place):
    client = _client(place["team"])
    school_id = place["school"].pk
    body = {"environments": ["multimedia"], "point_ids": _ids(*NEW)}

    response = client.post(f"/api/v1/schools/{school_id}/menu/preview", body, content_type="application/json")
    data = response.json()
    assert response.status_code == 200 and data["needs_confirmation"] is True and data["version"] == 1
    assert [p["code"] for p in data["removed"]] == ["1-4", "1-9"]
    assert {(a["name"], a["point"], a["held_by"]) for a in data["affected"]} == {
        ("李老师", "1-4", "已提交，待评审"),
        ("王老师", "1-4", ""),
        ("王老师", "1-9", "合格"),
    }

    response = client.put(f"/api/v1/schools/{school_id}/menu", body, content_type="application/json")
    error = response.json()["error"]
    assert response.status_code == 409 and error["code"] == "confirm_required"
    assert {a["name"] for a in error["affected"] if a["held_by"]} == {"李老师", "王老师"}
    assert SchoolLaunch.objects.get().version == 1

    for bad in ({"confirm_held": [1]}, {"expected_version": 2**40}, {"expected_version": -1}):
        response = client.put(
            f"/api/v1/schools/{school_id}/menu", {**body, **bad}, content_type="application/json"
        )
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid"
    response = client.put(
        f"/api/v1/schools/{school_id}/menu",
        {**body, "confirm_held": True, "expected_version": 0},
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "menu_changed"
    assert SchoolLaunch.objects.get().version == 1

    response = client.put(
        f"/api/v1/schools/{school_id}/menu",
        {**body, "confirm_held": True, "expected_version": 1},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["menu"]["version"] == 2

    response = client.post(
        f"/api/v1/schools/{school_id}/menu/preview",
        {"environments": ["multimedia", "smart"], "point_ids": _ids(*NEW)},
        content_type="application/json",
    )
    assert response.status_code == 400 and "智慧教学环境" in response.json()["error"]["message"]
