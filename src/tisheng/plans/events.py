from tisheng.core import audit


def menu_published(*, actor, launch, added: list, removed: list, affected: int, held: list = ()) -> None:
    audit.record(
        kind="launch.menu_published",
        actor=actor,
        target=launch,
        summary=f"{launch.school} 发布能力点菜单（第{launch.version}版）",
        data={
            "added": added,
            "removed": removed,
            "affected_teachers": affected,
            # Picks held by submitted or accepted evidence that the school confirmed taking off.
            "confirmed_held": list(held),
            "environments": launch.environments,
        },
    )


def picks_changed(*, actor, teacher, added: list, removed: list) -> None:
    audit.record(
        kind="pick.changed",
        actor=actor,
        target=teacher,
        summary=f"{teacher} 选点变更",
        data={"added": added, "removed": removed},
    )


def pick_unlocked(*, actor, pick) -> None:
    audit.record(kind="pick.unlocked", actor=actor, target=pick, summary=f"解锁选点 {pick}")


def plan_event(*, actor, plan, action: str, reason: str = "") -> None:
    audit.record(
        kind=f"plan.{action}",
        actor=actor,
        target=plan,
        summary=f"{audit.chinese(plan.get_kind_display)}《{plan.title}》{action}",
        data={"version": plan.version, "status": plan.status, "reason": reason[:500]},
    )


def plan_attachment(*, actor, plan, name: str, added: bool) -> None:
    audit.record(
        kind="plan.attached" if added else "plan.detached",
        actor=actor,
        target=plan,
        summary=f"《{plan.title}》{'添加' if added else '移除'}附件 {name}",
        data={"name": name},
    )
