from tisheng.core import audit


def settings_changed(*, actor, settings_row, changes: dict) -> None:
    audit.record(
        kind="programme.settings_changed",
        actor=actor,
        target=settings_row,
        summary=f"修改 {settings_row.city} 项目设置",
        data={k: [str(a), str(b)] for k, (a, b) in changes.items()},
    )


def calendar_changed(*, actor, calendar, changes: dict) -> None:
    audit.record(
        kind="programme.calendar_changed",
        actor=actor,
        target=calendar,
        summary=f"修改 {calendar} 日程",
        data={k: [str(a), str(b)] for k, (a, b) in changes.items()},
    )
