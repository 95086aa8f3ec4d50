"""Factories for the organisation and people (factory_boy). Other apps' tests import these."""

import factory

from tisheng.organisation.models import (
    City,
    County,
    CountyKind,
    Locality,
    School,
    Stage,
    Teacher,
    TeachingGroup,
)
from tisheng.people.models import Role, RoleAssignment, User

PASSWORD = "Correct-horse-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"城市{n}")


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County

    city = factory.SubFactory(CityFactory)
    name = factory.Sequence(lambda n: f"县区{n}")
    kind = CountyKind.COUNTY


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    county = factory.SubFactory(CountyFactory)
    city = factory.SelfAttribute("county.city")
    name = factory.Sequence(lambda n: f"第{n}小学")
    locality = Locality.URBAN
    stage = Stage.PRIMARY


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeachingGroup

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"教研组{n}")
    subject = "语文"


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    county = factory.SelfAttribute("school.county")
    city = factory.SelfAttribute("school.city")
    group = factory.SubFactory(GroupFactory, school=factory.SelfAttribute("..school"))
    subject = "语文"


def assign(user, role: str, unit, **marks) -> RoleAssignment:
    """Give a user a role on a unit directly (tests of scoping; services are tested separately)."""
    kind = {"City": "city", "County": "county", "School": "school", "TeachingGroup": "group"}[
        type(unit).__name__
    ]
    return RoleAssignment.objects.create(user=user, role=role, **{kind: unit}, **marks)


def user_with_role(role: str, unit, **marks) -> User:
    user = UserFactory()
    assign(user, role, unit, **marks)
    return user


def place_of_every_role() -> dict:
    """One school in 信阳市/浉河区 with a teacher, a colleague in their group, and a user of every role
    over it (and one with none): the world the input tests of hours, trainings and research share."""
    city = CityFactory(name="信阳市")
    county = CountyFactory(city=city, name="浉河区")
    school = SchoolFactory(county=county, name="浉河区第一小学")
    group = GroupFactory(school=school, name="语文组")
    teacher = TeacherFactory(school=school, group=group)
    return {
        "city": city,
        "county": county,
        "school": school,
        "teacher": teacher,
        "colleague": TeacherFactory(school=school, group=group),
        "users": {
            "city_admin": user_with_role(Role.CITY_ADMIN, city),
            "city_guide": user_with_role(Role.CITY_GUIDE, city),
            "county_admin": user_with_role(Role.COUNTY_ADMIN, county),
            "county_guide": user_with_role(Role.COUNTY_GUIDE, county),
            "principal": user_with_role(Role.SCHOOL_TEAM, school, is_principal=True),
            "group_leader": user_with_role(Role.GROUP_LEADER, group),
            "teacher": teacher.user,
            "evaluator": user_with_role(Role.EVALUATOR, county),
            "nobody": UserFactory(),
        },
    }


__all__ = [
    "place_of_every_role",
    "PASSWORD",
    "Role",
    "UserFactory",
    "CityFactory",
    "CountyFactory",
    "SchoolFactory",
    "GroupFactory",
    "TeacherFactory",
    "assign",
    "user_with_role",
]
