"""The demo city lands each assessment login on real data (issue 10 item 9, this part's share)."""

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.demo.services import demo_city_build
from tisheng.evaluation.models import Appeal, AppealStatus, SelfEvaluation, Verdict
from tisheng.evidence.models import Evidence
from tisheng.people.models import User

pytestmark = pytest.mark.django_db


def _client(username):
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


def test_the_demo_school_has_assessment_in_every_state():
    _city, logins, counts = demo_city_build(teachers=300, seed=2021)
    assert "assessor" in {login.username for login in logins}
    assert counts["verdicts"] >= 4 and counts["self_evaluations"] >= 4
    outcomes = set(Verdict.objects.values_list("outcome", flat=True))
    assert {"pass", "fail", "returned"} <= outcomes
    assert Appeal.objects.filter(status=AppealStatus.OPEN).exists()
    assert Evidence.objects.filter(status="returned").exists()
    assessor = _client("assessor")
    page = assessor.get(reverse("assess-queue")).content.decode()
    assert "data-evidence=" in page  # work waiting for a verdict
    assert assessor.get(reverse("assess-count")).content.decode() not in ("", "0")
    appeals = assessor.get(reverse("assess-queue"), {"status": "appeal"}).content.decode()
    assert "data-evidence=" in appeals  # an appeal for the assessor to decide
    teacher = User.objects.get(username="teacher")
    waiting = Evidence.objects.filter(teacher__user=teacher, status="submitted").first()
    assert waiting is not None and not SelfEvaluation.objects.filter(evidence=waiting).exists()
    page = _client("teacher").get(reverse("evidence-detail", args=[waiting.pk])).content.decode()
    assert 'data-testid="self-evaluation-form"' in page
