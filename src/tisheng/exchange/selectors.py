"""Reads of imports, from the actor's scope."""

from __future__ import annotations

from django.db.models import QuerySet

from tisheng.access.scoping import Scope
from tisheng.core.scoping import get_visible

from .models import ImportJob


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
