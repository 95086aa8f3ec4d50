"""Audit events of peer review (R-PEER), one function per kind, called inside the service's transaction."""

from tisheng.core import audit


def allocation_run(*, actor, allocation) -> None:
    audit.record(
        kind="evaluation.peer_allocated",
        actor=actor,
        target=allocation,
        summary=(
            f"互评分配：{allocation.assignments_made} 项新任务"
            f"（{allocation.works_count} 件作品，{allocation.reviewers_count} 位教师）"
        ),
        data={
            "school": allocation.school_id,
            "seed": allocation.seed,
            "made": allocation.assignments_made,
            "trigger": allocation.trigger,
        },
    )


def assignments_reassigned(*, school_id: int, assignment_ids: list[int]) -> None:
    audit.record(
        kind="evaluation.peer_reassigned",
        actor=None,
        target=("organisation.school", school_id),
        summary=f"逾期未完成的互评任务 {len(assignment_ids)} 项已改派",
        data={"assignments": assignment_ids},
    )


def assignments_cancelled(*, school_id: int, assignment_ids: list[int]) -> None:
    audit.record(
        kind="evaluation.peer_cancelled",
        actor=None,
        target=("organisation.school", school_id),
        summary=f"作品已有新版本或已撤回，{len(assignment_ids)} 项未完成的互评任务取消",
        data={"assignments": assignment_ids},
    )


def review_submitted(*, actor, review) -> None:
    assignment = review.assignment
    audit.record(
        kind="evaluation.peer_reviewed",
        actor=actor,
        target=review,
        summary=f"提交互评（总体：{audit.chinese(review.get_overall_display)}）",
        data={
            "assignment": assignment.pk,
            "version": assignment.version_id,
            "overall": review.overall,
            "rubric": review.rubric_id,
        },
    )
