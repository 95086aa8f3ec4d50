"""Audit events of evidence (core/audit.py): one function per kind, called inside the service's transaction."""

from tisheng.core import audit


def _point(evidence) -> str:
    return evidence.point.code


def evidence_created(*, actor, evidence) -> None:
    audit.record(
        kind="evidence.created",
        actor=actor,
        target=evidence,
        summary=f"开始准备能力点 {_point(evidence)} 的成果材料",
        data={"point": _point(evidence), "teacher": evidence.teacher_id},
    )


def draft_saved(*, actor, evidence, changed: list[str]) -> None:
    audit.record(
        kind="evidence.draft_saved",
        actor=actor,
        target=evidence,
        summary=f"保存能力点 {_point(evidence)} 成果草稿",
        data={"fields": changed, "revision": evidence.revision},
    )


def file_added(*, actor, evidence, file, via: str) -> None:
    audit.record(
        kind="evidence.file_added",
        actor=actor,
        target=evidence,
        summary=f"上传成果文件“{file.original_name}”",
        data={
            "file": file.pk,
            "kind": file.kind,
            "type": file.detected_type,
            "size": file.size,
            "sha256": file.sha256,
            "via": via,
        },
    )


def file_removed(*, actor, evidence, file) -> None:
    audit.record(
        kind="evidence.file_removed",
        actor=actor,
        target=evidence,
        summary=f"移除成果文件“{file.original_name}”",
        data={"file": file.pk},
    )


def submitted(*, actor, evidence, version) -> None:
    audit.record(
        kind="evidence.submitted",
        actor=actor,
        target=evidence,
        summary=f"提交能力点 {_point(evidence)} 成果（第 {version.number} 版）",
        data={"version": version.number, "files": [f.pk for f in version.files.all()]},
    )


def withdrawn(*, actor, evidence) -> None:
    audit.record(
        kind="evidence.withdrawn",
        actor=actor,
        target=evidence,
        summary=f"撤回能力点 {_point(evidence)} 成果（第 {evidence.version} 版）",
        data={"version": evidence.version},
    )


def review_started(*, actor, evidence) -> None:
    audit.record(
        kind="evidence.review_started",
        actor=actor,
        target=evidence,
        summary=f"开始评审能力点 {_point(evidence)} 成果（第 {evidence.version} 版）",
        data={"version": evidence.version, "teacher": evidence.teacher_id},
    )


def concluded(*, actor, evidence, before: str) -> None:
    audit.record(
        kind="evidence.concluded",
        actor=actor,
        target=evidence,
        summary=f"能力点 {_point(evidence)} 成果（第 {evidence.version} 版）考核为“{evidence.get_status_display()}”",
        data={"version": evidence.version, "status": evidence.status, "before": before},
    )


def returned(*, actor, evidence, before: str, reason: str) -> None:
    audit.record(
        kind="evidence.returned",
        actor=actor,
        target=evidence,
        summary=f"能力点 {_point(evidence)} 成果（第 {evidence.version} 版）退回修改",
        data={"version": evidence.version, "before": before, "reason": reason[:500]},
    )


def upload_started(*, actor, upload) -> None:
    audit.record(
        kind="evidence.upload_started",
        actor=actor,
        target=upload.evidence,
        summary=f"开始分片上传“{upload.name}”",
        data={"upload": str(upload.pk), "size": upload.size},
    )


def upload_refused(*, actor, upload) -> None:
    audit.record(
        kind="evidence.upload_refused",
        actor=actor,
        target=upload.evidence,
        summary=f"分片上传“{upload.name}”未通过检查",
        data={"upload": str(upload.pk), "message": upload.message},
    )


def upload_cancelled(*, actor, upload) -> None:
    audit.record(
        kind="evidence.upload_cancelled",
        actor=actor,
        target=upload.evidence,
        summary=f"取消分片上传“{upload.name}”",
        data={"upload": str(upload.pk), "received": upload.received},
    )


def uploads_expired(*, ids: list[str], hours: int) -> None:
    audit.record(
        kind="evidence.uploads_expired",
        actor=None,
        target=None,
        summary=f"清理 {len(ids)} 个超过 {hours} 小时未完成的分片上传",
        data={"uploads": ids[:500], "count": len(ids)},
    )
