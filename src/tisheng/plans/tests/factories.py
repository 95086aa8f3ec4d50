from tisheng.framework.models import AbilityPoint
from tisheng.plans.models import SchoolLaunch


def points(*codes):
    return list(
        AbilityPoint.objects.filter(framework__code="henan-2021", code__in=codes).order_by("sort_order")
    )


def publish(school, codes, environments=("multimedia", "mixed", "smart")):
    """A published menu, made directly (the service is tested on its own)."""
    from django.utils import timezone

    launch, _ = SchoolLaunch.objects.get_or_create(
        school=school, defaults={"framework": points(codes[0])[0].framework}
    )
    launch.environments = list(environments)
    launch.published_at = timezone.now()
    launch.version += 1
    launch.save()
    launch.points.set(points(*codes))
    return launch
