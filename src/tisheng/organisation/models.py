"""The organisation (DOMAIN §1): city → county-level unit → optional zone → school → group → teacher.

Schools and teachers carry their county and city as plain foreign keys as well as their parent, so
that scoping (core/scoping.py) is an equality test on one indexed column at every level. The
services in services.py keep these copies in step; nothing else writes them.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tisheng.core.masking import mask_id, mask_phone


class City(models.Model):
    name = models.CharField("城市", max_length=64, unique=True)
    code = models.CharField("行政区划代码", max_length=12, blank=True)

    class Meta:
        verbose_name = "市"
        verbose_name_plural = "市"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CountyKind(models.TextChoices):
    COUNTY = "county", _("县")
    DISTRICT = "district", _("区")
    MANAGEMENT_AREA = "management_area", _("管理区")
    CITY_DIRECT = "city_direct", _("市直")


class County(models.Model):
    """A county-level unit: county, district, management area, or the city-direct unit (市直)."""

    city = models.ForeignKey(City, verbose_name="市", on_delete=models.PROTECT, related_name="counties")
    name = models.CharField("名称", max_length=64)
    kind = models.CharField("类型", max_length=20, choices=CountyKind.choices, default=CountyKind.COUNTY)
    is_poverty_county = models.BooleanField("贫困县", default=False)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "县区"
        verbose_name_plural = "县区"
        ordering = ["city_id", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="county_unique_name_in_city")]

    def __str__(self) -> str:
        return self.name


class Zone(models.Model):
    """片: the optional level of the 县-片-校 chain."""

    county = models.ForeignKey(County, verbose_name="县区", on_delete=models.PROTECT, related_name="zones")
    name = models.CharField("片区", max_length=64)

    class Meta:
        verbose_name = "片区"
        verbose_name_plural = "片区"
        ordering = ["county_id", "name"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="zone_unique_name_in_county")]

    def __str__(self) -> str:
        return self.name


class Locality(models.TextChoices):
    URBAN = "urban", _("城区")
    TOWN = "town", _("乡镇")
    VILLAGE = "village", _("村")


class Stage(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("幼儿园")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    NINE_YEAR = "nine_year", _("九年一贯制")
    TWELVE_YEAR = "twelve_year", _("十二年一贯制")
    COMPLETE_SECONDARY = "complete_secondary", _("完全中学")


class School(models.Model):
    city = models.ForeignKey(City, verbose_name="市", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(County, verbose_name="县区", on_delete=models.PROTECT, related_name="schools")
    zone = models.ForeignKey(
        Zone, verbose_name="片区", null=True, blank=True, on_delete=models.SET_NULL, related_name="schools"
    )
    name = models.CharField("学校名称", max_length=128)
    code = models.CharField("学校标识码", max_length=10, null=True, blank=True, unique=True)
    locality = models.CharField("城乡类型", max_length=10, choices=Locality.choices)
    is_teaching_point = models.BooleanField("教学点", default=False)
    stage = models.CharField("办学类型", max_length=20, choices=Stage.choices)
    is_poverty_county = models.BooleanField("贫困县学校", default=False)
    is_pilot = models.BooleanField("试点校", default=False)
    batch_year = models.PositiveSmallIntegerField("批次", null=True, blank=True)

    class Meta:
        verbose_name = "学校"
        verbose_name_plural = "学校"
        ordering = ["county_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="school_unique_name_in_county"),
            models.CheckConstraint(
                condition=Q(batch_year__isnull=True) | Q(batch_year__gte=2019, batch_year__lte=2030),
                name="school_batch_year_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def locality_label(self) -> str:
        label = self.get_locality_display()
        return f"{label}（教学点）" if self.is_teaching_point else label


class TeachingGroup(models.Model):
    """教研组."""

    school = models.ForeignKey(School, verbose_name="学校", on_delete=models.CASCADE, related_name="groups")
    name = models.CharField("教研组", max_length=64)
    subject = models.CharField("学科", max_length=32, blank=True)

    class Meta:
        verbose_name = "教研组"
        verbose_name_plural = "教研组"
        ordering = ["school_id", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="group_unique_name_in_school")]

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "", _("未填")


class Teacher(models.Model):
    """A teacher on a school's roster. Holding this row is what gives a user the teacher role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.PROTECT, related_name="teacher"
    )
    city = models.ForeignKey(City, verbose_name="市", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(County, verbose_name="县区", on_delete=models.PROTECT, related_name="teachers")
    school = models.ForeignKey(School, verbose_name="学校", on_delete=models.PROTECT, related_name="teachers")
    group = models.ForeignKey(
        TeachingGroup,
        verbose_name="教研组",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teachers",
    )
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True, default="")
    subject = models.CharField("学科", max_length=32, blank=True)
    stage = models.CharField("学段", max_length=20, blank=True)
    # Personal data: stored normalised so imports can match on it, shown masked (core/scoping.py
    # decides who sees it whole). The ID number is the roster's identity across re-imports.
    id_number = models.CharField("身份证号", max_length=18, null=True, blank=True, unique=True)
    phone = models.CharField("手机号", max_length=11, blank=True, db_index=True)

    class Meta:
        verbose_name = "教师"
        verbose_name_plural = "教师"
        ordering = ["school_id", "id"]
        indexes = [
            models.Index(fields=["county", "school"], name="teacher_county_school_idx"),
        ]

    def __str__(self) -> str:
        return self.user.full_name or self.user.username

    @property
    def id_number_masked(self) -> str:
        return mask_id(self.id_number) if self.id_number else ""

    @property
    def username_masked(self) -> str:
        """The login as shown to those who may not see personal data (issue 8 item 3)."""
        from tisheng.core.masking import mask_login

        return mask_login(self.user.username)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone) if self.phone else ""


class CollaborationZone(models.Model):
    """教研协作区: urban and rural schools grouped for joint research (R-RURAL)."""

    city = models.ForeignKey(City, verbose_name="市", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(
        County, verbose_name="县区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("协作区", max_length=64)
    schools = models.ManyToManyField(
        School, verbose_name="学校", related_name="collaboration_zones", blank=True
    )

    class Meta:
        verbose_name = "教研协作区"
        verbose_name_plural = "教研协作区"
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="collab_zone_unique_name")]

    def __str__(self) -> str:
        return self.name


class SchoolPair(models.Model):
    """城乡学校结对子 (R-RURAL): a stronger (usually urban) school paired with a rural one."""

    city = models.ForeignKey(City, verbose_name="市", on_delete=models.PROTECT, related_name="+")
    lead_school = models.ForeignKey(
        School, verbose_name="帮扶学校", on_delete=models.CASCADE, related_name="+"
    )
    partner_school = models.ForeignKey(
        School, verbose_name="结对学校", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = "城乡结对"
        verbose_name_plural = "城乡结对"
        constraints = [
            models.UniqueConstraint(fields=["lead_school", "partner_school"], name="school_pair_unique"),
            models.CheckConstraint(
                condition=~Q(lead_school=F("partner_school")), name="school_pair_distinct"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_school} ↔ {self.partner_school}"
