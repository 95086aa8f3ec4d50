"""The course-hours import benchmark (R-HOURS): `tisheng import-course-hours` of 200,000 rows.

Called from bench/run.py (its import section, after the roster import) on the bench database, and
runnable alone for a quicker figure:

    .venv/bin/python bench/hours.py            # SQLite: migrate + demo-data, then the import
    .venv/bin/python bench/hours.py --pg       # PostgreSQL (database tisheng_bench, as run.py)

What it does: the demo city's teachers (50,000 with the default demo-data) are read from the bench
database and a completion export of a course platform is written with XlsxWriter (constant_memory):
序号, 平台账号 (the demo teachers' user names), 姓名, 课程名称, 学时, 完成时间 — four courses per
teacher, 200,000 rows, hours such as 2, 3.5 or 10, dates as text (2022-03-05, 2022/3/5, 2022年3月5日)
and as Excel date cells, in turn. Then `tisheng import-course-hours FILE --json` runs as a child
process (wall clock and peak RSS, as run.py measures import-roster), and a second time on the same
file: the idempotent re-import, every row unchanged. rows/s = rows / wall.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

ROWS = 200_000
TARGET_S = 60.0
COURSES = [
    ("信息技术2.0整校推进：政策解读", 2),
    ("多媒体教学环境下的学情分析", 3.5),
    ("微能力点A1：技术支持的学情分析", 6),
    ("混合学习环境下的教学设计", 10),
    ("智慧课堂与学法指导", 4.5),
    ("数据驱动的学业评价", 5),
    ("希沃白板5课件制作", 3),
    ("微课设计与制作", 8),
]


def write_course_file(path: Path, teachers: list[tuple[str, str]], rows: int) -> None:
    """`rows` completion records, four courses per teacher in turn, written in constant memory."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_urls": False})
    sheet = workbook.add_worksheet("学习完成情况")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for c, name in enumerate(["序号", "平台账号", "姓名", "课程名称", "学时", "完成时间"]):
        sheet.write_string(0, c, name)
    first = dt.date(2022, 3, 1)
    for i in range(rows):
        j, k = i % len(teachers), i // len(teachers)  # teacher, and how many courses they had before
        course, hours = COURSES[(j + k) % len(COURSES)]
        if k >= len(COURSES):  # more rows than 8 courses per teacher: later terms of the same courses
            course = f"{course}（第{k // len(COURSES) + 1}期）"
        username, name = teachers[j]
        day = first + dt.timedelta(days=i % 300)
        r = i + 1
        sheet.write_number(r, 0, r)
        sheet.write_string(r, 1, username)
        sheet.write_string(r, 2, name)
        sheet.write_string(r, 3, course)
        sheet.write_number(r, 4, hours)
        style = i % 4
        if style == 0:
            sheet.write_datetime(r, 5, dt.datetime.combine(day, dt.time()), date_format)
        elif style == 1:
            sheet.write_string(r, 5, day.isoformat())
        elif style == 2:
            sheet.write_string(r, 5, f"{day.year}/{day.month}/{day.day}")
        else:
            sheet.write_string(r, 5, f"{day.year}年{day.month}月{day.day}日")
    workbook.close()


def _teachers(limit: int) -> list[tuple[str, str]]:
    from tisheng.organisation.models import Teacher

    return list(
        Teacher.objects.filter(user__username__startswith="t")
        .order_by("pk")
        .values_list("user__username", "user__full_name")[:limit]
    )


def _run(run_child, path: Path, env: dict, log: Path) -> dict:
    # As deployed: follow-up jobs (the sheets of the teachers credited) go to the worker, timed apart.
    queued = env | {"TISHENG_TASK_BACKEND": "db"}
    seconds, rss_kib = run_child(["import-course-hours", str(path), "--json"], queued, log)
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    if not lines:
        sys.stdout.write(log.read_text())
        sys.exit("bench/hours.py: import-course-hours --json printed no JSON")
    job_s, _ = run_child(["db_worker", "--batch"], queued, log.with_suffix(".worker.log"))
    return {"seconds": seconds, "rss_mib": rss_kib / 1024, "job_s": job_s, **json.loads(lines[-1])}


def measure(*, env: dict, var: Path, run_child, rows: int = ROWS) -> dict:
    """Write the file from the bench database, then import it twice in child processes."""
    import time

    from django.db import connection

    # Four courses per teacher: as many teachers as that takes (all of the demo's by default).
    teachers = _teachers(max(1, -(-rows // 4)))
    if not teachers:
        sys.exit("bench/hours.py: no demo teachers (user names t000001 …) in the bench database")
    path = var / "course-hours.xlsx"
    started = time.perf_counter()
    write_course_file(path, teachers, rows)
    result = {"write_s": time.perf_counter() - started, "size_mib": path.stat().st_size / 2**20}
    connection.close()  # the children write; this process holds no connection meanwhile
    print(
        f"bench: course export of {rows} rows written in {result['write_s']:.1f} s; import-course-hours ...",
        flush=True,
    )
    result["first"] = _run(run_child, path, env, var / "hours1.log")
    print(f"bench: import-course-hours {result['first']['seconds']:.1f} s; again ...", flush=True)
    result["again"] = _run(run_child, path, env, var / "hours2.log")
    result["teachers"] = len(teachers)
    return result


def print_lines(m: dict, width: int = 96) -> list[str]:
    """The lines of the course-hours section; returns the targets missed."""
    misses = []
    print("-" * width)
    print(
        f"{'course export .xlsx written (bench only)':<46}{m['write_s']:>14.1f} s   "
        f"{m['size_mib']:.1f} MiB file, {m['teachers']} teachers"
    )
    for label, run in (
        (f"import-course-hours {m['first']['rows']} rows", m["first"]),
        ("import-course-hours again (unchanged)", m["again"]),
    ):
        ok = run["seconds"] <= TARGET_S
        verdict = "PASS" if ok else "MISS  <<<<<<<<<<"
        print(f"{label + ' (wall)':<46}{run['seconds']:>14.1f} s   {'≤ 60 s':<14}{verdict}")
        print(f"{'    rows/s':<46}{run['rows'] / run['seconds']:>16,.0f}   {'—':<14}info")
        print(f"{'    peak RSS':<46}{run['rss_mib']:>13.0f} MiB   {'—':<14}info")
        print(f"{'    then the worker: follow-up jobs (sheets)':<46}{run['job_s']:>14.1f} s   {'—':<14}info")
        counts = f"{run['created']}/{run['unchanged']}/{len(run['errors'])}"
        print(f"{'    created/unchanged/errors':<46}{counts:>16}   {'—':<14}info")
        if not ok:
            misses.append(f"{label} time")
    return misses


def main() -> int:
    """Alone: migrate and demo-data in a fresh temporary directory (or tisheng_bench), then measure."""
    import argparse
    import os
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import run as bench  # bench/run.py: database choice and child processes

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--teachers", type=int, default=bench.TEACHERS)
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tisheng-bench-") as tmp:
        var = Path(tmp)
        (var / "static").mkdir()
        db_url, pg_server = bench.choose_database(args)
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
        bench.run_child(["migrate", "--no-input", "-v", "0"], env, var / "migrate.log")
        bench.run_child(
            ["demo-data", "--teachers", str(args.teachers), "--seed", str(bench.SEED)], env, var / "demo.log"
        )
        os.environ.clear()
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connection

        m = measure(env=env, var=var, run_child=bench.run_child, rows=args.rows)
        machine = f"{bench.nproc()} CPU · {bench.cpu_model()} · {bench.db_description()}"
        connection.close()
        if pg_server:
            bench._pg_drop(pg_server)
    print(f"machine: {machine}")
    misses = print_lines(m)
    if misses:
        print(f"!!! MISS: {', '.join(misses)} (figures are information; exit status 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
