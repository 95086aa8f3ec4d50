"""School launch (R-DIM) and teachers' picks (R-PICK), through services, pages and the API."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.core.errors import NotFound, ValidationFailed
from tisheng.core.models import AuditEvent, Notice
from tisheng.organisation.tests.factories import CountyFactory, SchoolFactory, TeacherFactory, user_with_role
from tisheng.people.models import Role
from tisheng.plans import services
from tisheng.plans.models import Pick, SchoolLaunch
from tisheng.plans.tests.factories import points, publish
from tisheng.programme.models import BatchCalendar, ProgrammeSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return SchoolFactory(county=CountyFactory(name="浉河区"), name="浉河区第一小学", batch_year=2022)


@pytest.fixture
def team(school):
    return user_with_role(Role.SCHOOL_TEAM, school, is_principal=True)


def _ids(*codes):
    return [p.id for p in points(*codes)]


def _client(user):
    c = Client()
    c.force_login(user)
    return c


# ---- the menu --------------------------------------------------------------------------------------
def test_the_team_publishes_a_menu_of_two_dimensions(school, team):
    launch, affected = services.menu_publish(
        actor=team, school=school, environments=["multimedia"], point_ids=_ids("1-2", "1-4", "1-9")
    )
    assert launch.version == 1 and launch.published_at and affected == []
    assert sorted(p.code for p in launch.points.all()) == ["1-2", "1-4", "1-9"]
    assert AuditEvent.objects.filter(kind="launch.menu_published", actor=team).exists()


@pytest.mark.parametrize(
    ("environments", "codes", "message"),
    [
        (["multimedia"], ["1-2", "1-3"], "还需提供1个其他维度的能力点（目前只有：教学设计）"),
        ([], ["1-2", "1-4"], "请选择学校的教学环境"),
        (["moon"], ["1-2", "1-4"], "请选择学校的教学环境"),
        (["multimedia"], ["1-2", "2-4"], "不属于所选的教学环境"),
        (["multimedia"], [], "请至少从2个维度"),
    ],
)
def test_a_menu_that_breaks_the_rule_is_refused_with_what_is_missing(
    school, team, environments, codes, message
):
    with pytest.raises(ValidationFailed) as caught:
        services.menu_publish(actor=team, school=school, environments=environments, point_ids=_ids(*codes))
    assert message in str(caught.value.message)
    assert not SchoolLaunch.objects.exists()


def test_the_minimum_number_of_dimensions_is_a_city_setting(school, team):
    ProgrammeSettings.objects.create(city=school.city, min_offer_dimensions=3)
    with pytest.raises(ValidationFailed):
        services.menu_publish(
            actor=team, school=school, environments=["multimedia"], point_ids=_ids("1-2", "1-4")
        )
    services.menu_publish(
        actor=team, school=school, environments=["multimedia"], point_ids=_ids("1-1", "1-2", "1-4")
    )


def test_unknown_or_other_citys_points_are_refused(school, team):
    with pytest.raises(ValidationFailed):
        services.menu_publish(actor=team, school=school, environments=["multimedia"], point_ids=[987654])


def test_other_schools_and_roles_cannot_publish(school):
    other_team = user_with_role(Role.SCHOOL_TEAM, SchoolFactory())
    guide = user_with_role(Role.COUNTY_GUIDE, school.county)
    teacher = TeacherFactory(school=school).user
    for user in (other_team, guide, teacher):
        with pytest.raises(NotFound):
            services.menu_publish(
                actor=user, school=school, environments=["multimedia"], point_ids=_ids("1-2", "1-4")
            )
    county_admin = user_with_role(Role.COUNTY_ADMIN, school.county)
    services.menu_publish(
        actor=county_admin, school=school, environments=["multimedia"], point_ids=_ids("1-2", "1-4")
    )


def test_changing_the_menu_after_picks_lists_and_tells_affected_teachers(school, team):
    services.menu_publish(
        actor=team, school=school, environments=["multimedia"], point_ids=_ids("1-2", "1-4", "1-9")
    )
    picker = TeacherFactory(school=school)
    bystander = TeacherFactory(school=school)
    services.picks_set(actor=picker.user, teacher=picker, point_ids=_ids("1-2", "1-4", "1-9"))
    services.picks_set(actor=bystander.user, teacher=bystander, point_ids=_ids("1-2"))

    _launch, affected = services.menu_publish(
        actor=team, school=school, environments=["multimedia"], point_ids=_ids("1-2", "1-5", "1-10")
    )
    assert affected == [picker]
    picks = {p.point.code: p.off_menu for p in Pick.objects.filter(teacher=picker)}
    assert picks == {"1-2": False, "1-4": True, "1-9": True}  # kept, flagged, never dropped
    notice = Notice.objects.get(recipient=picker.user)
    assert "1-4" in notice.message and "1-9" in notice.message
    assert not Notice.objects.filter(recipient=bystander.user).exists()
    # The teacher's page says so.
    page = _client(picker.user).get(reverse("my-picks")).content.decode()
    assert 'data-testid="off-menu"' in page


# ---- picks -------------------------------------------------------------------------------------------
@pytest.fixture
def menu(school, team):
    return publish(school, ["1-1", "1-2", "1-4", "1-5", "1-9"], environments=("multimedia",))


def test_the_teacher_is_told_exactly_what_is_missing(school, menu):
    teacher = TeacherFactory(school=school)
    info = services.picks_set(actor=teacher.user, teacher=teacher, point_ids=_ids("1-2", "1-9"))
    assert info["missing"] == ["还需选择1个学情分析维度的能力点", "还需选择1个学法指导维度的能力点"]
    info = services.picks_set(actor=teacher.user, teacher=teacher, point_ids=_ids("1-1", "1-2", "1-4", "1-9"))
    assert info["missing"] == []
    assert AuditEvent.objects.filter(kind="pick.changed").count() == 2


def test_points_off_the_menu_cannot_be_picked(school, menu):
    teacher = TeacherFactory(school=school)
    with pytest.raises(ValidationFailed):
        services.picks_set(actor=teacher.user, teacher=teacher, point_ids=_ids("2-1"))
    assert not Pick.objects.exists()


def test_a_locked_pick_cannot_be_dropped_until_the_school_unlocks_it(school, team, menu):
    teacher = TeacherFactory(school=school)
    services.picks_set(actor=teacher.user, teacher=teacher, point_ids=_ids("1-2", "1-4"))
    Pick.objects.filter(teacher=teacher, point__code="1-2").update(locked=True)  # evidence submitted
    with pytest.raises(ValidationFailed) as caught:
        services.picks_set(actor=teacher.user, teacher=teacher, point_ids=_ids("1-4"))
    assert "1-2" in str(caught.value.message) and "解锁" in str(caught.value.message)
    pick = Pick.objects.get(teacher=teacher, point__code="1-2")
    services.pick_unlock(actor=team, pick=pick)
    services.picks_set(actor=teacher.user, teacher=teacher, point_ids=_ids("1-4"))
    assert [p.point.code for p in Pick.objects.filter(teacher=teacher)] == ["1-4"]


def test_only_the_teacher_sets_their_picks(school, team, menu):
    teacher = TeacherFactory(school=school)
    other = TeacherFactory(school=school)
    for actor in (other.user, team):
        with pytest.raises(NotFound):
            services.picks_set(actor=actor, teacher=teacher, point_ids=_ids("1-2"))


def test_the_picks_deadline_is_enforced_with_a_clear_message(school, menu):
    BatchCalendar.objects.create(city=school.city, batch_year=2022, picks_due=datetime.date(2022, 4, 30))
    teacher = TeacherFactory(school=school)
    with pytest.raises(ValidationFailed) as caught:
        services.picks_set(actor=teacher.user, teacher=teacher, point_ids=_ids("1-2"))
    assert "选点已于2022年04月30日截止" in str(caught.value.message)


def test_without_a_published_menu_picking_waits(school):
    teacher = TeacherFactory(school=school)
    with pytest.raises(ValidationFailed):
        services.picks_set(actor=teacher.user, teacher=teacher, point_ids=[])
    page = _client(teacher.user).get(reverse("my-picks")).content.decode()
    assert "学校还没有发布能力点菜单" in page


# ---- pages and API -----------------------------------------------------------------------------------
def test_the_picks_page_saves_and_shows_what_is_missing(school, menu):
    teacher = TeacherFactory(school=school)
    client = _client(teacher.user)
    response = client.post(reverse("my-picks"), {"points": _ids("1-2", "1-9")})
    assert response.status_code == 302
    page = client.get(reverse("my-picks")).content.decode()
    assert "还需选择1个学情分析维度的能力点" in page
    bad = client.post(reverse("my-picks"), {"points": ["x", "<script>"]})
    assert bad.status_code == 400
    assert Pick.objects.filter(teacher=teacher).count() == 2


def test_the_menu_page_publishes_and_keeps_the_choice_on_error(school, team):
    client = _client(team)
    response = client.post(
        reverse("launch-edit", args=[school.pk]),
        {"environments": ["multimedia"], "points": _ids("1-2", "1-3")},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "还需提供1个其他维度的能力点" in page
    assert page.count("checked") >= 3  # the environment and both points stay ticked
    # A good menu is previewed first (nothing published yet), then published on confirmation.
    response = client.post(
        reverse("launch-edit", args=[school.pk]),
        {"environments": ["multimedia"], "points": _ids("1-2", "1-4")},
    )
    assert response.status_code == 200 and 'data-testid="menu-preview"' in response.content.decode()
    assert not SchoolLaunch.objects.exists()
    response = client.post(
        reverse("launch-edit", args=[school.pk]),
        {"environments": ["multimedia"], "points": _ids("1-2", "1-4"), "version": "0", "action": "publish"},
    )
    assert response.status_code == 200 and "第 1 版" in response.content.decode()


def test_the_api_publishes_menus_and_sets_picks(school, team):
    client = _client(team)
    body = {"environments": ["multimedia"], "point_ids": _ids("1-2", "1-4", "1-9")}
    response = client.put(f"/api/v1/schools/{school.pk}/menu", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["menu"]["version"] == 1
    teacher = TeacherFactory(school=school)
    tclient = _client(teacher.user)
    assert tclient.get(f"/api/v1/schools/{school.pk}/menu").json()["version"] == 1
    response = tclient.put("/api/v1/me/picks", {"point_ids": _ids("1-2")}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["missing"] == [
        "还需选择1个学法指导维度的能力点",
        "还需选择1个学业评价维度的能力点",
    ]
    # Malformed and hostile input: the one error shape, nothing written.
    for bad in ({"point_ids": "1-2"}, {"point_ids": [1] * 100}, {"point_ids": ["\\x00"]}, {}):
        response = tclient.put("/api/v1/me/picks", bad, content_type="application/json")
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid"
    assert Pick.objects.filter(teacher=teacher).count() == 1
    response = client.put(
        f"/api/v1/schools/{school.pk}/menu",
        {"environments": ["multimedia"], "point_ids": _ids("1-2")},
        content_type="application/json",
    )
    assert response.status_code == 400 and "还需提供" in response.json()["error"]["message"]


def test_the_team_sees_each_teachers_picks_and_unlocks_from_the_menu_page(school, team, menu):
    teacher = TeacherFactory(school=school)
    services.picks_set(actor=teacher.user, teacher=teacher, point_ids=_ids("1-2", "1-4"))
    pick = Pick.objects.get(teacher=teacher, point__code="1-2")
    Pick.objects.filter(pk=pick.pk).update(locked=True)
    client = _client(team)
    page = client.get(reverse("launch-edit", args=[school.pk])).content.decode()
    assert f'data-testid="unlock-{pick.pk}"' in page
    response = client.post(reverse("pick-unlock", args=[pick.pk]))
    assert response.status_code == 302
    pick.refresh_from_db()
    assert pick.locked is False
    assert AuditEvent.objects.filter(kind="pick.unlocked").exists()
