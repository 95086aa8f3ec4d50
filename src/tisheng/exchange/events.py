from tisheng.core import audit


def import_uploaded(*, actor, job) -> None:
    audit.record(
        kind="import.uploaded",
        actor=actor,
        target=job,
        summary=f"上传{audit.chinese(job.get_kind_display)}“{job.original_name}”",
        data={"kind": job.kind, "valid_only": job.valid_only},
    )


def import_confirmed(*, actor, job) -> None:
    audit.record(kind="import.confirmed", actor=actor, target=job, summary=f"确认导入“{job.original_name}”")


def import_retried(*, actor, job, stage: str) -> None:
    audit.record(
        kind="import.retried",
        actor=actor,
        target=job,
        summary=f"重试中断的导入“{job.original_name}”（{'重新导入' if stage == 'apply' else '重新检查'}）",
        data={"stage": stage},
    )


def import_interrupted(*, job, was: str) -> None:
    # No actor: found by `tisheng import-recover` when a worker starts.
    audit.record(
        kind="import.interrupted",
        actor=None,
        target=job,
        summary=f"导入“{job.original_name}”中断（工作进程退出），已标记为失败",
        data={"was": was},
    )
