"""Pages of the evaluation chain (issue 10 items 1, 2, 4): rubrics (评价量规), the teacher's
self-evaluation and appeal (on the evidence page, through evidence/panels.py), and the school
assessment group's queue and verdict page (成果考核). Thin: a form, one service or selector, a template."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tisheng.core.errors import AppError, Forbidden, NotFound
from tisheng.core.pagination import page_of
from tisheng.core.scoping import scope_for
from tisheng.organisation.models import City, TeachingGroup

from . import selectors, services
from .forms import AppealForm, QueueFilterForm, RubricForm, SelfEvaluationForm, VerdictForm
from .rubrics import current_rubric


# ---- rubrics (R-FW-3) -----------------------------------------------------------------------------
@login_required
@require_GET
def rubric_home(request):
    """The menu's entry: the rubrics of the person's (first) city."""
    city = selectors.rubric_cities(scope=scope_for(request.user)).first()
    if city is None:
        raise NotFound()
    return redirect("rubric-list", city_id=city.pk)


@login_required
@require_GET
def rubric_list(request, city_id: int):
    scope = scope_for(request.user)
    city = selectors.city_get(scope=scope, city_id=city_id)
    return render(
        request,
        "evaluation/rubric_list.html",
        {
            "city": city,
            "rows": selectors.rubric_list(scope=scope, city=city),
            "can_edit": scope.can_manage_city(city.pk),
        },
    )


@login_required
@require_GET
def rubric_detail(request, rubric_id: int):
    scope = scope_for(request.user)
    rubric = selectors.rubric_get(scope=scope, rubric_id=rubric_id)
    return render(
        request,
        "evaluation/rubric_detail.html",
        {
            "rubric": rubric,
            "point": rubric.point,
            "history": selectors.rubric_history(rubric),
            "can_edit": rubric.is_current and scope.can_manage_city(rubric.city_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rubric_edit(request, rubric_id: int):
    scope = scope_for(request.user)
    rubric = selectors.rubric_get(scope=scope, rubric_id=rubric_id)
    if not scope.can_manage_city(rubric.city_id):
        raise NotFound()  # the city office's page: nobody else learns anything from it
    form = RubricForm(request.POST or None, rubric=rubric)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                new = services.rubric_update(actor=request.user, rubric=rubric, **form.values())
            except AppError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已保存为第%(n)s版。") % {"n": new.version})
                return redirect("rubric-detail", rubric_id=new.pk)
        else:
            status = 400
    return render(
        request,
        "evaluation/rubric_edit.html",
        {"rubric": rubric, "point": rubric.point, "form": form},
        status=status,
    )


# ---- the teacher's side, on the evidence page -------------------------------------------------------
def _panel_context(request, scope, evidence, **extra) -> dict:
    record = selectors.record_for(scope=scope, evidence=evidence)
    rubric = current_rubric(city_id=evidence.teacher.city_id, point=evidence.point)
    ctx = {"record": record, "evidence": evidence, "rubric": rubric}
    if record.can_self_evaluate:
        ctx["self_form"] = SelfEvaluationForm(initial={"version": record.latest.pk}, rubric=rubric)
    if record.can_appeal:
        ctx["appeal_form"] = AppealForm(initial={"verdict": record.last_verdict.pk})
        ctx["min_chars"] = selectors.MIN_TEXT_FLOOR
    ctx["min_reflection"] = selectors.min_text_chars(evidence.teacher.city_id)
    ctx.update(extra)
    return ctx


def evidence_panel(request, *, scope, evidence) -> str:
    """The evaluation section of the evidence page (registered in apps.py through evidence/panels.py):
    the self-evaluation form or what was given, the verdicts and the appeal."""
    if evidence.version < 1:
        return ""
    return render_to_string(
        "evaluation/_evidence_panel.html", _panel_context(request, scope, evidence), request=request
    )


def _form_errors(form, exc: AppError) -> None:
    field = next((f for f in exc.fields if f in form.fields), None)
    form.add_error(field, str(exc.message))


@login_required
@require_POST
def self_evaluate(request, evidence_id: int):
    scope = scope_for(request.user)
    evidence = selectors.record_get(scope=scope, evidence_id=evidence_id)
    if scope.teacher_id is None or evidence.teacher_id != scope.teacher_id:
        raise NotFound()  # the teacher's own action: nobody else learns anything from it
    rubric = current_rubric(city_id=evidence.teacher.city_id, point=evidence.point)
    form = SelfEvaluationForm(request.POST, rubric=rubric)
    status = 400
    if form.is_valid():
        try:
            services.self_evaluation_submit(
                actor=request.user,
                evidence=evidence,
                version_id=form.cleaned_data["version"],
                ratings=form.ratings(),
                overall=form.cleaned_data["overall"],
                reflection=form.cleaned_data["reflection"],
            )
        except AppError as exc:
            _form_errors(form, exc)
            status = exc.status
        else:
            messages.success(request, _("自评已提交。"))
            return redirect("evidence-detail", evidence_id=evidence.pk)
    return render(
        request,
        "evaluation/self_evaluation.html",
        {
            "evidence": evidence,
            "rubric": rubric,
            "self_form": form,
            "min_reflection": selectors.min_text_chars(evidence.teacher.city_id),
        },
        status=status,
    )


@login_required
@require_POST
def appeal(request, evidence_id: int):
    scope = scope_for(request.user)
    evidence = selectors.record_get(scope=scope, evidence_id=evidence_id)
    if scope.teacher_id is None or evidence.teacher_id != scope.teacher_id:
        raise NotFound()
    form = AppealForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.appeal_submit(
                actor=request.user,
                evidence=evidence,
                verdict_id=form.cleaned_data["verdict"],
                reason=form.cleaned_data["reason"],
            )
        except AppError as exc:
            _form_errors(form, exc)
            status = exc.status
        else:
            messages.success(request, _("复核申请已提交，学校考核小组的其他成员将重新考核。"))
            return redirect("evidence-detail", evidence_id=evidence.pk)
    return render(
        request,
        "evaluation/appeal.html",
        {"evidence": evidence, "appeal_form": form, "min_chars": selectors.MIN_TEXT_FLOOR},
        status=status,
    )


# ---- 成果考核: the queue and the verdict page -------------------------------------------------------
@login_required
@require_GET
def assess_queue(request):
    scope = scope_for(request.user)
    if scope.sees_nothing or not (scope.sees_schools or scope.is_platform_admin or scope.holds("group")):
        raise NotFound()
    form = QueueFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or selectors.QueueStatus.WAITING
    if status not in selectors.QueueStatus.values:
        status = selectors.QueueStatus.WAITING
    rows = selectors.assess_queue(
        scope=scope, status=status, group_id=data.get("group"), point_id=data.get("point")
    )
    schools = selectors.assessor_school_ids(scope)
    groups = (
        TeachingGroup.objects.filter(school_id__in=sorted(schools)).order_by("school_id", "name")
        if schools
        else TeachingGroup.objects.none()
    )
    city_ids = sorted(scope.city_ids_in_view())
    points = []
    if city_ids:
        city = City.objects.filter(pk=city_ids[0]).first()
        points = list(selectors.city_points(city)) if city else []
    return render(
        request,
        "evaluation/assess_queue.html",
        {
            "page": page_of(rows, request.GET.get("page")),
            "status": status,
            "statuses": selectors.QueueStatus.choices,
            "group": data.get("group"),
            "point": data.get("point"),
            "groups": groups,
            "points": points,
            "county_appeals": selectors.county_appeals(scope=scope),
            "is_assessor": selectors.is_assessor(scope),
        },
    )


@login_required
@require_GET
def assess_count(request):
    """The number next to 成果考核 in the menu, fetched by htmx after the page (so no page pays for it)."""
    scope = scope_for(request.user)
    n = selectors.waiting_count(scope=scope) if selectors.is_assessor(scope) else 0
    return HttpResponse(str(n) if n else "", content_type="text/plain; charset=utf-8")


@login_required
@require_http_methods(["GET", "POST"])
def assess_detail(request, evidence_id: int):
    scope = scope_for(request.user)
    evidence = selectors.record_get(scope=scope, evidence_id=evidence_id)
    rubric = current_rubric(city_id=evidence.teacher.city_id, point=evidence.point)
    status = 200
    form = None
    if request.method == "POST":
        refusal = selectors.judge_refusal(
            scope=scope, evidence=evidence, version=selectors.latest_version(evidence)
        )
        if refusal is not None and refusal.forbidden:
            raise Forbidden(refusal.message)  # a role that only reads, their own work, a reviewer
        form = VerdictForm(request.POST, rubric=rubric)
        if form.is_valid():
            data = form.cleaned_data
            try:
                verdict = services.verdict_give(
                    actor=request.user,
                    evidence=evidence,
                    version_id=data["version"],
                    verdicts_seen=data["seen"],
                    decision=data["decision"],
                    ratings=form.ratings(),
                    comment=data["comment"],
                )
            except AppError as exc:
                _form_errors(form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("已保存考核结论：%(outcome)s。") % {"outcome": verdict.get_outcome_display()},
                )
                return redirect("assess-detail", evidence_id=evidence.pk)
        else:
            status = 400
        evidence = selectors.record_get(scope=scope, evidence_id=evidence_id)
    record = selectors.record_for(scope=scope, evidence=evidence)
    if record.refusal is None:
        if form is None:
            form = VerdictForm(
                initial={"version": record.latest.pk, "seen": record.verdicts_seen}, rubric=rubric
            )
    elif status == 200:
        form = None
    return render(
        request,
        "evaluation/assess_detail.html",
        {
            "record": record,
            "evidence": evidence,
            "point": evidence.point,
            "rubric": rubric,
            "form": form,
            "min_chars": selectors.min_text_chars(evidence.teacher.city_id),
        },
        status=status,
    )
