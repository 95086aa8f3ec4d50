import pytest

from tisheng.organisation.tests.factories import TeacherFactory


@pytest.mark.django_db
def test_teacher_factory_keeps_county_and_city_in_step_with_school():
    teacher = TeacherFactory()
    assert teacher.county_id == teacher.school.county_id
    assert teacher.city_id == teacher.school.city_id
    assert teacher.group.school_id == teacher.school_id
