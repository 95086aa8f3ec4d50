"""Pages of evidence (R-OUTCOME): the teacher's points and edit page; the submissions of teachers in
a person's scope, read-only. Thin: a form, one service or selector, a template."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tisheng.core import files as filetypes
from tisheng.core.errors import ValidationFailed
from tisheng.core.pagination import page_of
from tisheng.core.scoping import scope_for

from . import panels, selectors, services
from .forms import EvidenceForm, StartForm
from .models import EvidenceStatus


@login_required
@require_GET
def evidence_list(request):
    scope = scope_for(request.user)
    status = request.GET.get("status", "")
    status = status if status in EvidenceStatus.values else ""
    ctx = {
        "is_teacher": bool(scope.teacher_id),
        "rows": selectors.my_points(scope=scope),
        "status": status,
        "statuses": EvidenceStatus.choices,
    }
    if selectors.sees_submissions(scope=scope):
        ctx["submissions"] = page_of(
            selectors.submissions(scope=scope, status=status), request.GET.get("page")
        )
    return render(request, "evidence/evidence_list.html", ctx)


@login_required
@require_POST
def evidence_start(request):
    form = StartForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(_("请选择能力点。"))
    evidence, _created = services.evidence_create(actor=request.user, point_id=form.cleaned_data["point"])
    return redirect("evidence-detail", evidence_id=evidence.pk)


def _initial(evidence) -> dict:
    return {
        "summary": evidence.summary,
        "reflection": evidence.reflection,
        "revision": evidence.revision,
        "action": "save",
    }


@login_required
@require_http_methods(["GET", "POST"])
def evidence_detail(request, evidence_id: int):
    scope = scope_for(request.user)
    status = 200
    if request.method == "POST":
        evidence = selectors.evidence_get_own(scope=scope, evidence_id=evidence_id)
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            result = services.evidence_save(
                actor=request.user,
                evidence=evidence,
                summary=data["summary"],
                reflection=data["reflection"],
                revision=data["revision"],
                uploads=data["files"],
                submit=data["action"] == "submit",
            )
            if not result.errors:
                if result.version:
                    messages.success(request, _("已提交第%(n)s版。") % {"n": result.version.number})
                else:
                    messages.success(request, _("草稿已保存。"))
                return redirect("evidence-detail", evidence_id=evidence.pk)
            # Nothing lost: the page comes back with what was typed and says what failed.
            for where, problems in result.errors.items():
                for problem in problems:
                    form.add_error(None if where == "__all__" else where, problem)
            if result.revision is not None:
                # The page goes on from the draft as it now stands: after its own save (a refused
                # file) or, after a StaleDraft, from the newer draft, so saving again then wins.
                posted = request.POST.copy()
                posted["revision"] = str(result.revision)
                form.data = posted
            status = result.status
        else:
            status = 400
        evidence = selectors.evidence_get(scope=scope, evidence_id=evidence_id)
    else:
        evidence = selectors.evidence_get(scope=scope, evidence_id=evidence_id)
        form = EvidenceForm(initial=_initial(evidence))
    view = selectors.evidence_view(scope=scope, evidence=evidence)
    return render(
        request,
        "evidence/evidence_detail.html",
        {
            "view": view,
            "evidence": evidence,
            "point": evidence.point,
            "form": form if view.can_edit else None,
            "accept": filetypes.ACCEPT,
            "limits_mb": {k: v // services.MB for k, v in view.limits.items()},
            # The evaluation chain's sections (self-evaluation, verdicts, appeal): evidence/panels.py.
            "panels": panels.render(request, scope=scope, evidence=evidence),
        },
        status=status,
    )


@login_required
@require_POST
def evidence_withdraw(request, evidence_id: int):
    evidence = selectors.evidence_get_own(scope=scope_for(request.user), evidence_id=evidence_id)
    services.evidence_withdraw(actor=request.user, evidence=evidence)
    messages.success(request, _("已撤回。修改后可以再次提交，之前的版本仍保留在历史中。"))
    return redirect("evidence-detail", evidence_id=evidence.pk)


@login_required
@require_GET
def evidence_file_download(request, file_id: int):
    found = selectors.file_get(scope=scope_for(request.user), file_id=file_id)
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type,
    )


@login_required
@require_POST
def evidence_file_remove(request, file_id: int):
    found = selectors.file_get_own(scope=scope_for(request.user), file_id=file_id)
    services.evidence_file_remove(actor=request.user, file=found)
    messages.success(request, _("已移除“%(name)s”。") % {"name": found.original_name})
    return redirect("evidence-detail", evidence_id=found.evidence_id)
