"""How each item of the three sheets is scored (DOMAIN §4), as pure functions of the records.

An item's rule (`Rule`) is data: its weight, its mode and its requirement. The defaults are
Xinyang's (附件4); a city's rows in `SheetItemRule` replace them. A computed item has a measure (what
the records say: hours, trainings attended, reviews written, a share of teachers) and is scored:

- proportional: weight × min(measure / requirement, 1), rounded down to 0.1;
- all_or_nothing: the weight when the measure reaches the requirement, else 0;
- per_unit: measure × points per unit, at most the weight;
- entered: the latest score the level above entered, with its reason (sheets 3.2 and 3.1);
- not_yet_recorded: the platform does not record it yet (briefings, cases): 0, and said so.

Points never leave [0, weight]; a sheet's weights add up to 100 (services check it on edit).
Sheet 3.2's 研修活动 and 过程监管 are scored in parts (`PARTS`), each part a rule of its own; each
part's words say how the item's points are split (`part_note`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Mode, Sheet
from .records import Raw, hours_complete, outcomes_passed

COMPUTED_MODES = (Mode.PROPORTIONAL, Mode.ALL_OR_NOTHING, Mode.PER_UNIT)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Rule:
    key: str
    label: object
    weight: int
    mode: str
    threshold: Decimal | None = None  # None: the programme settings' number
    per_unit: Decimal | None = None
    order: int = 0
    # computed (a measure from the records), entered (by the level above) or unrecorded
    kind: str = "computed"


def _r(key, label, weight, mode, *, per_unit=None, threshold=None, kind="computed") -> Rule:
    return Rule(key, label, weight, mode, threshold, per_unit, 0, kind)


# Xinyang's three sheets (附件4, DOMAIN §4), in their order.
DEFAULTS: dict[str, tuple[Rule, ...]] = {
    Sheet.TEACHER: (
        _r("plan", gettext_lazy("个人研修计划"), 5, Mode.ALL_OR_NOTHING),
        _r("online", gettext_lazy("网络研修（在线课程学习）"), 20, Mode.PROPORTIONAL),
        _r("offline", gettext_lazy("线下集中培训"), 15, Mode.PER_UNIT, per_unit=Decimal(5)),
        _r("research", gettext_lazy("校本研修活动（公开课或听评课）"), 9, Mode.ALL_OR_NOTHING),
        _r("outcomes", gettext_lazy("测评成果（能力点成果材料）"), 42, Mode.ALL_OR_NOTHING),
        _r("peer", gettext_lazy("同伴互评（评议组内教师成果）"), 9, Mode.PER_UNIT, per_unit=Decimal(3)),
    ),
    Sheet.SCHOOL: (
        _r("plan", gettext_lazy("整校推进方案（学校信息化发展规划）"), 15, Mode.ENTERED, kind="entered"),
        _r(
            "launch",
            gettext_lazy("启动（教学环境、学习维度、教研组与教师选点指导）"),
            5,
            Mode.ENTERED,
            kind="entered",
        ),
        # 研修活动 (18): three parts, 6 each by default (附件4 gives the parts no points of their own).
        _r("research_open", gettext_lazy("研修活动：上公开课教师比例"), 6, Mode.PROPORTIONAL),
        _r("research_observe", gettext_lazy("研修活动：教师听评课"), 6, Mode.PROPORTIONAL),
        _r(
            "research_excellent",
            gettext_lazy("研修活动：优秀课例（不少于5%）"),
            6,
            Mode.NOT_YET_RECORDED,
            kind="unrecorded",
        ),
        _r("assessment", gettext_lazy("学校考核（真实客观）"), 18, Mode.ENTERED, kind="entered"),
        _r("pass_rate", gettext_lazy("考核达成率不低于98%"), 10, Mode.ALL_OR_NOTHING, threshold=Decimal(98)),
        _r("briefings", gettext_lazy("工作简报（不少于2期）"), 6, Mode.NOT_YET_RECORDED, kind="unrecorded"),
        # 过程监管 (18): participation 100 %, pass 100 %, 3 all-staff offline trainings; 6 each.
        _r("supervision_join", gettext_lazy("过程监管：参训率100%"), 6, Mode.PROPORTIONAL),
        _r("supervision_pass", gettext_lazy("过程监管：合格率100%"), 6, Mode.PROPORTIONAL),
        _r("supervision_offline", gettext_lazy("过程监管：3次全员线下集中培训"), 6, Mode.PER_UNIT),
        _r(
            "growth_cases",
            gettext_lazy("教师成长案例（1/10教师）"),
            10,
            Mode.NOT_YET_RECORDED,
            kind="unrecorded",
        ),
    ),
    Sheet.COUNTY: (
        _r("plan", gettext_lazy("县区信息化发展规划"), 15, Mode.ENTERED, kind="entered"),
        _r("school_plans", gettext_lazy("指导学校制定整校推进方案"), 15, Mode.ENTERED, kind="entered"),
        _r("research", gettext_lazy("指导并审核学校校本研修"), 15, Mode.ENTERED, kind="entered"),
        _r("assessment", gettext_lazy("指导学校开展全员考核"), 15, Mode.ENTERED, kind="entered"),
        _r("pass_rate", gettext_lazy("考核达成率不低于98%"), 20, Mode.ALL_OR_NOTHING, threshold=Decimal(98)),
        _r(
            "growth_cases",
            gettext_lazy("教师成长案例（1/10教师）"),
            10,
            Mode.NOT_YET_RECORDED,
            kind="unrecorded",
        ),
        _r(
            "research_cases",
            gettext_lazy("校本研修典型案例（1/5学校）"),
            10,
            Mode.NOT_YET_RECORDED,
            kind="unrecorded",
        ),
    ),
}
DEFAULTS = {
    sheet: tuple(Rule(**{**r.__dict__, "order": i + 1}) for i, r in enumerate(rules))
    for sheet, rules in DEFAULTS.items()
}
DEFAULT_BY_KEY = {sheet: {r.key: r for r in rules} for sheet, rules in DEFAULTS.items()}


def label_of(sheet: str, key: str, stored: str = "") -> str:
    default = DEFAULT_BY_KEY.get(sheet, {}).get(key)
    return str(default.label) if default else stored


@dataclass(frozen=True)
class Scored:
    """One item of a sheet: its points and how they arose."""

    key: str
    label: str
    weight: int
    mode: str
    kind: str
    points: Decimal
    how: str  # the rule, in words
    detail: str = ""  # what the records say
    entered: object = None  # the EnteredScore that counts, for an entered item
    links: tuple = field(default=())


def points_for(rule: Rule, measure, requirement) -> Decimal:
    """The points of a computed item for a measure against a requirement (module docstring).

    Decimal arithmetic (28 digits): the requirement has at most one decimal place and is at most
    1,000, so an inexact quotient is far from a tenth and rounding it down is exact."""
    weight = Decimal(rule.weight)
    measure = _decimal(measure)
    requirement = _decimal(requirement) if requirement is not None else Decimal(0)
    if measure < 0:
        measure = Decimal(0)
    if rule.mode == Mode.PROPORTIONAL:
        value = weight if requirement <= 0 or measure >= requirement else weight * measure / requirement
    elif rule.mode == Mode.ALL_OR_NOTHING:
        value = weight if measure >= requirement else Decimal(0)
    elif rule.mode == Mode.PER_UNIT:
        if rule.per_unit is not None:
            value = measure * Decimal(rule.per_unit)
        else:
            value = measure * weight / requirement if requirement > 0 else weight
        value = min(value, weight)
    else:
        value = Decimal(0)
    value = max(Decimal(0), min(value, weight))
    return value.quantize(TENTH, rounding=ROUND_DOWN)


def _decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value)


def how(rule: Rule, requirement, unit: str = "") -> str:
    """The rule of an item in words; `unit` follows the requirement ("%", " 学时")."""
    req = _number(requirement) + unit
    if rule.mode == Mode.PROPORTIONAL:
        return _("按完成比例计分：达到 %(req)s 得满分 %(w)s 分") % {"req": req, "w": rule.weight}
    if rule.mode == Mode.ALL_OR_NOTHING and requirement is None:
        return _("达到要求得 %(w)s 分，否则 0 分") % {"w": rule.weight}
    if rule.mode == Mode.ALL_OR_NOTHING:
        return _("达到 %(req)s 得 %(w)s 分，否则 0 分") % {"req": req, "w": rule.weight}
    if rule.mode == Mode.PER_UNIT:
        unit = (
            _number(rule.per_unit)
            if rule.per_unit is not None
            else _number(Decimal(rule.weight) / Decimal(requirement) if requirement else rule.weight)
        )
        return _("每次 %(unit)s 分，最多 %(w)s 分") % {"unit": unit, "w": rule.weight}
    if rule.mode == Mode.ENTERED:
        return _("由上级评定（0–%(w)s 分，须写明理由）") % {"w": rule.weight}
    return _("平台尚未记录，暂不计分")


def _number(value) -> str:
    if value is None:
        return "0"
    value = Decimal(str(value)) if not isinstance(value, Decimal) else value
    return str(int(value)) if value == value.to_integral() else str(value.normalize())


# ---- sheet 3.3 -------------------------------------------------------------------------------


def teacher_numbers(raw: Raw, *, settings, passed: bool) -> dict[str, tuple[object, object]]:
    """Per item of sheet 3.3: (measure, the settings' requirement), without words (kept sheets)."""
    return {
        "plan": (int(raw.plan_status in ("submitted", "approved")), 1),
        "online": (raw.online, settings.online_hours_required),
        "offline": (raw.trainings, settings.offline_trainings_required),
        "research": (int(raw.open_classes >= 1 or raw.observations >= settings.observations_required), 1),
        "outcomes": (int(passed), 1),
        "peer": (raw.reviews_done, settings.peer_reviews_required),
    }


@dataclass(frozen=True)
class TeacherPoints:
    points: dict[str, Decimal]
    total: Decimal
    outcomes_passed: bool
    achieved: bool


def teacher_points(raw: Raw, *, settings, rules: tuple[Rule, ...]) -> TeacherPoints:
    """Sheet 3.3's points alone: what `TeacherSheet` keeps, and what `teacher_sheet` explains."""
    passed = outcomes_passed(raw, settings=settings)
    numbers = teacher_numbers(raw, settings=settings, passed=passed)
    points = {}
    for rule in rules:
        measure, default_req = numbers.get(rule.key, (0, 1))
        points[rule.key] = points_for(
            rule, measure, rule.threshold if rule.threshold is not None else default_req
        )
    total = sum(points.values(), Decimal(0)).quantize(TENTH)
    return TeacherPoints(points, total, passed, achieved(raw, total=total, passed=passed, settings=settings))


def teacher_measures(raw: Raw, *, settings) -> dict[str, tuple[object, object, str]]:
    """Per item of sheet 3.3: (measure, the settings' requirement, what the records say)."""
    research_ok = raw.open_classes >= 1 or raw.observations >= settings.observations_required
    passed = outcomes_passed(raw, settings=settings)
    return {
        "plan": (
            int(raw.plan_status in ("submitted", "approved")),
            1,
            _("个人研修计划已提交")
            if raw.plan_status in ("submitted", "approved")
            else _("个人研修计划尚未提交"),
        ),
        "online": (
            raw.online,
            settings.online_hours_required,
            _("网络研修 %(done)s 学时") % {"done": _number(raw.online)},
        ),
        "offline": (
            raw.trainings,
            settings.offline_trainings_required,
            _("参加线下集中培训 %(n)s 次") % {"n": raw.trainings},
        ),
        "research": (
            int(research_ok),
            1,
            _("上公开课 %(c)s 节，听评课 %(o)s 次（上1节公开课或听评课 %(need)s 次）")
            % {"c": raw.open_classes, "o": raw.observations, "need": settings.observations_required},
        ),
        "outcomes": (
            int(passed),
            1,
            _("评审合格 %(a)s 个能力点，%(state)s")
            % {"a": raw.evidence_accepted, "state": _("符合选点规则") if passed else _("尚未满足选点规则")},
        ),
        "peer": (
            raw.reviews_done,
            settings.peer_reviews_required,
            _("完成互评 %(n)s 件") % {"n": raw.reviews_done},
        ),
    }


YES_NO = frozenset({"plan", "research", "outcomes"})
TEACHER_UNITS = {"online": gettext_lazy(" 学时"), "offline": gettext_lazy(" 次"), "peer": gettext_lazy(" 件")}
UNIT_UNITS = {
    "pass_rate": "%",
    "research_open": "%",
    "research_observe": "%",
    "supervision_join": "%",
    "supervision_pass": "%",
    "supervision_offline": gettext_lazy(" 次"),
}


@dataclass(frozen=True)
class TeacherResult:
    items: list[Scored]
    total: Decimal
    outcomes_passed: bool
    achieved: bool

    def points(self) -> dict[str, str]:
        return {i.key: str(i.points) for i in self.items}


def teacher_sheet(raw: Raw, *, settings, rules: tuple[Rule, ...]) -> TeacherResult:
    """Sheet 3.3 with its words: the points of `teacher_points`, each with how it arose."""
    scored = teacher_points(raw, settings=settings, rules=rules)
    measures = teacher_measures(raw, settings=settings)
    items = []
    for rule in rules:
        _measure, default_req, detail = measures.get(rule.key, (0, 1, ""))
        requirement = rule.threshold if rule.threshold is not None else default_req
        # A yes/no item (plan submitted, research done, outcomes passed) has no number to reach.
        shown = None if rule.key in YES_NO and rule.threshold is None else requirement
        items.append(
            Scored(
                rule.key,
                label_of(Sheet.TEACHER, rule.key, str(rule.label)),
                rule.weight,
                rule.mode,
                "computed",
                scored.points[rule.key],
                how(rule, shown, str(TEACHER_UNITS.get(rule.key, ""))),
                detail,
            )
        )
    return TeacherResult(items, scored.total, scored.outcomes_passed, scored.achieved)


def achieved(raw: Raw, *, total: Decimal, passed: bool, settings) -> bool:
    """R-ACHIEVE: outcomes passed, and the hours rules (if the setting says so), and the score (if set)."""
    if not passed:
        return False
    if settings.achieve_requires_hours and not hours_complete(raw, settings=settings):
        return False
    return not (settings.achieve_min_score and total < settings.achieve_min_score)


# ---- sheets 3.2 and 3.1 ----------------------------------------------------------------------


# Items of sheet 3.2 that are parts of one item of 附件4: the item's name and its parts' keys. The
# parts' weights are rules like any other (the city edits them); the sheet says how the item's
# points are split between them.
PARTS = {
    "research": (gettext_lazy("研修活动"), ("research_open", "research_observe", "research_excellent")),
    "supervision": (
        gettext_lazy("过程监管"),
        ("supervision_join", "supervision_pass", "supervision_offline"),
    ),
}
PART_OF = {key: part for part, (_label, keys) in PARTS.items() for key in keys}


@dataclass(frozen=True)
class UnitFacts:
    """What the records say about a school or a county for its sheet."""

    teachers: int = 0
    achieved: int = 0
    open_class_givers: int = 0  # teachers with a held open class (school)
    trainings_held: int = 0  # all-staff trainings the school organised and held (school)
    observed_enough: int = 0  # teachers who observed the setting's number of held classes (school)
    participants: int = 0  # teachers who have started (`PARTICIPATION`, school)
    outcomes_passed: int = 0  # teachers whose outcomes item is passed (R-OUTCOME, school)


# What "a teacher has started" (参训) means for the participation rate of sheet 3.2.
PARTICIPATION = gettext_lazy(
    "已参训：已选能力点，或有学时记录，或参加过线下集中培训，或提交过测评成果（任一即可）"
)


def _share(part: int, n: int) -> Fraction:
    return Fraction(part * 100, n) if n else Fraction(0)


def unit_measures(facts: UnitFacts, *, settings) -> dict[str, tuple[object, object, str]]:
    n = facts.teachers
    rate = _share(facts.achieved, n)
    share = _share(facts.open_class_givers, n)
    observed = _share(facts.observed_enough, n)
    joined = _share(facts.participants, n)
    passed = _share(facts.outcomes_passed, n)
    need = settings.school_observations_required
    return {
        "pass_rate": (
            rate,
            98,
            _("达成 %(a)s / %(n)s 人（%(p)s%%）") % {"a": facts.achieved, "n": n, "p": _percent(rate)},
        ),
        "research_open": (
            share,
            settings.open_class_share_percent,
            _("上过公开课的教师 %(g)s / %(n)s 人（%(p)s%%）")
            % {"g": facts.open_class_givers, "n": n, "p": _percent(share)},
        ),
        # R-RESEARCH, sheet 3.2: "听评课两次" is read as every teacher, as the programme setting
        # `school_observations_required` (学校要求每位教师听评课次数) states it; only held classes count.
        "research_observe": (
            observed,
            100,
            _(
                "听评课达到 %(need)s 次的教师 %(o)s / %(n)s 人（%(p)s%%）。按方案设置，每位教师都应听评课"
                " %(need)s 次（不只是上公开课的教师），只计已举行的课"
            )
            % {"need": need, "o": facts.observed_enough, "n": n, "p": _percent(observed)},
        ),
        "supervision_join": (
            joined,
            100,
            _("已参训的教师 %(j)s / %(n)s 人（%(p)s%%）。%(rule)s")
            % {"j": facts.participants, "n": n, "p": _percent(joined), "rule": PARTICIPATION},
        ),
        "supervision_pass": (
            passed,
            100,
            _("测评成果合格的教师 %(g)s / %(n)s 人（%(p)s%%）")
            % {"g": facts.outcomes_passed, "n": n, "p": _percent(passed)},
        ),
        "supervision_offline": (
            facts.trainings_held,
            settings.offline_trainings_required,
            _("学校已举办全员线下集中培训 %(n)s 次（培训结束后计入）") % {"n": facts.trainings_held},
        ),
    }


def part_note(rule_key: str, rules: tuple[Rule, ...]) -> str:
    """How the points of a 附件4 item are split between its parts, from the rules in use."""
    part = PART_OF.get(rule_key)
    if part is None:
        return ""
    label, keys = PARTS[part]
    by_key = {r.key: r for r in rules}
    parts = [by_key[k] for k in keys if k in by_key]
    return _(
        "“%(item)s”共 %(total)s 分，分为%(parts)s（附件4未规定各部分分值，默认平均分配，市工程办可调整）"
    ) % {
        "item": label,
        "total": sum(r.weight for r in parts),
        "parts": "、".join(
            _("%(label)s %(w)s 分")
            % {"label": label_of(Sheet.SCHOOL, r.key, str(r.label)).split("：")[-1], "w": r.weight}
            for r in parts
        ),
    }


def _percent(value: Fraction) -> str:
    return _number(
        (Decimal(value.numerator) / Decimal(value.denominator)).quantize(TENTH, rounding=ROUND_DOWN)
    )


def unit_sheet(
    sheet: str, facts: UnitFacts, *, settings, rules: tuple[Rule, ...], entered: dict
) -> list[Scored]:
    """Sheet 3.2 (a school) or 3.1 (a county): computed items from its facts, entered items from the
    latest `EnteredScore` of each item, and items the platform does not record yet."""
    measures = unit_measures(facts, settings=settings)
    items = []
    for rule in rules:
        label = label_of(sheet, rule.key, str(rule.label))
        note = part_note(rule.key, rules) if sheet == Sheet.SCHOOL else ""
        if rule.mode == Mode.ENTERED:
            score = entered.get(rule.key)
            points = (min(Decimal(score.points), Decimal(rule.weight)) if score else Decimal(0)).quantize(
                TENTH
            )
            detail = score.reason if score else _("尚未评定")
            items.append(
                Scored(
                    rule.key, label, rule.weight, rule.mode, "entered", points, how(rule, None), detail, score
                )
            )
        elif rule.mode == Mode.NOT_YET_RECORDED or rule.key not in measures:
            items.append(
                Scored(
                    rule.key,
                    label,
                    rule.weight,
                    Mode.NOT_YET_RECORDED,
                    "unrecorded",
                    Decimal("0.0"),
                    _join(how(Rule(rule.key, label, rule.weight, Mode.NOT_YET_RECORDED), None), note),
                    _("尚未记录"),
                )
            )
        else:
            measure, default_req, detail = measures[rule.key]
            requirement = rule.threshold if rule.threshold is not None else default_req
            items.append(
                Scored(
                    rule.key,
                    label,
                    rule.weight,
                    rule.mode,
                    "computed",
                    points_for(rule, measure, requirement),
                    _join(how(rule, requirement, str(UNIT_UNITS.get(rule.key, ""))), note),
                    detail,
                )
            )
    return items


def _join(how_text: str, note: str) -> str:
    return f"{how_text}。{note}" if note else how_text


def total_of(items: list[Scored]) -> Decimal:
    return sum((i.points for i in items), Decimal(0)).quantize(TENTH)
