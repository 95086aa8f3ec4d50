"""The chunked, resumable upload protocol end to end through the API (docs/ARCHITECTURE.md)."""

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from tisheng.core.models import AuditEvent
from tisheng.core.tests import files
from tisheng.evidence import services
from tisheng.evidence.models import EvidenceFile, EvidenceStatus, EvidenceUpload, UploadStatus
from tisheng.evidence.tests.helpers import ready, start

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


@pytest.fixture
def teacher_api(place):
    return place.client(place.teacher.user)


@pytest.fixture
def evidence(place):
    return start(place.teacher, place.p11)


def begin(client, evidence, name="课堂实录.mp4", size=None, data=None, **extra):
    body = {"name": name, "size": size if size is not None else len(data), **extra}
    return client.post(f"/api/v1/evidence/{evidence.pk}/uploads", body, content_type="application/json")


def put(client, upload_id, offset, data, **headers):
    path = f"/api/v1/uploads/{upload_id}/chunks"
    if offset is not None:
        path += f"?offset={offset}"
    return client.put(path, data, content_type="application/octet-stream", **headers)


def complete(client, upload_id):
    return client.post(f"/api/v1/uploads/{upload_id}/complete")


def chunks(data: bytes, size: int):
    for offset in range(0, len(data), size):
        yield offset, data[offset : offset + size]


def test_a_video_uploads_in_chunks_and_becomes_a_file(place, teacher_api, evidence):
    data = files.mp4(20 * MB + 12345)
    started = begin(teacher_api, evidence, data=data, sha256=hashlib.sha256(data).hexdigest())
    assert started.status_code == 201, started.content
    upload = started.json()
    assert upload["received"] == 0 and upload["chunk_size"] == 8 * MB

    for offset, chunk in chunks(data, 8 * MB):
        response = put(teacher_api, upload["id"], offset, chunk)
        assert response.status_code == 200, response.content
        assert response.json()["received"] == offset + len(chunk)
    done = complete(teacher_api, upload["id"])

    assert done.status_code == 201, done.content
    body = done.json()
    assert (body["name"], body["kind"], body["size"]) == ("课堂实录.mp4", "video", len(data))
    record = EvidenceFile.objects.get(pk=body["id"])
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    with record.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == record.sha256
    row = EvidenceUpload.objects.get(pk=upload["id"])
    assert row.status == UploadStatus.COMPLETE and row.result_id == record.pk
    assert not row.temp_path.exists()  # moved into storage, not copied
    kinds = list(AuditEvent.objects.filter(kind__startswith="evidence.upload").values_list("kind", flat=True))
    assert kinds == ["evidence.upload_started"]
    assert AuditEvent.objects.filter(kind="evidence.file_added", data__via="chunked").count() == 1
    # asking again (the answer was lost) gives the same file
    again = complete(teacher_api, upload["id"])
    assert again.status_code == 200 and again.json()["id"] == record.pk


def test_a_repeated_chunk_is_idempotent_and_a_wrong_offset_says_where_to_go_on(teacher_api, evidence):
    data = files.mp4(3 * MB)
    upload = begin(teacher_api, evidence, data=data).json()
    first = data[:MB]
    assert put(teacher_api, upload["id"], 0, first).json()["received"] == MB

    repeat = put(teacher_api, upload["id"], 0, first)  # the answer was lost; the client sends it again
    assert repeat.status_code == 200 and repeat.json()["received"] == MB

    ahead = put(teacher_api, upload["id"], 2 * MB, data[2 * MB :])
    assert ahead.status_code == 409
    error = ahead.json()["error"]
    assert error["code"] == "wrong_offset" and error["fields"] == {"received": str(MB)}
    assert "已收到 1048576 字节" in error["message"]

    overlap = put(teacher_api, upload["id"], MB // 2, data[MB // 2 : MB + 10])
    assert overlap.status_code == 409

    assert put(teacher_api, upload["id"], MB, data[MB:]).json()["received"] == len(data)
    assert complete(teacher_api, upload["id"]).status_code == 201
    with EvidenceFile.objects.get().file.open("rb") as fh:
        assert fh.read() == data


def test_a_dropped_connection_counts_nothing_and_the_upload_resumes(teacher_api, evidence):
    data = files.mp4(2 * MB)
    upload = begin(teacher_api, evidence, data=data).json()
    assert put(teacher_api, upload["id"], 0, data[:MB]).status_code == 200

    # The client said a 1 MB chunk was coming but only half arrived before the connection dropped.
    cut = put(teacher_api, upload["id"], MB, data[MB : MB + MB // 2], CONTENT_LENGTH=str(MB))
    assert cut.status_code == 400 and cut.json()["error"]["code"] == "incomplete_chunk"

    # After a reload the page asks where the upload stands, then goes on from there.
    status = teacher_api.get(f"/api/v1/uploads/{upload['id']}")
    assert status.status_code == 200 and status.json()["received"] == MB
    assert put(teacher_api, upload["id"], MB, data[MB:]).json()["received"] == 2 * MB
    assert complete(teacher_api, upload["id"]).status_code == 201
    with EvidenceFile.objects.get().file.open("rb") as fh:
        assert fh.read() == data  # the half chunk left on disk was written over, then cut off


def test_content_range_works_like_offset(teacher_api, evidence):
    data = files.mp4(MB)
    upload = begin(teacher_api, evidence, data=data).json()
    half = len(data) // 2
    r = put(
        teacher_api, upload["id"], None, data[:half], HTTP_CONTENT_RANGE=f"bytes 0-{half - 1}/{len(data)}"
    )
    assert r.status_code == 200 and r.json()["received"] == half
    bad = put(
        teacher_api, upload["id"], None, data[half:], HTTP_CONTENT_RANGE=f"bytes {half}-{half}/{len(data)}"
    )
    assert bad.status_code == 400
    missing = put(teacher_api, upload["id"], None, data[half:])
    assert missing.status_code == 400 and "offset" in missing.json()["error"]["message"]
    r = put(
        teacher_api, upload["id"], None, data[half:], HTTP_CONTENT_RANGE=f"bytes {half}-{len(data) - 1}/*"
    )
    assert r.json()["received"] == len(data)


def test_completing_early_is_refused(teacher_api, evidence):
    data = files.mp4(MB)
    upload = begin(teacher_api, evidence, data=data).json()
    put(teacher_api, upload["id"], 0, data[:1000])

    early = complete(teacher_api, upload["id"])

    assert early.status_code == 409
    assert early.json()["error"]["code"] == "upload_incomplete"
    assert early.json()["error"]["fields"] == {"received": "1000"}


def test_content_that_is_not_a_video_is_refused_at_completion(teacher_api, evidence):
    data = files.exe() + b"\x00" * MB
    upload = begin(teacher_api, evidence, data=data).json()
    put(teacher_api, upload["id"], 0, data)

    refused = complete(teacher_api, upload["id"])

    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "content_refused"
    assert "文件内容不是视频" in refused.json()["error"]["message"]
    row = EvidenceUpload.objects.get(pk=upload["id"])
    assert row.status == UploadStatus.REFUSED and not row.temp_path.exists()
    assert EvidenceFile.objects.count() == 0
    assert AuditEvent.objects.filter(kind="evidence.upload_refused").count() == 1
    again = put(teacher_api, upload["id"], 0, data[:10])
    assert again.status_code == 409


def test_a_checksum_mismatch_is_refused(teacher_api, evidence):
    data = files.mp4(MB)
    upload = begin(teacher_api, evidence, data=data, sha256="0" * 64).json()
    put(teacher_api, upload["id"], 0, data)

    refused = complete(teacher_api, upload["id"])

    assert refused.status_code == 400 and "SHA-256" in refused.json()["error"]["message"]
    assert EvidenceFile.objects.count() == 0


def test_sizes_over_the_limit_are_refused_before_any_byte(place, teacher_api, evidence):
    place.limits(max_video_mb=10)
    too_big = begin(teacher_api, evidence, size=10 * MB + 1)
    assert too_big.status_code == 413
    assert "视频每个不能超过 10 MB" in too_big.json()["error"]["message"]
    assert EvidenceUpload.objects.count() == 0

    upload = begin(teacher_api, evidence, size=5 * MB).json()
    huge_chunk = put(teacher_api, upload["id"], 0, b"\x00" * (8 * MB + 1))
    assert huge_chunk.status_code == 413 and huge_chunk.json()["error"]["code"] == "too_large"
    past_end = put(teacher_api, upload["id"], 5 * MB - 10, b"\x00" * 20)
    assert past_end.status_code == 400
    empty = put(teacher_api, upload["id"], 0, b"")
    assert empty.status_code == 400
    assert EvidenceUpload.objects.get().received == 0


@pytest.mark.parametrize(
    "body",
    [
        {"name": "a.exe", "size": 10},
        {"name": "", "size": 10},
        {"name": "a.mp4", "size": 0},
        {"name": "a.mp4", "size": -1},
        {"name": "a.mp4", "size": "many"},
        {"name": "a.mp4", "size": 10, "sha256": "xyz"},
        {"name": "长" * 300 + ".mp4", "size": 10},
        {"size": 10},
    ],
)
def test_hostile_starts_are_refused_in_the_error_shape(teacher_api, evidence, body):
    response = teacher_api.post(
        f"/api/v1/evidence/{evidence.pk}/uploads", body, content_type="application/json"
    )

    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"error"} and response.json()["error"]["message"]
    assert EvidenceUpload.objects.count() == 0


def test_control_characters_are_dropped_from_names(teacher_api, evidence):
    started = begin(teacher_api, evidence, name="课堂\x00实录\x07.mp4", size=10)
    assert started.status_code == 201 and started.json()["name"] == "课堂实录.mp4"


def test_at_most_three_uploads_at_once_per_evidence(teacher_api, evidence):
    for _ in range(3):
        assert begin(teacher_api, evidence, size=100).status_code == 201
    assert begin(teacher_api, evidence, size=100).status_code == 409


def test_a_chunk_while_another_is_being_written_is_told_to_wait(teacher_api, evidence):
    import fcntl

    upload = begin(teacher_api, evidence, size=MB).json()
    row = EvidenceUpload.objects.get(pk=upload["id"])
    row.temp_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(row.temp_path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        busy = put(teacher_api, upload["id"], 0, b"x" * 10)
    finally:
        os.close(fd)
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "upload_busy"
    assert put(teacher_api, upload["id"], 0, b"x" * 10).status_code == 200


def test_an_upload_cannot_complete_into_submitted_evidence_and_waits(place, teacher_api):
    evidence = ready(place.teacher, place.p11)
    data = files.mp4(MB)
    upload = begin(teacher_api, evidence, data=data).json()
    put(teacher_api, upload["id"], 0, data)
    services.evidence_submit(actor=place.teacher.user, evidence=evidence)

    refused = complete(teacher_api, upload["id"])

    assert refused.status_code == 409 and "请先撤回" in refused.json()["error"]["message"]
    row = EvidenceUpload.objects.get(pk=upload["id"])
    assert row.status == UploadStatus.RECEIVING and row.temp_path.exists()  # nothing lost
    services.evidence_withdraw(actor=place.teacher.user, evidence=evidence)
    assert complete(teacher_api, upload["id"]).status_code == 201


def test_cancel_removes_the_bytes(teacher_api, evidence):
    data = files.mp4(MB)
    upload = begin(teacher_api, evidence, data=data).json()
    put(teacher_api, upload["id"], 0, data[:100])

    cancelled = teacher_api.delete(f"/api/v1/uploads/{upload['id']}")

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert not EvidenceUpload.objects.get(pk=upload["id"]).temp_path.exists()
    assert put(teacher_api, upload["id"], 100, data[100:200]).status_code == 409
    assert teacher_api.delete(f"/api/v1/uploads/{upload['id']}").status_code == 200


def test_stale_uploads_are_cleaned_by_the_command(settings, teacher_api, evidence):
    stale = begin(teacher_api, evidence, size=MB).json()
    fresh = begin(teacher_api, evidence, size=MB).json()
    put(teacher_api, stale["id"], 0, b"x" * 100)
    put(teacher_api, fresh["id"], 0, b"x" * 100)
    EvidenceUpload.objects.filter(pk=stale["id"]).update(updated_at=timezone.now() - timedelta(days=3))
    orphan = Path(settings.MEDIA_ROOT) / "uploads_tmp" / "00000000-0000-4000-8000-000000000000.part"
    orphan.write_bytes(b"left over")
    old = (timezone.now() - timedelta(days=3)).timestamp()
    os.utime(orphan, (old, old))

    call_command("evidence-clean-uploads", "--hours", "48")

    assert EvidenceUpload.objects.get(pk=stale["id"]).status == UploadStatus.EXPIRED
    assert EvidenceUpload.objects.get(pk=fresh["id"]).status == UploadStatus.RECEIVING
    assert not EvidenceUpload.objects.get(pk=stale["id"]).temp_path.exists()
    assert EvidenceUpload.objects.get(pk=fresh["id"]).temp_path.exists()
    assert not orphan.exists()
    assert AuditEvent.objects.filter(kind="evidence.uploads_expired").count() == 1


def test_uploads_belong_to_their_uploader_only(place, teacher_api, evidence):
    upload = begin(teacher_api, evidence, size=MB).json()
    for user in (place.principal, place.group_leader, place.colleague.user, place.far_admin):
        other = place.client(user)
        for response in (
            other.get(f"/api/v1/uploads/{upload['id']}"),
            put(other, upload["id"], 0, b"x"),
            complete(other, upload["id"]),
            other.delete(f"/api/v1/uploads/{upload['id']}"),
        ):
            assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
        started = begin(other, evidence, size=10)
        assert started.status_code == 404
    assert EvidenceUpload.objects.get(pk=upload["id"]).received == 0


def test_the_evidence_status_is_untouched_by_uploads(teacher_api, evidence):
    data = files.mp4(MB)
    upload = begin(teacher_api, evidence, data=data).json()
    put(teacher_api, upload["id"], 0, data)
    complete(teacher_api, upload["id"])
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.DRAFT
