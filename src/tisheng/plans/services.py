"""Writes of the school launch, picks and plans."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from tisheng.core import files as filetypes
from tisheng.core.changes import schools_changed, teachers_changed
from tisheng.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tisheng.core.files import FileKind
from tisheng.core.notices import notify
from tisheng.core.scoping import scope_for
from tisheng.framework.models import AbilityPoint, Environment, Framework
from tisheng.programme.selectors import calendar_for, settings_for_city

from . import events, locks, rules, selectors
from .errors import MenuChanged, MenuChangeUnconfirmed
from .models import Pick, Plan, PlanAction, PlanAttachment, PlanEvent, PlanKind, PlanStatus, SchoolLaunch

DEFAULT_FRAMEWORK = "henan-2021"
MAX_TITLE = 120
MAX_BODY = 50_000
MAX_REASON = 2_000
MAX_ATTACHMENTS = 10


# ---- launch: environments and the menu (R-DIM) -----------------------------------------------------
def _points_for_school(school, framework, point_ids) -> list[AbilityPoint]:
    ids = sorted({int(i) for i in point_ids})
    points = list(
        AbilityPoint.objects.filter(
            Q(city__isnull=True) | Q(city_id=school.city_id), framework=framework, id__in=ids
        )
    )
    if len(points) != len(ids):
        raise ValidationFailed(_("所选能力点不存在或不属于本市可用的框架。"), fields={"points": _("无效")})
    return points


def _checked_menu(school, environments, point_ids, framework_code):
    """The environments, framework and points of a menu, or ValidationFailed saying what is wrong."""
    environments = sorted(set(environments or []))
    if not environments or any(e not in Environment.values for e in environments):
        raise ValidationFailed(
            _("请选择学校的教学环境（多媒体、混合或智慧教学环境）。"), fields={"environments": _("必填")}
        )
    framework = Framework.objects.filter(code=framework_code).first()
    if framework is None:
        raise ValidationFailed(_("能力点框架不存在。"))
    points = _points_for_school(school, framework, point_ids)
    outside = [p.code for p in points if p.environment not in environments]
    if outside:
        raise ValidationFailed(
            _("能力点 %(codes)s 不属于所选的教学环境。") % {"codes": "、".join(outside)},
            fields={"points": _("无效")},
        )
    settings_row = settings_for_city(school.city_id)
    shortfalls = rules.menu_shortfalls(
        point_dimensions=[p.dimension for p in points], min_dimensions=settings_row.min_offer_dimensions
    )
    if shortfalls:
        raise ValidationFailed(shortfalls[0], fields={"points": shortfalls[0]})
    # An environment the school says it teaches in, with nothing offered in it, is a slip: refused.
    empty = [Environment(e).label for e in environments if not any(p.environment == e for p in points)]
    if empty:
        message = _("所选的教学环境“%(envs)s”中没有选择任何能力点：请为它选择能力点，或取消该环境。") % {
            "envs": "、".join(str(e) for e in empty)
        }
        raise ValidationFailed(message, fields={"environments": message})
    return environments, framework, sorted(points, key=lambda p: (p.sort_order, p.id))


@dataclass
class AffectedPick:
    teacher: object
    point: AbilityPoint
    held_by: str  # the evidence status that holds the pick ("" when none)


@dataclass
class MenuChange:
    """What publishing a menu would change (the preview the school confirms)."""

    environments: list[str]
    points: list[AbilityPoint]
    added: list[AbilityPoint]
    removed: list[AbilityPoint]
    affected: list[AffectedPick]
    version: int  # the menu version the change starts from

    @property
    def held(self) -> list[AffectedPick]:
        return [a for a in self.affected if a.held_by]

    @property
    def teachers(self) -> list:
        return list({a.teacher.pk: a.teacher for a in self.affected}.values())

    def affected_out(self) -> list[dict]:
        return [
            {
                "teacher_id": a.teacher.pk,
                "name": a.teacher.user.display_name,
                "point": a.point.code,
                "held_by": a.held_by,
            }
            for a in self.affected
        ]


def _menu_change(school, launch, environments, points) -> MenuChange:
    before = set(launch.points.values_list("id", flat=True)) if launch else set()
    after = {p.id for p in points}
    removed_ids = before - after
    removed = list(AbilityPoint.objects.filter(id__in=removed_ids).order_by("sort_order", "id"))
    held = locks.held_picks(school_id=school.pk, point_ids=removed_ids)
    affected = [
        AffectedPick(
            teacher=pick.teacher,
            point=pick.point,
            # Evidence names its status; a pick the school has not unlocked is held even without it.
            held_by=held.get((pick.teacher_id, pick.point_id)) or (_("已锁定") if pick.locked else ""),
        )
        for pick in Pick.objects.filter(teacher__school=school, point_id__in=removed_ids)
        .select_related("teacher__user", "point")
        .order_by("teacher_id", "point__sort_order")
    ]
    return MenuChange(
        environments=environments,
        points=points,
        added=[p for p in points if p.id not in before],
        removed=removed,
        affected=affected,
        version=launch.version if launch else 0,
    )


def menu_preview(
    *, actor, school, environments: list[str], point_ids: list[int], framework_code: str = DEFAULT_FRAMEWORK
) -> MenuChange:
    """What publishing this menu would change, for the school to look at before it confirms: points
    added and removed, the teachers whose picks fall off the menu, and which of those picks evidence
    holds (submitted or accepted). Writes nothing."""
    if not scope_for(actor).can_manage_school(school):
        raise NotFound()
    environments, _framework, points = _checked_menu(school, environments, point_ids, framework_code)
    return _menu_change(school, SchoolLaunch.objects.filter(school=school).first(), environments, points)


@transaction.atomic
def menu_publish(
    *,
    actor,
    school,
    environments: list[str],
    point_ids: list[int],
    framework_code: str = DEFAULT_FRAMEWORK,
    confirm_held: bool = False,
    expected_version: int | None = None,
):
    """Publish the school's menu. Points taken off the menu never silently drop a teacher's pick:
    the pick is flagged, the teacher told, and the list of affected teachers returned. A point whose
    pick submitted or accepted evidence holds leaves the menu only when the school confirms it
    (`confirm_held`); otherwise MenuChangeUnconfirmed lists who is affected. `expected_version` is
    the version the school previewed: a menu published in between is refused (MenuChanged)."""
    if not scope_for(actor).can_manage_school(school):
        raise NotFound()
    environments, framework, points = _checked_menu(school, environments, point_ids, framework_code)
    # Lock the launch row: two team members publishing at once must not interleave, and the change
    # is computed under the lock so the confirmation covers exactly what is written.
    launch = SchoolLaunch.objects.select_for_update().filter(school=school).first()
    if expected_version is not None and expected_version != (launch.version if launch else 0):
        raise MenuChanged(
            _("能力点菜单在您预览之后已被他人发布（现在是第%(v)s版），请重新预览后再确认。")
            % {"v": launch.version if launch else 0}
        )
    change = _menu_change(school, launch, environments, points)
    if change.held and not confirm_held:
        names = "、".join(
            dict.fromkeys(
                f"{a.teacher.user.display_name}（{a.point.code}，{a.held_by}）" for a in change.held
            )
        )
        raise MenuChangeUnconfirmed(
            _("以下教师已为将移出菜单的能力点提交了成果：%(names)s。请确认后再发布。") % {"names": names},
            fields={"confirm_held": _("需要明确确认")},
            affected=change.affected_out(),
        )
    if launch is None:
        launch = SchoolLaunch.objects.create(school=school, framework=framework)
    removed = {p.id for p in change.removed}
    after = {p.id for p in points}
    launch.framework = framework
    launch.environments = environments
    launch.published_at = timezone.now()
    launch.published_by = actor
    launch.version += 1
    launch.save()
    launch.points.set(points)
    affected = change.teachers
    Pick.objects.filter(teacher__school=school, point_id__in=removed).update(off_menu=True)
    Pick.objects.filter(teacher__school=school, point_id__in=after, off_menu=True).update(off_menu=False)
    if affected:
        codes = "、".join(sorted({a.point.code for a in change.affected}))
        notify(
            recipients=[t.user_id for t in affected],
            message=_("学校调整了能力点菜单，您选择的能力点 %(codes)s 已不在菜单中，请重新确认选点。")
            % {"codes": codes},
            link=reverse("my-picks"),
            kind="menu_changed",
        )
    events.menu_published(
        actor=actor,
        launch=launch,
        added=[p.code for p in change.added],
        removed=[p.code for p in change.removed],
        affected=len(affected),
        held=[f"{a.teacher.pk}:{a.point.code}" for a in change.held],
    )
    schools_changed([school.pk])  # the offered dimensions decide R-PICK (progress totals)
    return launch, affected


# ---- picks (R-PICK) ---------------------------------------------------------------------------------
def pick_status(*, teacher) -> dict:
    """What the teacher picked and what is still missing, in the words of the page."""
    launch = SchoolLaunch.objects.filter(school_id=teacher.school_id, published_at__isnull=False).first()
    settings_row = settings_for_city(teacher.city_id)
    picks = list(Pick.objects.filter(teacher=teacher).select_related("point"))
    menu = list(launch.points.order_by("sort_order")) if launch else []
    offered = {p.dimension for p in menu}
    active = [p for p in picks if not p.off_menu]
    missing = (
        rules.pick_shortfalls(
            picked_dimensions=[p.point.dimension for p in active],
            offered_dimensions=offered,
            min_picks=settings_row.min_picks,
            coverage=settings_row.pick_coverage,
            min_dimensions=settings_row.pick_min_dimensions,
        )
        if launch
        else [_("学校还没有发布能力点菜单。")]
    )
    return {"launch": launch, "menu": menu, "picks": picks, "missing": missing, "settings": settings_row}


@transaction.atomic
def picks_set(*, actor, teacher, point_ids: list[int], now=None) -> dict:
    """The teacher's picks become exactly `point_ids` (R-PICK). Locked picks cannot be dropped."""
    scope = scope_for(actor)
    if scope.teacher_id != teacher.pk:
        raise NotFound()
    school = teacher.school
    launch = SchoolLaunch.objects.filter(school=school, published_at__isnull=False).first()
    if launch is None:
        raise ValidationFailed(_("学校还没有发布能力点菜单，暂时不能选点。"))
    calendar = calendar_for(school.city_id, school.batch_year)
    today = timezone.localdate(now) if now else timezone.localdate()
    if calendar and calendar.picks_due and today > calendar.picks_due:
        raise ValidationFailed(
            _("选点已于%(date)s截止，如需调整请联系学校管理员。")
            % {"date": dateformat.format(calendar.picks_due, _("Y年m月d日"))}
        )
    wanted = {int(i) for i in point_ids}
    menu_ids = set(launch.points.values_list("id", flat=True))
    # Lock this teacher's picks while they change (two tabs saving at once).
    current = {p.point_id: p for p in Pick.objects.select_for_update().filter(teacher=teacher)}
    not_on_menu = wanted - menu_ids - set(current)
    if not_on_menu:
        raise ValidationFailed(_("只能从学校发布的能力点菜单中选择。"), fields={"points": _("不在菜单中")})
    dropping = [p for pid, p in current.items() if pid not in wanted]
    locked = [p for p in dropping if p.locked]
    if locked:
        codes = "、".join(p.point.code for p in locked)
        raise ValidationFailed(
            _("能力点 %(codes)s 已提交成果，不能取消；如需调整请联系学校解锁。") % {"codes": codes},
            fields={"points": _("已锁定")},
        )
    Pick.objects.filter(id__in=[p.id for p in dropping]).delete()
    added = wanted - set(current)
    try:
        Pick.objects.bulk_create([Pick(teacher=teacher, point_id=pid) for pid in sorted(added)])
    except IntegrityError:
        raise Conflict() from None
    if added or dropping:
        codes = dict(
            AbilityPoint.objects.filter(id__in=added | {p.point_id for p in dropping}).values_list(
                "id", "code"
            )
        )
        events.picks_changed(
            actor=actor,
            teacher=teacher,
            added=sorted(codes[i] for i in added),
            removed=sorted(codes[p.point_id] for p in dropping),
        )
        teachers_changed([teacher.pk])
    return pick_status(teacher=teacher)


@transaction.atomic
def pick_unlock(*, actor, pick) -> Pick:
    if not scope_for(actor).can_manage_school(pick.teacher.school):
        raise NotFound()
    pick.locked = False
    pick.save(update_fields=["locked"])
    events.pick_unlocked(actor=actor, pick=pick)
    return pick


# ---- plans and their filing (R-FILING, R-TEAM) ------------------------------------------------------
def team_problems(school) -> list[str]:
    """R-TEAM: a management team of 3–5 led by the principal, with a CIO."""
    from tisheng.people.models import Role, RoleAssignment

    team = list(RoleAssignment.objects.filter(school=school, role=Role.SCHOOL_TEAM))
    problems = []
    if not 3 <= len(team) <= 5:
        problems.append(_("学校管理团队应为3至5人（目前%(n)s人）。") % {"n": len(team)})
    if not any(m.is_principal for m in team):
        problems.append(_("学校管理团队需由校长牵头（尚未标记校长）。"))
    if not any(m.is_cio for m in team):
        problems.append(_("学校管理团队需有首席信息官（CIO）。"))
    return problems


def plan_may_edit(scope, plan: Plan) -> bool:
    if plan.kind == PlanKind.COUNTY_IT:
        # The county's own office writes it (the city reviews it: plan_may_review).
        return (
            scope.is_platform_admin or scope.bound("county", manage=True).filter(id=plan.county_id).exists()
        )
    if plan.kind in (PlanKind.SCHOOL_IT, PlanKind.SCHOOL_RESEARCH):
        return scope.can_manage_school(plan.school)
    if plan.kind == PlanKind.GROUP_RESEARCH:
        return scope.views_group(plan.group_id) or scope.can_manage_school(plan.school)
    return plan.teacher_id == scope.teacher_id


LOCKED = (PlanStatus.SUBMITTED, PlanStatus.APPROVED)


def plan_actions(scope, plan: Plan) -> dict:
    """What this person can do with the plan now, in the page's words: a submitted or approved plan
    is read-only, and the page says which action (if any) is still open."""
    owner = plan_may_edit(scope, plan)
    # The reviewer decides (approve or return); taking the plan back is its authors' step.
    may_withdraw = owner and not selectors.plan_may_review(scope, plan)
    status = plan.status
    if status == PlanStatus.SUBMITTED and may_withdraw:
        note = _("方案已提交，等待审核，不能修改。审核前可以撤回，撤回后修改再提交。")
    elif status == PlanStatus.SUBMITTED:
        note = _("方案已提交，等待审核，不能修改。")
    elif status == PlanStatus.APPROVED:
        note = _("方案已通过审核（已备案），不能再修改，也无需其他操作。")
    elif status == PlanStatus.RETURNED:
        note = _("方案已被退回，请根据意见修改后重新提交。")
    else:
        note = _("草稿，尚未提交。")
    return {
        "locked": status in LOCKED,
        "can_edit": owner and status not in LOCKED,
        "can_submit": owner and status not in LOCKED,
        "can_withdraw": may_withdraw and status == PlanStatus.SUBMITTED,
        "resubmit": status == PlanStatus.RETURNED,
        "note": note if owner else "",
    }


def _clean_text(title: str, body: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    body = (body or "").replace("\x00", "")
    errors = {}
    if not title:
        errors["title"] = _("请填写标题。")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("标题不能超过%(n)s个字。") % {"n": MAX_TITLE}
    if len(body) > MAX_BODY:
        errors["body"] = _("正文不能超过%(n)s个字，较长的内容请作为附件上传。") % {"n": MAX_BODY}
    if errors:
        raise ValidationFailed("；".join(str(v) for v in errors.values()), fields=errors)
    return title, body


@transaction.atomic
def plan_save(
    *, actor, kind: str, title: str, body: str, school=None, group=None, teacher=None, county=None
) -> Plan:
    """Create the owner's plan or update its draft. Only drafts and returned plans can be edited."""
    scope = scope_for(actor)
    title, body = _clean_text(title, body)
    if kind in (PlanKind.SCHOOL_IT, PlanKind.SCHOOL_RESEARCH):
        lookup = {"school": school, "kind": kind}
        owner = {"school": school}
    elif kind == PlanKind.GROUP_RESEARCH:
        lookup, owner = {"group": group, "kind": kind}, {"school": group.school, "group": group}
    elif kind == PlanKind.PERSONAL:
        lookup, owner = {"teacher": teacher, "kind": kind}, {"school": teacher.school, "teacher": teacher}
    elif kind == PlanKind.COUNTY_IT and county is not None:
        lookup, owner = {"county": county, "kind": kind}, {"county": county}
    else:
        raise ValidationFailed(_("方案类型无效。"), fields={"kind": _("无效")})
    plan = Plan.objects.select_for_update().filter(**lookup).first()
    if plan is None:
        plan = Plan(kind=kind, title=title, body=body, **owner)
        if not plan_may_edit(scope, plan):
            raise NotFound()
        plan.save()
    else:
        if not plan_may_edit(scope, plan):
            raise NotFound()
        if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
            raise Conflict(_("方案已提交（%(s)s），不能修改。") % {"s": plan.get_status_display()})
        plan.title, plan.body, plan.updated_at = title, body, timezone.now()
        plan.save(update_fields=["title", "body", "updated_at"])
    PlanEvent.objects.create(
        plan=plan, action=PlanAction.SAVED, actor=actor, version=plan.version, title=title, body=body
    )
    events.plan_event(actor=actor, plan=plan, action="saved")
    return plan


@transaction.atomic
def plan_submit(*, actor, plan: Plan) -> Plan:
    scope = scope_for(actor)
    plan = Plan.objects.select_for_update(of=("self",)).select_related("school").get(pk=plan.pk)
    if not plan_may_edit(scope, plan):
        raise NotFound()
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        raise Conflict(_("方案当前状态为“%(s)s”，不能提交。") % {"s": plan.get_status_display()})
    if not plan.body.strip() and not plan.attachments.filter(removed=False).exists():
        raise ValidationFailed(_("方案正文为空，请填写正文或上传附件后再提交。"))
    if plan.kind == PlanKind.SCHOOL_IT:
        problems = team_problems(plan.school)
        if problems:
            raise ValidationFailed(_("提交前请先完善学校管理团队：") + "".join(problems))
    action = PlanAction.RESUBMITTED if plan.status == PlanStatus.RETURNED else PlanAction.SUBMITTED
    plan.status = PlanStatus.SUBMITTED
    plan.version += 1
    plan.updated_at = timezone.now()
    plan.save(update_fields=["status", "version", "updated_at"])
    PlanEvent.objects.create(
        plan=plan,
        action=action,
        actor=actor,
        version=plan.version,
        title=plan.title,
        body=plan.body,
        attachments=[{"id": a.pk, "name": a.original_name} for a in plan.attachments.filter(removed=False)],
    )
    events.plan_event(actor=actor, plan=plan, action=action)
    _plan_totals_changed(plan)
    return plan


@transaction.atomic
def plan_withdraw(*, actor, plan: Plan) -> Plan:
    """Take a submitted plan back before it is reviewed: it is a draft again, and the submitted
    version stays in the history. A reviewed plan cannot be withdrawn (the review holds)."""
    scope = scope_for(actor)
    plan = Plan.objects.select_for_update(of=("self",)).select_related("school").get(pk=plan.pk)
    if not plan_may_edit(scope, plan):
        raise NotFound()
    if selectors.plan_may_review(scope, plan):
        raise Forbidden(_("审核人不能撤回方案；如需修改，请退回并写明理由。"))
    if plan.status != PlanStatus.SUBMITTED:
        raise Conflict(_("方案当前状态为“%(s)s”，不能撤回。") % {"s": plan.get_status_display()})
    plan.status = PlanStatus.DRAFT
    plan.updated_at = timezone.now()
    plan.save(update_fields=["status", "updated_at"])
    PlanEvent.objects.create(plan=plan, action=PlanAction.WITHDRAWN, actor=actor, version=plan.version)
    events.plan_event(actor=actor, plan=plan, action=PlanAction.WITHDRAWN)
    _plan_totals_changed(plan)  # no longer submitted nor waiting for review (progress totals)
    return plan


@transaction.atomic
def plan_review(*, actor, plan: Plan, approve: bool, reason: str = "") -> Plan:
    scope = scope_for(actor)
    # of=("self",): PostgreSQL cannot lock the nullable side of an outer join (teacher, group).
    plan = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("school", "teacher", "group")
        .get(pk=plan.pk)
    )
    if not selectors.plan_visible(scope).filter(pk=plan.pk).exists():
        raise NotFound()
    if not selectors.plan_may_review(scope, plan):
        raise Forbidden(_("您无权审核该方案。"))
    if plan.status != PlanStatus.SUBMITTED:
        raise Conflict(_("方案当前状态为“%(s)s”，不能审核。") % {"s": plan.get_status_display()})
    reason = (reason or "").replace("\x00", "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_("意见不能超过%(n)s个字。") % {"n": MAX_REASON}, fields={"reason": _("过长")})
    if not approve and not reason:
        raise ValidationFailed(_("退回时请写明理由，方便学校修改。"), fields={"reason": _("必填")})
    plan.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    plan.updated_at = timezone.now()
    plan.save(update_fields=["status", "updated_at"])
    action = PlanAction.APPROVED if approve else PlanAction.RETURNED
    PlanEvent.objects.create(plan=plan, action=action, actor=actor, version=plan.version, reason=reason)
    events.plan_event(actor=actor, plan=plan, action=action, reason=reason)
    _plan_totals_changed(plan)
    recipients = _plan_owners(plan)
    if recipients:
        verdict = _("已通过") if approve else _("被退回：%(r)s") % {"r": reason[:200]}
        notify(
            recipients=recipients,
            message=_("《%(title)s》%(verdict)s") % {"title": plan.title, "verdict": verdict},
            link=reverse("plan-detail", args=[plan.pk]),
            kind="plan_reviewed",
        )
    return plan


def _plan_totals_changed(plan: Plan) -> None:
    """Plans submitted, waiting and filed are counted in the progress totals (by the plan's school;
    a personal plan also counts for its teacher's school)."""
    if plan.school_id:
        schools_changed([plan.school_id])
    if plan.kind == PlanKind.PERSONAL:
        teachers_changed([plan.teacher_id])


def _plan_owners(plan: Plan) -> list[int]:
    from tisheng.people.models import Role, RoleAssignment

    if plan.kind == PlanKind.PERSONAL:
        return [plan.teacher.user_id]
    if plan.kind == PlanKind.COUNTY_IT:
        return list(
            RoleAssignment.objects.filter(county=plan.county, role=Role.COUNTY_ADMIN).values_list(
                "user_id", flat=True
            )
        )
    if plan.kind == PlanKind.GROUP_RESEARCH:
        return list(
            RoleAssignment.objects.filter(group=plan.group, role=Role.GROUP_LEADER).values_list(
                "user_id", flat=True
            )
        )
    return list(
        RoleAssignment.objects.filter(school=plan.school, role=Role.SCHOOL_TEAM).values_list(
            "user_id", flat=True
        )
    )


# ---- attachments -----------------------------------------------------------------------------------
def _editable_plan(actor, plan: Plan) -> Plan:
    scope = scope_for(actor)
    plan = Plan.objects.select_for_update(of=("self",)).select_related("school").get(pk=plan.pk)
    if not plan_may_edit(scope, plan):
        raise NotFound()
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        raise Conflict(_("方案已提交（%(s)s），不能修改附件。") % {"s": plan.get_status_display()})
    return plan


@transaction.atomic
def plan_attach(*, actor, plan: Plan, upload) -> PlanAttachment:
    """A document or image attached to a draft or returned plan, judged by its content, not its name."""
    plan = _editable_plan(actor, plan)
    if plan.attachments.filter(removed=False).count() >= MAX_ATTACHMENTS:
        raise ValidationFailed(_("每个方案最多%(n)s个附件。") % {"n": MAX_ATTACHMENTS})
    name = filetypes.clean_name(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        raise ValidationFailed(_("文件是空的。"), fields={"file": _("空文件")})
    kind = filetypes.check(upload, name)  # ContentRefused says what is wrong
    if kind.kind == FileKind.VIDEO:
        raise ValidationFailed(
            _("方案附件请上传文档、PDF或图片；课堂视频请在成果材料中上传。"), fields={"file": _("类型不支持")}
        )
    settings_row = settings_for_city(plan.school.city_id)
    limit_mb = settings_row.max_image_mb if kind.kind == FileKind.IMAGE else settings_row.max_document_mb
    if size > limit_mb * 1024 * 1024:
        raise ValidationFailed(
            _("文件过大：此类文件上限 %(mb)s MB。") % {"mb": limit_mb}, fields={"file": _("过大")}
        )
    upload.seek(0)
    attachment = PlanAttachment(
        plan=plan, original_name=name, size=size, uploaded_by=actor, detected_type=kind.name
    )
    attachment.file.save(f"plan{plan.pk}{kind.extension}", upload, save=False)
    attachment.save()
    events.plan_attachment(actor=actor, plan=plan, name=name, added=True)
    return attachment


@transaction.atomic
def plan_attachment_remove(*, actor, attachment) -> None:
    """Taken off the draft; the file is kept, because earlier submitted versions may list it."""
    _editable_plan(actor, attachment.plan)
    attachment.removed = True
    attachment.save(update_fields=["removed"])
    events.plan_attachment(actor=actor, plan=attachment.plan, name=attachment.original_name, added=False)
