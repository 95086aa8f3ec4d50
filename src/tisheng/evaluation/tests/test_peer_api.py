"""The peer-review API (R-PEER): lists, details, reviews, allocations; hostile and malformed input."""

import pytest
from django.test import Client

from tisheng.evaluation import peer
from tisheng.evaluation.models import AssignmentStatus, PeerAllocation, PeerAssignment, PeerReview
from tisheng.organisation.tests.factories import user_with_role
from tisheng.people.models import Role

from .peer_factories import school_world

pytestmark = pytest.mark.django_db
GOOD_COMMENT = "教学设计思路清晰，信息技术使用恰当，建议补充学生课堂反馈。"


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def allocated():
    w = school_world((3, 2))
    plan = peer.peer_allocate(actor=w["principal"], school=w["school"], seed=1)
    w["plan"] = plan
    return w


def _body(a, **change):
    body = {
        "ratings": {"c1": "pass", "c2": "excellent", "c3": "pass"},
        "overall": "pass",
        "comment": GOOD_COMMENT,
    }
    body.update(change)
    return body


def test_a_reviewer_lists_reads_and_reviews_their_assignment(allocated):
    a = PeerAssignment.objects.order_by("pk").first()
    c = client_for(a.reviewer.user)
    listed = c.get("/api/v1/peer/assignments").json()
    assert {i["id"] for i in listed["items"]} == set(
        PeerAssignment.objects.filter(reviewer=a.reviewer).values_list("pk", flat=True)
    )
    detail = c.get(f"/api/v1/peer/assignments/{a.pk}").json()
    assert detail["author"] == "（匿名）" and detail["criteria"] and detail["files"]
    assert a.version.evidence.teacher.user.full_name not in str(detail)
    assert c.get(detail["files"][0]["url"]).status_code == 200  # the reviewer may download the file
    response = c.post(f"/api/v1/peer/assignments/{a.pk}/review", _body(a), content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done" and response.json()["review"]["overall"] == "pass"
    again = c.post(f"/api/v1/peer/assignments/{a.pk}/review", _body(a), content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_reviewed"


def test_others_get_not_found_for_an_assignment(allocated):
    a = PeerAssignment.objects.order_by("pk").first()
    author = a.version.evidence.teacher
    colleague = next(t for t in allocated["teachers"] if t.pk not in (a.reviewer_id, author.pk))
    for user in (author.user, colleague.user, allocated["principal"]):
        c = client_for(user)
        if PeerAssignment.objects.filter(pk=a.pk, reviewer__user=user).exists():
            continue
        assert c.get(f"/api/v1/peer/assignments/{a.pk}").status_code == 404
        r = c.post(f"/api/v1/peer/assignments/{a.pk}/review", _body(a), content_type="application/json")
        assert r.status_code == 404
    assert not PeerReview.objects.exists()


@pytest.mark.parametrize(
    "change,status",
    [
        ({"comment": "短"}, 400),
        ({"comment": "长" * 2001}, 422),
        ({"comment": "空\x00字符" * 10}, 422),
        ({"overall": "perfect"}, 400),
        ({"overall": 5}, 422),
        ({"ratings": {"c1": "pass"}}, 400),
        ({"ratings": {"c1": "x" * 21, "c2": "pass", "c3": "pass"}}, 422),
        ({"ratings": {f"k{i}": "pass" for i in range(11)}}, 422),
        ({"ratings": ["pass"]}, 422),
        ({"ratings": {"c1": "pass", "c2": "pass", "c3": "wonderful"}}, 400),
    ],
)
def test_malformed_reviews_get_a_chinese_answer_and_write_nothing(allocated, change, status):
    a = PeerAssignment.objects.order_by("pk").first()
    c = client_for(a.reviewer.user)
    r = c.post(f"/api/v1/peer/assignments/{a.pk}/review", _body(a, **change), content_type="application/json")
    assert r.status_code == status, r.content
    message = r.json()["error"]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
    a.refresh_from_db()
    assert a.status == AssignmentStatus.OPEN and not PeerReview.objects.exists()


def test_broken_json_and_oversized_bodies(allocated):
    a = PeerAssignment.objects.order_by("pk").first()
    c = client_for(a.reviewer.user)
    r = c.post(f"/api/v1/peer/assignments/{a.pk}/review", "{not json", content_type="application/json")
    assert r.status_code in (400, 422)
    r = c.post(
        f"/api/v1/peer/assignments/{a.pk}/review",
        _body(a, comment="长" * 3_000_000),
        content_type="application/json",
    )
    assert r.status_code in (413, 422)
    assert not PeerReview.objects.exists()


def test_school_allocations_preview_and_run(allocated):
    school = allocated["school"]
    c = client_for(allocated["principal"])
    listed = c.get(f"/api/v1/schools/{school.pk}/peer-allocations").json()
    assert listed["school_id"] == school.pk and listed["can_run"] and listed["count"] == 1
    before = PeerAssignment.objects.count()
    preview = c.post(
        f"/api/v1/schools/{school.pk}/peer-allocations/preview", {"seed": 5}, content_type="application/json"
    )
    assert preview.status_code == 200 and preview.json()["allocation_id"] is None
    assert PeerAssignment.objects.count() == before and PeerAllocation.objects.count() == 1
    run = c.post(
        f"/api/v1/schools/{school.pk}/peer-allocations", {"seed": 5}, content_type="application/json"
    )
    assert run.status_code == 201 and run.json()["allocation_id"]
    assert run.json()["pairs"] == preview.json()["pairs"]
    # A county guide reads the allocations, may not run one.
    guide = client_for(user_with_role(Role.COUNTY_GUIDE, allocated["county"]))
    assert guide.get(f"/api/v1/schools/{school.pk}/peer-allocations").json()["can_run"] is False
    r = guide.post(f"/api/v1/schools/{school.pk}/peer-allocations", {}, content_type="application/json")
    assert r.status_code == 404


@pytest.mark.parametrize("seed", [-1, 2**63, "abc", 1.5, [1]])
def test_bad_seeds_are_refused(allocated, seed):
    school = allocated["school"]
    c = client_for(allocated["principal"])
    r = c.post(
        f"/api/v1/schools/{school.pk}/peer-allocations", {"seed": seed}, content_type="application/json"
    )
    assert r.status_code == 422
    assert PeerAllocation.objects.count() == 1


def test_files_are_readable_only_while_assigned(allocated):
    import datetime as dt

    a = PeerAssignment.objects.order_by("pk").first()
    c = client_for(a.reviewer.user)
    url = c.get(f"/api/v1/peer/assignments/{a.pk}").json()["files"][0]["url"]
    assert c.get(url).status_code == 200
    # The author's evidence page stays theirs (and their managers'): the assignment opens the files only.
    assert c.get(f"/evidence/{a.version.evidence_id}/").status_code == 404
    peer.peer_reassign_overdue(today=dt.date.today() + dt.timedelta(days=30), school=allocated["school"])
    a.refresh_from_db()
    assert a.status == AssignmentStatus.REASSIGNED
    assert c.get(url).status_code == 404
    assert c.get(f"/api/v1/peer/assignments/{a.pk}").status_code == 404
