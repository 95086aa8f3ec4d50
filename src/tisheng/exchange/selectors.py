"""Reads of imports, from the actor's scope."""

from __future__ import annotations

from django.db.models import QuerySet

from tisheng.access.scoping import Scope
from tisheng.core.errors import NotFound
from tisheng.core.problems import Words
from tisheng.core.scoping import get_visible

from .importing import shown
from .models import ImportJob
from .report import open_report


def import_jobs_visible(scope: Scope) -> QuerySet:
    """Imports: seen by who started them and by the managers of the unit they write into."""
    jobs = ImportJob.objects.all()
    if scope.is_platform_admin:
        return jobs
    managed = scope.restrict(jobs, manage=True, city="city", county="county", school="school")
    if scope.user_id is None:
        return managed
    return managed | jobs.filter(created_by_id=scope.user_id)


def import_job_get(*, scope: Scope, job_id) -> ImportJob:
    return get_visible(import_jobs_visible(scope).select_related("created_by"), pk=job_id)


def import_preview_shown(rows: list[dict]) -> list[dict]:
    """Preview rows with their problems in the active language."""
    words = Words()
    return [{**r, "problems": [shown(p, words=words) for p in r.get("problems", [])]} for r in rows]


def import_report_open(job: ImportJob):
    """The job's problem list (.xlsx) as an open binary file, in the active language (report.py)."""
    if not job.report:
        raise NotFound()
    return open_report(job.report, title=f"{job.get_kind_display()} {job.original_name}")
