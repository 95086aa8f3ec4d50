"""Audit events of the organisation."""

from tisheng.core import audit


def unit_created(*, actor, unit, kind: str) -> None:
    audit.record(kind=f"{kind}.created", actor=actor, target=unit, summary=f"新建 {unit}")


def teacher_created(*, actor, teacher) -> None:
    audit.record(
        kind="teacher.created",
        actor=actor,
        target=teacher,
        summary=f"新增教师 {teacher.user.display_name}（{teacher.school.name}）",
    )
