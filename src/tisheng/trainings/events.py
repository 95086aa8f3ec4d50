"""Audit events of the trainings app, each recorded inside its service's transaction."""

from tisheng.core import audit


def training_created(*, actor, training) -> None:
    audit.record(
        kind="training.created",
        actor=actor,
        target=training,
        summary=f"安排线下集中培训“{training.title}”",
        data={
            "organiser": f"{training.level}:{training.organiser.pk}",
            "starts_at": training.starts_at.isoformat(),
            "ends_at": training.ends_at.isoformat(),
            "hours": str(training.hours),
            "kind": training.kind,
            "audience_all": training.audience_all,
        },
    )


def attendance_recorded(*, actor, training, teacher_ids: list[int], method: str) -> None:
    audit.record(
        kind="training.attendance",
        actor=actor,
        target=training,
        summary=f"登记培训“{training.title}”参训 {len(teacher_ids)} 人（{method}）",
        data={"teachers": teacher_ids[:200], "count": len(teacher_ids), "method": method},
    )
