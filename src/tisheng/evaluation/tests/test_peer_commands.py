"""`tisheng peer-allocate` and `tisheng peer-reassign-overdue` (with its django-tasks task)."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tisheng.evaluation import peer, peer_tasks
from tisheng.evaluation.models import AssignmentStatus, PeerAllocation, PeerAssignment

from .peer_factories import school_world

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_the_plan_as_json_and_writes_nothing():
    w = school_world((3, 2))
    out = json.loads(
        run("peer-allocate", "--school", str(w["school"].pk), "--dry-run", "--seed", "8", "--json")
    )
    assert out["dry_run"] and out["seed"] == 8 and out["made"] == len(out["pairs"]) > 0
    assert not PeerAllocation.objects.exists()
    names = {t.user.full_name for t in w["teachers"]}
    assert {p["reviewer"] for p in out["pairs"]} <= names
    text = json.dumps(out, ensure_ascii=False)
    for t in w["teachers"]:  # no logins, phones or ID numbers
        assert t.user.username not in text
    again = json.loads(
        run("peer-allocate", "--school", str(w["school"].pk), "--dry-run", "--seed", "8", "--json")
    )
    assert again["pairs"] == out["pairs"]
    written = json.loads(run("peer-allocate", "--school", str(w["school"].pk), "--seed", "8", "--json"))
    assert written["pairs"] == out["pairs"] and PeerAllocation.objects.get().created_by is None
    assert "已分配" in run("peer-allocate", "--school", str(w["school"].pk))


def test_unknown_school_and_bad_seed():
    with pytest.raises(CommandError):
        run("peer-allocate", "--school", "987654")
    w = school_world((2,))
    with pytest.raises(CommandError):
        run("peer-allocate", "--school", str(w["school"].pk), "--seed", "-4")


def test_reassign_overdue_command_and_task():
    w = school_world((5,))
    peer.peer_allocate(actor=w["principal"], school=w["school"], seed=1, today=dt.date(2020, 1, 1))
    assert "reallocated 1 school(s)" in run("peer-reassign-overdue")
    assert PeerAssignment.objects.filter(status=AssignmentStatus.REASSIGNED).exists()
    assert PeerAllocation.objects.filter(trigger="overdue").exists()
    # Queued (the test backend runs it at once): nothing overdue any more.
    assert "queued" in run("peer-reassign-overdue", "--enqueue")
    assert peer_tasks.reassign_overdue_peer_reviews.call(school_id=987654) == 0


def test_the_nightly_run_allocates_submissions_nobody_allocated_yet():
    from tisheng.organisation.tests.factories import TeacherFactory

    from .peer_factories import work

    w = school_world((4,))
    peer.peer_allocate(actor=w["principal"], school=w["school"], seed=1)
    late = TeacherFactory(school=w["school"], group=w["teachers"][0].group)
    version = work(late)
    out = run("peer-reassign-overdue")
    assert "allocated new submissions at 1 school(s)" in out
    assert PeerAssignment.objects.filter(version=version).count() >= 3
    assert PeerAllocation.objects.filter(trigger="pending").count() == 1
    assert "allocated new submissions at 0 school(s)" in run("peer-reassign-overdue")
