from tisheng.core import audit


def score_entered(*, actor, score) -> None:
    audit.record(
        kind="scoring.score_entered",
        actor=actor,
        target=score,
        summary=f"评定 {score.sheet} {score.key} {score.points} 分",
        data={
            "sheet": score.sheet,
            "county": score.county_id,
            "school": score.school_id,
            "key": score.key,
            "points": str(score.points),
            "reason": score.reason[:500],
        },
    )


def rules_changed(*, actor, city, sheet: str, changes: dict) -> None:
    audit.record(
        kind="scoring.rules_changed",
        actor=actor,
        target=city,
        summary=f"修改 {city} {sheet} 考核表项目规则",
        data={"sheet": sheet, "changes": changes},
    )
