"""Two members of the school assessment group judge the same work at the same moment, each on its own
database connection (real transactions, two threads). Whatever the order, exactly one verdict is
stored and the other member is told who judged (R-EVAL; STYLE trait 7). On PostgreSQL the evidence
row lock (select_for_update) serialises them; on SQLite the write lock taken at BEGIN IMMEDIATE does.
Run it on PostgreSQL with DATABASE_URL=postgres://... as the other tests."""

import threading
from importlib import import_module

import pytest
from django.db import connection

from tisheng.core.errors import Conflict
from tisheng.evaluation import services
from tisheng.evaluation.models import Verdict
from tisheng.evidence.models import EvidenceStatus
from tisheng.framework.models import AbilityPoint
from tisheng.hours.models import HoursEntry

from .assess_world import COMMENT, build_world

REAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@REAL
@pytest.mark.parametrize("decisions", [("pass", "fail"), ("fail", "pass"), ("pass", "pass")])
def test_two_members_at_once_one_verdict_and_the_other_is_told(decisions):
    if not AbilityPoint.objects.filter(framework__code="henan-2021").exists():
        # A transactional test before this one (a browser test) flushed the framework's rows.
        from django.apps import apps

        import_module("tisheng.framework.migrations.0003_load_henan_29").load(apps, None)
    world = build_world()
    evidence = world.ready_for_verdict()
    version_id = evidence.versions.get().pk
    members = {"张老师": world.member, "陈老师": world.member_b}
    barrier = threading.Barrier(2, timeout=60)
    results, refusals, failures = {}, {}, []

    def judge(name, user, decision):
        try:
            barrier.wait()  # both saw the page with no verdict (verdicts_seen = 0)
            results[name] = services.verdict_give(
                actor=user,
                evidence=evidence,
                version_id=version_id,
                verdicts_seen=0,
                decision=decision,
                ratings=world.rated(evidence, decision),
                comment=COMMENT,
            )
        except Conflict as exc:
            refusals[name] = exc
        except BaseException as exc:  # reported below, whatever it is
            failures.append((name, exc))
            barrier.abort()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=judge, args=(name, user, decision))
        for (name, user), decision in zip(members.items(), decisions, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(results) == 1 and len(refusals) == 1
    (winner,) = results
    (loser,) = refusals
    assert refusals[loser].code == "judged_meanwhile" and winner in str(refusals[loser].message)
    assert Verdict.objects.count() == 1
    evidence.refresh_from_db()
    outcome = results[winner].outcome
    assert evidence.status == (EvidenceStatus.ACCEPTED if outcome == "pass" else EvidenceStatus.REJECTED)
    assert HoursEntry.objects.filter(source="accepted_evidence").count() == (1 if outcome == "pass" else 0)
