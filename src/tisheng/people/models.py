"""People and their roles (issue: foundation, item 3).

A person (`User`) holds any number of `RoleAssignment`s, each bound to exactly one unit. The teacher
role is the exception: it is held by having a row on a school's roster (organisation.Teacher), since
the roster is where a teacher's school and group are kept. core/scoping.py reads both.
"""

import hashlib
import secrets
import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=64, blank=True)
    # Lockout (people/services.py): set when failures across all addresses reach the account limit;
    # cleared only by a manager's unlock, which also restarts the count of failures.
    locked_at = models.DateTimeField("锁定时间", null=True, blank=True)
    failures_reset_at = models.DateTimeField("失败计数清零时间", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市工程办管理员")
    CITY_GUIDE = "city_guide", _("市级指导团队成员")
    COUNTY_ADMIN = "county_admin", _("县区管理员")
    COUNTY_GUIDE = "county_guide", _("县级指导团队成员")
    SCHOOL_TEAM = "school_team", _("学校管理团队成员")
    GROUP_LEADER = "group_leader", _("教研组长")
    TEACHER = "teacher", _("教师")
    EVALUATOR = "evaluator", _("第三方评价人员")
    # R-EVAL: 学校考核小组 — assesses the teachers' evidence for the school; views the school, manages nothing.
    ASSESSMENT_GROUP = "assessment_group", _("学校考核小组成员")


# Which unit each role is bound to. The evaluator may be bound to a city, a county or a school.
ROLE_UNITS: dict[str, tuple[str, ...]] = {
    Role.CITY_ADMIN: ("city",),
    Role.CITY_GUIDE: ("city",),
    Role.COUNTY_ADMIN: ("county",),
    Role.COUNTY_GUIDE: ("county",),
    Role.SCHOOL_TEAM: ("school",),
    Role.GROUP_LEADER: ("group",),
    Role.EVALUATOR: ("city", "county", "school"),
    Role.ASSESSMENT_GROUP: ("school",),
}
# Roles that manage their unit (and everything below it); the others only view.
MANAGING_ROLES = frozenset({Role.CITY_ADMIN, Role.COUNTY_ADMIN, Role.SCHOOL_TEAM})
UNIT_FIELDS = ("city", "county", "school", "group")


def _exactly(unit: str) -> Q:
    q = Q(**{f"{unit}__isnull": False})
    for other in UNIT_FIELDS:
        if other != unit:
            q &= Q(**{f"{other}__isnull": True})
    return q


def _role_unit_constraint() -> Q:
    allowed = Q()
    for role, units in ROLE_UNITS.items():
        unit_q = Q()
        for unit in units:
            unit_q |= _exactly(unit)
        allowed |= Q(role=role) & unit_q
    return allowed


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    city = models.ForeignKey(
        "organisation.City",
        verbose_name="市",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    county = models.ForeignKey(
        "organisation.County",
        verbose_name="县区",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    school = models.ForeignKey(
        "organisation.School",
        verbose_name="学校",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    group = models.ForeignKey(
        "organisation.TeachingGroup",
        verbose_name="教研组",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    is_principal = models.BooleanField("校长", default=False)
    is_cio = models.BooleanField("首席信息官(CIO)", default=False)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [
            models.CheckConstraint(condition=_role_unit_constraint(), name="role_bound_to_its_unit_kind"),
            models.CheckConstraint(
                condition=Q(role=Role.SCHOOL_TEAM) | Q(is_principal=False, is_cio=False),
                name="role_marks_only_for_school_team",
            ),
            # R-TEAM: the team is led by one principal and has one CIO (one person may be both).
            models.UniqueConstraint(
                fields=["school"], condition=Q(is_principal=True), name="one_principal_per_school"
            ),
            models.UniqueConstraint(fields=["school"], condition=Q(is_cio=True), name="one_cio_per_school"),
            *[
                models.UniqueConstraint(
                    fields=["user", "role", unit],
                    condition=Q(**{f"{unit}__isnull": False}),
                    name=f"role_assignment_unique_{unit}",
                )
                for unit in UNIT_FIELDS
            ],
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    @property
    def unit(self):
        return self.group or self.school or self.county or self.city


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a hash is stored; the token is shown once."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=64, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField("前缀", max_length=8)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    # The holder's session hash (an HMAC of the password hash) when the token was issued: a changed
    # password, by any path (our services, Django admin, `changepassword`), makes it stop matching.
    password_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "ts_" + secrets.token_urlsafe(32)


class CodeBatchStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("正在生成")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class SignInCodeBatch(models.Model):
    """One issue of first-sign-in codes (issue 8 item 2): for the teachers selected, or for every
    teacher of a school or county who has no password yet. A background job makes the codes, the slips
    (PDF) and the list (.xlsx); the files hold the codes in clear and are downloaded only through the
    scoped views, by the managers of the unit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(User, verbose_name="发放人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("发放时间", default=timezone.now)
    city = models.ForeignKey(
        "organisation.City", verbose_name="市", on_delete=models.CASCADE, related_name="+"
    )
    county = models.ForeignKey(
        "organisation.County", verbose_name="县区", on_delete=models.CASCADE, related_name="+"
    )
    school = models.ForeignKey(
        "organisation.School",
        verbose_name="学校",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Teachers chosen one by one; empty means every teacher of the unit without a password yet.
    teacher_ids = models.JSONField("所选教师", default=list, blank=True)
    status = models.CharField("状态", max_length=10, choices=CodeBatchStatus.choices, default="queued")
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField("发放数", default=0)
    reset = models.PositiveIntegerField("重置密码数", default=0)
    expires_at = models.DateTimeField("激活码有效期至")
    pdf = models.FileField("登录单（PDF）", upload_to="sign-in-codes/", blank=True)
    xlsx = models.FileField("登录码清单（Excel）", upload_to="sign-in-codes/", blank=True)
    message = models.CharField("说明", max_length=255, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "登录码发放"
        verbose_name_plural = "登录码发放"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.school or self.county} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.status in (CodeBatchStatus.QUEUED, CodeBatchStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == CodeBatchStatus.DONE:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    @property
    def unit(self):
        return self.school or self.county


class ActivationCode(models.Model):
    """A person's one-time first-sign-in code. Only a keyed hash is kept (people/codes.py); one row per
    person, so issuing a new code replaces — and so voids — the old one."""

    user = models.OneToOneField(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="activation_code"
    )
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        User, verbose_name="发放人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey(
        SignInCodeBatch,
        verbose_name="发放批次",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField("发放时间", default=timezone.now)
    expires_at = models.DateTimeField("有效期至")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "激活码"
        verbose_name_plural = "激活码"

    def __str__(self) -> str:
        return f"{self.user} · {self.expires_at:%Y-%m-%d}"

    def is_usable(self, now=None) -> bool:
        return self.used_at is None and self.expires_at > (now or timezone.now())
