"""Audit events of the evaluation chain (core/audit.py): one function per kind, called inside the
service's transaction. Issue 10 items 1, 2, 4: rubrics, self-evaluation, verdicts, appeals."""

from tisheng.core import audit


def rubric_changed(*, actor, rubric, previous) -> None:
    audit.record(
        kind="evaluation.rubric_changed",
        actor=actor,
        target=rubric,
        summary=f"修改能力点 {rubric.point.code} 的评价量规（第 {rubric.version} 版）",
        data={
            "city": rubric.city_id,
            "point": rubric.point_id,
            "version": rubric.version,
            "previous": previous.pk if previous else None,
            "criteria": len(rubric.criteria),
            "note": rubric.note,
        },
    )


def self_evaluated(*, actor, evaluation) -> None:
    audit.record(
        kind="evaluation.self_evaluated",
        actor=actor,
        target=evaluation.evidence,
        summary=f"自评能力点 {evaluation.evidence.point.code} 成果（第 {evaluation.version.number} 版）",
        data={
            "version": evaluation.version.number,
            "rubric": evaluation.rubric_id,
            "overall": evaluation.overall,
        },
    )


def verdict_given(*, actor, verdict) -> None:
    audit.record(
        kind="evaluation.verdict_given",
        actor=actor,
        target=verdict.evidence,
        summary=(
            f"考核能力点 {verdict.evidence.point.code} 成果（第 {verdict.version.number} 版）："
            f"{verdict.get_outcome_display()}"
        ),
        data={
            "verdict": verdict.pk,
            "version": verdict.version.number,
            "outcome": verdict.outcome,
            "rubric": verdict.rubric_id,
            "on_appeal": verdict.on_appeal_id,
        },
    )


def appealed(*, actor, appeal) -> None:
    audit.record(
        kind="evaluation.appealed",
        actor=actor,
        target=appeal.verdict.evidence,
        summary=f"对能力点 {appeal.verdict.evidence.point.code} 成果的考核结论申请复核",
        data={"appeal": appeal.pk, "verdict": appeal.verdict_id},
    )
