"""The sheets' pages: a school's sheet 3.2, a county's 3.1, the city's rates, the item rules.
(A teacher's sheet 3.3 is 我的进度: progress/views.py.)"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tisheng.core.errors import AppError, Forbidden, NotFound
from tisheng.core.scoping import scope_for

from . import selectors, services
from .forms import EnteredScoreForm
from .models import Mode, Sheet

FIELD_MAX = 20  # characters of one field of the rules page (a number or a mode)


@login_required
@require_GET
def sheets_home(request):
    """The menu's entry: the whole scope first (the city's rates, a county's schools, the school)."""
    scope = scope_for(request.user)
    if scope.holds("city") or scope.is_platform_admin:
        city = scope.cities().order_by("id").first()
        if city:
            return redirect("scoring-city", city_id=city.pk)
    if scope.holds("county"):
        return redirect("scoring-county", county_id=scope.bound("county").order_by("id").first().pk)
    if scope.holds("school"):
        return redirect("scoring-school", school_id=scope.bound("school").order_by("id").first().pk)
    if scope.teacher_id:
        return redirect("my-progress")
    raise NotFound()


def _entered(request, *, context, sheet, unit, url_name):
    form = EnteredScoreForm(request.POST if request.method == "POST" else None, items=context["items"])
    status = 200
    if request.method == "POST":
        if not context["can_enter"]:
            raise Forbidden(
                _("学校考核表由县区工程办评定。")
                if sheet == Sheet.SCHOOL
                else _("县区考核表由市工程办评定。")
            )
        if form.is_valid():
            try:
                services.entered_score_set(actor=request.user, sheet=sheet, unit=unit, **form.cleaned_data)
            except AppError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已保存评定。"))
                return redirect(url_name, unit.pk)
        else:
            status = 400
    context["form"] = form
    return status


@login_required
@require_http_methods(["GET", "POST"])
def school_sheet(request, school_id: int):
    scope = scope_for(request.user)
    context = selectors.school_sheet(scope=scope, school_id=school_id)
    status = _entered(
        request, context=context, sheet=Sheet.SCHOOL, unit=context["school"], url_name="scoring-school"
    )
    if not isinstance(status, int):
        return status  # saved: the redirect
    return render(request, "scoring/school.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def county_sheet(request, county_id: int):
    scope = scope_for(request.user)
    context = selectors.county_sheet(scope=scope, county_id=county_id)
    status = _entered(
        request, context=context, sheet=Sheet.COUNTY, unit=context["county"], url_name="scoring-county"
    )
    if not isinstance(status, int):
        return status  # saved: the redirect
    return render(request, "scoring/county.html", context, status=status)


@login_required
@require_GET
def city_rates(request, city_id: int):
    scope = scope_for(request.user)
    return render(request, "scoring/city.html", selectors.city_rates(scope=scope, city_id=city_id))


@login_required
@require_http_methods(["GET", "POST"])
def sheet_rules(request, city_id: int):
    scope = scope_for(request.user)
    context = selectors.sheet_rules(scope=scope, city_id=city_id)
    status = 200
    if request.method == "POST":
        if not context["can_edit"]:
            raise Forbidden(_("只有市工程办管理员可以修改考核表项目规则。"))
        sheet = request.POST.get("sheet", "")
        if sheet not in Sheet.values:
            context["error"] = _("没有这张考核表。")
            status = 400
        else:
            items = []
            for key in [r.key for r in dict((s, r) for s, _l, r in context["sheets"])[sheet]]:
                get = lambda name, key=key: request.POST.get(f"{name}_{key}", "")[:FIELD_MAX]  # noqa: E731
                items.append(
                    {
                        "key": key,
                        "weight": get("weight"),
                        "mode": get("mode") or None,
                        "threshold": get("threshold"),
                        "per_unit": get("per_unit"),
                    }
                )
            try:
                services.sheet_rules_update(
                    actor=request.user, city=context["city"], sheet=sheet, items=items
                )
            except AppError as exc:
                context["error"] = str(exc.message)
                context["error_sheet"] = sheet
                status = exc.status
            else:
                messages.success(request, _("已保存考核表项目规则，教师考核表将按新规则重新计算。"))
                return redirect("scoring-rules", city_id=context["city"].pk)
    context["computed_modes"] = [
        (m.value, m.label) for m in (Mode.PROPORTIONAL, Mode.ALL_OR_NOTHING, Mode.PER_UNIT)
    ]
    return render(request, "scoring/rules.html", context, status=status)
