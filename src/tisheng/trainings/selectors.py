"""Reads of the trainings app (R-OFFLINE). Every function starts from the actor's scope
(core/scoping.py): the trainings a person sees are those organised by a unit in scope, those whose
audience includes a school in scope, and those meant for the person as a teacher."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from tisheng.access.scoping import Scope
from tisheng.core.errors import NotFound
from tisheng.core.scoping import get_visible

from .models import Attendance, Training
from .services import audience_teachers, can_manage_training


def _visible_trainings(scope: Scope):
    schools = scope.schools()
    through = Training.audience_schools.through.objects
    q = (
        Q(organiser_school__in=schools)
        | Q(organiser_county__in=scope.counties())
        | Q(organiser_city__in=scope.cities())
        | Q(audience_all=True, organiser_county__in=schools.values("county_id"))
        | Q(audience_all=True, organiser_city__in=schools.values("city_id"))
        | Q(pk__in=through.filter(school__in=schools).values("training_id"))
    )
    if scope.teacher_id:
        me = scope.teachers().filter(pk=scope.teacher_id).values("school_id", "county_id", "city_id").first()
        if me:
            q |= (
                Q(organiser_school_id=me["school_id"])
                | Q(audience_all=True, organiser_county_id=me["county_id"])
                | Q(audience_all=True, organiser_city_id=me["city_id"])
                | Q(pk__in=through.filter(school_id=me["school_id"]).values("training_id"))
            )
    return Training.objects.filter(q)


def training_list(*, scope: Scope):
    attended = (
        Attendance.objects.filter(training=OuterRef("pk"))
        .order_by()
        .values("training")
        .annotate(n=Count("id"))
    )
    qs = _visible_trainings(scope).select_related("organiser_city", "organiser_county", "organiser_school")
    qs = qs.annotate(
        attendance_count=Coalesce(Subquery(attended.values("n"), output_field=IntegerField()), 0)
    )
    if scope.teacher_id:
        qs = qs.annotate(
            i_attended=Exists(Attendance.objects.filter(training=OuterRef("pk"), teacher_id=scope.teacher_id))
        )
    return qs.order_by("-starts_at", "-id")


def training_get(*, scope: Scope, training_id) -> Training:
    return get_visible(
        _visible_trainings(scope).select_related(
            "organiser_city",
            "organiser_county",
            "organiser_county__city",
            "organiser_school",
            "organiser_school__county",
        ),
        pk=training_id,
    )


def training_manageable(*, scope: Scope, training: Training) -> bool:
    return can_manage_training(scope, training)


def attendance_list(*, scope: Scope, training: Training):
    """Attendance of the training, of the teachers the person sees (a school team: its own teachers)."""
    return (
        Attendance.objects.filter(training=training, teacher_id__in=scope.teachers().values("pk"))
        .select_related("teacher__user", "teacher__school")
        .order_by("at", "id")
    )


def attendance_candidates(*, scope: Scope, training: Training, school_id=None):
    """Teachers in scope and in the training's audience who have not attended yet (for the list form)."""
    qs = (
        scope.teachers()
        .filter(pk__in=audience_teachers(training).values("pk"))
        .exclude(pk__in=Attendance.objects.filter(training=training).values("teacher_id"))
        .select_related("user", "school")
    )
    if school_id:
        qs = qs.filter(school_id=school_id)
    return qs.order_by("school_id", "id")


def audience_school_choices(*, scope: Scope, training: Training):
    """Schools in scope that are in the training's audience (to pick a school's list)."""
    return (
        scope.schools()
        .filter(pk__in=audience_teachers(training).order_by().values("school_id"))
        .order_by("county_id", "name")
    )


def organiser_choices(*, scope: Scope) -> list:
    """Units the person may organise a training for: the cities, counties and schools they manage."""
    return scope.units_managed()


def audience_school_options(*, scope: Scope, limit: int = 3000):
    """Schools the person manages or whose county/city they manage (audience choices for a new training)."""
    return scope.schools(manage=True).select_related("county").order_by("county_id", "name")[:limit]


def my_attended_count(*, scope: Scope) -> int:
    if not scope.teacher_id:
        return 0
    return Attendance.objects.filter(teacher_id=scope.teacher_id).count()


# The QR screen is "not found" for everyone who does not manage the training, as a row outside the
# scope is: the page does not exist for them.
def training_get_managed(*, scope: Scope, training_id) -> Training:
    training = training_get(scope=scope, training_id=training_id)
    if not can_manage_training(scope, training):
        raise NotFound()
    return training
