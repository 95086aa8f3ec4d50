from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tisheng.core.errors import AppError, Forbidden
from tisheng.core.scoping import scope_for

from . import selectors, services
from .forms import LocalPointForm
from .models import Dimension, Environment


@login_required
@require_GET
def framework_list(request):
    scope = scope_for(request.user)
    return render(
        request, "framework/framework_list.html", {"frameworks": selectors.framework_list(scope=scope)}
    )


def _grouped(points):
    """Points grouped environment → dimension, in the seed's order."""
    table = []
    for env in Environment:
        dims = []
        for dim in Dimension:
            items = [p for p in points if p.environment == env.value and p.dimension == dim.value]
            if items:
                dims.append((dim.label, items))
        if dims:
            table.append((env.label, dims))
    return table


@login_required
@require_http_methods(["GET", "POST"])
def framework_detail(request, code: str):
    scope = scope_for(request.user)
    framework = selectors.framework_get(scope=scope, code=code)
    manageable_cities = [c for c in scope.cities() if scope.can_manage_city(c.id)]
    form = None
    status = 200
    if manageable_cities:
        form = LocalPointForm(request.POST or None, cities=manageable_cities)
        if request.method == "POST":
            if form.is_valid():
                city = next(c for c in manageable_cities if c.id == form.cleaned_data["city"])
                try:
                    point = services.ability_point_add_local(
                        actor=request.user,
                        framework=framework,
                        city=city,
                        code=form.cleaned_data["code"],
                        environment=form.cleaned_data["environment"],
                        dimension=form.cleaned_data["dimension"],
                        title=form.cleaned_data["title"],
                        description=form.cleaned_data["description"],
                        requirements=form.cleaned_data["requirements"],
                    )
                except AppError as exc:
                    form.add_error(None, str(exc.message))
                    status = exc.status
                else:
                    messages.success(request, _("已新增地方特色能力点 %(code)s。") % {"code": point.code})
                    return redirect("framework-detail", code=framework.code)
            else:
                status = 400
    elif request.method == "POST":
        raise Forbidden(_("只有市工程办管理员可以新增地方特色能力点。"))
    points = list(selectors.point_list(scope=scope, framework=framework))
    return render(
        request,
        "framework/framework_detail.html",
        {"framework": framework, "table": _grouped(points), "count": len(points), "form": form},
        status=status,
    )
