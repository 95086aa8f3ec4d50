"""Background work of 我的进度: recounting a city's totals after its rules change (STYLE trait 8)."""

from django_tasks import task

from . import totals


@task()
def recompute_city_totals(city_id: int) -> None:
    totals.recompute(city_id=city_id)
