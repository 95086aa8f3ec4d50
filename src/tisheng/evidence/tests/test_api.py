"""Every evidence action as an API operation, scoped like the pages, errors in the one shape."""

import pytest

from tisheng.core.models import AuditEvent
from tisheng.core.tests import files
from tisheng.evidence import services
from tisheng.evidence.models import Evidence, EvidenceFile, EvidenceStatus
from tisheng.evidence.tests.helpers import ready, start, submitted

pytestmark = pytest.mark.django_db


def error_of(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and "Traceback" not in response.content.decode()
    error = body["error"]
    assert error["message"] and set(error) <= {"code", "message", "fields"}
    if code:
        assert error["code"] == code
    return error


def test_the_whole_flow_through_the_api(place):
    api = place.client(place.teacher.user)

    created = api.post("/api/v1/evidence", {"point_id": place.p11.pk}, content_type="application/json")
    assert created.status_code == 201, created.content
    evidence_id = created.json()["id"]
    assert (
        api.post("/api/v1/evidence", {"point_id": place.p11.pk}, content_type="application/json").status_code
        == 200
    )

    saved = api.put(
        f"/api/v1/evidence/{evidence_id}",
        {"summary": "用平板做学情问卷。", "reflection": "反馈更及时。", "revision": 0},
        content_type="application/json",
    )
    assert saved.status_code == 200 and saved.json()["revision"] == 1
    added = api.post(
        f"/api/v1/evidence/{evidence_id}/files", {"file": files.upload("问卷结果.xlsx", files.xlsx())}
    )
    assert added.status_code == 201 and added.json()["kind"] == "document", added.content
    download = api.get(added.json()["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == files.xlsx()

    done = api.post(f"/api/v1/evidence/{evidence_id}/submit")
    assert done.status_code == 200 and done.json()["status"] == "submitted" and done.json()["version"] == 1
    assert [v["number"] for v in done.json()["versions"]] == [1]

    back = api.post(f"/api/v1/evidence/{evidence_id}/withdraw")
    assert back.status_code == 200 and back.json()["status"] == "withdrawn"
    removed = api.delete(f"/api/v1/evidence/files/{added.json()['id']}")
    assert removed.status_code == 200 and removed.json()["removed"] is True
    detail = api.get(f"/api/v1/evidence/{evidence_id}").json()
    assert detail["files"] == [] and detail["versions"][0]["files"][0]["name"] == "问卷结果.xlsx"
    assert detail["can_edit"] and detail["is_owner"] and detail["requirements"] == place.p11.requirements


def test_the_api_refuses_in_the_one_error_shape(place):
    api = place.client(place.teacher.user)
    evidence = start(place.teacher, place.p11)
    url = f"/api/v1/evidence/{evidence.pk}"
    before = AuditEvent.objects.count()

    error_of(
        api.post("/api/v1/evidence", {"point_id": place.p13.pk}, content_type="application/json"),
        400,
        "not_picked",
    )
    error_of(api.post("/api/v1/evidence", {"point_id": "x"}, content_type="application/json"), 422, "invalid")
    error_of(api.post("/api/v1/evidence", "{not json", content_type="application/json"), 400)
    error_of(api.put(url, {"summary": "字" * 10_001}, content_type="application/json"), 400, "invalid")
    error_of(api.put(url, {"summary": "字" * 20_001}, content_type="application/json"), 422, "invalid")
    error_of(api.put(url, {"summary": "空\x00字符"}, content_type="application/json"), 422, "invalid")
    error_of(api.put(url, {"summary": ["list"]}, content_type="application/json"), 422, "invalid")
    error_of(api.put(url, {"revision": -1}, content_type="application/json"), 422, "invalid")
    error_of(api.put(url, "null", content_type="application/json"), 400)
    error_of(api.put(url, {}, content_type="application/json"), 400)
    error_of(api.post(f"{url}/files", {"file": files.upload("a.docx", files.exe())}), 400, "content_refused")
    error_of(api.post(f"{url}/files", {}), 422, "invalid")
    error_of(api.post(f"{url}/files", {"file": files.upload("a.exe", files.exe())}), 400, "content_refused")
    error_of(api.post(f"{url}/submit"), 400, "invalid")
    error_of(api.post(f"{url}/withdraw"), 409, "conflict")
    error_of(api.get("/api/v1/evidence/987654321"), 404, "not_found")
    error_of(api.get("/api/v1/evidence/files/987654321/download"), 404, "not_found")
    error_of(api.get("/api/v1/uploads/not-a-uuid"), 422)

    assert AuditEvent.objects.count() == before
    assert not EvidenceFile.objects.exists()
    evidence.refresh_from_db()
    assert (evidence.summary, evidence.revision) == ("", 0)


def test_stale_draft_and_deadline_errors_carry_their_codes(place):
    api = place.client(place.teacher.user)
    evidence = ready(place.teacher, place.p11)
    stale = api.put(
        f"/api/v1/evidence/{evidence.pk}", {"summary": "旧", "revision": 0}, content_type="application/json"
    )
    assert error_of(stale, 409, "stale_draft")["fields"] == {"revision": str(evidence.revision)}

    calendar = place.deadline(-1)
    late = error_of(api.post(f"/api/v1/evidence/{evidence.pk}/submit"), 409, "deadline_passed")
    assert late["message"].startswith(
        f"成果提交已于{calendar.evidence_due.month}月{calendar.evidence_due.day}日截止"
    )
    assert api.get(f"/api/v1/evidence/{evidence.pk}").json()["deadline_passed"] is True


def test_the_api_list_is_scoped_like_the_pages(place):
    mine = submitted(place.teacher, place.p11)
    draft = ready(place.teacher, place.p12)
    theirs = submitted(place.colleague, place.p11)
    far = submitted(place.far_teacher, place.p11)

    def ids(user, **params) -> set:
        body = place.client(user).get("/api/v1/evidence", {"limit": 100, **params}).json()
        assert body["count"] == len(body["items"])
        return {item["id"] for item in body["items"]}

    assert ids(place.teacher.user) == {mine.pk, draft.pk}
    assert ids(place.principal) == {mine.pk, theirs.pk}
    assert ids(place.group_leader) == {mine.pk}
    assert ids(place.far_admin) == {far.pk}
    assert ids(place.principal, status="submitted", teacher_id=place.colleague.pk) == {theirs.pk}
    assert ids(place.principal, school_id=place.other_school.pk) == set()


def test_readers_get_the_submitted_version_and_no_draft_revision(place):
    evidence = submitted(place.teacher, place.p11, summary="提交的")
    services.evidence_withdraw(actor=place.teacher.user, evidence=evidence)
    services.evidence_save_draft(actor=place.teacher.user, evidence=evidence, summary="改了一半")

    body = place.client(place.principal).get(f"/api/v1/evidence/{evidence.pk}").json()

    assert body["summary"] == "提交的" and body["revision"] is None and body["is_owner"] is False
    assert body["pending_uploads"] == [] and not body["can_edit"]


def test_writes_on_someone_elses_evidence_are_not_found(place):
    evidence = submitted(place.teacher, place.p11)
    record = evidence.files.get()
    for user in (
        place.principal,
        place.group_leader,
        place.county_admin,
        place.far_admin,
        place.colleague.user,
    ):
        api = place.client(user)
        for response in (
            api.put(f"/api/v1/evidence/{evidence.pk}", {"summary": "改"}, content_type="application/json"),
            api.post(f"/api/v1/evidence/{evidence.pk}/files", {"file": files.upload("a.png", files.png())}),
            api.post(f"/api/v1/evidence/{evidence.pk}/submit"),
            api.post(f"/api/v1/evidence/{evidence.pk}/withdraw"),
            api.delete(f"/api/v1/evidence/files/{record.pk}"),
            api.post(
                f"/api/v1/evidence/{evidence.pk}/uploads",
                {"name": "a.mp4", "size": 9},
                content_type="application/json",
            ),
        ):
            error_of(response, 404, "not_found")
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.SUBMITTED and Evidence.objects.count() == 1
    assert not record.__class__.objects.get(pk=record.pk).removed


def test_only_teachers_start_evidence_through_the_api(place):
    for user in (place.principal, place.county_admin, place.evaluator):
        response = place.client(user).post(
            "/api/v1/evidence", {"point_id": place.p11.pk}, content_type="application/json"
        )
        error_of(response, 403, "forbidden")
    assert not Evidence.objects.exists()


def test_a_bearer_token_works_like_the_session(place):
    from tisheng.people.services import api_token_issue

    _token, key = api_token_issue(actor=place.teacher.user, name="手机")
    from django.test import Client

    response = Client().post(
        "/api/v1/evidence",
        {"point_id": place.p11.pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 201


def test_csrf_is_required_with_the_session(place):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(place.teacher.user)
    response = client.post("/api/v1/evidence", {"point_id": place.p11.pk}, content_type="application/json")
    error_of(response, 403, "csrf_failed")
    evidence = start(place.teacher, place.p11)
    upload = services.evidence_upload_start(
        actor=place.teacher.user, evidence=evidence, name="a.mp4", size=10
    )
    chunk = client.put(
        f"/api/v1/uploads/{upload.pk}/chunks?offset=0", b"x", content_type="application/octet-stream"
    )
    error_of(chunk, 403, "csrf_failed")
