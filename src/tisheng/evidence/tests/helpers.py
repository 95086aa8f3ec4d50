"""Evidence in a given state, made through the services (so every rule holds)."""

from tisheng.core.tests import files
from tisheng.evidence import services
from tisheng.evidence.models import Evidence
from tisheng.organisation.models import Teacher


def start(teacher: Teacher, point) -> Evidence:
    evidence, _ = services.evidence_create(actor=teacher.user, point_id=point.pk)
    return evidence


def ready(teacher: Teacher, point, *, summary="用希沃白板设计识字游戏。", name="课堂照片.png") -> Evidence:
    """An evidence draft with a text and one file: ready to submit."""
    evidence = start(teacher, point)
    services.evidence_save_draft(
        actor=teacher.user, evidence=evidence, summary=summary, reflection="学生参与度提高。"
    )
    services.evidence_file_add(actor=teacher.user, evidence=evidence, upload=files.upload(name, files.png()))
    evidence.refresh_from_db()
    return evidence


def submitted(teacher: Teacher, point, **kwargs) -> Evidence:
    evidence = ready(teacher, point, **kwargs)
    services.evidence_submit(actor=teacher.user, evidence=evidence)
    evidence.refresh_from_db()
    return evidence


def make_rows(teacher: Teacher, point, *, submitted: bool = True):
    """Evidence with one stored PNG, written directly (for walks over many teachers without picks):
    a submitted version 1 that includes the file, or a draft. Returns (evidence, file)."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from tisheng.evidence.models import EvidenceFile, EvidenceStatus, EvidenceVersion

    data = files.png()
    evidence = Evidence.objects.create(
        teacher=teacher,
        point=point,
        summary="成果说明",
        status=EvidenceStatus.SUBMITTED if submitted else EvidenceStatus.DRAFT,
        version=1 if submitted else 0,
        submitted_at=timezone.now() if submitted else None,
    )
    record = EvidenceFile(
        evidence=evidence,
        kind="image",
        original_name="课堂照片.png",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        detected_type="png",
        content_type="image/png",
        uploaded_by=teacher.user,
        in_version=submitted,
    )
    record.file.save("file.png", ContentFile(data), save=False)
    record.save()
    if submitted:
        version = EvidenceVersion.objects.create(
            evidence=evidence, number=1, summary=evidence.summary, submitted_by=teacher.user
        )
        version.files.add(record)
    return evidence, record
