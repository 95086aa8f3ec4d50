"""Writes of the evaluation chain (R-EVAL, R-FW-3, R-OUTCOME): rubric versions, self-evaluations,
verdicts of the school assessment group and appeals. Each is one transaction with its audit event.

Rules enforced here:
- R-FW-3: the city office edits a point's rubric; every edit is a new version (the old one stays, so
  every rating keeps the rubric it was given under). Editing from a version that is no longer current
  is refused (someone else edited it meanwhile).
- R-EVAL self-evaluation: the teacher rates their latest submitted version, criterion by criterion,
  with a reflection; once per version.
- R-EVAL verdict: a member of the school assessment group or team judges a self-evaluated version;
  never their own work, never a version they are the reviewer of record of (a PeerAssignment). A pass
  accepts the evidence and credits the city's hours for it once (ledger key: the evidence id);
  不合格 rejects it; 退回修改 makes it editable for a new version.
- R-EVAL appeal (申请复核): the teacher may appeal a 不合格 verdict once per version; another member
  decides (not the first assessor), or the county guidance team when the school has no other.

Concurrency (STYLE trait 7): a verdict locks the evidence row first (select_for_update; the evidence
services it calls lock the same row again, then hours locks the teacher's balance row), so two
members acting at once are serialised; the form carries the version and the number of verdicts the
member saw, and the second is told who judged meanwhile — nothing is overwritten.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tisheng.core.changes import teachers_changed
from tisheng.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tisheng.core.scoping import scope_for
from tisheng.evidence import services as evidence_services
from tisheng.evidence.models import Evidence, EvidenceStatus, EvidenceVersion
from tisheng.evidence.selectors import evidence_visible
from tisheng.hours.models import HoursKind, HoursSource
from tisheng.hours.services import hours_credit
from tisheng.programme.selectors import settings_for_city

from . import events, selectors
from .models import PASSING, Appeal, AppealStatus, Outcome, Rubric, SelfEvaluation, Verdict
from .rubrics import MAX_CRITERIA, MAX_DESCRIPTION, MAX_LABEL, clean_ratings, current_rubric, level_values

MAX_TEXT = 2000  # reflection, comment, reason of a return
MAX_APPEAL = 1000
MAX_REQUIREMENTS = 2000
MAX_NOTE = 200


# ---- shared checks --------------------------------------------------------------------------------
def _text(value, *, label: str, field: str, minimum: int = 0, maximum: int = MAX_TEXT) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if "\x00" in text:
        message = _("%(label)s不能包含空字符。") % {"label": label}
        raise ValidationFailed(message, fields={field: message})
    if len(text) > maximum:
        message = _("%(label)s不能超过%(n)s个字（现在%(m)s个字）。") % {
            "label": label,
            "n": maximum,
            "m": len(text),
        }
        raise ValidationFailed(message, fields={field: message})
    if len(text) < minimum:
        message = _("%(label)s至少需要%(n)s个字（现在%(m)s个字）。") % {
            "label": label,
            "n": minimum,
            "m": len(text),
        }
        raise ValidationFailed(message, fields={field: message})
    return text


def _level(rubric: Rubric, value, *, field: str = "overall") -> str:
    if value not in level_values(rubric):
        message = _("请选择总体等级。")
        raise ValidationFailed(message, fields={field: message})
    return str(value)


def _lock(evidence: Evidence) -> Evidence:
    """The evidence row, locked for this transaction (the one order: evidence, then what follows)."""
    return (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("teacher", "teacher__user", "teacher__school", "point")
        .get(pk=evidence.pk)
    )


def _latest(evidence: Evidence) -> EvidenceVersion | None:
    return EvidenceVersion.objects.filter(evidence=evidence, number=evidence.version).first()


def _require_owner(scope, evidence: Evidence) -> None:
    if scope.teacher_id is not None and scope.teacher_id == evidence.teacher_id:
        return
    if evidence_visible(scope).filter(pk=evidence.pk).exists():
        raise Forbidden(_("只有教师本人可以进行此操作。"))
    raise NotFound()


def _require_version(evidence: Evidence, version_id) -> EvidenceVersion:
    latest = _latest(evidence)
    if latest is None:
        raise Conflict(_("该成果还没有提交过。"), code="not_submitted")
    if version_id is not None and int(version_id) != latest.pk:
        raise Conflict(
            _("教师已提交了新的版本（第%(n)s版），请刷新页面后再操作。") % {"n": latest.number},
            code="new_version",
        )
    return latest


# ---- rubrics (R-FW-3) -----------------------------------------------------------------------------
def _clean_criteria(criteria) -> list[dict]:
    if not isinstance(criteria, list | tuple):
        raise ValidationFailed(_("请填写评价指标。"), fields={"criteria": _("请填写评价指标。")})
    rows = []
    for n, row in enumerate(criteria, start=1):
        if not isinstance(row, dict):
            raise ValidationFailed(_("评价指标格式有误。"), fields={"criteria": _("评价指标格式有误。")})
        label = _text(
            row.get("label"), label=_("第%(n)s项指标名称") % {"n": n}, field="criteria", maximum=MAX_LABEL
        )
        description = _text(
            row.get("description"),
            label=_("第%(n)s项指标说明") % {"n": n},
            field="criteria",
            maximum=MAX_DESCRIPTION,
        )
        if not label and not description:
            continue  # an empty row of the form
        if not label:
            message = _("第%(n)s项指标缺少名称。") % {"n": n}
            raise ValidationFailed(message, fields={"criteria": message})
        rows.append({"label": label, "description": description})
    if not 1 <= len(rows) <= MAX_CRITERIA:
        message = _("评价指标应为1到%(n)s项（现在%(m)s项）。") % {"n": MAX_CRITERIA, "m": len(rows)}
        raise ValidationFailed(message, fields={"criteria": message})
    labels = [r["label"] for r in rows]
    if len(set(labels)) != len(labels):
        message = _("评价指标名称不能重复。")
        raise ValidationFailed(message, fields={"criteria": message})
    return [{"key": f"c{n}", **r} for n, r in enumerate(rows, start=1)]


def _clean_levels(previous: Rubric, descriptions) -> list[dict]:
    if not isinstance(descriptions, dict):
        raise ValidationFailed(_("等级说明格式有误。"), fields={"levels": _("等级说明格式有误。")})
    unknown = set(descriptions) - set(level_values(previous))
    if unknown:
        raise ValidationFailed(_("等级说明格式有误。"), fields={"levels": _("等级说明格式有误。")})
    levels = []
    for row in previous.levels:
        text = descriptions.get(row["level"], row.get("description", ""))
        levels.append(
            {
                "level": row["level"],
                "label": row["label"],
                "description": _text(
                    text,
                    label=_("“%(l)s”的说明") % {"l": row["label"]},
                    field="levels",
                    maximum=MAX_DESCRIPTION,
                ),
            }
        )
    return levels


@transaction.atomic
def rubric_update(*, actor, rubric: Rubric, criteria, level_descriptions, requirements, note) -> Rubric:
    """Save an edit of a point's rubric as a new version (R-FW-3); the edited version stays as it was.

    `rubric` is the version the editor started from: if it is no longer current (someone saved
    meanwhile), the edit is refused and nothing is written."""
    scope = scope_for(actor)
    if not scope.can_manage_city(rubric.city_id):
        if selectors.rubrics_visible(scope).filter(pk=rubric.pk).exists():
            raise Forbidden(_("只有市工程办可以修改评价量规。"))
        raise NotFound()
    # Lock the version edited; a concurrent editor waits here and then finds it no longer current.
    previous = Rubric.objects.select_for_update().select_related("point").get(pk=rubric.pk)
    if not previous.is_current:
        current = Rubric.objects.filter(
            city_id=previous.city_id, point_id=previous.point_id, is_current=True
        ).first()
        raise Conflict(
            _("该量规已被他人修改（现为第%(n)s版），请刷新页面后再修改。")
            % {"n": current.version if current else "?"},
            code="stale_rubric",
        )
    values = {
        "criteria": _clean_criteria(criteria),
        "levels": _clean_levels(previous, level_descriptions),
        "requirements": _text(
            requirements, label=_("提交要求"), field="requirements", maximum=MAX_REQUIREMENTS
        ),
        "note": _text(note, label=_("修改说明"), field="note", minimum=2, maximum=MAX_NOTE),
    }
    Rubric.objects.filter(pk=previous.pk).update(is_current=False)
    new = Rubric.objects.create(
        city_id=previous.city_id,
        point=previous.point,
        version=previous.version + 1,
        is_current=True,
        created_by=actor,
        created_at=timezone.now(),
        **values,
    )
    events.rubric_changed(actor=actor, rubric=new, previous=previous)
    return new


# ---- self-evaluation (R-EVAL, first step) ----------------------------------------------------------
@transaction.atomic
def self_evaluation_submit(
    *, actor, evidence: Evidence, version_id=None, ratings, overall, reflection
) -> SelfEvaluation:
    """The teacher rates their latest submitted version against the point's current rubric, with a
    reflection; once per version (R-EVAL)."""
    scope = scope_for(actor)
    _require_owner(scope, evidence)
    evidence = _lock(evidence)
    if evidence.status not in (EvidenceStatus.SUBMITTED, EvidenceStatus.UNDER_REVIEW):
        raise Conflict(
            _("只有已提交、尚未考核的成果可以自评（当前状态：%(s)s）。")
            % {"s": evidence.get_status_display()},
            code="not_submitted",
        )
    version = _require_version(evidence, version_id)
    if SelfEvaluation.objects.filter(version=version).exists():
        raise Conflict(
            _("第%(n)s版已经自评过，自评提交后不能修改。") % {"n": version.number}, code="already_done"
        )
    rubric = current_rubric(city_id=evidence.teacher.city_id, point=evidence.point)
    clean = clean_ratings(rubric, ratings)
    level = _level(rubric, overall)
    text = _text(
        reflection,
        label=_("自评反思"),
        field="reflection",
        minimum=selectors.min_text_chars(evidence.teacher.city_id),
    )
    evaluation = SelfEvaluation.objects.create(
        version=version,
        evidence=evidence,
        rubric=rubric,
        ratings=clean,
        overall=level,
        reflection=text,
        created_at=timezone.now(),
    )
    events.self_evaluated(actor=actor, evaluation=evaluation)
    teachers_changed([evidence.teacher_id])  # a self-evaluated version goes on to peers and verdicts
    return evaluation


# ---- verdicts (R-EVAL, 学校考核小组考核) -------------------------------------------------------------
def _decision(value) -> str:
    if value not in Outcome.values:
        message = _("请选择考核结论（优秀、合格、不合格或退回修改）。")
        raise ValidationFailed(message, fields={"decision": message})
    return str(value)


@transaction.atomic
def verdict_give(
    *,
    actor,
    evidence: Evidence,
    version_id,
    verdicts_seen: int,
    decision,
    ratings=None,
    comment="",
) -> Verdict:
    """A member's verdict on the latest version: 优秀 / 合格 / 不合格 with a rating per criterion and a
    comment, or 退回修改 with a reason (R-EVAL). Decides the open appeal, if there is one.

    `version_id` and `verdicts_seen` are what the member's page showed: if the teacher handed in a new
    version, or another member gave a verdict meanwhile, the verdict is refused (Conflict, naming who
    judged) and nothing is written."""
    scope = scope_for(actor)
    if not evidence_visible(scope).filter(pk=evidence.pk).exists():
        raise NotFound()
    if scope.teacher_id is not None and scope.teacher_id == evidence.teacher_id:
        raise Forbidden(_("不能考核自己的成果。"))
    evidence = _lock(evidence)  # serialises members acting on the same evidence at once
    version = _require_version(evidence, version_id)
    verdicts = list(
        Verdict.objects.filter(evidence=evidence).select_related("assessor").order_by("created_at", "id")
    )
    if len(verdicts) != int(verdicts_seen):
        last = verdicts[-1] if verdicts else None
        if last is not None:
            message = _("%(who)s已于%(at)s给出考核结论“%(outcome)s”，您的结论未保存。请刷新页面查看。") % {
                "who": last.assessor.display_name,
                "at": timezone.localtime(last.created_at).strftime("%H:%M"),
                "outcome": last.get_outcome_display(),
            }
        else:
            message = _("考核记录已变化，您的结论未保存。请刷新页面后再考核。")
        raise Conflict(message, code="judged_meanwhile")
    refusal = selectors.judge_refusal(scope=scope, evidence=evidence, version=version)
    if refusal is not None:
        raise (Forbidden if refusal.forbidden else Conflict)(refusal.message)
    decision = _decision(decision)
    city_id = evidence.teacher.city_id
    rubric = current_rubric(city_id=city_id, point=evidence.point)
    minimum = selectors.min_text_chars(city_id)
    if decision == Outcome.RETURNED:
        clean, text = {}, _text(comment, label=_("退回理由"), field="comment", minimum=minimum)
    else:
        clean = clean_ratings(rubric, ratings)
        text = _text(comment, label=_("考核评语"), field="comment", minimum=minimum)
    appeal = selectors.open_appeal(evidence)
    if evidence.status == EvidenceStatus.SUBMITTED:
        # Judgement starts review (R-EVAL): the teacher can no longer withdraw from here on.
        evidence_services.evidence_start_review(actor=actor, evidence=evidence)
    verdict = Verdict.objects.create(
        version=version,
        evidence=evidence,
        assessor=actor,
        rubric=rubric,
        ratings=clean,
        outcome=decision,
        comment=text,
        on_appeal=appeal,
        created_at=timezone.now(),
    )
    if appeal is not None:
        Appeal.objects.filter(pk=appeal.pk).update(status=AppealStatus.DECIDED, decided_at=verdict.created_at)
    if decision == Outcome.RETURNED:
        evidence_services.evidence_return(
            actor=actor, evidence=evidence, reason=text, version_number=version.number
        )
    else:
        passed = decision in PASSING
        evidence_services.evidence_conclude(
            actor=actor, evidence=evidence, accepted=passed, version_number=version.number
        )
        if passed:
            _credit_hours(actor=actor, evidence=evidence)
    events.verdict_given(actor=actor, verdict=verdict)
    return verdict


def _credit_hours(*, actor, evidence: Evidence) -> None:
    """A pass credits the city's hours for accepted evidence, once per evidence set (R-HOURS: the
    ledger is unique on teacher + source + key, so a second pass or an appeal adds nothing)."""
    hours = settings_for_city(evidence.teacher.city_id).accepted_evidence_hours
    if not hours or hours <= 0:
        return
    hours_credit(
        teacher=evidence.teacher,
        kind=HoursKind.PRACTICE,
        hours=hours,
        date=timezone.localdate(),
        source=HoursSource.ACCEPTED_EVIDENCE,
        source_key=str(evidence.pk),
        recorded_by=actor,
        title=_("测评成果通过：%(code)s") % {"code": evidence.point.code},
    )


# ---- appeals (申请复核) ---------------------------------------------------------------------------
@transaction.atomic
def appeal_submit(*, actor, evidence: Evidence, reason, verdict_id=None) -> Appeal:
    """The teacher asks once for a second look at the 不合格 verdict on their latest version (R-EVAL)."""
    scope = scope_for(actor)
    _require_owner(scope, evidence)
    evidence = _lock(evidence)
    latest = _latest(evidence)
    verdict = (
        Verdict.objects.filter(evidence=evidence, version=latest).order_by("-created_at", "-id").first()
        if latest
        else None
    )
    if evidence.status != EvidenceStatus.REJECTED or verdict is None or verdict.outcome != Outcome.FAIL:
        raise Conflict(_("只有考核结论为“不合格”的成果可以申请复核。"), code="not_rejected")
    if verdict_id is not None and int(verdict_id) != verdict.pk:
        raise Conflict(_("考核结论已变化，请刷新页面后再申请。"), code="verdict_changed")
    if Appeal.objects.filter(verdict__version=latest).exists():
        raise Conflict(_("每个版本只能申请一次复核，您已申请过。"), code="already_appealed")
    text = _text(
        reason, label=_("申请理由"), field="reason", minimum=selectors.MIN_TEXT_FLOOR, maximum=MAX_APPEAL
    )
    appeal = Appeal.objects.create(verdict=verdict, reason=text, created_by=actor, created_at=timezone.now())
    events.appealed(actor=actor, appeal=appeal)
    teachers_changed([evidence.teacher_id])
    return appeal
