"""Background work of the sheets: recomputing a city after its rules change (STYLE trait 8)."""

from django_tasks import task

from . import keeping


@task()
def recompute_city_sheets(city_id: int) -> None:
    keeping.recompute(city_id=city_id)
