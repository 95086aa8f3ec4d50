"""Background work of people: each task takes an id and calls a service (STYLE trait 8)."""

from django_tasks import task

from tisheng.core.context import RequestOrigin, reset_origin, set_origin

from . import services


@task()
def issue_sign_in_codes(batch_id: str) -> None:
    token = set_origin(RequestOrigin(via="task"))
    try:
        services.sign_in_code_batch_run(batch_id=batch_id)
    finally:
        reset_origin(token)
