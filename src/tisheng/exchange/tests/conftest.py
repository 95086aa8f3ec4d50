"""A small city for the import tests: two county-level units that both have a 第一小学."""

from dataclasses import dataclass

import pytest

from tisheng.organisation.models import City, County, CountyKind, School
from tisheng.organisation.tests.factories import CityFactory, CountyFactory, SchoolFactory


@dataclass
class Org:
    city: City
    shihe: County  # 浉河区
    pingqiao: County  # 平桥区
    shihe_first: School  # 第一小学 in 浉河区
    pingqiao_first: School  # 第一小学 in 平桥区
    shiyan: School  # 实验中学, only in 浉河区
    mingang: School  # 明港镇中心校, only in 平桥区


@pytest.fixture
def org(db) -> Org:
    city = CityFactory(name="信阳市")
    shihe = CountyFactory(city=city, name="浉河区", kind=CountyKind.DISTRICT)
    pingqiao = CountyFactory(city=city, name="平桥区", kind=CountyKind.DISTRICT)
    return Org(
        city=city,
        shihe=shihe,
        pingqiao=pingqiao,
        shihe_first=SchoolFactory(county=shihe, name="第一小学"),
        pingqiao_first=SchoolFactory(county=pingqiao, name="第一小学"),
        shiyan=SchoolFactory(county=shihe, name="实验中学"),
        mingang=SchoolFactory(county=pingqiao, name="明港镇中心校"),
    )
