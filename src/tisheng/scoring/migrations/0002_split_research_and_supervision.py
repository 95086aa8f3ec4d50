"""Sheet 3.2's 研修活动 (research) and 过程监管 (supervision) items become three parts each, scored
separately (research: open-class share, observations, excellent lessons; supervision: participation,
pass rate, all-staff trainings). A city that saved its own rules keeps each item's weight, split
between the parts (the first part takes what does not divide evenly), and the open-class part keeps
the old research rule's mode and requirement."""

from django.db import migrations

ORDER = [
    "plan",
    "launch",
    "research_open",
    "research_observe",
    "research_excellent",
    "assessment",
    "pass_rate",
    "briefings",
    "supervision_join",
    "supervision_pass",
    "supervision_offline",
    "growth_cases",
]
PARTS = {
    "research": [
        ("research_open", "研修活动：上公开课教师比例", None),
        ("research_observe", "研修活动：教师听评课", "proportional"),
        ("research_excellent", "研修活动：优秀课例（不少于5%）", "not_yet_recorded"),
    ],
    "supervision": [
        ("supervision_join", "过程监管：参训率100%", "proportional"),
        ("supervision_pass", "过程监管：合格率100%", "proportional"),
        ("supervision_offline", "过程监管：3次全员线下集中培训", "per_unit"),
    ],
}
BACK = {key: old for old, parts in PARTS.items() for key, _label, _mode in parts}


def _split(weight: int) -> list[int]:
    base, rest = divmod(weight, 3)
    return [base + rest, base, base]


def forward(apps, schema_editor):
    Rule = apps.get_model("scoring", "SheetItemRule")
    for old in Rule.objects.filter(sheet="school", key__in=list(PARTS)):
        for (key, label, mode), weight in zip(PARTS[old.key], _split(old.weight), strict=True):
            keep = mode is None
            Rule.objects.create(
                city_id=old.city_id,
                sheet="school",
                key=key,
                label=label,
                weight=weight,
                mode=old.mode if keep else mode,
                threshold=old.threshold if keep else None,
                per_unit=old.per_unit if keep and old.mode == "per_unit" else None,
                order=0,
            )
        old.delete()
    for rule in Rule.objects.filter(sheet="school"):
        if rule.key in ORDER:
            Rule.objects.filter(pk=rule.pk).update(order=ORDER.index(rule.key) + 1)


def backward(apps, schema_editor):
    Rule = apps.get_model("scoring", "SheetItemRule")
    parts = Rule.objects.filter(sheet="school", key__in=list(BACK))
    weights: dict[tuple[int, str], int] = {}
    for rule in parts:
        weights[(rule.city_id, BACK[rule.key])] = weights.get((rule.city_id, BACK[rule.key]), 0) + rule.weight
    for (city_id, old), weight in weights.items():
        label = "校本研修活动（公开课比例、听评课）" if old == "research" else "过程监管（3次全员线下集中培训）"
        mode = "proportional" if old == "research" else "per_unit"
        Rule.objects.create(city_id=city_id, sheet="school", key=old, label=label, weight=weight, mode=mode)
    parts.delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_sheets")]

    operations = [migrations.RunPython(forward, backward)]
