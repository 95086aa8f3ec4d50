"""Every assessment action in the API (issue 10 items 2, 4): the queue, the record, self-evaluation,
verdicts (with the 409 of two members at once) and appeals; malformed, hostile and oversized bodies
answer 4xx in the one error shape, in Chinese, with nothing written."""

import pytest

from tisheng.evaluation.models import Appeal, SelfEvaluation, Verdict
from tisheng.evidence.models import EvidenceStatus
from tisheng.hours.models import HoursEntry

from .assess_world import COMMENT, REFLECTION, build_world


@pytest.fixture(name="world")
def _world(db):
    return build_world()


def _post(client, path, body):
    return client.post(path, body, content_type="application/json")


def _counts():
    return (
        SelfEvaluation.objects.count(),
        Verdict.objects.count(),
        Appeal.objects.count(),
        HoursEntry.objects.count(),
    )


def test_the_whole_chain_through_the_api(world):
    evidence = world.hand_in()
    teacher = world.client(world.teacher.user)
    record = teacher.get(f"/api/v1/evidence/{evidence.pk}/assessment").json()
    assert record["id"] == evidence.pk and record["can_self_evaluate"] and not record["can_judge"]
    response = _post(
        teacher,
        f"/api/v1/evidence/{evidence.pk}/self-evaluation",
        {"ratings": world.rated(evidence), "overall": "pass", "reflection": REFLECTION},
    )
    assert response.status_code == 201, response.content
    assert response.json()["versions"][0]["self_evaluation"]["rubric_version"] == 1

    member = world.client(world.member)
    queue = member.get("/api/v1/assessments").json()
    assert [i["id"] for i in queue["items"]] == [evidence.pk] and queue["items"][0]["self_evaluated"]
    record = member.get(f"/api/v1/evidence/{evidence.pk}/assessment").json()
    assert record["can_judge"] and record["verdicts_seen"] == 0
    body = {
        "version_id": record["version_id"],
        "verdicts_seen": 0,
        "decision": "fail",
        "ratings": world.rated(evidence, "fail"),
        "comment": COMMENT,
    }
    response = _post(member, f"/api/v1/evidence/{evidence.pk}/verdicts", body)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "rejected"
    # A second member with the same page: 409, told who judged.
    second = _post(
        world.client(world.member_b), f"/api/v1/evidence/{evidence.pk}/verdicts", {**body, "decision": "pass"}
    )
    assert second.status_code == 409
    assert (
        second.json()["error"]["code"] == "judged_meanwhile" and "张老师" in second.json()["error"]["message"]
    )

    response = _post(
        teacher, f"/api/v1/evidence/{evidence.pk}/appeal", {"reason": "我补充了课堂实录，请再看一次。"}
    )
    assert response.status_code == 201 and response.json()["appeal_open"]
    again = _post(
        teacher, f"/api/v1/evidence/{evidence.pk}/appeal", {"reason": "我补充了课堂实录，请再看一次。"}
    )
    assert again.status_code == 409
    assert [
        i["id"]
        for i in world.client(world.member_b).get("/api/v1/assessments", {"status": "appeal"}).json()["items"]
    ] == [evidence.pk]
    record = world.client(world.member_b).get(f"/api/v1/evidence/{evidence.pk}/assessment").json()
    response = _post(
        world.client(world.member_b),
        f"/api/v1/evidence/{evidence.pk}/verdicts",
        {
            **body,
            "verdicts_seen": record["verdicts_seen"],
            "decision": "pass",
            "ratings": world.rated(evidence),
        },
    )
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "accepted" and [v["outcome"] for v in data["versions"][0]["verdicts"]] == [
        "fail",
        "pass",
    ]
    assert data["versions"][0]["verdicts"][1]["on_appeal_id"] == data["appeals"][0]["id"]
    assert HoursEntry.objects.filter(source="accepted_evidence").count() == 1


def test_returned_then_revised_through_the_api(world):
    evidence = world.ready_for_verdict()
    member = world.client(world.member)
    record = member.get(f"/api/v1/evidence/{evidence.pk}/assessment").json()
    response = _post(
        member,
        f"/api/v1/evidence/{evidence.pk}/verdicts",
        {
            "version_id": record["version_id"],
            "verdicts_seen": 0,
            "decision": "returned",
            "comment": "请补充课堂实录片段和学生作品，修改后再重新提交。",
        },
    )
    assert response.status_code == 201 and response.json()["status"] == EvidenceStatus.RETURNED
    teacher = world.client(world.teacher.user)
    assert _post(teacher, f"/api/v1/evidence/{evidence.pk}/submit", {}).status_code == 200
    record = teacher.get(f"/api/v1/evidence/{evidence.pk}/assessment").json()
    assert record["version"] == 2 and record["can_self_evaluate"]
    record = member.get(f"/api/v1/evidence/{evidence.pk}/assessment").json()
    assert not record["can_judge"] and "自评" in record["refusal"]


BAD_SELF = [
    {},
    {"ratings": {}, "overall": "pass", "reflection": REFLECTION},
    {"ratings": {"c1": "perfect"}, "overall": "pass", "reflection": REFLECTION},
    {"ratings": {"x" * 9: "pass"}, "overall": "pass", "reflection": REFLECTION},
    {"ratings": {f"c{n}": "pass" for n in range(11)}, "overall": "pass", "reflection": REFLECTION},
    {"ratings": "pass", "overall": "pass", "reflection": REFLECTION},
    {"ratings": {"c1": "pass", "c2": "pass", "c3": "pass"}, "overall": "great", "reflection": REFLECTION},
    {"ratings": {"c1": "pass", "c2": "pass", "c3": "pass"}, "overall": "pass", "reflection": "短"},
    {"ratings": {"c1": "pass", "c2": "pass", "c3": "pass"}, "overall": "pass", "reflection": "长" * 4001},
    {
        "ratings": {"c1": "pass", "c2": "pass", "c3": "pass"},
        "overall": "pass",
        "reflection": REFLECTION + "\x00",
    },
    {"ratings": {"c1": "pass", "c2": "pass", "c3": "pass"}, "overall": "pass", "reflection": 5},
    {
        "ratings": {"c1": "pass", "c2": "pass", "c3": "pass"},
        "overall": "pass",
        "reflection": REFLECTION,
        "version_id": 0,
    },
    {
        "ratings": {"c1": "pass", "c2": "pass", "c3": "pass"},
        "overall": "pass",
        "reflection": REFLECTION,
        "version_id": 2**64,
    },
]


@pytest.mark.parametrize("body", BAD_SELF)
def test_malformed_self_evaluations_are_refused(world, body):
    evidence = world.hand_in()
    response = _post(
        world.client(world.teacher.user), f"/api/v1/evidence/{evidence.pk}/self-evaluation", body
    )
    assert response.status_code in (400, 409, 422)
    error = response.json()["error"]
    assert error["code"] and not error["message"].isascii()
    assert _counts() == (0, 0, 0, 0)


BAD_VERDICT = [
    {},
    {"verdicts_seen": 0, "decision": "pass", "comment": COMMENT},
    {"version_id": "x", "verdicts_seen": 0, "decision": "pass", "comment": COMMENT},
    {"version_id": 1, "verdicts_seen": -1, "decision": "pass", "comment": COMMENT},
    {"version_id": 1, "verdicts_seen": 2**40, "decision": "pass", "comment": COMMENT},
    {"version_id": 1, "verdicts_seen": 0, "decision": "accepted", "comment": COMMENT},
    {"version_id": 1, "verdicts_seen": 0, "decision": "pass", "comment": "长" * 4001},
    {"version_id": 1, "verdicts_seen": 0, "decision": "pass", "comment": COMMENT + "\x00"},
    {"version_id": 1, "verdicts_seen": 0, "decision": "pass", "comment": COMMENT, "ratings": {"c1": "meh"}},
    {"version_id": 1, "verdicts_seen": 0, "decision": "pass", "comment": COMMENT, "ratings": ["pass"]},
]


@pytest.mark.parametrize("body", BAD_VERDICT)
def test_malformed_verdicts_are_refused(world, body):
    evidence = world.ready_for_verdict()
    before = _counts()
    response = _post(world.client(world.member), f"/api/v1/evidence/{evidence.pk}/verdicts", body)
    assert response.status_code in (400, 409, 422)
    assert not response.json()["error"]["message"].isascii()
    assert _counts() == before


def test_service_refusals_of_verdicts_in_the_api(world):
    evidence = world.ready_for_verdict()
    version_id = evidence.versions.get().pk
    good = {
        "version_id": version_id,
        "verdicts_seen": 0,
        "decision": "pass",
        "ratings": world.rated(evidence),
        "comment": COMMENT,
    }
    for body, status in (
        ({**good, "ratings": {}}, 400),
        ({**good, "comment": "太短"}, 400),
        ({**good, "version_id": version_id + 1000}, 409),
        ({**good, "verdicts_seen": 1}, 409),
    ):
        response = _post(world.client(world.member), f"/api/v1/evidence/{evidence.pk}/verdicts", body)
        assert response.status_code == status, (body, response.content)
    for user, status in ((world.county_admin, 403), (world.teacher.user, 403), (world.far_admin, 404)):
        response = _post(world.client(user), f"/api/v1/evidence/{evidence.pk}/verdicts", good)
        assert response.status_code == status
    assert _counts()[1:] == (0, 0, 0)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"reason": ""},
        {"reason": "短"},
        {"reason": "长" * 2001},
        {"reason": "理由\x00理由理由理由理由"},
        {"reason": 5},
        {"reason": "请再看一次我的课堂实录。", "verdict_id": -3},
    ],
)
def test_malformed_appeals_are_refused(world, body):
    evidence = world.ready_for_verdict()
    world.judge(evidence, "fail")
    response = _post(world.client(world.teacher.user), f"/api/v1/evidence/{evidence.pk}/appeal", body)
    assert response.status_code in (400, 409, 422)
    assert not response.json()["error"]["message"].isascii()
    assert Appeal.objects.count() == 0


def test_only_the_teacher_self_evaluates_and_appeals(world):
    evidence = world.ready_for_verdict()
    world.judge(evidence, "fail")
    for user in (world.principal, world.member, world.county_admin, world.far_admin):
        client = world.client(user)
        assert (
            _post(
                client, f"/api/v1/evidence/{evidence.pk}/appeal", {"reason": "请再看一次我的课堂实录。"}
            ).status_code
            == 404
        )
        assert (
            _post(
                client,
                f"/api/v1/evidence/{evidence.pk}/self-evaluation",
                {"ratings": world.rated(evidence), "overall": "pass", "reflection": REFLECTION},
            ).status_code
            == 404
        )
    assert Appeal.objects.count() == 0


def test_queue_filters_are_bounded(world):
    world.ready_for_verdict()
    client = world.client(world.member)
    for params in (
        {"status": "nonsense"},
        {"group_id": 0},
        {"point_id": "x"},
        {"limit": 501},
        {"group_id": 2**64},
    ):
        response = client.get("/api/v1/assessments", params)
        assert response.status_code == 422 and not response.json()["error"]["message"].isascii()
    assert client.get("/api/v1/assessments", {"status": "all"}).json()["count"] == 1
    assert world.client(world.far_admin).get("/api/v1/assessments", {"status": "all"}).json()["count"] == 0
    assert world.client(world.teacher.user).get("/api/v1/assessments", {"status": "all"}).json()["count"] == 0
