from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tisheng.core.errors import AppError, Forbidden, NotFound
from tisheng.core.scoping import get_visible, scope_for
from tisheng.organisation.models import City
from tisheng.programme.models import BatchCalendar

from . import services
from .forms import CalendarForm, SettingsForm
from .selectors import settings_for_city


@login_required
@require_GET
def programme_home(request):
    """The menu's entry: the settings of the person's own city (the city office edits them)."""
    scope = scope_for(request.user)
    if scope.is_platform_admin:
        city_ids = list(City.objects.order_by("id").values_list("id", flat=True)[:1])
    else:
        city_ids = sorted(scope.city_ids_in_view())
    if not city_ids:
        raise NotFound()
    return redirect("programme-settings", city_id=city_ids[0])


@login_required
@require_http_methods(["GET", "POST"])
def programme_settings(request, city_id: int):
    scope = scope_for(request.user)
    city_ids = scope.city_ids_in_view() if not scope.is_platform_admin else None
    if city_ids is not None and city_id not in city_ids:
        raise NotFound()
    city = get_visible(City.objects.all(), pk=city_id)
    can_edit = scope.can_manage_city(city.pk)
    row = settings_for_city(city.pk)
    form = SettingsForm(
        request.POST if request.method == "POST" and "settings" in request.POST else None, instance=row
    )
    calendar_form = CalendarForm(
        request.POST if request.method == "POST" and "calendar" in request.POST else None
    )
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise Forbidden(_("只有市工程办管理员可以修改项目设置。"))
        target = form if "settings" in request.POST else calendar_form
        if target.is_valid():
            try:
                if target is form:
                    services.programme_settings_update(
                        actor=request.user, city=city, values=form.cleaned_data
                    )
                else:
                    data = dict(calendar_form.cleaned_data)
                    year = data.pop("batch_year")
                    services.batch_calendar_update(actor=request.user, city=city, batch_year=year, dates=data)
            except AppError as exc:
                target.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已保存。"))
                return redirect("programme-settings", city_id=city.pk)
        else:
            status = 400
    return render(
        request,
        "programme/settings.html",
        {
            "city": city,
            "form": form,
            "calendar_form": calendar_form,
            "calendars": BatchCalendar.objects.filter(city=city).order_by("batch_year"),
            "can_edit": can_edit,
            # Read again: a refused form has already put its values on `row`.
            "settings_row": settings_for_city(city.pk),
        },
        status=status,
    )
