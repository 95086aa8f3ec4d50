"""Nothing lost, nothing half-done: an import killed midway leaves the platform as it was, the audit
event is written with the change, and two imports of overlapping files at once create no duplicates.

These tests use real transactions (`transaction=True`): what is checked is what another connection
sees after the import's own transaction ended, not a savepoint inside the test's transaction.
`serialized_rollback` puts back the data migrations load (the Henan framework) after each flush.
"""

import sqlite3
import threading
from collections import Counter

import pytest
from django.db import connection, transaction
from django.db.utils import OperationalError

from tisheng.core import audit
from tisheng.core.models import AuditEvent
from tisheng.exchange import roster as roster_module
from tisheng.exchange.roster import RosterImporter
from tisheng.exchange.targets import ImportTarget
from tisheng.exchange.units import UnitsImporter
from tisheng.organisation.models import City, County, School, Teacher, TeachingGroup, Zone
from tisheng.organisation.tests.factories import TeacherFactory
from tisheng.people.models import User

from .files import ROSTER_HEADER, UNITS_HEADER, phone, valid_id, write_xlsx

REAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SYSTEM = ImportTarget(city=None, system=True)
SCHOOLS = [("浉河区", "实验中学"), ("浉河区", "第一小学"), ("平桥区", "第一小学"), ("平桥区", "明港镇中心校")]


def row(n, *, name=None, group="语文组"):
    county, school = SCHOOLS[n % len(SCHOOLS)]
    return [n + 1, name or f"教师{n}", "", valid_id(n), phone(n), county, school, "语文", "初中", group]


def roster_file(path, numbers, **kw):
    return write_xlsx(path, [ROSTER_HEADER, *[row(n, **kw) for n in numbers]])


def state():
    return (
        Teacher.objects.count(),
        User.objects.count(),
        TeachingGroup.objects.count(),
        AuditEvent.objects.filter(kind="import.roster").count(),
    )


def snapshot():
    return (
        sorted(Teacher.objects.values_list("id", "user_id", "school_id", "group_id", "phone", "id_number")),
        sorted(User.objects.values_list("id", "username", "full_name")),
        sorted(TeachingGroup.objects.values_list("id", "school_id", "name")),
    )


class Killed(RuntimeError):
    """Stands for a worker killed in the middle of writing."""


def _half_then_die(manager, monkeypatch, exc=Killed):
    """Let the manager's bulk_create write the first half of its rows, then fail."""
    original = manager.bulk_create

    def bulk_create(objs, *args, **kwargs):
        objs = list(objs)
        original(objs[: len(objs) // 2], *args, **kwargs)
        raise exc("killed while writing")

    monkeypatch.setattr(manager, "bulk_create", bulk_create)


def _after_apply(monkeypatch, exc=Killed):
    original = RosterImporter.apply

    def apply(self, plan):
        original(self, plan)
        raise exc("killed after writing")

    monkeypatch.setattr(RosterImporter, "apply", apply)


def _in_the_audit(monkeypatch, exc=Killed):
    def record(**kwargs):
        raise exc("killed while recording the audit event")

    monkeypatch.setattr(roster_module.audit, "record", record)


KILLS = {
    "users half written": lambda mp: _half_then_die(User.objects, mp),
    "teachers half written": lambda mp: _half_then_die(Teacher.objects, mp),
    "groups half written": lambda mp: _half_then_die(TeachingGroup.objects, mp),
    "after every write": _after_apply,
    "while auditing": _in_the_audit,
    "ctrl-c after every write": lambda mp: _after_apply(mp, KeyboardInterrupt),
}


# ---- killed midway -------------------------------------------------------------------------------
@REAL
@pytest.mark.parametrize("valid_only", [False, True], ids=["all-or-nothing", "valid-only"])
@pytest.mark.parametrize("kill", list(KILLS))
def test_an_import_killed_midway_leaves_the_platform_as_it_was(org, tmp_path, monkeypatch, kill, valid_only):
    moved = TeacherFactory(school=org.mingang, id_number=valid_id(0), phone=phone(0))
    old_name = moved.user.full_name
    rows = [row(n, group=f"组{n % 3}") for n in range(12)]
    rows[0][1] = "改名"
    if valid_only:
        rows.append([99, "", "", "bad", "", "", "实验中学", "", "", ""])  # a wrong row
    path = write_xlsx(tmp_path / "r.xlsx", [ROSTER_HEADER, *rows])
    before, data = state(), snapshot()
    KILLS[kill](monkeypatch)

    with pytest.raises((Killed, KeyboardInterrupt)):
        RosterImporter(target=SYSTEM).run(path, valid_only=valid_only)

    assert state() == before
    assert snapshot() == data
    moved.refresh_from_db()
    moved.user.refresh_from_db()
    assert (moved.school, moved.user.full_name) == (org.mingang, old_name)  # neither moved nor renamed
    assert not AuditEvent.objects.filter(kind="import.roster").exists()
    assert not connection.in_atomic_block


@REAL
def test_a_units_import_killed_midway_leaves_no_city_or_county(db, tmp_path, monkeypatch):
    rows = [
        [None, "新县", "一片", "新县一小", "", "城区", "小学", "", ""],
        [None, "新区", "", "新区一中", "", "城区", "初中", "", ""],
    ]
    path = write_xlsx(tmp_path / "u.xlsx", [UNITS_HEADER, *rows])
    _half_then_die(School.objects, monkeypatch)
    with pytest.raises(Killed):
        UnitsImporter(target=SYSTEM, city_name="新市").run(path)
    assert (City.objects.count(), County.objects.count(), Zone.objects.count(), School.objects.count()) == (
        0,
        0,
        0,
        0,
    )
    assert not AuditEvent.objects.filter(kind="import.units").exists()


@REAL
def test_valid_only_writes_exactly_the_good_rows(org, tmp_path):
    rows = [row(n) for n in range(6)]
    rows[2][3] = valid_id(2)[:17]  # 17 characters
    rows[4][6] = "不存在的学校"
    path = write_xlsx(tmp_path / "r.xlsx", [ROSTER_HEADER, *rows])
    before = state()
    result = RosterImporter(target=SYSTEM).run(path, valid_only=True)
    assert result.written
    assert [(e.row, e.column) for e in result.errors] == [(4, "身份证号"), (6, "学校名称")]
    assert sorted(Teacher.objects.values_list("id_number", flat=True)) == sorted(
        valid_id(n) for n in (0, 1, 3, 5)
    )
    assert state() == (before[0] + 4, before[1] + 4, before[2] + 3, before[3] + 1)  # 3 schools


@REAL
def test_the_audit_event_is_written_in_the_same_transaction(org, tmp_path, monkeypatch):
    path = roster_file(tmp_path / "r.xlsx", range(5))
    seen = {}
    original = audit.record

    def record(**kwargs):
        # Inside the import's transaction, after its writes: both commit or neither does.
        seen["atomic"] = connection.in_atomic_block
        seen["teachers"] = Teacher.objects.count()
        return original(**kwargs)

    monkeypatch.setattr(roster_module.audit, "record", record)
    result = RosterImporter(target=SYSTEM).run(path, source="upload:r.xlsx")
    assert result.written
    assert seen == {"atomic": True, "teachers": 5}
    event = AuditEvent.objects.get(kind="import.roster")
    assert event.data == {
        "rows": 5,
        "valid": 5,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "would_create": 5,
        "would_update": 0,
        "would_keep": 0,
        "errors": 0,
    }
    assert (event.target_type, event.target_id) == ("exchange.import", "upload:r.xlsx")
    assert "新增5" in event.summary


@REAL
def test_a_failed_import_records_no_audit_event(org, tmp_path):
    rows = [row(0), row(1)]
    rows[1][4] = "12"
    result = RosterImporter(target=SYSTEM).run(write_xlsx(tmp_path / "r.xlsx", [ROSTER_HEADER, *rows]))
    assert not result.written
    assert not AuditEvent.objects.filter(kind="import.roster").exists()
    assert Teacher.objects.count() == 0


# ---- two imports at once -------------------------------------------------------------------------
def _race(monkeypatch, importer_class, jobs):
    """Run the jobs in threads that meet after reading their files, just before the write lock."""
    barrier = threading.Barrier(len(jobs), timeout=60)
    original = importer_class.prepare

    def prepare(self, rows):
        barrier.wait()
        return original(self, rows)

    monkeypatch.setattr(importer_class, "prepare", prepare)
    results, failures = {}, []

    def work(name, job):
        try:
            results[name] = job()
        except BaseException as exc:  # reported below, whatever it is
            failures.append((name, exc))
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=item) for item in jobs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    return results


@REAL
def test_two_roster_imports_of_overlapping_files_at_once(org, tmp_path, monkeypatch):
    first = roster_file(tmp_path / "a.xlsx", range(0, 60), group="新教研组")
    second = roster_file(tmp_path / "b.xlsx", range(30, 90), group="新教研组")
    users_before = User.objects.count()

    results = _race(
        monkeypatch,
        RosterImporter,
        {
            "a": lambda: RosterImporter(target=SYSTEM).run(first, source="a"),
            "b": lambda: RosterImporter(target=SYSTEM).run(second, source="b"),
        },
    )

    a, b = results["a"], results["b"]
    assert a.written and b.written and a.errors == b.errors == []
    assert a.created + b.created == 90  # the overlap was created once ...
    assert a.unchanged + b.unchanged == 30  # ... and found unchanged by the later import
    assert (a.created + a.unchanged, b.created + b.unchanged) == (60, 60)
    ids = Counter(Teacher.objects.values_list("id_number", flat=True))
    assert set(ids) == {valid_id(n) for n in range(90)}
    assert set(ids.values()) == {1}  # each ID exactly once
    assert User.objects.count() == users_before + 90
    groups = Counter(TeachingGroup.objects.filter(name="新教研组").values_list("school_id", flat=True))
    assert set(groups.values()) == {1} and len(groups) == len(SCHOOLS)
    assert AuditEvent.objects.filter(kind="import.roster").count() == 2


@REAL
def test_two_units_imports_creating_the_same_city_at_once(db, tmp_path, monkeypatch):
    def units(path, names):
        rows = [[None, "新县", "一片", n, "", "城区", "小学", "", ""] for n in names]
        return write_xlsx(path, [UNITS_HEADER, *rows])

    first = units(tmp_path / "a.xlsx", [f"新县第{n}小学" for n in range(0, 20)])
    second = units(tmp_path / "b.xlsx", [f"新县第{n}小学" for n in range(10, 30)])

    results = _race(
        monkeypatch,
        UnitsImporter,
        {
            "a": lambda: UnitsImporter(target=SYSTEM, city_name="新市").run(first),
            "b": lambda: UnitsImporter(target=SYSTEM, city_name="新市").run(second),
        },
    )

    assert all(r.written and not r.errors for r in results.values())
    assert results["a"].created + results["b"].created == 30
    assert list(City.objects.values_list("name", flat=True)) == ["新市"]
    assert list(County.objects.values_list("name", flat=True)) == ["新县"]
    assert list(Zone.objects.values_list("name", flat=True)) == ["一片"]
    names = Counter(School.objects.values_list("name", flat=True))
    assert len(names) == 30 and set(names.values()) == {1}


@REAL
def test_the_write_lock_is_held_while_an_import_writes(org, tmp_path, monkeypatch):
    """Another connection cannot start an import's write while one is writing (per backend)."""
    probe = {}
    original = RosterImporter.apply

    def try_the_lock():
        try:
            if connection.vendor == "postgresql":
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_try_advisory_xact_lock(hashtext(%s))", ["tisheng.import.roster"]
                    )
                    probe["got"] = cursor.fetchone()[0]
            else:
                # SQLite: the import's IMMEDIATE transaction holds the one write lock.
                name = connection.settings_dict["NAME"]
                other = sqlite3.connect(name, timeout=0)
                try:
                    other.execute("BEGIN IMMEDIATE")
                    probe["got"] = True
                    other.rollback()
                except sqlite3.OperationalError as exc:
                    probe["got"] = False
                    probe["why"] = str(exc)
                finally:
                    other.close()
        except OperationalError as exc:  # pragma: no cover - reported by the assertion
            probe["error"] = str(exc)
        finally:
            connection.close()

    def apply(self, plan):
        thread = threading.Thread(target=try_the_lock)
        thread.start()
        thread.join()
        return original(self, plan)

    monkeypatch.setattr(RosterImporter, "apply", apply)
    result = RosterImporter(target=SYSTEM).run(roster_file(tmp_path / "r.xlsx", range(3)))
    assert result.written
    assert probe.get("got") is False, probe
    if connection.vendor == "sqlite":
        assert "locked" in probe["why"]
