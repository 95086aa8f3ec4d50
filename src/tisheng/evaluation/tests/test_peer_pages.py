"""Pages of peer review (R-PEER): 同伴互评 for teachers, 互评分配 for the school team."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.evaluation import peer
from tisheng.evaluation.models import AssignmentStatus, PeerAllocation, PeerAssignment, PeerReview
from tisheng.organisation.tests.factories import user_with_role
from tisheng.people.models import Role
from tisheng.programme.models import ProgrammeSettings

from .peer_factories import school_world

pytestmark = pytest.mark.django_db
COMMENT = "教学设计思路清晰，信息技术使用恰当，建议补充学生课堂反馈。"


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def allocated():
    w = school_world((3, 2))
    peer.peer_allocate(actor=w["principal"], school=w["school"], seed=1)
    return w


def _form(**change):
    data = {"c_c1": "pass", "c_c2": "excellent", "c_c3": "pass", "overall": "pass", "comment": COMMENT}
    data.update(change)
    return {k: v for k, v in data.items() if v is not None}


def test_the_teacher_sees_their_assignments_with_the_reason_and_menu_entry(allocated):
    a = PeerAssignment.objects.order_by("pk").first()
    page = client_for(a.reviewer.user).get(reverse("peer-home")).content.decode()
    assert 'data-testid="nav-peer"' in page and "同伴互评" in page
    assert f'data-testid="assignment-{a.pk}"' in page and "按教研组互评分配" in page
    others = PeerAssignment.objects.exclude(reviewer=a.reviewer)
    for other in others:
        assert f'data-testid="assignment-{other.pk}"' not in page


def test_the_review_form_has_no_default_and_hides_the_author(allocated):
    a = PeerAssignment.objects.order_by("pk").first()
    page = client_for(a.reviewer.user).get(reverse("peer-review", args=[a.pk])).content.decode()
    assert "（匿名）" in page and a.version.evidence.teacher.user.full_name not in page
    assert " checked" not in page  # no level chosen in advance
    assert "能力点达成" in page and "评语（至少20字）" in page


def test_named_reviews_show_the_author():
    w = school_world((3,))
    ProgrammeSettings.objects.create(city=w["school"].city, peer_review_anonymous=False)
    peer.peer_allocate(actor=w["principal"], school=w["school"], seed=1)
    a = PeerAssignment.objects.order_by("pk").first()
    page = client_for(a.reviewer.user).get(reverse("peer-review", args=[a.pk])).content.decode()
    assert a.version.evidence.teacher.user.full_name in page


def test_a_review_is_submitted_from_the_page(allocated):
    a = PeerAssignment.objects.order_by("pk").first()
    c = client_for(a.reviewer.user)
    r = c.post(reverse("peer-review", args=[a.pk]), _form())
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == AssignmentStatus.DONE
    page = c.get(reverse("peer-review", args=[a.pk])).content.decode()
    assert 'data-testid="my-review"' in page and COMMENT in page
    assert "<dt>材料完整规范</dt><dd>优秀</dd>" in page  # each criterion's level, in words
    assert c.post(reverse("peer-review", args=[a.pk]), _form()).status_code == 400


@pytest.mark.parametrize(
    "change",
    [
        {"comment": "太短"},
        {"comment": "长" * 2001},
        {"comment": "空\x00" * 20},
        {"c_c1": None},
        {"c_c2": "great"},
        {"overall": None},
        {"overall": "x" * 5000},
    ],
)
def test_bad_review_forms_come_back_in_chinese_and_write_nothing(allocated, change):
    a = PeerAssignment.objects.order_by("pk").first()
    r = client_for(a.reviewer.user).post(reverse("peer-review", args=[a.pk]), _form(**change))
    assert r.status_code == 400
    errors = re.findall(r'class="form-error"[^>]*>(.*?)</div>', r.content.decode(), re.S)
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors)
    a.refresh_from_db()
    assert a.status == AssignmentStatus.OPEN and not PeerReview.objects.exists()


def test_the_school_team_previews_then_confirms(allocated):
    school = allocated["school"]
    c = client_for(allocated["principal"])
    page = c.get(reverse("peer-school", args=[school.pk])).content.decode()
    assert 'data-testid="allocate"' in page and 'data-testid="load"' in page
    preview = c.post(reverse("peer-school", args=[school.pk]), {"action": "preview"})
    assert preview.status_code == 200 and 'data-testid="preview"' in preview.content.decode()
    assert PeerAllocation.objects.count() == 1
    seed = re.search(r'name="seed" value="(\d+)"', preview.content.decode()).group(1)
    done = c.post(reverse("peer-school", args=[school.pk]), {"action": "confirm", "seed": seed})
    assert done.status_code == 302
    assert PeerAllocation.objects.count() == 2 and PeerAllocation.objects.first().seed == int(seed)


@pytest.mark.parametrize(
    "data",
    [{"action": "delete"}, {"action": "confirm", "seed": "-3"}, {"action": "confirm", "seed": "9" * 30}, {}],
)
def test_bad_allocation_forms_are_refused(allocated, data):
    school = allocated["school"]
    r = client_for(allocated["principal"]).post(reverse("peer-school", args=[school.pk]), data)
    assert r.status_code == 400
    assert PeerAllocation.objects.count() == 1


def test_viewers_read_allocations_without_the_form(allocated):
    school = allocated["school"]
    guide = client_for(user_with_role(Role.COUNTY_GUIDE, allocated["county"]))
    page = guide.get(reverse("peer-school", args=[school.pk])).content.decode()
    assert 'data-testid="allocations"' in page and 'data-testid="allocate"' not in page
    assert guide.post(reverse("peer-school", args=[school.pk]), {"action": "confirm"}).status_code == 404
    home = guide.get(reverse("peer-home")).content.decode()
    assert reverse("peer-school", args=[school.pk]) in home and "互评分配" in home


def test_the_teacher_list_does_not_query_per_row(allocated, django_assert_max_num_queries):
    a = PeerAssignment.objects.order_by("pk").first()
    c = client_for(a.reviewer.user)
    c.get(reverse("peer-home"))  # warm the session and the rubric defaults
    with django_assert_max_num_queries(12):
        page = c.get(reverse("peer-home"))
    assert page.status_code == 200


def test_after_own_setting_the_page_says_why_nothing_shows():
    from tisheng.organisation.tests.factories import TeacherFactory

    w = school_world((3,))
    ProgrammeSettings.objects.create(city=w["school"].city, peer_review_after_own=True)
    newcomer = TeacherFactory(school=w["school"], group=w["teachers"][0].group)
    peer.peer_allocate(actor=w["principal"], school=w["school"], seed=1)
    mine = PeerAssignment.objects.filter(reviewer=newcomer).first()
    c = client_for(newcomer.user)
    page = c.get(reverse("peer-home")).content.decode()
    assert 'data-testid="after-own"' in page and f"assignment-{mine.pk}" not in page
    assert c.get(reverse("peer-review", args=[mine.pk])).status_code == 404
