"""Benchmark: the home page's p95 while ten patients ask for a PDF at the same moment.

Issue 14 measured ten concurrent `GET /prepare/summary/pdf/` leaving the home page unanswered for
30 s. This runs the reference deploy's app server (gunicorn with deploy/gunicorn.conf.py,
production settings, Redis as the shared cache when it answers, else each process's own memory)
on loopback, sends `--patients` virtual patients through the whole form (bench/load.py), with no
task worker running, so no PDF has been drawn yet (the worst case: each must be drawn in a
request). Then:

1. idle: two clients load the home page in a loop for a few seconds (its p95);
2. burst: every patient asks for their summary PDF at the same moment, and keeps asking after
   "try again in a moment" (503, Retry-After) until they have it, while the same two clients load
   the home page. Printed: the home page's p95 in each phase and their ratio (issue 14's target:
   under 3), how long the burst took, and what the PDF requests were answered.

    .venv/bin/python bench/pdf_burst.py              # ten patients
    .venv/bin/python bench/pdf_burst.py --smoke      # four patients, for CI
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cluster import REDIS_URL, AppServer, flush_redis  # noqa: E402
from common import (  # noqa: E402
    Timings,
    machine_description,
    prepare_database,
    server_environment,
)
from load import LoadRun, Patient  # noqa: E402


def redis_answers() -> bool:
    import redis  # the app's own dependency (Django's Redis cache)

    try:
        return redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        return False


@contextlib.contextmanager
def app_server(env: dict[str, str], workdir: Path):
    """gunicorn with the reference deploy's config (bench/cluster.py's AppServer) on a free
    loopback port; yields its URL."""
    server = AppServer("burst", env, workdir)
    try:
        server.start()
        server.wait_ready()
        yield f"http://{server.address}"
    finally:
        server.stop()


def home_loop(base: str, stop: threading.Event, timings: Timings, lock: threading.Lock) -> None:
    """Load the home page again and again until `stop`, as a visitor would (no keep-alive)."""
    while not stop.is_set():
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{base}/", timeout=60) as response:  # nosec B310 # noqa: S310
                response.read()
        except (urllib.error.URLError, OSError):
            with lock:
                timings.errors += 1
            continue
        with lock:
            timings.latencies.append(time.perf_counter() - start)


def measure_home(base: str, seconds: float | None, until: threading.Event | None) -> Timings:
    """The home page's latencies with two clients, for `seconds` or until `until` is set."""
    timings, lock, stop = Timings(), threading.Lock(), threading.Event()
    clients = [
        threading.Thread(target=home_loop, args=(base, stop, timings, lock)) for _ in range(2)
    ]
    started = time.perf_counter()
    for client in clients:
        client.start()
    if until is not None:
        until.wait()
    else:
        time.sleep(seconds)
    stop.set()
    for client in clients:
        client.join()
    timings.elapsed = time.perf_counter() - started
    return timings


def ask_for_pdf(patient: Patient, answers: dict[int, int], lock: threading.Lock) -> float:
    """GET the summary PDF until it comes, as a patient pressing again after "try again in a
    moment" would; returns the seconds it took. Counts every answer's status."""
    started = time.perf_counter()
    for _ in range(120):
        request = urllib.request.Request(f"{patient.base_url}/prepare/summary/pdf/")  # nosec B310 # noqa: S310
        try:
            with patient.opener.open(request, timeout=60) as response:
                body = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status, body = error.code, b""
            retry = float(error.headers.get("Retry-After") or 1)
        with lock:
            answers[status] = answers.get(status, 0) + 1
        if status == 200 and body.startswith(b"%PDF"):
            return time.perf_counter() - started
        if status not in (429, 503):
            raise RuntimeError(f"the PDF was answered {status}")
        time.sleep(min(retry, 2))
    raise RuntimeError("the PDF never came")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="four patients, short idle phase")
    args = parser.parse_args()
    patients = 4 if args.smoke else args.patients
    idle_seconds = 3 if args.smoke else 10

    with tempfile.TemporaryDirectory(prefix="atrophy-pdf-burst-") as tmp:
        workdir = Path(tmp)
        env = server_environment(f"sqlite:///{workdir / 'bench.sqlite3'}", workdir)
        cache = "local memory (per process)"
        if redis_answers():
            flush_redis()
            env["CACHE_URL"] = REDIS_URL
            cache = "Redis"
        prepare_database(env)
        with app_server(env, workdir) as base:
            run = LoadRun()
            people = [Patient(base, n, run.timings, run.lock) for n in range(patients)]
            with ThreadPoolExecutor(max_workers=patients) as pool:
                sent = list(pool.map(lambda p: p.run(), people))
            if not all(sent):
                print("not every patient could send the form", file=sys.stderr)
                return 1

            idle = measure_home(base, idle_seconds, None)
            answers: dict[int, int] = {}
            lock, done = threading.Lock(), threading.Event()
            waits: list[float] = []

            def burst() -> None:
                try:
                    with ThreadPoolExecutor(max_workers=patients) as pool:
                        waits.extend(pool.map(lambda p: ask_for_pdf(p, answers, lock), people))
                finally:
                    done.set()

            started = time.perf_counter()
            thread = threading.Thread(target=burst)
            thread.start()
            during = measure_home(base, None, done)
            thread.join()
            took = time.perf_counter() - started
            if len(waits) != patients:
                print("not every patient got their PDF", file=sys.stderr)
                return 1

    idle_p95, burst_p95 = idle.percentile(95) * 1000, during.percentile(95) * 1000
    print(f"# {machine_description()}; cache: {cache}; gunicorn deploy/gunicorn.conf.py")
    print(f"home page idle:        p95 {idle_p95:7.1f} ms ({idle.requests} requests)")
    print(f"home page during burst: p95 {burst_p95:7.1f} ms ({during.requests} requests)")
    print(f"ratio: {burst_p95 / idle_p95:.2f} (target under 3)")
    print(
        f"{patients} PDFs drawn in {took:.1f} s; slowest patient waited {max(waits):.1f} s; "
        f"answers: {', '.join(f'{k}: {v}' for k, v in sorted(answers.items()))}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
