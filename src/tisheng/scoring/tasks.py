"""Background work of the sheets: recomputing a city after its rules change (STYLE trait 8)."""

from django_tasks import task

from . import keeping


@task()
def recompute_city_sheets(city_id: int) -> None:
    keeping.recompute(city_id=city_id)


@task()
def recompute_school_sheets(school_ids: list[int]) -> None:
    """After a big batch (an import): these schools' teachers' sheets and the rates above them."""
    keeping.schools_now(school_ids)
