"""Pages of the school launch, picks and plans."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tisheng.core.errors import AppError, NotFound, ValidationFailed
from tisheng.core.pagination import page_of
from tisheng.core.scoping import get_visible, scope_for
from tisheng.framework.models import AbilityPoint, Dimension, Environment
from tisheng.organisation.selectors import teacher_get

from . import selectors, services
from .errors import MenuChangeUnconfirmed
from .forms import AttachmentForm, MenuForm, PicksForm, PlanForm, ReviewForm
from .models import PlanKind, PlanStatus


def _grid(points, chosen: set[int]):
    """Points grouped environment → dimension for checkbox grids."""
    table = []
    for env in Environment:
        dims = []
        for dim in Dimension:
            items = [
                (p, p.id in chosen) for p in points if p.environment == env.value and p.dimension == dim.value
            ]
            if items:
                dims.append((dim.label, items))
        if dims:
            table.append((env.value, env.label, dims))
    return table


@login_required
@require_http_methods(["GET", "POST"])
def launch_edit(request, school_id: int):
    scope = scope_for(request.user)
    school = selectors.launch_school_get(scope=scope, school_id=school_id)
    can_edit = scope.can_manage_school(school)
    launch = selectors.launch_for(school)
    available = list(
        AbilityPoint.objects.filter(
            Q(city__isnull=True) | Q(city_id=school.city_id), framework__code=services.DEFAULT_FRAMEWORK
        ).order_by("sort_order", "id")
    )
    chosen = {p.id for p in launch.points.all()} if launch else set()
    form = MenuForm(
        request.POST or None,
        point_choices=[(p.id, p.code) for p in available],
        initial={"environments": launch.environments if launch else []},
    )
    status, affected, preview = 200, None, None
    if request.method == "POST":
        if not can_edit:
            raise NotFound()
        # The school first sees what the change does (preview), then publishes it (R-DIM, R-OUTCOME).
        action = "publish" if request.POST.get("action") == "publish" else "preview"
        if form.is_valid():
            chosen = set(form.cleaned_data["points"])
            selection = {
                "actor": request.user,
                "school": school,
                "environments": form.cleaned_data["environments"],
                "point_ids": form.cleaned_data["points"],
            }
            try:
                if action == "preview":
                    preview = services.menu_preview(**selection)
                else:
                    launch, affected = services.menu_publish(
                        **selection,
                        confirm_held=form.cleaned_data["confirm_held"],
                        expected_version=form.cleaned_data["version"],
                    )
            except MenuChangeUnconfirmed as exc:
                preview = services.menu_preview(**selection)
                form.add_error(None, str(exc.message))
                status = exc.status
            except AppError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                if action == "publish":
                    messages.success(request, _("能力点菜单已发布（第%(v)s版）。") % {"v": launch.version})
                    chosen = {p.id for p in launch.points.all()}
        else:
            status = 400
    return render(
        request,
        "plans/launch_edit.html",
        {
            "school": school,
            "launch": launch,
            "form": form,
            "grid": _grid(available, chosen),
            "can_edit": can_edit,
            "locked": set(),
            "affected": affected,
            "preview": preview,
            "team_problems": services.team_problems(school),
            "teachers": selectors.school_pick_counts(scope=scope, school_id=school.id) if can_edit else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_picks(request):
    scope = scope_for(request.user)
    if not scope.teacher_id:
        raise NotFound()
    teacher = teacher_get(scope=scope, teacher_id=scope.teacher_id)
    status_info = services.pick_status(teacher=teacher)
    picked = {p.point_id for p in status_info["picks"]}
    menu = status_info["menu"]
    form = PicksForm(
        request.POST or None,
        point_choices=[(p.id, p.code) for p in menu]
        + [(p.point_id, p.point.code) for p in status_info["picks"]],
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                status_info = services.picks_set(
                    actor=request.user, teacher=teacher, point_ids=form.cleaned_data["points"]
                )
            except AppError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
                picked = set(form.cleaned_data["points"])
            else:
                messages.success(request, _("选点已保存。"))
                return redirect("my-picks")
        else:
            status = 400
    return render(
        request,
        "plans/my_picks.html",
        {
            "teacher": teacher,
            "info": status_info,
            "form": form,
            "grid": _grid(menu, picked),
            "locked": {p.point_id for p in status_info["picks"] if p.locked},
            "off_menu": [p for p in status_info["picks"] if p.off_menu],
        },
        status=status,
    )


@login_required
@require_POST
def pick_unlock(request, pick_id: int):
    pick = selectors.pick_get(scope=scope_for(request.user), pick_id=pick_id)
    services.pick_unlock(actor=request.user, pick=pick)
    messages.success(request, _("已解锁 %(t)s 的能力点 %(c)s。") % {"t": pick.teacher, "c": pick.point.code})
    return redirect("launch-edit", school_id=pick.teacher.school_id)


QUEUE_LABELS = {
    "county": _lazy("县区信息化发展规划（市备案审核）"),
    "school": _lazy("学校方案（县区备案审核）"),
    "group": _lazy("教研组研修计划"),
    "personal": _lazy("教师个人研修计划（学校确认）"),
}


def _int_param(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


@login_required
@require_GET
def plan_list(request):
    """The review queues this person has (by kind, filterable by school and status, oldest first)
    and every plan they may read."""
    scope = scope_for(request.user)
    queues = selectors.review_queues(scope=scope)
    ctx = {"queues": [(q, QUEUE_LABELS[q]) for q in queues], "statuses": PlanStatus.choices}
    if queues:
        queue = request.GET.get("queue", "")
        queue = queue if queue in queues else queues[0]
        status = request.GET.get("status", PlanStatus.SUBMITTED)
        status = status if status in PlanStatus.values or status == "all" else PlanStatus.SUBMITTED
        schools = list(selectors.review_schools(scope=scope, queue=queue))
        school_id = _int_param(request.GET.get("school"))
        school_id = school_id if school_id in {s.id for s in schools} else None
        ctx.update(
            queue=queue,
            queue_label=QUEUE_LABELS[queue],
            status=status,
            schools=schools,
            school_id=school_id,
            review_page=page_of(
                selectors.review_queue(
                    scope=scope, queue=queue, school_id=school_id, status="" if status == "all" else status
                ),
                request.GET.get("page"),
            ),
        )
    ctx["plans"] = page_of(selectors.plan_list(scope=scope), request.GET.get("all_page"))
    return render(request, "plans/plan_list.html", ctx)


def _plan_form_page(request, *, kind, school=None, group=None, teacher=None, plan=None, county=None):
    """The edit form of a draft or returned plan. A submitted or approved plan is shown read-only,
    with its status and the action still open (withdraw, or nothing once approved)."""
    scope = scope_for(request.user)
    actions = services.plan_actions(scope, plan) if plan else None
    if plan and actions["locked"] and request.method == "GET":
        return render(
            request,
            "plans/plan_edit.html",
            {"kind_label": PlanKind(kind).label, "plan": plan, "actions": actions, "form": None},
        )
    form = PlanForm(
        request.POST or None,
        initial={"title": plan.title, "body": plan.body} if plan else {"title": PlanKind(kind).label},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                plan = services.plan_save(
                    actor=request.user,
                    kind=kind,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    school=school,
                    group=group,
                    teacher=teacher,
                    county=county,
                )
                if request.POST.get("then") == "submit":
                    services.plan_submit(actor=request.user, plan=plan)
                    messages.success(request, _("已提交，等待审核。"))
                else:
                    messages.success(request, _("草稿已保存。"))
            except AppError as exc:
                # The page keeps what was typed: the form is rendered again with the posted values.
                form.add_error(None, str(exc.message))
                status = exc.status
                if plan:
                    plan.refresh_from_db()
                    actions = services.plan_actions(scope, plan)
            else:
                return redirect("plan-detail", plan_id=plan.pk)
        else:
            status = 400
    return render(
        request,
        "plans/plan_edit.html",
        {"form": form, "kind_label": PlanKind(kind).label, "plan": plan, "actions": actions},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit_school(request, school_id: int, kind: str):
    scope = scope_for(request.user)
    if kind not in (PlanKind.SCHOOL_IT, PlanKind.SCHOOL_RESEARCH):
        raise NotFound()
    school = selectors.launch_school_get(scope=scope, school_id=school_id)
    if not scope.can_manage_school(school):
        raise NotFound()
    plan = school.plans.filter(kind=kind).first()
    return _plan_form_page(request, kind=kind, school=school, plan=plan)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit_county(request, county_id: int):
    """The county's IT development plan (sheet 3.1 item 1), written by its office, filed with the city."""
    scope = scope_for(request.user)
    county = get_visible(scope.counties(manage=True), pk=county_id)
    if not (scope.is_platform_admin or scope.bound("county", manage=True).filter(id=county.pk).exists()):
        raise NotFound()
    plan = county.plans.filter(kind=PlanKind.COUNTY_IT).first()
    return _plan_form_page(request, kind=PlanKind.COUNTY_IT, county=county, plan=plan)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit_group(request, group_id: int):
    scope = scope_for(request.user)
    group = get_visible(scope.groups().select_related("school"), pk=group_id)
    if not (scope.views_group(group.id) or scope.can_manage_school(group.school)):
        raise NotFound()
    return _plan_form_page(
        request,
        kind=PlanKind.GROUP_RESEARCH,
        group=group,
        plan=group.plans.filter(kind=PlanKind.GROUP_RESEARCH).first(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit_personal(request):
    scope = scope_for(request.user)
    if not scope.teacher_id:
        raise NotFound()
    teacher = teacher_get(scope=scope, teacher_id=scope.teacher_id)
    return _plan_form_page(
        request,
        kind=PlanKind.PERSONAL,
        teacher=teacher,
        plan=teacher.plans.filter(kind=PlanKind.PERSONAL).first(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_detail(request, plan_id: int):
    scope = scope_for(request.user)
    plan = selectors.plan_get(scope=scope, plan_id=plan_id)
    action_error = ""
    may_review = selectors.plan_may_review(scope, plan)
    posted = request.POST if request.method == "POST" else None
    review_form = ReviewForm(posted if posted and posted.get("action") == "review" else None)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "submit":
                services.plan_submit(actor=request.user, plan=plan)
                messages.success(request, _("已提交，等待审核。"))
            elif action == "withdraw":
                services.plan_withdraw(actor=request.user, plan=plan)
                messages.success(request, _("已撤回，方案回到草稿状态，修改后可以再次提交。"))
            elif action == "review" and may_review:
                if not review_form.is_valid():
                    raise ValidationFailed(_("请检查审核意见。"))
                services.plan_review(
                    actor=request.user,
                    plan=plan,
                    approve=review_form.cleaned_data["decision"] == "approve",
                    reason=review_form.cleaned_data["reason"],
                )
                messages.success(request, _("审核意见已保存。"))
            else:
                raise NotFound()
        except AppError as exc:
            if exc.status == 404:
                raise
            # Shown on the page as an error, beside the form it is about, not as a flash message.
            if action == "review" and not review_form.errors:
                review_form.add_error(None, str(exc.message))
            elif action != "review":
                action_error = str(exc.message)
            status = exc.status
        else:
            return redirect("plan-detail", plan_id=plan.pk)
        plan.refresh_from_db()
    actions = services.plan_actions(scope, plan)
    edit_url = None
    if actions["can_edit"]:
        if plan.kind == PlanKind.GROUP_RESEARCH:
            edit_url = reverse("plan-edit-group", args=[plan.group_id])
        elif plan.kind == PlanKind.PERSONAL:
            edit_url = reverse("plan-edit-personal")
        else:
            edit_url = reverse("plan-edit-school", args=[plan.school_id, plan.kind])
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "history": plan.history.select_related("actor").order_by("-at", "-id"),
            "review_form": review_form if may_review and plan.status == PlanStatus.SUBMITTED else None,
            "action_error": action_error,
            "edit_url": edit_url,
            "actions": actions,
            "attachments": plan.attachments.filter(removed=False).order_by("uploaded_at"),
            "attachment_form": AttachmentForm() if edit_url else None,
        },
        status=status,
    )


@login_required
@require_POST
def plan_attach(request, plan_id: int):
    scope = scope_for(request.user)
    plan = selectors.plan_get(scope=scope, plan_id=plan_id)
    if not services.plan_may_edit(scope, plan):
        raise NotFound()
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        try:
            services.plan_attach(actor=request.user, plan=plan, upload=form.cleaned_data["file"])
        except AppError as exc:
            if exc.status == 404:
                raise
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("附件已上传。"))
    return redirect("plan-detail", plan_id=plan.pk)


@login_required
@require_POST
def plan_attachment_remove(request, attachment_id: int):
    attachment = selectors.attachment_get(scope=scope_for(request.user), attachment_id=attachment_id)
    services.plan_attachment_remove(actor=request.user, attachment=attachment)
    messages.success(request, _("附件已移除。"))
    return redirect("plan-detail", plan_id=attachment.plan_id)


@login_required
@require_GET
def plan_attachment_download(request, attachment_id: int):
    from django.http import FileResponse

    attachment = selectors.attachment_get(scope=scope_for(request.user), attachment_id=attachment_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)
