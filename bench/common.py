"""Shared pieces of the benchmark and the load test: a gunicorn server on loopback, and timing.

Both scripts start the real production stack (gunicorn, DEBUG off, whitenoise, manifest static
files) on 127.0.0.1 against a database of their own, so they never touch the developer's data.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess  # nosec B404 # runs psql, manage.py and gunicorn, never a shell
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_environment(database_url: str, data_dir: Path) -> dict[str, str]:
    """Production-like settings on loopback: DEBUG off, no HTTPS redirect (no TLS on loopback)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "DATABASE_URL"}}
    env.update(
        ENV_FILE="/nonexistent",
        DJANGO_DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        DATA_DIR=str(data_dir),
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        # The load test drives many patients from one address; rate limits are tested elsewhere.
        INTAKE_RESUME_MAX_FAILURES="100000",
    )
    return env


def prepare_database(env: dict[str, str]) -> None:
    """Fresh database: for PostgreSQL drop and create it; then migrate, load the Learn content
    and collect static (as a deploy does)."""
    url = urllib.parse.urlparse(env["DATABASE_URL"])
    if url.scheme.startswith("postgres"):
        name = url.path.lstrip("/")
        admin = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
            # psql from PATH, as the README's PostgreSQL set-up; the names are our own.
            subprocess.run(["psql", admin, "-q", "-c", sql], check=True)  # nosec B603 B607 # noqa: S603,S607
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["load_education_content", "-v", "0"],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        subprocess.run([*manage, *command], env=env, check=True)  # nosec B603 # noqa: S603


def manage_shell(env: dict[str, str], code: str, *, check: bool = True):
    """Run Python `code` in `manage.py shell` against `env`'s database; the finished process
    (its output captured, as text)."""
    return subprocess.run(  # nosec B603 # noqa: S603 (fixed arguments, no shell)
        [sys.executable, str(BASE_DIR / "manage.py"), "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=check,
    )


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int):
    """Run gunicorn with `workers` sync workers on a free loopback port; yield its base URL."""
    port = free_port()
    gunicorn_bin = shutil.which("gunicorn", path=str(VENV_BIN)) or "gunicorn"
    process = subprocess.Popen(  # nosec B603 # noqa: S603 (our gunicorn, fixed arguments)
        [
            gunicorn_bin,
            "atrophy_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/health/")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def gunicorn_workers(port: int) -> list[int]:
    """The pids of the gunicorn workers serving `port` (their master is this process's child)."""
    masters, children = set(), {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdecimal():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if f"127.0.0.1:{port}".encode() in cmdline:
            if ppid == os.getpid():
                masters.add(int(entry.name))
            else:
                children[int(entry.name)] = ppid
    return sorted(pid for pid, ppid in children.items() if ppid in masters)


def cpu_ns(pid: int) -> int:
    """CPU time so far of process `pid` (its main thread's time on a CPU, in nanoseconds)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


@dataclass
class Timings:
    """Latencies (seconds) and error counts of one run."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    server_errors: int = 0
    elapsed: float = 0.0
    #: Redirects followed inside the timed requests (a POST's redirect to the next page): each
    #: is one more HTTP request to the server within the same latency.
    redirects: int = 0

    def add(self, other: Timings) -> None:
        self.latencies.extend(other.latencies)
        self.errors += other.errors
        self.server_errors += other.server_errors
        self.redirects += other.redirects

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1]


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
