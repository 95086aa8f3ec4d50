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
        summary=f"手工录入学时 {entry.hours}（{audit.chinese(entry.get_kind_display)}）教师#{entry.teacher_id}",
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
        summary=f"撤销学时记录 {entry.hours}（{audit.chinese(entry.get_kind_display)}）教师#{entry.teacher_id}",
        data={
            "teacher": entry.teacher_id,
            "kind": entry.kind,
            "hours": str(entry.hours),
            "source": entry.source,
            "reason": entry.removed_reason,
        },
    )
