"""Cluster test: the reference deploy (deploy/) with two app servers, one killed, one drained.

On this machine, against a PostgreSQL database and a Redis database of its own:

1. Migrations: a fresh database, then `manage.py migrate` twice at the same time. Both must exit
   0, one applies every migration and the other finds none left (the advisory lock,
   atrophy_site/management/commands/migrate.py), and each migration is recorded once.
2. Two app servers, "a" and "b": gunicorn with deploy/gunicorn.conf.py and production settings
   (DEBUG off, one shared SECRET_KEY, Redis cache, TRUSTED_PROXY_COUNT=1), behind nginx run from
   deploy/nginx.conf (loopback ports and temporary paths put in place of the file's own).
3. The load test (bench/load.py) drives patients through nginx; a few also save for later and
   reopen their private link. Part-way through, server a is killed (SIGKILL, every process).
4. Checks: every 5xx was a request open on a when it died, none came after, and no more patients
   failed than requests were open on a; `/ready/` through nginx answers 200; hashed static files
   come from nginx with a year's caching; an unknown Host is dropped; with more slow clients
   (half their headers sent) than both servers have threads, a page through nginx still answers
   within 2 s (straight at gunicorn, for comparison, it does not: reported only).
5. Server a is started again, and nginx must send it requests again (passive health checks).
   Server b is then stopped twice during a burst of patients. The planned stop (README): b marked
   `down` in the site file and nginx reloaded, then SIGTERM: no request goes to b, no error. A
   bare SIGTERM: b must finish the requests it was working on (nginx logged them answered by b
   after the signal), answer no 5xx itself and exit by itself within graceful_timeout; the only
   5xx allowed are POSTs nginx handed b while it was closing (reset, never accepted, not resent).
6. The database: every patient the load test reports as sent is there exactly once, sent, with
   every step and row, and no form anywhere is half-saved (below). The logs: the nginx and
   gunicorn access logs name private links only as `/resume/[redacted]`, and none of the tokens
   the test saw appears in them (nginx's error log, not redacted, is counted and reported).

Half-saved form: one whose state no complete request could have left, so a crash must have cut a
save in two. A form whose status is not draft must have `sent_at`, `consent_given_at`, the last
step ("check your answers and send") in `steps_completed` and no input kept unsaved (`_send`,
intake/views.py, writes them in one transaction); a draft has neither `sent_at` nor
`consent_given_at`; and a load-test patient's form exists only with step 1 saved, with a date of
birth (step 1 creates the form in one transaction).

    .venv/bin/python bench/cluster.py            # 500 patients, 50 at once (about three minutes)
    .venv/bin/python bench/cluster.py --smoke    # 30 patients, 10 at once (CI, under a minute)

Needs nginx (`apt-get install nginx`; it runs as a child of this script, as the current user,
never as a service), PostgreSQL at DATABASE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432)
and Redis at 127.0.0.1:6379. It uses the database `atrophy_cluster` and Redis database 14, emptied
at the start and at the end. Exit status 0 only when every check held.
"""

from __future__ import annotations

import argparse
import contextlib
import grp
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess  # nosec B404 # runs psql, manage.py, gunicorn and nginx, never a shell
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402
from common import (  # noqa: E402
    BASE_DIR,
    VENV_BIN,
    Timings,
    free_port,
    machine_description,
    server_environment,
)

DATABASE_NAME = "atrophy_cluster"
REDIS_URL = "redis://127.0.0.1:6379/14"
GUNICORN_CONFIG = BASE_DIR / "deploy" / "gunicorn.conf.py"
NGINX_SITE = BASE_DIR / "deploy" / "nginx.conf"
#: Requests one load-test patient makes (bench/RESULTS.md): to kill a server part-way through.
REQUESTS_PER_PATIENT = 14
#: The last step, "Check your answers and send" (intake/models.py STEP_COUNT).
LAST_STEP = 11
#: A request that starts this long after the SIGKILL cannot have reached the dead server.
KILL_SETTLE_SECONDS = 0.25
UNREDACTED_LINK = re.compile(r"/resume/(?!\[redacted\])[^/\s\"?]+")
NGINX_LINE = re.compile(
    r'^\S+ - - \[[^\]]*\] "(?P<request>[^"]*)" (?P<status>\d{3}) \S+ "[^"]*" "[^"]*" '
    r'rt=(?P<rt>[\d.]+) upstream="(?P<upstream>[^"]*)" upstream_status="[^"]*" '
    r'upstream_time="[^"]*" msec=(?P<msec>[\d.]+)$'
)


# --- Processes ------------------------------------------------------------------------------------


def manage(env: dict[str, str], *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(  # nosec B603 # noqa: S603 (our manage.py, fixed arguments)
        [sys.executable, str(BASE_DIR / "manage.py"), *args], env=env, cwd=BASE_DIR, **kwargs
    )


def psql(admin_url: str, sql: str) -> None:
    # psql from PATH, as the README's PostgreSQL set-up; the database name is our own constant.
    subprocess.run(["psql", admin_url, "-q", "-c", sql], check=True)  # nosec B603 B607 # noqa: S603,S607


def flush_redis() -> None:
    import redis  # the app's own dependency (Django's Redis cache)

    redis.Redis.from_url(REDIS_URL).flushdb()


def http_get(url: str, headers: dict[str, str] | None = None, timeout: float = 5):
    """(status, headers, body) of a GET, without following redirects or raising on 4xx/5xx."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", parts.path or "/", headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


class AppServer:
    """One gunicorn, deploy/gunicorn.conf.py, in its own process group (so a kill takes it all)."""

    def __init__(self, name: str, env: dict[str, str], workdir: Path):
        self.name, self.workdir = name, workdir
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.access_log = workdir / f"gunicorn-{name}-access.log"
        self.output = workdir / f"gunicorn-{name}.log"  # error log and the app's own log lines
        self.env = dict(
            env,
            GUNICORN_BIND=self.address,
            GUNICORN_ACCESS_LOG=str(self.access_log),
            GUNICORN_ERROR_LOG="-",
            GUNICORN_LOG_LEVEL="warning",
            GUNICORN_PROC_NAME=f"atrophy-cluster-{name}",
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        gunicorn_bin = shutil.which("gunicorn", path=str(VENV_BIN)) or "gunicorn"
        with self.output.open("ab") as output:
            self.process = subprocess.Popen(  # nosec B603 # noqa: S603 (fixed arguments)
                [gunicorn_bin, "--config", str(GUNICORN_CONFIG)],
                cwd=BASE_DIR,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 40) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited; see {self.output}")
            with contextlib.suppress(OSError):
                if http_get(f"http://{self.address}/ready/")[0] == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.name} not ready after {timeout:.0f} s")

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: a machine that died."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """Clean-up: nothing of it may outlive the test."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


class Nginx:
    """nginx from deploy/nginx.conf, a child process in the foreground, files in `workdir`."""

    def __init__(self, workdir: Path, upstreams: list[AppServer], static_root: Path):
        self.workdir = workdir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.access_log = workdir / "nginx-access.log"
        self.error_log = workdir / "nginx-error.log"
        self.config = workdir / "nginx.conf"
        self.site = workdir / "atrophy-site.conf"
        self.process: subprocess.Popen | None = None
        self.binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
        if not self.binary:
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        self._write_config(upstreams, static_root)

    def _write_config(self, upstreams: list[AppServer], static_root: Path) -> None:
        site = NGINX_SITE.read_text()
        listen = f"listen 127.0.0.1:{self.port}"
        for old, new in (
            ("server 10.0.0.11:8000 ", f"server {upstreams[0].address} "),
            ("server 10.0.0.12:8000 ", f"server {upstreams[1].address} "),
            ("listen 80 default_server;", f"{listen} default_server;"),
            ("listen 80;", f"{listen};"),
            ("server_name clinic.example.org;", "server_name 127.0.0.1 localhost;"),
            ("alias /srv/atrophy/staticfiles/;", f"alias {static_root}/;"),
            ("/var/log/nginx/atrophy-access.log", str(self.access_log)),
            ("/var/log/nginx/atrophy-error.log", str(self.error_log)),
        ):
            if site.count(old) != 1:
                raise RuntimeError(f"deploy/nginx.conf: expected {old!r} once, to substitute")
            site = site.replace(old, new)
        self.site.write_text(site)
        temp = self.workdir / "nginx-temp"
        temp.mkdir()
        # Run as the current user; the `user` directive only applies (and is only allowed
        # without a warning) when the master starts as root.
        user = ""
        if os.geteuid() == 0:
            user = f"user {pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name};"
        self.config.write_text(
            f"""# Generated by bench/cluster.py around deploy/nginx.conf.
{user}
daemon off;
worker_processes 2;
pid {self.workdir}/nginx.pid;
error_log {self.workdir}/nginx-main-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    access_log off;
    include {self.site};
}}
"""
        )

    def command(self, *extra: str) -> list[str]:
        return [
            self.binary,
            "-p",
            f"{self.workdir}/",
            "-c",
            str(self.config),
            "-e",
            str(self.workdir / "nginx-startup-error.log"),
            *extra,
        ]

    def check_config(self) -> str:
        """`nginx -t` on the generated configuration; returns nginx's version."""
        result = subprocess.run(  # nosec B603 # noqa: S603 (fixed arguments)
            self.command("-t"), capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{result.stderr}")
        version = subprocess.run(  # nosec B603 # noqa: S603 (fixed arguments)
            [self.binary, "-v"], capture_output=True, text=True
        )
        return version.stderr.strip().removeprefix("nginx version: ")

    def start(self) -> None:
        self.process = subprocess.Popen(  # nosec B603 # noqa: S603 (fixed arguments)
            self.command(), start_new_session=True
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if http_get(f"{self.base_url}/health/")[0] == 200:
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"nginx did not start; see {self.workdir}/nginx-*error.log")

    def mark_down(self, server: AppServer, down: bool) -> None:
        """Mark an app server `down` in the site file (or not), then reload nginx, as an
        operator does before stopping it (README, "More than one server")."""
        site = self.site.read_text()
        line = re.search(rf"server {re.escape(server.address)} [^;]*;", site)[0]
        marked = line.removesuffix(" down;").removesuffix(";") + (" down;" if down else ";")
        self.site.write_text(site.replace(line, marked))
        self.reload()

    def reload(self) -> None:
        """`nginx -s reload`: new workers with the new configuration; wait until the old ones
        are gone, so the next request sees it."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        old = set(children.read_text().split())
        self.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            now = set(children.read_text().split())
            if now and not now & old:
                return
            time.sleep(0.05)
        raise RuntimeError("nginx did not reload within 10 s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)  # graceful: finish requests, then exit
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def entries(self) -> list[LogEntry]:
        entries = []
        for line in self.access_log.read_text().splitlines():
            match = NGINX_LINE.match(line)
            if not match:
                raise RuntimeError(f"nginx access log line not understood: {line}")
            end = float(match["msec"])
            upstream = match["upstream"]
            entries.append(
                LogEntry(
                    request=match["request"],
                    status=int(match["status"]),
                    start=end - float(match["rt"]),
                    end=end,
                    upstreams=[] if upstream == "-" else re.split(r", | : ", upstream),
                )
            )
        return entries


@dataclass
class LogEntry:
    """One request as nginx logged it (times in seconds since the epoch)."""

    request: str
    status: int
    start: float
    end: float
    upstreams: list[str] = field(default_factory=list)  # the servers tried, in order


# --- Steps ----------------------------------------------------------------------------------------


def migrate_twice_at_once(env: dict[str, str]) -> tuple[list[str], dict]:
    """Two `migrate` at the same moment. Returns (failures, facts)."""
    started = time.monotonic()
    processes = [
        subprocess.Popen(  # nosec B603 # noqa: S603 (our manage.py, fixed arguments)
            [sys.executable, str(BASE_DIR / "manage.py"), "migrate", "--noinput"],
            env=env,
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=300)[0] for process in processes]
    seconds = time.monotonic() - started
    failures = []
    for number, (process, output) in enumerate(zip(processes, outputs, strict=True), 1):
        if process.returncode != 0:
            failures.append(f"migrate #{number} exited {process.returncode}:\n{output}")
    applied = [output.count("  Applying ") for output in outputs]
    if sorted(applied)[0] != 0 or "No migrations to apply." not in "".join(outputs):
        failures.append(f"migrations applied by both processes ({applied}), not by one")
    code = """
import json
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SELECT COUNT(*) FROM django_migrations")
    rows = cursor.fetchone()[0]
    cursor.execute(
        "SELECT app, name, COUNT(*) FROM django_migrations GROUP BY app, name HAVING COUNT(*) > 1"
    )
    twice = cursor.fetchall()
print(json.dumps({"rows": rows, "twice": twice}))
"""
    recorded = json.loads(
        manage(env, "shell", "-c", code, capture_output=True, text=True, check=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    if recorded["twice"]:
        failures.append(f"migrations recorded more than once: {recorded['twice']}")
    if recorded["rows"] != max(applied):
        failures.append(f"{max(applied)} migrations applied but {recorded['rows']} recorded")
    if manage(env, "migrate", "--check", capture_output=True).returncode != 0:
        failures.append("migrate --check: migrations left unapplied")
    return failures, {"applied": max(applied), "seconds": seconds}


def save_and_reopen(base_url: str, number: int, timings: Timings, lock) -> str:
    """A patient who saves step 1 for later and reopens the private link, as the saved page
    shows it (the reopening request carries the link in its Referer too). Returns the token."""
    patient = load.Patient(base_url, number, timings, lock)
    patient.name = f"Saved Patient {number:05d}"
    html, url = patient.request("/prepare/step/1/")
    html, saved_url = patient.post_form(html, url, "later")
    match = re.search(r"/prepare/resume/([^/]+)/saved/", urllib.parse.urlsplit(saved_url).path)
    if not match:
        raise RuntimeError(f"saving for later did not show the private link page: {saved_url}")
    token = match[1]
    request = urllib.request.Request(  # noqa: S310 (http on loopback)
        f"{base_url}/prepare/resume/{token}/", headers={"Referer": saved_url}
    )
    with patient.opener.open(request, timeout=30) as response:
        response.read()
    return token


def forms_in_database(env: dict[str, str]) -> list[dict]:
    code = """
import json
from django.db.models import Count
from intake.models import IntakeSubmission
rows = IntakeSubmission.objects.annotate(
    medicine_rows=Count("medicines", distinct=True), injury_rows=Count("injuries", distinct=True)
).values(
    "full_name", "status", "sent_at", "consent_given_at", "steps_completed", "unsaved_input",
    "date_of_birth", "medicine_rows", "injury_rows",
)
print(json.dumps(list(rows), default=str))
"""
    result = manage(env, "shell", "-c", code, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def half_saved(form: dict) -> str | None:
    """Why this form is half-saved (see the module's docstring), or None."""
    if form["status"] != "draft":
        if not form["sent_at"] or not form["consent_given_at"]:
            return "sent without sent_at or consent_given_at"
        if LAST_STEP not in form["steps_completed"]:
            return "sent without its last step"
        if form["unsaved_input"]:
            return "sent with input kept unsaved"
    elif form["sent_at"] or form["consent_given_at"]:
        return "a draft with sent_at or consent_given_at"
    if form["full_name"].startswith("Load Patient") and (
        1 not in form["steps_completed"] or not form["date_of_birth"]
    ):
        return "a load-test form without its first step"
    return None


def check_sent_forms(forms: list[dict], sent: list[str]) -> dict[str, list[str]]:
    """Every patient told "sent" exactly once, sent, with every step and row."""
    by_name: dict[str, list[dict]] = {}
    for form in forms:
        by_name.setdefault(form["full_name"], []).append(form)
    every_step = list(range(1, LAST_STEP + 1))
    return {
        "lost": [name for name in sent if name not in by_name],
        "duplicated": [name for name, rows in by_name.items() if len(rows) > 1],
        "incomplete": [
            name
            for name in sent
            if name in by_name
            and (
                by_name[name][0]["status"] != "sent"
                or sorted(by_name[name][0]["steps_completed"]) != every_step
                or by_name[name][0]["medicine_rows"] != len(load.MEDICINES)
                or by_name[name][0]["injury_rows"] != len(load.INJURIES)
            )
        ],
        "half_saved": [
            f"{form['full_name'] or '(no name)'}: {reason}"
            for form in forms
            if (reason := half_saved(form))
        ],
    }


def check_logs(paths: list[Path], tokens: list[str]) -> dict:
    """Private links in the access logs: only ever `/resume/[redacted]`."""
    redacted = unredacted = 0
    leaks = []
    for path in paths:
        if not path.exists():
            continue
        text = path.read_text(errors="replace")
        redacted += text.count("/resume/[redacted]")
        found = UNREDACTED_LINK.findall(text)
        unredacted += len(found)
        leaks += [f"{path.name}: {found[0]}"] if found else []
        leaks += [f"{path.name}: a saved patient's token" for token in tokens if token in text]
    return {"redacted": redacted, "unredacted": unredacted, "leaks": leaks}


def drive_with_event(
    base_url: str,
    patients: int,
    concurrency: int,
    first_number: int,
    at_requests: int,
    event,
) -> tuple[load.LoadRun, float, float]:
    """Run the load test; call `event()` once `at_requests` requests have been answered.
    Returns the run, and the wall-clock times of its start and of the event."""
    run = load.LoadRun()
    started = time.time()
    thread = threading.Thread(
        target=load.drive,
        args=(base_url, patients, concurrency),
        kwargs={"run": run, "first_number": first_number},
    )
    thread.start()
    event_time = 0.0
    while thread.is_alive():
        if not event_time and run.timings.requests >= at_requests:
            event_time = time.time()
            event()
        time.sleep(0.005)
    thread.join()
    if not event_time:
        raise RuntimeError(f"the load ended before {at_requests} requests: nothing was tested")
    return run, started, event_time


def wait_until_nginx_uses(nginx: Nginx, server: AppServer, since: float, timeout: float) -> float:
    """Send requests through nginx until one is answered by `server` (it is back in the pool)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        http_get(f"{nginx.base_url}/")
        for entry in nginx.entries():
            if entry.end >= since and entry.upstreams[-1:] == [server.address]:
                return time.time() - since
        time.sleep(0.2)
    raise RuntimeError(f"nginx did not send anything to {server.name} within {timeout:.0f} s")


def page_under_slow_clients(address: tuple[str, int], count: int) -> float | None:
    """Seconds a page takes at `address` while `count` clients hold connections there, each
    having sent half its headers; None without an answer within 3 s."""
    slow = []
    try:
        for _ in range(count):
            client = socket.create_connection(address, timeout=5)
            client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow")
            slow.append(client)
        time.sleep(0.2)  # let them reach whoever reads them
        began = time.perf_counter()
        try:
            status = http_get(f"http://{address[0]}:{address[1]}/", timeout=3)[0]
        except OSError:  # timed out
            return None
        return time.perf_counter() - began if status == 200 else None
    finally:
        for client in slow:
            client.close()


def percentiles(timings: Timings) -> str:
    return f"p50 {timings.percentile(50) * 1000:.0f} ms, p95 {timings.percentile(95) * 1000:.0f} ms"


# --- The test -------------------------------------------------------------------------------------


class ClusterTest:
    """The phases of the test, sharing the cluster, the failed checks and the report."""

    def __init__(self, args, env: dict[str, str], workdir: Path):
        self.args, self.env, self.workdir = args, env, workdir
        self.failures: list[str] = []
        self.report: list[str] = []
        self.sent: list[str] = []  # every patient the load test reports as sent
        self.failed: list[str] = []
        self.tokens: list[str] = []
        self.servers: list[AppServer] = []
        self.nginx: Nginx | None = None
        # Requests one server works on at once (deploy/gunicorn.conf.py's defaults, or as set).
        self.capacity = int(env.get("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2)) * int(
            env.get("GUNICORN_THREADS", 2)
        )
        self.graceful_timeout = int(env.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
        self.next_patient = 0

    def check(self, condition: bool, message: str) -> None:
        if not condition:
            self.failures.append(message)

    def load(self, patients: int, concurrency: int, at_requests: int, event):
        run, started, event_time = drive_with_event(
            self.nginx.base_url, patients, concurrency, self.next_patient, at_requests, event
        )
        self.next_patient += patients
        self.sent += run.sent
        self.failed += run.failed
        self.check(len(run.sent) + len(run.failed) == patients, "patients unaccounted for")
        return run, started, event_time

    # --- 1. The database, migrated twice at once, and the cluster ------------------------------

    def start_cluster(self) -> None:
        migrate_failures, migrated = migrate_twice_at_once(self.env)
        self.failures += migrate_failures
        self.report.append(
            f"migrate, twice at once: {'ok' if not migrate_failures else 'FAILED'} "
            f"({migrated['applied']} migrations applied by one process, none by the other, "
            f"each recorded once; {migrated['seconds']:.1f} s)"
        )
        manage(self.env, "load_education_content", "-v", "0", check=True)
        manage(self.env, "collectstatic", "--noinput", "-v", "0", check=True)
        self.servers = [
            AppServer("a", self.env, self.workdir),
            AppServer("b", self.env, self.workdir),
        ]
        for server in self.servers:
            server.start()
        for server in self.servers:
            server.wait_ready()
        self.nginx = Nginx(self.workdir, self.servers, Path(self.env["STATIC_ROOT"]))
        self.nginx_version = self.nginx.check_config()
        self.nginx.start()

    # --- 2. Load, and server a killed part-way -------------------------------------------------

    def kill_under_load(self) -> None:
        a, b = self.servers
        nginx = self.nginx
        # Private links, opened through nginx before anything goes wrong.
        timings, lock = Timings(), threading.Lock()
        self.tokens = [save_and_reopen(nginx.base_url, n, timings, lock) for n in range(6)]

        kill_at = self.args.patients * REQUESTS_PER_PATIENT * 2 // 5
        run, started, kill_time = self.load(
            self.args.patients, self.args.concurrency, kill_at, a.kill
        )
        entries = [e for e in nginx.entries() if e.start >= started]
        settled = kill_time + KILL_SETTLE_SECONDS
        # Open on a when it died: nginx had handed them to a, and they ended after the kill.
        open_on_a = [
            e
            for e in entries
            if e.upstreams[:1] == [a.address] and e.start < settled and e.end >= kill_time
        ]
        errors = [e for e in entries if e.status >= 500]
        unexplained = [e for e in errors if e not in open_on_a]
        after = [e for e in entries if e.start >= settled]
        retried = [e for e in open_on_a if e.upstreams[-1:] == [b.address]]
        self.check(not unexplained, f"5xx not explained by the kill: {unexplained[:3]}")
        self.check(not [e for e in after if e.status >= 500], "a 5xx after the kill")
        self.check(
            len(run.failed) <= len(open_on_a),
            f"{len(run.failed)} patients failed, more than the {len(open_on_a)} requests open on a",
        )
        self.check(len(after) > 0, "no request after the kill: the kill came too late")
        self.check(
            all(e.upstreams[-1:] == [b.address] for e in after if e.upstreams),
            "after the kill, a request was answered by the dead server",
        )
        self.report.append(
            f"load through nginx: {self.args.patients} patients, {self.args.concurrency} at "
            f"once; sent {len(run.sent)}, failed {len(run.failed)}; {run.timings.requests} "
            f"pages (a POST and its redirect count once) in {run.timings.elapsed:.1f} s = "
            f"{run.timings.throughput:.0f}/s; {percentiles(run.timings)}"
        )
        self.report.append(
            f"server a killed (SIGKILL) after {sum(1 for e in entries if e.end < kill_time)} "
            f"requests (nginx's count): {len(open_on_a)} were open on a; {len(retried)} of "
            f"them were retried on b, {len(errors)} got a 5xx (POSTs a had received: nginx "
            f"does not resend them); every 5xx was one of these. After the kill {len(after)} "
            f"requests, no 5xx, all answered by b"
        )

    def probes_and_static(self) -> None:
        nginx = self.nginx
        ready = http_get(f"{nginx.base_url}/ready/")
        self.check(
            ready[0] == 200, f"/ready/ through nginx answered {ready[0]}: {ready[2][:200]!r}"
        )
        # Static files from nginx: hashed names cached for a year.
        static_root = Path(self.env["STATIC_ROOT"])
        manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
        hashed = next(path for name, path in sorted(manifest.items()) if name.endswith(".css"))
        static = http_get(f"{nginx.base_url}/static/{hashed}", headers={"Accept-Encoding": "gzip"})
        cache_control = static[1].get("Cache-Control", "")
        self.check(
            static[0] == 200 and "immutable" in cache_control,
            f"static file through nginx: {static[0]} {cache_control}",
        )
        # Another host name gets no answer at all (444).
        try:
            stranger = str(http_get(f"{nginx.base_url}/", headers={"Host": "scanner.example"})[0])
        except (http.client.RemoteDisconnected, ConnectionError):
            stranger = "dropped"
        self.check(stranger == "dropped", f"unknown Host answered {stranger}, not dropped")
        # Slow clients (slowloris): more connections trickling their headers than both servers
        # have threads. nginx holds them; a page still answers at once. Straight at gunicorn,
        # for comparison (reported, not checked), they take its threads.
        slow_count = 4 * self.capacity
        through_nginx = page_under_slow_clients(("127.0.0.1", nginx.port), slow_count)
        direct = page_under_slow_clients(("127.0.0.1", self.servers[1].port), slow_count)
        self.check(
            through_nginx is not None and through_nginx < 2,
            f"with {slow_count} slow clients, a page through nginx took {through_nginx} s",
        )
        self.report.append(
            f"/ready/ through nginx: {ready[0]}; a hashed static file: {static[0]}, "
            f"{static[1].get('Content-Encoding', 'not compressed')}, {cache_control}; "
            f"an unknown Host: {stranger}"
        )
        self.report.append(
            f"{slow_count} slow clients trickling their headers: a page through nginx answered "
            f"in {through_nginx * 1000:.0f} ms (straight at gunicorn b: "
            f"{'no answer within 3 s' if direct is None else f'{direct * 1000:.0f} ms'})"
        )

    # --- 3. Server a back; server b stopped as the README says, then with a bare SIGTERM -------

    def restart(self, server: AppServer) -> float:
        """Start `server` again; seconds until nginx sends it requests again."""
        restarted = time.time()
        server.start()
        server.wait_ready()
        return wait_until_nginx_uses(self.nginx, server, restarted, timeout=30)

    def stop_during_burst(self, server: AppServer):
        """SIGTERM `server` a third of the way through a burst of patients."""
        patients = max(10, self.args.patients // 10)
        signalled = {}

        def terminate() -> None:
            server.process.send_signal(signal.SIGTERM)
            signalled["at"] = time.monotonic()

        burst, started, term_time = self.load(
            patients,
            min(self.args.concurrency, patients),
            patients * REQUESTS_PER_PATIENT // 3,
            terminate,
        )
        try:
            exit_code = server.process.wait(timeout=self.graceful_timeout + 15)
        except subprocess.TimeoutExpired:
            exit_code = None
        drain_seconds = time.monotonic() - signalled["at"]
        self.check(exit_code == 0, f"server {server.name} exited with {exit_code} after SIGTERM")
        self.check(
            drain_seconds < self.graceful_timeout,
            f"server {server.name} took {drain_seconds:.1f} s to stop: a worker was killed",
        )
        entries = [e for e in self.nginx.entries() if e.start >= started]
        return burst, entries, term_time, exit_code, drain_seconds

    def planned_stop(self) -> None:
        """The README's way: nginx stops sending b requests (`down`, reload), then SIGTERM."""
        a, b = self.servers
        self.nginx.mark_down(b, True)
        burst, entries, _, exit_code, drain = self.stop_during_burst(b)
        to_b = [e for e in entries if b.address in e.upstreams]
        errors = [e for e in entries if e.status >= 500]
        self.check(not to_b, f"{len(to_b)} requests went to b after it was marked down")
        self.check(not burst.failed, f"{len(burst.failed)} patients failed in the planned stop")
        self.check(not errors, f"{len(errors)} requests got a 5xx in the planned stop")
        self.report.append(
            f"planned stop (b marked down, nginx reloaded, then SIGTERM) during a burst of "
            f"{len(burst.sent) + len(burst.failed)} patients: sent {len(burst.sent)}, failed "
            f"{len(burst.failed)}, 5xx {len(errors)}; b exited {exit_code} after {drain:.2f} s"
        )
        b.start()
        b.wait_ready()
        self.nginx.mark_down(b, False)
        wait_until_nginx_uses(self.nginx, b, time.time(), timeout=30)

    def bare_sigterm(self) -> None:
        """SIGTERM alone, while nginx still sends b requests: b must finish every request it
        accepted. Those nginx hands b while it is closing sit in its socket's queue and are
        reset when it closes: GETs are retried on a, POSTs (not resent) get a 502."""
        a, b = self.servers
        burst, entries, term_time, exit_code, drain = self.stop_during_burst(b)
        closing_end = term_time + drain
        finished_by_b = [
            e for e in entries if e.start < term_time < e.end and e.upstreams == [b.address]
        ]
        errors = [e for e in entries if e.status >= 500]
        # 5xx that only the closing queue explains: a POST handed to b alone, failed between the
        # signal and b's exit. b itself answered no 5xx and no worker was killed (checked), so
        # each was a request b never accepted.
        queued = [
            e
            for e in errors
            if e.request.startswith("POST ")
            and e.upstreams == [b.address]
            and term_time <= e.end <= closing_end + 0.5
        ]
        b_errors = [
            line for line in b.access_log.read_text().splitlines() if re.search(r'" 5\d\d ', line)
        ]
        self.check(not b_errors, f"server b answered 5xx: {b_errors[:2]}")
        self.check(
            all(e.status < 500 for e in finished_by_b),
            "a request in flight on b at SIGTERM failed",
        )
        self.check(finished_by_b, "nothing was in flight on b at SIGTERM: the drain went untested")
        self.check(
            len(errors) == len(queued),
            f"{len(errors) - len(queued)} 5xx in the burst not explained by b's closing queue",
        )
        self.check(
            len(burst.failed) <= len(queued),
            f"{len(burst.failed)} patients failed, more than the {len(queued)} queued POSTs",
        )
        self.report.append(
            f"bare SIGTERM to b during a burst of {len(burst.sent) + len(burst.failed)} "
            f"patients: {len(finished_by_b)} requests in flight on b finished (2xx/3xx), b "
            f"exited {exit_code} after {drain:.2f} s; {len(queued)} POSTs handed to b while it "
            f"was closing got a 502 ({len(burst.failed)} patients failed; hence the planned stop)"
        )

    # --- 4. What was stored, what was logged ---------------------------------------------------

    def check_database(self) -> None:
        forms = forms_in_database(self.env)
        verdict = check_sent_forms(forms, self.sent)
        for problem, names in verdict.items():
            self.check(not names, f"{problem}: {names[:5]}")
        failed_but_sent = sum(
            1 for form in forms if form["full_name"] in self.failed and form["status"] == "sent"
        )
        self.report.append(
            f"database: {len(forms)} forms; of {len(self.sent)} reported sent: lost "
            f"{len(verdict['lost'])}, duplicated {len(verdict['duplicated'])}, incomplete "
            f"{len(verdict['incomplete'])}; half-saved forms {len(verdict['half_saved'])}; of "
            f"{len(self.failed)} failed patients, {failed_but_sent} had sent (their last "
            f"answer was lost, not their form)"
        )

    def check_logs(self) -> None:
        for server in self.servers:
            server.stop()
        self.nginx.stop()
        paths = [self.nginx.access_log, *(server.access_log for server in self.servers)]
        logs = check_logs(paths, self.tokens)
        self.check(not logs["leaks"], f"private links in the access logs: {logs['leaks'][:3]}")
        self.check(
            logs["redacted"] >= len(self.sent) + len(self.tokens),
            f"only {logs['redacted']} redacted links logged: the log check saw too little",
        )
        error_log = self.nginx.error_log.read_text() if self.nginx.error_log.exists() else ""
        self.report.append(
            f"access logs (nginx, gunicorn a and b): {logs['redacted']} private links, all "
            f"/resume/[redacted], {logs['unredacted']} not; nginx's error log (not redacted): "
            f"{len(UNREDACTED_LINK.findall(error_log))} lines with a private link"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--smoke", action="store_true", help="30 patients, 10 at once (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.patients, args.concurrency = 30, 10

    admin_url = os.environ.get("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432")
    workdir = Path(tempfile.mkdtemp(prefix="atrophy-cluster-"))
    env = server_environment(f"{admin_url}/{DATABASE_NAME}", workdir)  # one SECRET_KEY for both
    env.update(
        CACHE_URL=REDIS_URL,
        TRUSTED_PROXY_COUNT="1",
        SECURE_PROXY_SSL_HEADER_ENABLED="true",
        STATIC_ROOT=str(workdir / "static"),
        TASKS_BACKEND="database",
        EMAIL_URL="consolemail://",
        PUBLIC_BASE_URL="http://127.0.0.1",
    )
    test = ClusterTest(args, env, workdir)
    started = time.monotonic()
    try:
        drop = f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)'
        psql(f"{admin_url}/postgres", drop)
        psql(f"{admin_url}/postgres", f'CREATE DATABASE "{DATABASE_NAME}"')
        flush_redis()
        test.start_cluster()
        test.kill_under_load()
        test.probes_and_static()
        back_after = test.restart(test.servers[0])
        test.report.append(
            f"server a started again: nginx sent it requests {back_after:.1f} s later"
        )
        test.planned_stop()
        test.bare_sigterm()
        test.check_database()
        test.check_logs()
    except Exception as error:  # a step that could not run is a failed check, with its cause
        traceback.print_exc()
        test.failures.append(f"{type(error).__name__}: {error}")
    finally:
        for server in test.servers:
            server.stop()
        if test.nginx is not None:
            test.nginx.stop()
        with contextlib.suppress(subprocess.CalledProcessError):
            psql(f"{admin_url}/postgres", drop)
        with contextlib.suppress(Exception):
            flush_redis()

    print(
        f"Cluster: 2 gunicorn servers ({test.capacity} requests at once each, "
        f"deploy/gunicorn.conf.py) behind {getattr(test, 'nginx_version', 'nginx')} "
        f"(deploy/nginx.conf), PostgreSQL, Redis cache; {machine_description()}"
    )
    for line in test.report:
        print(f"- {line}")
    print(f"total {time.monotonic() - started:.0f} s")
    for failure in test.failures:
        print(f"FAILED: {failure}")
    if test.failures:
        print(f"FAIL (logs kept in {workdir})")
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
