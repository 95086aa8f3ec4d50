"""Where an import may write: decided once from the actor's scope (core/scoping.py)."""

from dataclasses import dataclass

from tisheng.core.errors import NotFound
from tisheng.core.scoping import scope_for
from tisheng.organisation.models import City, County, School


@dataclass(frozen=True)
class ImportTarget:
    city: City | None
    county: County | None = None
    school: School | None = None
    system: bool = False  # the command line run by the operator: any city, may create cities

    @property
    def may_create_counties(self) -> bool:
        return self.county is None and self.school is None

    def schools(self):
        qs = School.objects.all()
        if self.school is not None:
            return qs.filter(pk=self.school.pk)
        if self.county is not None:
            return qs.filter(county_id=self.county.pk)
        if self.city is not None:
            return qs.filter(city_id=self.city.pk)
        return qs

    def describe(self) -> str:
        unit = self.school or self.county or self.city
        return str(unit) if unit else "全平台"


def target_for(*, actor, unit) -> ImportTarget:
    """The import target of a person importing into a unit they manage; NotFound otherwise."""
    scope = scope_for(actor)
    if isinstance(unit, City) and scope.can_manage_city(unit.pk):
        return ImportTarget(city=unit)
    if isinstance(unit, County) and scope.can_manage_county(unit):
        return ImportTarget(city=unit.city, county=unit)
    if isinstance(unit, School) and scope.can_manage_school(unit):
        return ImportTarget(city=unit.city, county=unit.county, school=unit)
    raise NotFound()
