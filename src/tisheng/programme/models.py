"""Programme settings per city (issue: school-based journey, item 1). Xinyang's values are the
defaults; nothing about hours, picks or limits is hard-coded elsewhere."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def _number(value) -> str:
    """20.0 → "20", 20.5 → "20.5": hours as people write them."""
    value = Decimal(value)
    return str(int(value)) if value == value.to_integral() else str(value.normalize())


class PickCoverage(models.TextChoices):
    # R-PICK: "每个维度不少于1个" read as each dimension the school offers (default), or as at least
    # N dimensions; the seed is ambiguous, so the programme chooses.
    EACH_OFFERED = "each_offered", gettext_lazy("每个学校提供的维度至少选1个")
    AT_LEAST_N = "at_least_n", gettext_lazy("至少覆盖N个维度")


class ProgrammeSettings(models.Model):
    city = models.OneToOneField(
        "organisation.City", verbose_name="市", on_delete=models.CASCADE, related_name="programme"
    )
    online_hours_required = models.DecimalField(
        "网络研修学时要求", max_digits=5, decimal_places=1, default=20
    )  # R-HOURS
    practice_hours_required = models.DecimalField(
        "校本实践学时要求", max_digits=5, decimal_places=1, default=30
    )
    total_hours_required = models.DecimalField("总学时要求", max_digits=5, decimal_places=1, default=50)
    min_picks = models.PositiveSmallIntegerField("教师至少选择能力点数", default=3)  # R-PICK
    pick_coverage = models.CharField(
        "选点维度规则", max_length=16, choices=PickCoverage.choices, default=PickCoverage.EACH_OFFERED
    )
    pick_min_dimensions = models.PositiveSmallIntegerField("至少覆盖维度数（按N个维度时）", default=2)
    min_offer_dimensions = models.PositiveSmallIntegerField("学校至少提供维度数", default=2)  # R-DIM
    offline_trainings_required = models.PositiveSmallIntegerField(
        "线下集中培训次数要求", default=3
    )  # R-OFFLINE
    observations_required = models.PositiveSmallIntegerField(
        "听评课次数要求（不上公开课时）", default=3
    )  # R-RESEARCH, sheet 3.3
    # R-RESEARCH, sheet 3.2: the school's shares. Compared exactly (givers*100 >= teachers*percent),
    # rounded only for display (research/selectors.py).
    open_class_share_percent = models.PositiveSmallIntegerField("学校上公开课教师比例要求（%）", default=50)
    school_observations_required = models.PositiveSmallIntegerField(
        "学校要求每位教师听评课次数（表3.2）", default=2
    )
    # Issue 9 item 10: the practice hours an open class credits once held; the school team may change
    # them for one class with a reason (research.services.open_class_hours_change).
    open_class_giver_hours = models.DecimalField(
        "公开课授课教师计校本实践学时", max_digits=3, decimal_places=1, default=Decimal("2")
    )
    open_class_observer_hours = models.DecimalField(
        "公开课每位听课教师计校本实践学时", max_digits=3, decimal_places=1, default=Decimal("1")
    )
    max_document_mb = models.PositiveIntegerField("文档上传上限（MB）", default=50)
    max_image_mb = models.PositiveIntegerField("图片上传上限（MB）", default=20)
    max_video_mb = models.PositiveIntegerField("视频上传上限（MB）", default=2048)
    # R-TEAM: a school management team of 3–5 (Xinyang's plan: 3-5人组成的学校能力提升工程管理团队).
    school_team_min = models.PositiveSmallIntegerField("学校管理团队最少人数", default=3)
    school_team_max = models.PositiveSmallIntegerField("学校管理团队最多人数", default=5)
    # Issue 8 item 3: teachers sign in with their generated login or mobile number; the ID number
    # as a login only during a transition the city chooses.
    id_number_login = models.BooleanField("允许用身份证号登录（过渡期）", default=False)
    # R-PEER / R-EVAL (issue 10): the evaluation chain.
    peer_reviews_required = models.PositiveSmallIntegerField("每位教师至少互评作品数", default=3)
    peer_reviewers_per_work = models.PositiveSmallIntegerField("每件成果至少互评人数", default=3)
    peer_review_days = models.PositiveSmallIntegerField("互评期限（天）", default=7)
    peer_review_anonymous = models.BooleanField("互评匿名展示", default=True)
    peer_review_after_own = models.BooleanField("教师提交自己的成果后才能看到分配的同伴作品", default=False)
    review_comment_min_chars = models.PositiveSmallIntegerField("评语最少字数", default=20)
    # Hours a passed evidence set credits (ledger source accepted_evidence); the seeds give no number.
    accepted_evidence_hours = models.DecimalField(
        "每项测评成果通过计校本实践学时", max_digits=3, decimal_places=1, default=Decimal("3")
    )
    # R-ACHIEVE: the seeds give no pass mark on sheet 3.3; a teacher achieves when the outcomes item
    # is passed and (by default) the hours rules hold, and (if set above 0) the sheet reaches a score.
    achieve_requires_hours = models.BooleanField("达成需学时达标", default=True)
    achieve_min_score = models.PositiveSmallIntegerField("达成需教师考核表得分不低于（0为不要求）", default=0)

    class Meta:
        verbose_name = "项目设置"
        verbose_name_plural = "项目设置"
        constraints = [
            models.CheckConstraint(
                condition=Q(min_picks__gte=1, min_picks__lte=29), name="programme_min_picks_range"
            ),
            models.CheckConstraint(
                condition=Q(min_offer_dimensions__gte=1, min_offer_dimensions__lte=4),
                name="programme_offer_dims_range",
            ),
            models.CheckConstraint(
                condition=Q(pick_min_dimensions__gte=1, pick_min_dimensions__lte=4),
                name="programme_pick_dims_range",
            ),
            models.CheckConstraint(
                condition=Q(school_team_min__gte=1, school_team_max__gte=models.F("school_team_min"))
                & Q(school_team_max__lte=30),
                name="programme_school_team_range",
            ),
            models.CheckConstraint(
                condition=Q(open_class_share_percent__lte=100), name="programme_open_class_share_range"
            ),
            models.CheckConstraint(
                condition=Q(
                    open_class_giver_hours__gte=0,
                    open_class_giver_hours__lte=20,
                    open_class_observer_hours__gte=0,
                    open_class_observer_hours__lte=20,
                ),
                name="programme_open_class_hours_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    peer_reviews_required__lte=20,
                    peer_reviewers_per_work__gte=1,
                    peer_reviewers_per_work__lte=10,
                    peer_review_days__gte=1,
                    peer_review_days__lte=60,
                    review_comment_min_chars__lte=500,
                    accepted_evidence_hours__gte=0,
                    accepted_evidence_hours__lte=20,
                    achieve_min_score__lte=100,
                ),
                name="programme_evaluation_ranges",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city} 项目设置"

    # ---- the rules in words, for pages (never a code such as `each_offered`) -------------------
    @property
    def hours_rule(self) -> str:
        # R-HOURS: only the total and the practice hours carry 不少于 in the seed.
        return _(
            "总学时不少于%(total)s学时，其中网络研修%(online)s学时、校本实践不少于%(practice)s学时。"
        ) % {
            "total": _number(self.total_hours_required),
            "online": _number(self.online_hours_required),
            "practice": _number(self.practice_hours_required),
        }

    @property
    def pick_rule(self) -> str:
        # R-PICK: the coverage rule as the programme chose it.
        if self.pick_coverage == PickCoverage.AT_LEAST_N:
            coverage = _("至少覆盖%(n)s个维度") % {"n": self.pick_min_dimensions}
        else:
            coverage = _("学校提供的每个维度至少选1个")
        return _("从学校提供的能力点中至少选择%(n)s个，%(coverage)s。") % {
            "n": self.min_picks,
            "coverage": coverage,
        }

    @property
    def research_rule(self) -> str:
        # R-RESEARCH: sheet 3.3 (each teacher) and sheet 3.2 (the school) are separate settings.
        return _(
            "每位教师上一节公开课，或听评课%(n)s次；学校至少%(percent)s%%的教师上公开课，"
            "每位教师听评课%(m)s次。只计已举行的课。"
        ) % {
            "n": self.observations_required,
            "percent": self.open_class_share_percent,
            "m": self.school_observations_required,
        }

    @property
    def open_class_hours_rule(self) -> str:
        return _(
            "公开课举行后，授课教师计校本实践%(giver)s学时，每位听课教师计%(observer)s学时；"
            "学校管理团队可为某节课注明理由后调整。"
        ) % {
            "giver": _number(self.open_class_giver_hours),
            "observer": _number(self.open_class_observer_hours),
        }

    @property
    def evaluation_rule(self) -> str:
        # R-EVAL, R-PEER: self-evaluation, peer review in the group, the school assessment group.
        return _(
            "提交成果后先自评，再由教研组同伴互评，最后由学校考核小组评定；每位教师至少互评%(n)s件同伴作品"
            "（每件成果至少%(m)s人互评），互评期限%(days)s天，评语不少于%(chars)s字，%(anon)s。"
        ) % {
            "n": self.peer_reviews_required,
            "m": self.peer_reviewers_per_work,
            "days": self.peer_review_days,
            "chars": self.review_comment_min_chars,
            "anon": _("互评人不公开") if self.peer_review_anonymous else _("互评人署名"),
        }

    @property
    def achieve_rule(self) -> str:
        # R-ACHIEVE
        parts = [_("测评成果考核合格")]
        if self.achieve_requires_hours:
            parts.append(_("学时达标"))
        if self.achieve_min_score:
            parts.append(_("教师考核表不低于%(n)s分") % {"n": self.achieve_min_score})
        return (
            _("达成条件：")
            + _("、").join(parts)
            + _("。每项成果通过计校本实践%(h)s学时。") % {"h": _number(self.accepted_evidence_hours)}
        )

    @property
    def rules(self) -> list[tuple[str, str]]:
        """Every setting as a line a person reads: (what, the rule)."""
        return [
            (_("学时要求"), self.hours_rule),
            (_("教师选点"), self.pick_rule),
            (_("学校提供能力点"), _("至少来自%(n)s个维度。") % {"n": self.min_offer_dimensions}),  # R-DIM
            (
                _("线下集中培训"),
                _("每位教师参加%(n)s次并完成研修任务。") % {"n": self.offline_trainings_required},
            ),  # R-OFFLINE
            (_("校本研修"), self.research_rule),  # R-RESEARCH
            (_("公开课学时"), self.open_class_hours_rule),
            (_("考核评价"), self.evaluation_rule),  # R-EVAL, R-PEER
            (_("达成标准"), self.achieve_rule),  # R-ACHIEVE
            (
                _("上传大小上限"),
                _("文档%(doc)s MB，图片%(img)s MB，视频%(video)s MB。")
                % {"doc": self.max_document_mb, "img": self.max_image_mb, "video": self.max_video_mb},
            ),
        ]


class BatchCalendar(models.Model):
    """The stage calendar and deadlines for one batch of schools (R-STAGES)."""

    city = models.ForeignKey(
        "organisation.City", verbose_name="市", on_delete=models.CASCADE, related_name="batches"
    )
    batch_year = models.PositiveSmallIntegerField("批次")
    starts_on = models.DateField("启动日期", null=True, blank=True)
    plans_due = models.DateField("方案提交截止", null=True, blank=True)
    picks_due = models.DateField("选点截止", null=True, blank=True)
    evidence_due = models.DateField("成果提交截止", null=True, blank=True)
    assessment_due = models.DateField("考核截止", null=True, blank=True)

    class Meta:
        verbose_name = "批次日程"
        verbose_name_plural = "批次日程"
        ordering = ["city_id", "batch_year"]
        constraints = [models.UniqueConstraint(fields=["city", "batch_year"], name="batch_calendar_unique")]

    def __str__(self) -> str:
        return f"{self.city} {self.batch_year} 批次"
