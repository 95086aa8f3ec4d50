from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _

from tisheng.core.errors import NotFound
from tisheng.core.scoping import Scope, get_visible

from .models import Role


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
