from .models import BatchCalendar, ProgrammeSettings


def settings_for_city(city_id: int) -> ProgrammeSettings:
    """The city's settings; Xinyang's defaults until the city office changes them (not saved until then)."""
    found = ProgrammeSettings.objects.filter(city_id=city_id).first()
    return found or ProgrammeSettings(city_id=city_id)


def calendar_for(city_id: int, batch_year: int | None) -> BatchCalendar | None:
    if batch_year is None:
        return None
    return BatchCalendar.objects.filter(city_id=city_id, batch_year=batch_year).first()
