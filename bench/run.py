"""Benchmarks of the issue: demo data at 50,000 teachers and the home page on top of it.

    .venv/bin/python bench/run.py            # SQLite in a fresh temporary directory
    .venv/bin/python bench/run.py --pg       # PostgreSQL at 127.0.0.1:5432 (database tisheng_bench)
    DATABASE_URL=postgres://u@host:5432/x .venv/bin/python bench/run.py   # that server, tisheng_bench

What it does:
1. A fresh temporary directory becomes TISHENG_VAR_DIR. With SQLite the database file lives there.
   With PostgreSQL the script drops and recreates a dedicated database `tisheng_bench` on the server
   named by DATABASE_URL (the database named in the URL itself is never touched).
2. `tisheng migrate`, then `tisheng demo-data --teachers 50000 --seed 2021` in a child process of the
   console script: wall-clock time and the child's peak resident memory (ru_maxrss).
3. In this process (django.setup() + the Django test Client; on PostgreSQL after VACUUM ANALYZE,
   which autovacuum would do shortly after the bulk load): force_login as each demo login,
   5 warm-up requests to `/`, then 50 timed ones (time.perf_counter around client.get, i.e. the
   whole request/response cycle in the server, no network); one more request under
   CaptureQueriesContext gives the number of SQL queries.
4. The import: the school and county names of the demo city are read from the bench database and a
   100,000-row roster (序号, 姓名, 性别, 身份证号, 手机号, 县区, 学校名称, 学科, 学段, 教研组) is written
   to the temporary directory with XlsxWriter (constant_memory): valid unique ID numbers, unique
   mobile numbers, the rows spread over all the demo's schools, five teaching-group names of which
   two exist in no demo school (so groups are created). Then `tisheng import-roster FILE --json`
   runs as a child process (wall clock, peak RSS via os.wait4, rows and created from its JSON), and
   a second time on the same file (the idempotent re-import: every row unchanged). Last, a spreadsheet
   bomb (~1 MB whose xl/sharedStrings.xml unpacks to 1 GiB, built by exchange/tests/files.py) is given
   to `tisheng import-roster`: wall clock and peak RSS of the child until it refuses it (exit 2).

    .venv/bin/python bench/run.py --only import     # migrate + demo-data + the import, no home pages
    .venv/bin/python bench/run.py --only home       # no import
    .venv/bin/python bench/run.py --only codes      # sign-in codes for a county of 20,000 teachers
5. Sign-in codes: 20,000 demo teachers are moved into 浉河区 (spread over its schools) and left without a
   password; then the county admin issues codes for the whole county (services.sign_in_codes_issue,
   the job run by the immediate task backend): wall clock to the batch done, with the PDF and .xlsx.

The figures are information: the script exits 0 when a target is missed, but prints MISS loudly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test"
# Another name (TISHENG_BENCH_DB) lets two people bench on one server without dropping each other's database.
BENCH_DB = os.environ.get("TISHENG_BENCH_DB", "tisheng_bench")
TEACHERS = 50_000
SEED = 2021
WARMUP = 5
RUNS = 50
DEMO_TARGET_S = 60.0
HOME_TARGET_MS = 50.0
IMPORT_ROWS = 100_000
IMPORT_TARGET_S = 30.0
IMPORT_TARGET_MIB = 1024
CODES_TEACHERS = 20_000
CODES_TARGET_S = 60.0
BOMB_TARGET_S = 1.0
BOMB_TARGET_MIB = 300
# Teaching groups of the generated roster: the first three exist in most demo schools, the last two
# in none, so the import creates them (one per school and name).
ROSTER_GROUPS = [
    ("语文组", "语文"),
    ("数学组", "数学"),
    ("英语组", "英语"),
    ("艺体组", "艺体"),
    ("心理健康组", "心理"),
]
# (login, what it is, whether an issue sets the 50 ms target for it, page)
HOME_USERS = [
    ("shihe-admin", "county admin", True, "/"),
    ("cityadmin", "city admin", False, "/"),
    ("principal", "school team", False, "/"),
    ("groupleader", "group leader", False, "/"),
    ("teacher", "teacher", False, "/"),
    # The school-based journey issue: a teacher's 我的进度 page with 50,000 teachers, ≤ 50 ms.
    ("teacher", "teacher, 我的进度", True, "/progress/"),
]

ROOT = Path(__file__).resolve().parent.parent
TISHENG = Path(sys.executable).parent / "tisheng"


# ---- database choice -----------------------------------------------------------------------------
def _pg_url_with_db(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def _pg_admin_url(server_url: str) -> str:
    """libpq spelling (postgresql://) of the server's maintenance database `postgres`."""
    return "postgresql://" + _pg_url_with_db(server_url, "postgres").split("://", 1)[1]


def _pg_recreate(server_url: str) -> str:
    """Drop and create `tisheng_bench` on the server of `server_url`; return the URL of that database."""
    import psycopg
    from psycopg import sql

    # Connect to the maintenance database `postgres` of that server, not to the one in the URL.
    with psycopg.connect(_pg_admin_url(server_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DB)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))
    return _pg_url_with_db(server_url, BENCH_DB)


def _pg_drop(server_url: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_pg_admin_url(server_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DB)))


def choose_database(args) -> tuple[str | None, str | None]:
    """Return (DATABASE_URL for the benchmark or None for SQLite in the var dir, PostgreSQL server URL)."""
    given = os.environ.get("DATABASE_URL", "")
    if not given and args.pg:
        given = DEFAULT_PG
    if not given:
        return None, None
    scheme = urlsplit(given).scheme
    if scheme in ("postgres", "postgresql", "pgsql", "psql"):
        return _pg_recreate(given), given
    if scheme.startswith("sqlite"):
        print(f"note: DATABASE_URL is SQLite ({given}); using a fresh SQLite file in the temporary directory")
        return None, None
    sys.exit(f"bench/run.py: unsupported DATABASE_URL scheme {scheme!r} (SQLite or PostgreSQL)")


# ---- the child processes -------------------------------------------------------------------------
def run_child(args: list[str], env: dict, log: Path, ok_codes=(0,)) -> tuple[float, int]:
    """Run the console script; return (wall seconds, peak RSS in KiB of that child).

    The peak RSS is ru_maxrss, the figure resource.getrusage(RUSAGE_CHILDREN) reports, taken from
    os.wait4 for this one child so that migrate's peak does not mask demo-data's.
    """
    started = time.perf_counter()
    with log.open("w") as out:
        # Our own console script with fixed arguments.
        proc = subprocess.Popen([str(TISHENG), *args], env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok_codes:
        sys.stdout.write(log.read_text())
        sys.exit(f"bench/run.py: `tisheng {' '.join(args)}` failed with exit code {proc.returncode}")
    return elapsed, usage.ru_maxrss


# ---- machine ----------------------------------------------------------------------------------------
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        return platform.processor() or "unknown CPU"
    return platform.processor() or "unknown CPU"


def nproc() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 0


def db_description() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            version = cur.fetchone()[0]
        return f"PostgreSQL {version}"
    return connection.vendor  # pragma: no cover


# ---- the home page ---------------------------------------------------------------------------------
def measure_home(username: str, path: str = "/") -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tisheng.people.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    for _ in range(WARMUP):
        response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"bench/run.py: GET {path} as {username} answered {response.status_code}")
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    # Counted on a separate request so that recording the SQL does not slow the timed ones.
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    times.sort()
    return {
        "median": statistics.median(times),
        "p95": times[min(len(times) - 1, round(0.95 * len(times)) - 1)],
        "queries": len(ctx.captured_queries),
        "sql": [q["sql"] for q in ctx.captured_queries],
    }


# ---- the import ------------------------------------------------------------------------------------
def demo_schools() -> list[tuple[str, str, str]]:
    """(school name, county name, stage label) of every school in the bench database, by id."""
    from tisheng.organisation.models import School, Stage

    labels = dict(Stage.choices)
    return [
        (name, county, str(labels.get(stage, "")))
        for name, county, stage in School.objects.order_by("pk").values_list("name", "county__name", "stage")
    ]


def write_roster(path: Path, schools: list[tuple[str, str, str]], rows: int) -> None:
    """A roster of `rows` new teachers as a clerk would hand it in, written in constant memory."""
    import datetime
    import random

    import xlsxwriter

    from tisheng.core.cleaning import id_check_char
    from tisheng.demo.city import GIVEN, SURNAMES

    rng = random.Random(SEED)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_urls": False})
    sheet = workbook.add_worksheet("花名册")
    header = ["序号", "姓名", "性别", "身份证号", "手机号", "县区", "学校名称", "学科", "学段", "教研组"]
    for c, name in enumerate(header):
        sheet.write_string(0, c, name)
    born = datetime.date(1965, 1, 1)
    for i in range(rows):
        # Unique by (birth date, sequence): 1,000 sequence numbers per day from 1 Jan 1965.
        seq = i % 1000
        first17 = f"4115{i % 16 + 1:02d}{born + datetime.timedelta(days=i // 1000):%Y%m%d}{seq:03d}"
        school, county, stage = schools[i % len(schools)]
        group, subject = ROSTER_GROUPS[(i // len(schools)) % len(ROSTER_GROUPS)]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        r = i + 1
        sheet.write_number(r, 0, r)
        sheet.write_string(r, 1, name)
        sheet.write_string(r, 2, "男" if seq % 2 else "女")  # the 17th digit tells the gender
        sheet.write_string(r, 3, first17 + id_check_char(first17))
        sheet.write_string(r, 4, f"139{i:08d}")
        sheet.write_string(r, 5, county)
        sheet.write_string(r, 6, school)
        sheet.write_string(r, 7, subject)
        sheet.write_string(r, 8, stage)
        sheet.write_string(r, 9, group)
    workbook.close()


def run_import(path: Path, env: dict, log: Path) -> dict:
    """`tisheng import-roster FILE --json` as a child: wall seconds, peak RSS, and its JSON answer."""
    # As deployed: the import enqueues its follow-up jobs (the sheets of the teachers it changed) for
    # the worker, which runs them after the clerk's import is done; both are timed, apart.
    queued = env | {"TISHENG_TASK_BACKEND": "db"}
    seconds, rss_kib = run_child(["import-roster", str(path), "--json"], queued, log)
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    if not lines:
        sys.stdout.write(log.read_text())
        sys.exit("bench/run.py: import-roster --json printed no JSON")
    answer = json.loads(lines[-1])
    job_s, _ = run_child(["db_worker", "--batch"], queued, log.with_suffix(".worker.log"))
    return {"seconds": seconds, "rss_mib": rss_kib / 1024, "job_s": job_s, **answer}


def print_import(label: str, m: dict) -> list[str]:
    """Print the lines of one import run; return the targets it missed."""
    wall_ok, rss_ok = m["seconds"] <= IMPORT_TARGET_S, m["rss_mib"] <= IMPORT_TARGET_MIB
    print(f"{label + ' (wall)':<46}{m['seconds']:>14.1f} s   {'≤ 30 s':<14}{verdict(wall_ok)}")
    print(f"{'    peak RSS':<46}{m['rss_mib']:>13.0f} MiB   {'≤ 1024 MiB':<14}{verdict(rss_ok)}")
    print(f"{'    rows/s':<46}{m['rows'] / m['seconds']:>16,.0f}   {'—':<14}info")
    print(f"{'    then the worker: follow-up jobs (sheets)':<46}{m['job_s']:>14.1f} s   {'—':<14}info")
    counts = f"{m['created']}/{m['updated']}/{m['unchanged']}/{len(m['errors'])}"
    print(f"{'    created/updated/unchanged/errors':<46}{counts:>16}   {'—':<14}info")
    return [f"{label} time"] * (not wall_ok) + [f"{label} memory"] * (not rss_ok)


def measure_codes() -> dict:
    """Issue sign-in codes for one county of CODES_TEACHERS teachers who have no password yet."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from tisheng.organisation.models import School, Teacher
    from tisheng.people import services
    from tisheng.people.models import SignInCodeBatch, User

    admin = User.objects.get(username="shihe-admin")
    county = admin.role_assignments.get().county
    schools = list(School.objects.filter(county=county).values_list("id", flat=True))
    ids = list(Teacher.objects.order_by("id").values_list("id", flat=True)[:CODES_TEACHERS])
    with transaction.atomic():
        # Move the teachers into the county, spread over its schools, and make them password-less.
        for n, school_id in enumerate(schools):
            part = ids[n :: len(schools)]
            for start in range(0, len(part), 5000):
                Teacher.objects.filter(id__in=part[start : start + 5000]).update(
                    county_id=county.id, school_id=school_id
                )
        others = Teacher.objects.filter(county=county).exclude(id__in=ids).values_list("user_id", flat=True)
        User.objects.filter(id__in=list(others)).update(password="bench-has-a-password")
        unusable = make_password(None)
        for start in range(0, len(ids), 5000):
            User.objects.filter(teacher__id__in=ids[start : start + 5000]).update(password=unusable)
    print(f"bench: sign-in codes for {len(ids)} teachers of {county.name} ...", flush=True)
    started = time.perf_counter()
    batch = services.sign_in_codes_issue(actor=admin, county=county)  # queued on commit, run at once
    seconds = time.perf_counter() - started
    batch = SignInCodeBatch.objects.get(pk=batch.pk)
    if batch.status != "done":
        sys.exit(f"bench/run.py: the code batch ended {batch.status}: {batch.message}")
    pdf = batch.pdf.open("rb").read()
    return {
        "teachers": batch.issued,
        "seconds": seconds,
        "pdf_mib": len(pdf) / 2**20,
        "pages": len(re.findall(rb"/Type\s*/Page\b", pdf)),
        "xlsx_mib": batch.xlsx.size / 2**20,
        "progress": f"{batch.progress_done}/{batch.progress_total}",
    }


SHEETS_TEACHERS = 20_000
SHEETS_TARGET_S = 30.0


def measure_sheets() -> dict:
    """Issue 10: a full recompute of a county of 20,000 teachers (sheets 3.3 and the rates), and the
    teacher's sheet page (我的进度) with every teacher of the database present."""
    from django.db import transaction

    from tisheng.organisation.models import School, Teacher
    from tisheng.people.models import User
    from tisheng.scoring import keeping

    county = User.objects.get(username="shihe-admin").role_assignments.get().county
    school = (
        User.objects.get(username="principal").role_assignments.filter(school__isnull=False).first().school
    )
    have = Teacher.objects.filter(county=county).count()
    if have < SHEETS_TEACHERS:
        schools = list(School.objects.filter(county=county).values_list("id", flat=True))
        ids = list(
            Teacher.objects.exclude(county=county)
            .order_by("id")
            .values_list("id", flat=True)[: SHEETS_TEACHERS - have]
        )
        with transaction.atomic():
            for n, school_id in enumerate(schools):
                part = ids[n :: len(schools)]
                for start in range(0, len(part), 5000):
                    Teacher.objects.filter(id__in=part[start : start + 5000]).update(
                        county_id=county.id, school_id=school_id
                    )
    teachers = Teacher.objects.filter(county=county).count()
    print(f"bench: recompute-sheets --county ({teachers} teachers of {county.name}) ...", flush=True)
    started = time.perf_counter()
    computed = keeping.recompute(county_id=county.pk)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    everyone = keeping.recompute()
    all_seconds = time.perf_counter() - started
    return {
        "teachers": computed,
        "seconds": seconds,
        "all_teachers": everyone,
        "all_seconds": all_seconds,
        "page": measure_home("teacher", "/progress/"),
        "school_page": measure_home("principal", f"/sheets/school/{school.pk}/"),
    }


def run_bomb(var: Path, env: dict) -> dict:
    """A ~1 MB .xlsx whose shared strings unpack to 1 GiB. In this process: the time and the traced
    peak of Python memory (tracemalloc) of reading it until it is refused; then `tisheng import-roster`
    on it as a child: its wall clock (Django's start included) and peak RSS, and that it exits 2."""
    import tracemalloc

    from tisheng.exchange.readers import FileProblem, read_table
    from tisheng.exchange.roster import RosterImporter
    from tisheng.exchange.tests.files import xlsx_bomb

    path = xlsx_bomb(var / "bomb.xlsx")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        read_table(path, RosterImporter.columns, max_rows=1000)
        message = ""
    except FileProblem as exc:
        message = str(exc)
    refuse_s = time.perf_counter() - started
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    log = var / "bomb.log"
    seconds, rss_kib = run_child(["import-roster", str(path), "--json"], env, log, ok_codes=(2,))
    return {
        "refuse_s": refuse_s,
        "traced_mib": traced / 2**20,
        "refused": "疑似压缩炸弹" in message and "疑似压缩炸弹" in log.read_text(),
        "cli_s": seconds,
        "rss_mib": rss_kib / 1024,
        "size_mib": path.stat().st_size / 2**20,
    }


def print_bomb(m: dict) -> list[str]:
    time_ok = m["refused"] and m["refuse_s"] <= BOMB_TARGET_S
    rss_ok = m["refused"] and m["rss_mib"] <= BOMB_TARGET_MIB
    label = f"refusing a {m['size_mib']:.1f} MiB .xlsx bomb (1 GiB unpacked)"
    print(f"{label:<46}{m['refuse_s'] * 1000:>13.1f} ms   {'≤ 1 s':<14}{verdict(time_ok)}")
    print(f"{'    traced Python memory (tracemalloc)':<46}{m['traced_mib']:>13.1f} MiB   {'—':<14}info")
    print(
        f"{'    import-roster on it: peak RSS':<46}{m['rss_mib']:>13.0f} MiB   {'≤ 300 MiB':<14}{verdict(rss_ok)}"
    )
    print(f"{'    import-roster on it (wall, with start-up)':<46}{m['cli_s']:>14.1f} s   {'—':<14}info")
    return ["spreadsheet bomb time"] * (not time_ok) + ["spreadsheet bomb memory"] * (not rss_ok)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS  <<<<<<<<<<"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", action="store_true", help=f"use {DEFAULT_PG} when DATABASE_URL is unset")
    parser.add_argument("--teachers", type=int, default=TEACHERS, help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the tisheng_bench database afterwards")
    parser.add_argument("--show-sql", action="store_true", help="print the queries of each home page")
    parser.add_argument(
        "--only",
        choices=["home", "import", "codes", "sheets"],
        help="measure only the home pages or only the import (demo-data always runs: both need it)",
    )
    parser.add_argument("--rows", type=int, default=IMPORT_ROWS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    do_home, do_import = args.only in (None, "home"), args.only in (None, "import")
    do_codes = args.only in (None, "codes")
    do_sheets = args.only in (None, "sheets")

    with tempfile.TemporaryDirectory(prefix="tisheng-bench-") as tmp:
        var = Path(tmp)
        (var / "static").mkdir()  # WhiteNoise warns about a missing STATIC_ROOT otherwise
        db_url, pg_server = choose_database(args)
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        env.update(
            {
                "TISHENG_VAR_DIR": str(var),
                "DJANGO_SETTINGS_MODULE": "tisheng.config.settings",
                "TISHENG_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
                "TISHENG_TASK_BACKEND": "immediate",
                "TISHENG_DEBUG": "0",
            }
        )
        if db_url:
            env["DATABASE_URL"] = db_url
        where = db_url.split("@")[-1] if db_url else f"{var}/tisheng.sqlite3"
        print(f"bench: database {where}", flush=True)

        migrate_s, _ = run_child(["migrate", "--no-input", "-v", "0"], env, var / "migrate.log")
        print(f"bench: migrate {migrate_s:.1f} s; demo-data --teachers {args.teachers} ...", flush=True)
        demo_s, demo_rss_kib = run_child(
            ["demo-data", "--teachers", str(args.teachers), "--seed", str(SEED)], env, var / "demo.log"
        )

        os.environ.clear()
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connection

        from tisheng.organisation.models import School, Teacher

        machine = (
            f"{nproc()} CPU · {cpu_model()} · Python {platform.python_version()} · {db_description()}"
            f" · {platform.system()} {platform.release()}"
        )
        n_teachers, n_schools = Teacher.objects.count(), School.objects.count()
        if connection.vendor == "postgresql":
            # What autovacuum does within a minute or so of the bulk load: planner statistics and
            # the visibility map. Without it the first minute's plans are measured, and autovacuum
            # may start in the middle of the timed requests.
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
        homes = []
        if do_home:
            for username, what, targeted, path in HOME_USERS:
                homes.append((username, what, targeted, path, measure_home(username, path)))
        imports = {}
        if do_import:
            # After the home pages, so that those are measured on the 50,000 demo teachers alone.
            from tisheng.organisation.models import TeachingGroup

            roster = var / "roster.xlsx"
            groups_before = TeachingGroup.objects.count()
            started = time.perf_counter()
            write_roster(roster, demo_schools(), args.rows)
            imports["write_s"] = time.perf_counter() - started
            imports["size_mib"] = roster.stat().st_size / 2**20
            connection.close()  # the children write; this process holds no connection meanwhile
            print(
                f"bench: roster of {args.rows} rows written in {imports['write_s']:.1f} s; import-roster ...",
                flush=True,
            )
            imports["first"] = run_import(roster, env, var / "import1.log")
            print(f"bench: import-roster {imports['first']['seconds']:.1f} s; again ...", flush=True)
            imports["again"] = run_import(roster, env, var / "import2.log")
            imports["bomb"] = run_bomb(var, env)
            imports["groups_created"] = TeachingGroup.objects.count() - groups_before
            imports["teachers_after"] = Teacher.objects.count()
        codes = measure_codes() if do_codes else {}
        sheets = measure_sheets() if do_sheets else {}
        children_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        connection.close()
        if pg_server and not args.keep:
            _pg_drop(pg_server)

    now = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    width = 96
    print()
    print("=" * width)
    print(f"tisheng benchmarks · {now}")
    print(f"machine: {machine}")
    print(f"data: {n_teachers} teachers, {n_schools} schools (demo-data --seed {SEED})")
    print("-" * width)
    print(f"{'figure':<46}{'measured':>16}   {'target':<14}{'result'}")
    print("-" * width)
    print(
        f"{'demo-data --teachers ' + str(args.teachers) + ' (wall)':<46}{demo_s:>14.1f} s   "
        f"{'≤ 60 s':<14}{verdict(demo_s <= DEMO_TARGET_S)}"
    )
    print(f"{'demo-data peak RSS':<46}{demo_rss_kib / 1024:>13.0f} MiB   {'—':<14}info")
    print(f"{'migrate (wall)':<46}{migrate_s:>14.1f} s   {'—':<14}info")
    misses = [] if demo_s <= DEMO_TARGET_S else ["demo-data"]
    for username, what, targeted, path, m in homes:
        label = f"GET {path} {username} ({what})"
        ok = m["median"] <= HOME_TARGET_MS
        target = "≤ 50 ms" if targeted else "(≤ 50 ms)"
        result = verdict(ok) if targeted else ("info: under 50 ms" if ok else "info: over 50 ms")
        print(f"{label + ' median':<46}{m['median']:>13.1f} ms   {target:<14}{result}")
        print(f"{'    p95':<46}{m['p95']:>13.1f} ms")
        print(f"{'    SQL queries':<46}{m['queries']:>16}   {'pinned in test':<14}")
        if targeted and not ok:
            misses.append(f"{path} of {username}")
    if imports:
        rows = imports["first"]["rows"]
        print("-" * width)
        print(
            f"{'roster .xlsx written (XlsxWriter, bench only)':<46}{imports['write_s']:>14.1f} s   "
            f"{imports['size_mib']:.1f} MiB file"
        )
        misses += print_import(f"import-roster {rows} rows", imports["first"])
        misses += print_import("import-roster again (all unchanged)", imports["again"])
        misses += print_bomb(imports["bomb"])
        print(
            f"{'teaching groups created by the import':<46}{imports['groups_created']:>16}   {'—':<14}"
            f"info ({imports['teachers_after']} teachers afterwards)"
        )
    if codes:
        print("-" * width)
        ok = codes["seconds"] <= CODES_TARGET_S
        print(
            f"{'sign-in codes, county of ' + format(codes['teachers'], ',') + ' (wall)':<46}"
            f"{codes['seconds']:>14.1f} s   {'≤ 60 s':<14}{verdict(ok)}"
        )
        print(
            f"{'    slips PDF / Excel list':<46}{codes['pdf_mib']:>12.1f} MiB   "
            f"{codes['pages']} pages, {codes['xlsx_mib']:.1f} MiB .xlsx; progress seen {codes['progress']}"
        )
        if not ok:
            misses.append("sign-in codes")
    if sheets:
        print("-" * width)
        ok = sheets["seconds"] <= SHEETS_TARGET_S
        print(
            f"{'recompute-sheets, county of ' + format(sheets['teachers'], ',') + ' (wall)':<46}"
            f"{sheets['seconds']:>14.1f} s   {'≤ 30 s':<14}{verdict(ok)}"
        )
        print(
            f"{'recompute-sheets, all ' + format(sheets['all_teachers'], ',') + ' teachers':<46}"
            f"{sheets['all_seconds']:>14.1f} s   {'—':<14}info"
        )
        if not ok:
            misses.append("recompute-sheets")
        for label, m, targeted in (
            ("GET /progress/ teacher (sheet 3.3) median", sheets["page"], True),
            ("GET /sheets/ principal (sheet 3.2) median", sheets["school_page"], False),
        ):
            ok = m["median"] <= HOME_TARGET_MS
            result = verdict(ok) if targeted else ("info: under 50 ms" if ok else "info: over 50 ms")
            print(
                f"{label:<46}{m['median']:>13.1f} ms   {'≤ 50 ms' if targeted else '(≤ 50 ms)':<14}{result}"
            )
            print(f"{'    SQL queries':<46}{m['queries']:>16}   {'pinned in test':<14}")
            if targeted and not ok:
                misses.append("sheet page")
    print("-" * width)
    if homes:
        print(
            f"server time = time.perf_counter() around django.test.Client.get('/'), {WARMUP} warm-up + "
            f"{RUNS} timed requests;"
        )
    if codes:
        print(
            "sign-in codes: one county holds 20,000 demo teachers without a password; wall = from the county "
            "admin's request (services.sign_in_codes_issue) to the batch done, the job run by the immediate task "
            "backend in this process: codes, keyed hashes, the A4 slips PDF (embedded font subset), the .xlsx, "
            "one transaction."
        )
    if imports:
        print(
            "import-roster FILE --json in a child process; wall from start-up to exit; rows/s = rows / wall;"
        )
    print(
        "peak RSS = ru_maxrss of that child (demo-data, import-roster) read with os.wait4 "
        f"(all children: {children_rss / 1024:.0f} MiB)."
    )
    print(
        "Targets of the issues: demo-data ≤ 60 s; county admin home page median ≤ 50 ms; teacher's 我的进度 "
        "median ≤ 50 ms; import-roster of 100,000 rows ≤ 30 s and ≤ 1 GB. Bracketed targets are information."
    )
    if misses:
        print()
        print("!" * width)
        print(f"!!! MISS: {', '.join(misses)} over target (figures are information; exit status 0)")
        print("!" * width)
    print("=" * width)
    if args.show_sql:
        for username, _what, _t, _path, m in homes:
            print(f"\n-- {username}: {m['queries']} queries")
            for q in m["sql"]:
                print(f"   {q}")
    subprocess.run([sys.executable, str(ROOT / "bench" / "evidence_upload.py")], check=False)  # noqa: S603
    subprocess.run([sys.executable, str(ROOT / "bench" / "hours.py"), *(["--pg"] * args.pg)], check=False)  # noqa: S603
    return 0


if __name__ == "__main__":
    sys.exit(main())
