"""Pages of the trainings app (R-OFFLINE): the list with the form to arrange one, a training with its
attendance and the list form, the organiser's rotating QR screen, and what a teacher's phone opens after
scanning. Thin: a form or a selector, one service, a template. Their paths stay under /hours/."""

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tisheng.core.errors import AppError, Forbidden
from tisheng.core.pagination import page_of
from tisheng.core.scoping import scope_for

from . import checkin, selectors, services
from .forms import AttendanceForm, TrainingForm

SCANS = "hours_checkin_scans"  # session key: check-in code → when it was scanned (epoch seconds)
QR_REFRESH_SECONDS = 10


def _int(value) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**62 else None


@login_required
@require_http_methods(["GET", "POST"])
def training_list(request):
    scope = scope_for(request.user)
    units = selectors.organiser_choices(scope=scope)
    form = None
    status = 200
    if units:
        form = TrainingForm(
            request.POST or None, units=units, schools=selectors.audience_school_options(scope=scope)
        )
    if request.method == "POST":
        if form is None:
            raise Forbidden(_("只有主办单位的管理员可以安排线下集中培训。"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                training = services.training_create(
                    actor=request.user,
                    organiser=data["organiser"],
                    title=data["title"],
                    place=data["place"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    hours=data["hours"],
                    kind=data["kind"],
                    audience_school_ids=data["audience"],
                )
            except AppError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已安排培训“%(t)s”。") % {"t": training.title})
                return redirect("hours-training", training_id=training.pk)
        else:
            status = 400
    trainings = page_of(selectors.training_list(scope=scope), request.GET.get("page"), per_page=20)
    return render(
        request,
        "trainings/training_list.html",
        {"trainings": trainings, "form": form, "now": timezone.now()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_detail(request, training_id: int):
    """A training, its attendance (of the teachers the person sees) and, for the organiser's managers,
    the list form: pick a school of the audience, tick who attended."""
    scope = scope_for(request.user)
    training = selectors.training_get(scope=scope, training_id=training_id)
    can_manage = selectors.training_manageable(scope=scope, training=training)
    if request.method == "POST":
        services.training_require_manager(actor=request.user, training=training)
    form = None
    status = 200
    school_choices = []
    school_id = None
    if can_manage:
        school_choices = list(selectors.audience_school_choices(scope=scope, training=training)[:500])
        school_id = _int(request.POST.get("school") or request.GET.get("school"))
        if school_id not in {s.pk for s in school_choices}:
            school_id = school_choices[0].pk if school_choices else None
        candidates = (
            list(selectors.attendance_candidates(scope=scope, training=training, school_id=school_id)[:1000])
            if school_id
            else []
        )
        form = AttendanceForm(request.POST or None, candidates=candidates)
        if request.method == "POST":
            if form.is_valid():
                try:
                    added = services.attendance_record_list(
                        actor=request.user, training=training, teachers=form.cleaned_data["teachers"]
                    )
                except AppError as exc:
                    form.add_error(None, str(exc.message))
                    status = exc.status
                else:
                    messages.success(request, _("已登记 %(n)s 人参训。") % {"n": added})
                    return redirect(f"{reverse('hours-training', args=[training.pk])}?school={school_id}")
            else:
                status = 400
    attendance = page_of(
        selectors.attendance_list(scope=scope, training=training), request.GET.get("page"), per_page=100
    )
    return render(
        request,
        "trainings/training_detail.html",
        {
            "training": training,
            "can_manage": can_manage,
            "form": form,
            "school_choices": school_choices,
            "school_id": school_id,
            "attendance": attendance,
        },
        status=status,
    )


def _qr_context(request, training) -> dict:
    now = timezone.now()
    token = checkin.make_code(training.pk, now=now)
    url = request.build_absolute_uri(reverse("hours-checkin", args=[token]))
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#1f2933")
    return {"training": training, "svg": svg, "url": url, "issued": now, "refresh": QR_REFRESH_SECONDS}


def _managed_training(request, training_id):
    return selectors.training_get_managed(scope=scope_for(request.user), training_id=training_id)


@login_required
@require_GET
def training_qr(request, training_id: int):
    """The organiser's screen: a QR code that changes every 10 seconds (each valid for 30)."""
    training = _managed_training(request, training_id)
    response = render(request, "trainings/training_qr.html", _qr_context(request, training))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def training_qr_code(request, training_id: int):
    """The QR fragment htmx fetches every 10 seconds."""
    training = _managed_training(request, training_id)
    response = render(request, "trainings/_qr_code.html", _qr_context(request, training))
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def checkin_view(request, token: str):
    """What a teacher's phone opens after scanning: the scan is judged fresh or not at once (and kept in
    the session so that signing in first costs nothing); a tap on 确认签到 checks in."""
    now = timezone.now()
    scans = request.session.get(SCANS, {})
    scanned = scans.get(token) if isinstance(scans, dict) else None
    try:
        if scanned is None:
            services.checkin_scan(token, now=now)
            scans = {k: v for k, v in (scans if isinstance(scans, dict) else {}).items()}
            scans[token] = now.timestamp()
            request.session[SCANS] = dict(list(scans.items())[-5:])
            scanned = now.timestamp()
    except AppError as exc:
        return render(request, "trainings/checkin.html", {"error": exc.message}, status=exc.status)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    scanned_at = dt.datetime.fromtimestamp(scanned, tz=dt.UTC)
    try:
        if request.method == "POST":
            services.attendance_checkin(actor=request.user, token=token, now=now, scanned_at=scanned_at)
            return render(request, "trainings/checkin.html", {"done": True})
        training = services.attendance_checkin_check(
            actor=request.user, token=token, now=now, scanned_at=scanned_at
        )
    except AppError as exc:
        return render(request, "trainings/checkin.html", {"error": exc.message}, status=exc.status)
    return render(request, "trainings/checkin.html", {"training": training})
