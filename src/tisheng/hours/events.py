"""Audit events of the hours app, each recorded inside its service's transaction."""

from tisheng.core import audit


def hours_credited(*, actor, source: str, count: int, hours_total, keys: list[str]) -> None:
    audit.record(
        kind="hours.credited",
        actor=actor,
        target=("hours.source", source),
        summary=f"计入学时：{count}条（来源：{source}）",
        data={"source": source, "count": count, "hours": str(hours_total), "keys": keys[:20]},
    )


def manual_recorded(*, actor, entry) -> None:
    audit.record(
        kind="hours.manual_recorded",
        actor=actor,
        target=entry,
        summary=f"手工录入学时 {entry.hours}（{entry.get_kind_display()}）教师#{entry.teacher_id}",
        data={
            "teacher": entry.teacher_id,
            "kind": entry.kind,
            "hours": str(entry.hours),
            "date": entry.date.isoformat(),
            "reason": entry.reason,
        },
    )


def entry_removed(*, actor, entry) -> None:
    audit.record(
        kind="hours.entry_removed",
        actor=actor,
        target=entry,
        summary=f"撤销学时记录 {entry.hours}（{entry.get_kind_display()}）教师#{entry.teacher_id}",
        data={
            "teacher": entry.teacher_id,
            "kind": entry.kind,
            "hours": str(entry.hours),
            "source": entry.source,
            "reason": entry.removed_reason,
        },
    )


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
