from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from tisheng.core.errors import NotFound
from tisheng.core.scoping import get_visible

from .models import Role, RoleAssignment

if TYPE_CHECKING:  # a type name only: access sits above this app
    from tisheng.access.scoping import Scope


def role_labels(*, scope: Scope) -> list[str]:
    """ "县区管理员 · 浉河区" lines for the person's roles: one query per kind of unit held."""
    from tisheng.organisation.models import City, County, School, TeachingGroup

    models = {"city": City, "county": County, "school": School, "group": TeachingGroup}
    wanted: dict[str, set[int]] = {}
    for _role, kind, unit_id, _p, _c in scope.roles:
        wanted.setdefault(kind, set()).add(unit_id)
    names = {
        (kind, pk): name
        for kind, ids in wanted.items()
        for pk, name in models[kind].objects.filter(id__in=ids).values_list("id", "name")
    }
    lines = []
    for role, kind, unit_id, is_principal, is_cio in scope.roles:
        marks = "".join(m for m, on in ((_("（校长）"), is_principal), (_("（CIO）"), is_cio)) if on)
        lines.append(f"{Role(role).label}{marks} · {names.get((kind, unit_id), '')}")
    return lines


# ---- appointments (R-TEAM) -------------------------------------------------------------------------
MAX_QUERY = 64


def _managed_assignments_q(scope: Scope) -> Q:
    """Role assignments bound to a unit the scope manages (the rows a manager lists and may remove)."""
    return (
        Q(city__in=scope.cities(manage=True))
        | Q(county__in=scope.counties(manage=True))
        | Q(school__in=scope.schools(manage=True))
        | Q(group__in=scope.groups(manage=True))
    )


def assignment_list(*, scope: Scope, unit=None, role: str = "", q: str = ""):
    """Who holds which role in the units this person manages, optionally within one unit (a county
    with its schools and their groups, a school with its groups)."""
    qs = RoleAssignment.objects.filter(_managed_assignments_q(scope))
    if unit is not None:
        kind = type(unit).__name__
        if kind == "City":
            qs = qs.filter(
                Q(city=unit) | Q(county__city=unit) | Q(school__city=unit) | Q(group__school__city=unit)
            )
        elif kind == "County":
            qs = qs.filter(Q(county=unit) | Q(school__county=unit) | Q(group__school__county=unit))
        else:
            qs = qs.filter(Q(school=unit) | Q(group__school=unit))
    if role:
        qs = qs.filter(role=role)
    q = (q or "").strip()[:MAX_QUERY]
    if q:
        qs = qs.filter(_person_match(q, prefix="user__"))
    return qs.select_related(
        "user", "user__teacher", "user__teacher__school", "city", "county", "school", "group", "group__school"
    ).order_by("city_id", "county_id", "school_id", "group_id", "role", "user__full_name", "id")


def assignment_get_managed(*, scope: Scope, assignment_id) -> RoleAssignment:
    return get_visible(
        RoleAssignment.objects.filter(_managed_assignments_q(scope)).select_related(
            "user", "city", "county", "school", "school__county", "group", "group__school__county"
        ),
        pk=assignment_id,
    )


def _person_match(q: str, *, prefix: str = "") -> Q:
    """A name (part of it), a phone number or a roster row number (编号) as typed in a search box."""
    from tisheng.core.cleaning import compact

    digits = compact(q).replace("-", "")
    match = Q(**{f"{prefix}full_name__icontains": q})
    if len(digits) == 18 and digits[:17].isascii() and digits[:17].isdigit():
        match |= Q(**{f"{prefix}teacher__id_number": digits.upper()})
    elif digits.isascii() and digits.isdigit():
        if len(digits) == 11:
            match |= Q(**{f"{prefix}teacher__phone": digits}) | Q(**{f"{prefix}username": digits})
        elif len(digits) <= 12:
            match |= Q(**{f"{prefix}teacher__id": int(digits)})
    return match


def people_in_scope(*, scope: Scope):
    """People a manager may appoint: those on the roster of a school they manage, and those holding a
    role in a unit they manage. (A person from elsewhere is added by phone, see person_get_or_create.)"""
    from .models import User

    if scope.is_anonymous:
        return User.objects.none()
    if scope.is_platform_admin:  # the platform's administrator staffs a new city from nothing
        return User.objects.all()
    return User.objects.filter(
        Q(teacher__in=scope.teachers(manage=True))
        | Q(pk__in=RoleAssignment.objects.filter(_managed_assignments_q(scope)).values("user_id"))
    )


def person_search(*, scope: Scope, q: str, limit: int = 20) -> list:
    """Up to `limit` people in the manager's scope matching a name, phone, ID number or roster number."""
    q = (q or "").strip()[:MAX_QUERY]
    if not q:
        return []
    from .models import User

    ids = list(
        people_in_scope(scope=scope).filter(_person_match(q)).values_list("pk", flat=True).distinct()[:limit]
    )
    return list(
        User.objects.filter(pk__in=ids)
        .select_related("teacher", "teacher__school", "teacher__group")
        .prefetch_related("role_assignments")
        .order_by("full_name", "pk")
    )


def person_get(*, scope: Scope, user_id):
    return get_visible(people_in_scope(scope=scope).select_related("teacher", "teacher__school"), pk=user_id)


def phone_shown(*, scope: Scope, user) -> str:
    """The person's phone for this viewer: in full only to whoever may see the teacher's personal
    data; a phone used as a login (people added by phone) is always masked."""
    from tisheng.core.cleaning import mask_phone

    teacher = getattr(user, "teacher", None) if has_roster_row(user) else None
    if teacher is not None and teacher.phone:
        return teacher.phone if scope.can_see_personal_data(teacher) else teacher.phone_masked
    if user.username.isdigit() and len(user.username) == 11:
        return mask_phone(user.username)
    return ""


def login_shown(*, scope: Scope, user) -> str:
    """The login name, masked when it is personal data (an ID number or a phone) the viewer may not see."""
    from tisheng.core.cleaning import mask_id, mask_phone

    name = user.username
    teacher = user.teacher if has_roster_row(user) else None
    if teacher is not None and scope.can_see_personal_data(teacher):
        return name
    if len(name) == 18 and name[:17].isdigit():
        return mask_id(name)
    if len(name) == 11 and name.isdigit():
        return mask_phone(name)
    return name


def has_roster_row(user) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return user.teacher is not None
    except ObjectDoesNotExist:
        return False


def school_team(*, school):
    return RoleAssignment.objects.filter(role=Role.SCHOOL_TEAM, school=school).select_related("user")


def managed_top_units(*, scope: Scope) -> list:
    """The highest units a person manages: their cities, then counties outside those cities, then
    schools outside those counties (each one page of 人员与角色)."""
    cities = list(scope.cities(manage=True).order_by("name"))
    counties = list(
        scope.counties(manage=True).exclude(city__in=cities).order_by("city_id", "sort_order", "name")
    )
    schools = list(
        scope.schools(manage=True)
        .exclude(county__in=scope.counties(manage=True))
        .select_related("county")
        .order_by("county_id", "name")
    )
    return cities + counties + schools


def users_with_phone(phone: str):
    """Accounts a phone number belongs to: a roster teacher's, or a login that is the phone."""
    from .models import User

    return User.objects.filter(Q(teacher__phone=phone) | Q(username=phone))


# ---- sign-in codes (issue 8 item 2) -----------------------------------------------------------------


def managed_school(*, scope: Scope, school_id):
    """A school the person manages; "not found" for any other, seen or not."""
    school = get_visible(scope.schools().select_related("county"), pk=school_id)
    if not scope.can_manage_school(school):
        raise NotFound()
    return school


def managed_county(*, scope: Scope, county_id):
    county = get_visible(scope.counties(), pk=county_id)
    if not scope.can_manage_county(county):
        raise NotFound()
    return county


def managed_teacher(*, scope: Scope, teacher_id):
    teacher = get_visible(scope.teachers().select_related("school", "user"), pk=teacher_id)
    if not scope.can_manage_school(teacher.school):
        raise NotFound()
    return teacher


def sign_in_teachers(*, scope: Scope, school, q: str = ""):
    """The school's teachers with what they need to sign in (password set, code, lock)."""
    qs = scope.teachers().filter(school=school).select_related("user", "user__activation_code")
    if q:
        qs = qs.filter(user__full_name__icontains=q[:64])
    return qs.order_by("user__full_name", "id")


def sign_in_status(teacher) -> str:
    from django.contrib.auth.hashers import is_password_usable

    user = teacher.user
    if user.locked_at:
        return "locked"
    if is_password_usable(user.password):
        return "active"
    code = getattr(user, "activation_code", None)
    if code is not None and code.is_usable():
        return "code_issued"
    if code is not None and code.used_at is None:
        return "code_expired"
    return "no_password"


def code_batch(*, scope: Scope, batch_id):
    """A batch of codes: for the managers of its school (or county), nobody else."""
    from .models import SignInCodeBatch

    try:
        batch = SignInCodeBatch.objects.select_related("school", "county", "created_by").get(pk=batch_id)
    except (SignInCodeBatch.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound() from None
    allowed = scope.can_manage_school(batch.school) if batch.school else scope.can_manage_county(batch.county)
    if not allowed:
        raise NotFound()
    return batch


def code_batches(*, school=None, county=None, limit: int = 20):
    """Recent batches of a unit the caller has already been checked to manage."""
    from .models import SignInCodeBatch

    qs = SignInCodeBatch.objects.select_related("created_by", "school")
    qs = qs.filter(school=school) if school is not None else qs.filter(county=county)
    return list(qs.order_by("-created_at")[:limit])
