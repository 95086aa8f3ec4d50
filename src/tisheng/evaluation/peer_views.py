"""Pages of peer review (R-PEER): 同伴互评 (the works assigned to me, and the review form) and
互评分配 (a school's allocations: dry-run preview, confirm, past runs, per-teacher load). Thin: a form,
one service or selector, a template."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tisheng.core.errors import AppError, NotFound, ValidationFailed
from tisheng.core.pagination import page_of
from tisheng.core.scoping import scope_for

from . import peer, peer_selectors
from .peer_forms import AllocationForm, ReviewForm


@login_required
@require_GET
def peer_home(request):
    scope = scope_for(request.user)
    ctx = {"is_teacher": bool(scope.teacher_id)}
    if scope.teacher_id:
        ctx["may_see"] = peer_selectors.may_see_assigned(scope)
        ctx["assignments"] = [(a, peer_selectors.explain(a)) for a in peer_selectors.my_assignments(scope)]
    if scope.sees_schools or scope.is_platform_admin:
        ctx["schools"] = page_of(
            scope.schools().select_related("county").order_by("county_id", "name", "pk"),
            request.GET.get("page"),
        )
    return render(request, "evaluation/peer_home.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def peer_review(request, peer_assignment_id: int):
    scope = scope_for(request.user)
    assignment = peer_selectors.assignment_get(scope=scope, peer_assignment_id=peer_assignment_id)
    view = peer_selectors.assignment_view(scope=scope, assignment=assignment)
    form = (
        ReviewForm(request.POST or None, rubric=view.rubric, min_chars=view.min_chars)
        if view.is_open
        else None
    )
    status = 200
    if request.method == "POST":
        if form is None:
            raise ValidationFailed(_("这项互评已经完成，不能再修改。"))
        if form.is_valid():
            try:
                peer.peer_review_submit(
                    actor=request.user,
                    assignment=assignment,
                    ratings=form.ratings(),
                    overall=form.cleaned_data["overall"],
                    comment=form.cleaned_data["comment"],
                )
            except AppError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("互评已提交，谢谢！"))
                return redirect("peer-home")
        else:
            status = 400
    return render(request, "evaluation/peer_review.html", {"view": view, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def peer_school(request, school_id: int):
    scope = scope_for(request.user)
    school = peer_selectors.school_get(scope=scope, school_id=school_id)
    can_run = scope.can_manage_school(school)
    form = AllocationForm(request.POST or None) if can_run else None
    plan = None
    status = 200
    if request.method == "POST":
        if form is None:
            raise NotFound()  # viewers read the allocations; the write is not theirs (peer.py)
        if form.is_valid():
            confirm = form.cleaned_data["action"] == "confirm"
            try:
                plan = peer.peer_allocate(
                    actor=request.user, school=school, dry_run=not confirm, seed=form.cleaned_data["seed"]
                )
            except AppError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                if confirm:
                    messages.success(
                        request, _("已完成互评分配：新增 %(n)s 项互评任务。") % {"n": len(plan.pairs)}
                    )
                    return redirect("peer-school", school_id=school.pk)
        else:
            status = 400
    allocations = page_of(peer_selectors.allocations_of(school=school), request.GET.get("page"), per_page=10)
    runs = [
        (a, peer_selectors.note_lines(a.notes, tiers=peer_selectors.allocation_tiers(a))) for a in allocations
    ]
    ctx = {
        "school": school,
        "can_run": can_run,
        "form": form,
        "plan": plan,
        "plan_rows": peer_selectors.plan_rows(plan) if plan else [],
        "plan_summary": peer_selectors.plan_summary(plan) if plan else None,
        "allocations": allocations,
        "runs": runs,
        "load": peer_selectors.teacher_load(school=school),
    }
    return render(request, "evaluation/peer_school.html", ctx, status=status)
