from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tisheng.core.errors import AppError, NotFound
from tisheng.core.pagination import page_of
from tisheng.core.scoping import get_visible, scope_for
from tisheng.exchange.selectors import import_jobs_visible, import_preview_shown, import_report_open

from . import services
from .forms import UploadForm


def _job(request, job_id):
    return get_visible(import_jobs_visible(scope_for(request.user)).select_related("created_by"), pk=job_id)


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request):
    scope = scope_for(request.user)
    units = services.import_units_for(actor=request.user)
    if not units:
        raise NotFound()
    status = 200
    error = None
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.TISHENG_IMPORT_MAX_BYTES + 64 * 1024:
            # Refused before the body is read: the message says what to do.
            form = UploadForm(units=units)
            error = _("文件过大（上限 %(mb)s MB），请拆分后分批导入。") % {
                "mb": max(1, settings.TISHENG_IMPORT_MAX_BYTES // (1024 * 1024))
            }
            status = 413
        else:
            form = UploadForm(request.POST, request.FILES, units=units)
            if form.is_valid():
                try:
                    job = services.import_job_create(
                        actor=request.user,
                        kind=form.cleaned_data["kind"],
                        unit=form.cleaned_data["unit"],
                        upload=form.cleaned_data["file"],
                        valid_only=form.cleaned_data["valid_only"],
                    )
                except AppError as exc:
                    form.add_error(None, str(exc.message))
                    status = exc.status
                else:
                    return redirect("import-detail", job_id=job.pk)
            else:
                status = 400
    else:
        form = UploadForm(units=units)
    jobs = page_of(
        import_jobs_visible(scope).select_related("created_by", "county", "school", "city"),
        request.GET.get("page"),
        per_page=20,
    )
    return render(
        request, "exchange/import_list.html", {"form": form, "jobs": jobs, "error": error}, status=status
    )


@login_required
@require_GET
def import_detail(request, job_id):
    job = _job(request, job_id)
    problems = page_of([r for r in job.preview if r["problems"]], request.GET.get("page"), per_page=100)
    # Stored as codes (or, on old jobs, Chinese text): put into the reader's words, one page at a time.
    problems.object_list = import_preview_shown(list(problems.object_list))
    first_rows = [r for r in job.preview][:20]
    return render(
        request, "exchange/import_detail.html", {"job": job, "problems": problems, "first_rows": first_rows}
    )


@login_required
@require_GET
def import_progress(request, job_id):
    job = _job(request, job_id)
    response = render(request, "exchange/_progress.html", {"job": job})
    if not job.is_running:
        response["HX-Refresh"] = "true"  # the full page shows the preview or the result
    return response


@login_required
@require_POST
def import_confirm(request, job_id):
    job = _job(request, job_id)
    services.import_job_confirm(actor=request.user, job=job)
    return redirect("import-detail", job_id=job.pk)


@login_required
@require_POST
def import_retry(request, job_id):
    job = _job(request, job_id)
    services.import_job_retry(actor=request.user, job=job)
    return redirect("import-detail", job_id=job.pk)


@login_required
@require_GET
def import_report(request, job_id):
    job = _job(request, job_id)
    return FileResponse(
        import_report_open(job),
        as_attachment=True,
        filename=f"{job.original_name.rsplit('.', 1)[0]}-问题清单.xlsx",
    )
