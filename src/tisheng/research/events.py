"""Audit events of the research app, each recorded inside its service's transaction."""

from tisheng.core import audit


def open_class_scheduled(*, actor, open_class) -> None:
    audit.record(
        kind="open_class.scheduled",
        actor=actor,
        target=open_class,
        summary=f"安排公开课“{open_class.topic}”",
        data={
            "teacher": open_class.teacher_id,
            "school": open_class.school_id,
            "point": open_class.point_id,
            "scheduled_at": open_class.scheduled_at.isoformat(),
        },
    )


def open_class_held(*, actor, open_class, credited: int) -> None:
    audit.record(
        kind="open_class.held",
        actor=actor,
        target=open_class,
        summary=f"确认公开课“{open_class.topic}”已举行，计入学时 {credited} 人",
        data={"credited": credited},
    )


def observation_recorded(*, actor, observation) -> None:
    audit.record(
        kind="open_class.observed",
        actor=actor,
        target=observation,
        summary=f"听课评课：公开课#{observation.open_class_id}",
        data={"open_class": observation.open_class_id, "rating": observation.rating},
    )


def open_class_hours_changed(*, actor, open_class, before, reason: str) -> None:
    audit.record(
        kind="open_class.hours_changed",
        actor=actor,
        target=open_class,
        summary=f"调整公开课“{open_class.topic}”学时：{reason}",
        data={
            "giver_hours": [str(before[0]), str(open_class.giver_hours)],
            "observer_hours": [str(before[1]), str(open_class.observer_hours)],
            "reason": reason,
        },
    )
