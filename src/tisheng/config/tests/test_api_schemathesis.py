"""The whole API against its own OpenAPI document, with schemathesis, in process (the WSGI application,
no network), for two roles: a county admin signed in with a session (CSRF token and all) and a teacher
with a bearer token. Every operation gets a bounded number of generated requests, once with every
parameter generated and once with the ids in its path set to rows the caller can see (so the
operation's own checks run, not only "not found"), valid and invalid ones alike.

Checks: no server error (5xx); every status is one the document declares for the operation; the body
of a declared response conforms to its schema; the content type is the declared one; and a request the
document calls valid is not refused by the schema layer (a 422 or 413 there means the document
promised more than the API accepts: what a generated client would send). Write operations
run against the test database and change it; that is the point.

Examples are derandomised (the same cases on every run) and not shrunk, so the run is reproducible
and bounded in time (about 50 s of CPU for both roles)."""

import uuid

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from tisheng.config.wsgi import application
from tisheng.core.scoping import scope_for
from tisheng.demo.services import demo_city_build
from tisheng.evaluation.models import PeerAssignment
from tisheng.evaluation.rubrics import current_rubric
from tisheng.evidence.models import EvidenceUpload
from tisheng.evidence.selectors import evidence_files_visible, evidence_visible
from tisheng.exchange.selectors import import_jobs_visible
from tisheng.framework.models import AbilityPoint
from tisheng.hours.models import HoursEntry
from tisheng.people.models import RoleAssignment, SignInCodeBatch, User
from tisheng.people.services import api_token_issue
from tisheng.plans.models import Pick, PlanAttachment
from tisheng.plans.selectors import plan_visible
from tisheng.research.models import OpenClass
from tisheng.trainings.models import Training

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
    positive_data_acceptance,
]
EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 4}
CSRF_SECRET = "s" * 32  # Django accepts the unmasked secret in the header when it matches the cookie


@pytest.fixture
def wsgi_requests_keep_the_test_transaction():
    """Django closes the connection at the end of each request; inside a test that would end the
    test's transaction. Django's own test client disconnects the same handler."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def demo_city():
    return demo_city_build(teachers=120, seed=2021)[0]


def _session_credentials(user) -> dict:
    from django.conf import settings as django_settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = django_settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {
        "headers": {"X-CSRFToken": CSRF_SECRET},
        "cookies": {django_settings.SESSION_COOKIE_NAME: session.session_key, "csrftoken": CSRF_SECRET},
    }


def _token_credentials(user) -> dict:
    _token, key = api_token_issue(actor=user, name="schemathesis")
    return {"headers": {"Authorization": f"Bearer {key}"}, "cookies": {}}


def _first(qs):
    row = qs.order_by("pk").values_list("pk", flat=True).first()
    return row if row is not None else 1


def _visible_ids(user) -> dict:
    """A row the caller can see for every id a path may hold."""
    scope = scope_for(user)
    teacher = scope.teachers().order_by("pk").first()
    school = teacher.school if teacher else scope.schools().first()
    return {
        "city_id": school.city_id,
        "county_id": school.county_id,
        "school_id": school.pk,
        "group_id": _first(scope.groups()),
        "teacher_id": teacher.pk,
        "plan_id": _first(plan_visible(scope)),
        "evidence_id": _first(evidence_visible(scope)),
        "file_id": _first(evidence_files_visible(scope)),
        "upload_id": str(
            EvidenceUpload.objects.filter(evidence__teacher=teacher).values_list("pk", flat=True).first()
            or uuid.uuid4()
        ),
        "job_id": str(import_jobs_visible(scope).values_list("pk", flat=True).first() or uuid.uuid4()),
        "batch_id": str(
            SignInCodeBatch.objects.filter(county_id=school.county_id).values_list("pk", flat=True).first()
            or uuid.uuid4()
        ),
        "assignment_id": _first(RoleAssignment.objects.filter(school=school).exclude(user=user)),
        "pick_id": _first(Pick.objects.filter(teacher__school=school)),
        "attachment_id": _first(PlanAttachment.objects.filter(plan__school=school)),
        "entry_id": _first(HoursEntry.objects.filter(teacher=teacher)),
        "training_id": _first(Training.objects.filter(organiser_county=school.county_id)),
        "open_class_id": _first(OpenClass.objects.filter(school=school)),
        "peer_assignment_id": _first(PeerAssignment.objects.filter(reviewer=teacher)),
        "rubric_id": current_rubric(
            city_id=school.city_id, point=AbilityPoint.objects.get(framework__code="henan-2021", code="1-1")
        ).pk,
        "batch_year": school.batch_year or 2022,
        "code": "henan-2021",
    }


def _run_operation(operation, credentials: dict, path_parameters: dict | None) -> list[str]:
    failures = []
    for mode, examples in EXAMPLES.items():
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def check(case):
            case.call_and_validate(
                headers=credentials["headers"], cookies=credentials["cookies"], checks=CHECKS
            )

        try:
            check()
        except Unsatisfiable:
            continue  # nothing to make invalid: no parameter and no body beyond the ids set above
        except (
            Exception,
            BaseExceptionGroup,
        ) as exc:  # every failure of every operation is reported, not the first only
            failures.append(
                f"{operation.label} [{mode.value}, path {'set' if path_parameters else 'generated'}]:\n{exc}"
            )
    return failures


@pytest.mark.parametrize("role", ["county admin (session)", "teacher (bearer token)"])
def test_the_api_keeps_to_its_openapi_document(role, demo_city, wsgi_requests_keep_the_test_transaction):
    if role.startswith("county admin"):
        user = User.objects.get(username="shihe-admin")
        credentials = _session_credentials(user)
    else:
        user = User.objects.get(username="teacher")
        credentials = _token_credentials(user)
    ids = _visible_ids(user)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    # The caller's own credentials on every request: generated tokens and cookies would only test 401.
    schema.config.generation.update(with_security_parameters=False)
    # Valid data (by the document) may be refused by a rule of the service or the state of the data
    # (400, 403, 404, 409), never by the schema layer: a 422 means the document promised too much.
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
        expected_statuses=["2xx", 400, 401, 403, 404, 409]
    )

    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    for operation in operations:
        if (operation.method.upper(), operation.path) == ("DELETE", "/api/v1/auth/token"):
            continue  # revoking the caller's token would leave nothing to test; tested in people/tests
        names = [p.name for p in operation.path_parameters]
        failures += _run_operation(operation, credentials, None)
        if names:
            failures += _run_operation(operation, credentials, {n: ids[n] for n in names})
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)
