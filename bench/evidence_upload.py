"""Benchmark of evidence uploads: a 500 MB video through the chunked upload protocol on loopback.

    .venv/bin/python bench/evidence_upload.py            # called by bench/run.py (make bench)
    .venv/bin/python bench/evidence_upload.py --mb 100   # a smaller file

What it does:
1. A fresh temporary directory becomes TISHENG_VAR_DIR (SQLite database, media, uploads_tmp);
   `tisheng migrate` runs there.
2. In this process (django.setup()): a city, county, school and a teacher with a login who picked
   ability point 1-1; then the database connection is closed.
3. gunicorn (the demo's server, one sync worker) starts on a free 127.0.0.1 port.
4. With the standard library's http.client only: GET the login page (CSRF cookie and token), POST the
   login (session cookie), POST /api/v1/evidence (the evidence set).
5. Warm-up: a 16 MB upload through the same protocol, so imports and first-use allocations of the
   worker are not counted as growth.
6. The worker's VmRSS is read from /proc/<worker>/status (the worker is the master's child) and
   its peak (VmHWM) is reset through /proc/<worker>/clear_refs. Then the timed upload: POST
   …/uploads {name, size, sha256}, 8 MB chunks PUT …/chunks?offset=N (the first starts with an MP4
   ftyp box, the rest is random data generated before the clock starts), POST …/complete, which
   checks the content, hashes the 500 MB and moves the file into storage. MB/s = file size in MiB /
   wall time from the POST …/uploads to the answer of …/complete (loopback, client and server on the
   same 2 CPUs). Memory growth = VmHWM after − VmRSS before (the peak during the upload), also
   VmRSS after − VmRSS before.
7. Prints the figures against the targets (≥ 50 MB/s, ≤ 64 MB growth) with PASS/MISS; exit 0 either
   way (figures are information, like bench/run.py).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MIB = 1024 * 1024
CHUNK = 8 * MIB
TARGET_MBPS = 50.0
TARGET_GROWTH_MIB = 64.0
USERNAME, PASSWORD = "bench-teacher", "Bench-upload-2021"


# ---- the server ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(x) for x in text.split()]
    except OSError:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
        return found


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def reset_peak(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        return True
    except OSError:
        return False


def wait_for(port: int, proc: subprocess.Popen, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("bench/evidence_upload.py: gunicorn exited early")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("bench/evidence_upload.py: gunicorn did not answer in time")


# ---- the client ----------------------------------------------------------------------------------
class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # gunicorn's sync worker closes the connection after each response: open a new one.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
                if attempt == 2:
                    raise
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close" or response.version == 10:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        return response.status, data

    def json(self, method: str, path: str, payload=None) -> tuple[int, dict]:
        body = json.dumps(payload).encode() if payload is not None else None
        status, data = self.request(method, path, body, {"Content-Type": "application/json"})
        return status, (json.loads(data) if data else {})

    def login(self) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            sys.exit(f"bench/evidence_upload.py: login page answered {status}")
        form = urlencode(
            {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token[1].decode()}
        )
        status, _ = self.request(
            "POST", "/accounts/login/", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302 or "sessionid" not in self.cookies:
            sys.exit(f"bench/evidence_upload.py: login answered {status}")


def mp4_head() -> bytes:
    return (24).to_bytes(4, "big") + b"ftypisom" + (0x200).to_bytes(4, "big") + b"isomiso2"


def chunks_of(size: int, filler: bytes):
    """(offset, bytes) of a generated file: the MP4 header, then the filler repeated."""
    head = mp4_head()
    first = head + filler[len(head) :]
    offset = 0
    while offset < size:
        n = min(CHUNK, size - offset)
        yield offset, (first if offset == 0 else filler)[:n]
        offset += n


def upload(
    client: Client, evidence_id: int, name: str, size: int, filler: bytes, digest: str
) -> tuple[dict, float]:
    """Upload one generated file; return the file's JSON and the seconds the completion took."""
    status, started = client.json(
        "POST", f"/api/v1/evidence/{evidence_id}/uploads", {"name": name, "size": size, "sha256": digest}
    )
    if status != 201:
        sys.exit(f"bench/evidence_upload.py: start answered {status}: {started}")
    for offset, chunk in chunks_of(size, filler):
        status, data = client.request(
            "PUT",
            f"/api/v1/uploads/{started['id']}/chunks?offset={offset}",
            chunk,
            {"Content-Type": "application/octet-stream"},
        )
        if status != 200:
            sys.exit(f"bench/evidence_upload.py: chunk at {offset} answered {status}: {data[:300]!r}")
    completing = time.perf_counter()
    status, done = client.json("POST", f"/api/v1/uploads/{started['id']}/complete")
    if status != 201:
        sys.exit(f"bench/evidence_upload.py: complete answered {status}: {done}")
    return done, time.perf_counter() - completing


def digest_of(size: int, filler: bytes) -> str:
    h = hashlib.sha256()
    for _offset, chunk in chunks_of(size, filler):
        h.update(chunk)
    return h.hexdigest()


# ---- set-up ------------------------------------------------------------------------------------------
def make_teacher() -> None:
    from django.db import connection

    from tisheng.framework.models import AbilityPoint
    from tisheng.organisation.models import City, County, School, Teacher
    from tisheng.people.models import User
    from tisheng.plans.models import Pick

    city = City.objects.create(name="信阳市")
    county = County.objects.create(city=city, name="浉河区")
    school = School.objects.create(
        city=city, county=county, name="浉河区第一小学", locality="urban", stage="primary", batch_year=2022
    )
    user = User.objects.create_user(username=USERNAME, password=PASSWORD, full_name="压测教师")
    teacher = Teacher.objects.create(user=user, city=city, county=county, school=school)
    Pick.objects.create(
        teacher=teacher, point=AbilityPoint.objects.get(framework__code="henan-2021", code="1-1")
    )
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=500, help="size of the timed upload in MiB (default 500)")
    args = parser.parse_args()
    size = args.mb * MIB

    with tempfile.TemporaryDirectory(prefix="tisheng-bench-upload-") as tmp:
        var = Path(tmp)
        (var / "static").mkdir()
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            {
                "TISHENG_VAR_DIR": str(var),
                "DJANGO_SETTINGS_MODULE": "tisheng.config.settings",
                "TISHENG_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
                "TISHENG_DEBUG": "0",
                "TISHENG_TASK_BACKEND": "immediate",
            }
        )
        subprocess.run([str(BIN / "tisheng"), "migrate", "--no-input", "-v", "0"], env=env, check=True)  # noqa: S603
        os.environ.clear()
        os.environ.update(env)
        import django

        django.setup()
        make_teacher()

        port = free_port()
        log = (var / "gunicorn.log").open("w")
        server = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
            [
                str(BIN / "gunicorn"),
                "tisheng.config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "300",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(port, server)
            workers = children(server.pid)
            if len(workers) != 1:
                sys.exit(f"bench/evidence_upload.py: expected one gunicorn worker, found {workers}")
            worker = workers[0]
            client = Client(port)
            client.login()
            status, evidence = client.json("POST", "/api/v1/evidence", {"point_id": _point_id()})
            if status != 201:
                sys.exit(f"bench/evidence_upload.py: creating the evidence answered {status}: {evidence}")

            filler = os.urandom(CHUNK)
            warm = 16 * MIB
            upload(client, evidence["id"], "预热.mp4", warm, filler, digest_of(warm, filler))
            digest = digest_of(size, filler)  # before the clock starts

            rss_before = status_kib(worker, "VmRSS")
            peak_reset = reset_peak(worker)
            started = time.perf_counter()
            done, complete_s = upload(client, evidence["id"], "课堂实录.mp4", size, filler, digest)
            seconds = time.perf_counter() - started
            rss_after = status_kib(worker, "VmRSS")
            hwm_after = status_kib(worker, "VmHWM")
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        stored = var / "media"
        stored_size = sum(p.stat().st_size for p in stored.rglob("*.mp4"))
        tmp_left = list((stored / "uploads_tmp").glob("*.part")) if (stored / "uploads_tmp").exists() else []

    mbps = args.mb / seconds
    growth = (
        (hwm_after - rss_before) / 1024 if peak_reset else (max(hwm_after, rss_after) - rss_before) / 1024
    )
    rss_growth = (rss_after - rss_before) / 1024
    ok_speed, ok_memory = mbps >= TARGET_MBPS, growth <= TARGET_GROWTH_MIB
    width = 96
    print()
    print("=" * width)
    print("tisheng benchmark · evidence upload (chunked protocol, gunicorn on loopback, SQLite)")
    print(
        f"machine: {os.cpu_count()} CPU · Python {platform.python_version()} · {platform.system()} {platform.release()}"
    )
    print("-" * width)
    print(f"{'figure':<46}{'measured':>16}   {'target':<14}result")
    print("-" * width)
    print(
        f"{f'upload of {args.mb} MiB in 8 MiB chunks (MiB/s)':<46}{mbps:>16.1f}   {'≥ 50 MB/s':<14}{verdict(ok_speed)}"
    )
    print(f"{'    wall time, start to complete':<46}{seconds:>14.2f} s")
    print(f"{'    of which complete (check, SHA-256, move)':<46}{complete_s:>14.2f} s")
    print(
        f"{'worker peak memory growth (VmHWM − VmRSS)':<46}{growth:>12.1f} MiB   {'≤ 64 MB':<14}{verdict(ok_memory)}"
    )
    print(
        f"{'    VmRSS before → after':<46}{f'{rss_before / 1024:.0f} → {rss_after / 1024:.0f} MiB':>16}   {'—':<14}info"
    )
    print(f"{'    VmRSS growth':<46}{rss_growth:>12.1f} MiB   {'—':<14}info")
    stored_ok = done["size"] == size and stored_size >= size
    left = f"{stored_ok} / {len(tmp_left)}"
    print(
        f"{'stored file / temporary files left':<46}{left:>16}   {'True / 0':<14}{verdict(stored_ok and not tmp_left)}"
    )
    print("-" * width)
    print(
        "gunicorn tisheng.config.wsgi, 1 sync worker; client: http.client in this process; the peak is "
        + ("VmHWM after a reset through /proc/<pid>/clear_refs." if peak_reset else "max(VmHWM, VmRSS).")
    )
    print("=" * width)
    return 0


def _point_id() -> int:
    from tisheng.framework.models import AbilityPoint

    return AbilityPoint.objects.get(framework__code="henan-2021", code="1-1").pk


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS  <<<<<<<<<<"


if __name__ == "__main__":
    sys.exit(main())
