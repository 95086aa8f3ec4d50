from tisheng.core import audit


def import_uploaded(*, actor, job) -> None:
    audit.record(
        kind="import.uploaded",
        actor=actor,
        target=job,
        summary=f"上传{job.get_kind_display()}“{job.original_name}”",
        data={"kind": job.kind, "valid_only": job.valid_only},
    )


def import_confirmed(*, actor, job) -> None:
    audit.record(kind="import.confirmed", actor=actor, target=job, summary=f"确认导入“{job.original_name}”")
