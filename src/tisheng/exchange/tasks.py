"""Background work of imports: each task takes a job id and calls a service (STYLE trait 8)."""

from django_tasks import task

from tisheng.core.context import RequestOrigin, reset_origin, set_origin

from . import services


def _as_task(fn, job_id: str) -> None:
    token = set_origin(RequestOrigin(via="task"))  # audit events say the change came from a job
    try:
        fn(job_id=job_id)
    finally:
        reset_origin(token)


@task()
def check_import(job_id: str) -> None:
    _as_task(services.import_job_check, job_id)


@task()
def apply_import(job_id: str) -> None:
    _as_task(services.import_job_apply, job_id)
