"""The city's pages as the city grows (issue 9 item 6): the city admin's home page and the city's
progress overview (page and API) at 400,000 teachers, median ≤ 50 ms on PostgreSQL.

    .venv/bin/python bench/city.py --pg                    # PostgreSQL, 400,000 teachers (make bench-pg)
    .venv/bin/python bench/city.py --teachers 50000        # SQLite in a temporary directory, quicker
    .venv/bin/python bench/city.py --pg --db NAME          # another database name on the same server

What it does, as bench/run.py does for the home pages: a fresh temporary directory becomes
TISHENG_VAR_DIR; with --pg the database (default `tisheng_bench_city`) is dropped and recreated on the
server of DATABASE_URL (or 127.0.0.1:5432). `tisheng migrate`, then `tisheng demo-data --teachers N
--seed 2021` as a child process (wall clock, peak RSS): the demo builder fills the per-school and
per-county progress totals at its end. Then `tisheng recompute-school-totals` as a child process
(wall clock: what a full rebuild of the totals costs at this size). In this process, after VACUUM
ANALYZE on PostgreSQL: force_login as `cityadmin`, 5 warm-up and 50 timed requests of each page
(`time.perf_counter` around the test Client's get: the whole request in the server, no network),
and one more under CaptureQueriesContext for the query count. The figures are information: the
script exits 0 and prints MISS loudly when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as base  # noqa: E402  (bench/run.py: the child runner, machine line and page timer)

TEACHERS = 400_000
TARGET_MS = 50.0
DEFAULT_DB = "tisheng_bench_city"


def _pg_recreate(server_url: str, dbname: str) -> str:
    import psycopg
    from psycopg import sql

    with psycopg.connect(base._pg_admin_url(server_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    return base._pg_url_with_db(server_url, dbname)


def _pg_drop(server_url: str, dbname: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(base._pg_admin_url(server_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", action="store_true", help=f"use {base.DEFAULT_PG} when DATABASE_URL is unset")
    parser.add_argument("--teachers", type=int, default=TEACHERS)
    parser.add_argument("--db", default=DEFAULT_DB, help="PostgreSQL database to drop and recreate")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--show-sql", action="store_true", help="time each query of the pages on its own")
    args = parser.parse_args()

    server = os.environ.get("DATABASE_URL", "") or (base.DEFAULT_PG if args.pg else "")
    pg = server.split("://", 1)[0] in ("postgres", "postgresql", "pgsql", "psql")
    with tempfile.TemporaryDirectory(prefix="tisheng-bench-city-") as tmp:
        var = Path(tmp)
        (var / "static").mkdir()
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
        if pg:
            env["DATABASE_URL"] = _pg_recreate(server, args.db)
        print(f"bench/city: database {env.get('DATABASE_URL', 'SQLite').split('@')[-1]}", flush=True)
        migrate_s, _ = base.run_child(["migrate", "--no-input", "-v", "0"], env, var / "migrate.log")
        print(f"bench/city: migrate {migrate_s:.1f} s; demo-data --teachers {args.teachers} ...", flush=True)
        demo_s, demo_rss = base.run_child(
            ["demo-data", "--teachers", str(args.teachers), "--seed", str(base.SEED)], env, var / "demo.log"
        )
        print(f"bench/city: demo-data {demo_s:.1f} s; recompute-school-totals ...", flush=True)
        recompute_s, recompute_rss = base.run_child(["recompute-school-totals"], env, var / "recompute.log")

        os.environ.clear()
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connection
        from django.urls import reverse

        from tisheng.demo.city import CITY_NAME
        from tisheng.organisation.models import City, School, Teacher
        from tisheng.progress.models import CountyTotals, SchoolTotals

        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
        machine = (
            f"{base.nproc()} CPU · {base.cpu_model()} · Python {platform.python_version()} · "
            f"{base.db_description()} · {platform.system()} {platform.release()}"
        )
        city = City.objects.get(name=CITY_NAME)
        data = (
            f"{Teacher.objects.count()} teachers, {School.objects.count()} schools, "
            f"{SchoolTotals.objects.count()} school and {CountyTotals.objects.count()} county totals rows"
        )
        pages = [
            ("GET / cityadmin (city home page)", "/"),
            ("GET city overview page (progress-city)", reverse("progress-city", args=[city.pk])),
            ("GET /api/v1/cities/{id}/progress", f"/api/v1/cities/{city.pk}/progress"),
        ]
        measured = [(label, path, base.measure_home("cityadmin", path)) for label, path in pages]
        slowest = []
        if args.show_sql:
            # Each query of each page run again on its own, slowest first: where the time goes.
            for label, _path, m in measured:
                for sql in m["sql"]:
                    started = time.perf_counter()
                    with connection.cursor() as cur:
                        cur.execute(sql)
                    slowest.append(((time.perf_counter() - started) * 1000, label, sql))
            slowest.sort(reverse=True)
        connection.close()
        if pg and not args.keep:
            _pg_drop(server, args.db)

    width = 96
    now = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    print()
    print("=" * width)
    print(f"tisheng city benchmarks · {now}")
    print(f"machine: {machine}")
    print(f"data: {data} (demo-data --seed {base.SEED})")
    print("-" * width)
    print(
        f"{'demo-data --teachers ' + str(args.teachers) + ' (wall)':<46}{demo_s:>14.1f} s   peak {demo_rss / 1024:.0f} MiB"
    )
    print(
        f"{'recompute-school-totals (wall)':<46}{recompute_s:>14.1f} s   peak {recompute_rss / 1024:.0f} MiB"
    )
    misses = []
    for label, _path, m in measured:
        ok = m["median"] <= TARGET_MS
        print(f"{label + ' median':<46}{m['median']:>13.1f} ms   {'≤ 50 ms':<14}{base.verdict(ok)}")
        print(f"{'    p95':<46}{m['p95']:>13.1f} ms")
        print(f"{'    SQL queries':<46}{m['queries']:>16}   {'pinned in test':<14}")
        if not ok:
            misses.append(label)
    print("-" * width)
    print(
        f"server time = time.perf_counter() around django.test.Client.get, {base.WARMUP} warm-up + {base.RUNS} timed."
    )
    if misses:
        print("!" * width)
        print(f"!!! MISS: {', '.join(misses)} over 50 ms (figures are information; exit status 0)")
        print("!" * width)
    print("=" * width)
    for ms, label, sql in slowest[:8]:
        print(f"\n{ms:8.1f} ms  {label}\n          {sql[:1500]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
