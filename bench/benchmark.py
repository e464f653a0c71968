"""Benchmark: throughput and p95 latency of the main pages, side by side, and page weight.

Runs the production stack (gunicorn, DEBUG off) on loopback against a fresh database, then for
each page runs a closed loop of concurrent keep-alive clients. Pages take turns in short rounds so
that drift on the machine hits all of them alike. `/health/` (one trivial query) is the framework's
floor on this machine; every page's throughput is printed as a ratio of it.

    .venv/bin/python bench/benchmark.py                 # full run, about a minute
    .venv/bin/python bench/benchmark.py --smoke         # a few seconds, for CI
    .venv/bin/python bench/benchmark.py --write         # also rewrite bench/RESULTS.md
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/atrophy_bench \
        .venv/bin/python bench/benchmark.py
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import http.client
import re
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BASE_DIR,
    Timings,
    gunicorn,
    machine_description,
    manage_shell,
    prepare_database,
    server_environment,
)

TOPIC_PATH = "/learn/what-is-muscle-atrophy/"


def make_summary_session(env: dict[str, str], base_url: str) -> tuple[str, str] | None:
    """Create a typical sent submission and open its private link; return (path, cookie).

    Returns None when the intake app does not offer a summary yet.
    """
    code = (
        "from intake.tests.factories import typical_sent_submission_with_token as f;"
        "s, t = f(); print(t)"
    )
    result = manage_shell(env, code, check=False)
    if result.returncode != 0:
        return None
    token = result.stdout.strip().splitlines()[-1]
    host = urllib.parse.urlparse(base_url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    conn.request("GET", f"/prepare/resume/{token}/")
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
    location = response.getheader("Location") or ""
    if response.status not in (301, 302, 303) or not cookie:
        return None
    return urllib.parse.urlparse(location).path or location, cookie


def run_clients(base_url: str, path: str, seconds: float, clients: int, cookie: str) -> Timings:
    host = urllib.parse.urlparse(base_url)
    results = [Timings() for _ in range(clients)]
    stop_at = time.monotonic() + seconds
    headers = {"Accept-Encoding": "gzip, br"}
    if cookie:
        headers["Cookie"] = cookie

    def worker(result: Timings) -> None:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                result.errors += 1
                conn.close()
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
                continue
            result.latencies.append(time.perf_counter() - start)
            if response.status >= 500:
                result.server_errors += 1
            elif response.status != 200:
                result.errors += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(r,)) for r in results]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = Timings(elapsed=time.perf_counter() - started)
    for r in results:
        total.add(r)
    return total


def page_weight(base_url: str, path: str) -> dict[str, int]:
    """Bytes on the wire for a first visit: HTML (gzip, as a proxy would send it) + CSS + JS.

    Static files are fetched as whitenoise serves them (brotli or gzip).
    """
    host = urllib.parse.urlparse(base_url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    conn.request("GET", path)
    html = conn.getresponse().read()
    weights = {"html": len(gzip.compress(html, 9)), "css": 0, "js": 0}
    assets = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    scripts = re.findall(rb'<script[^>]+src="([^"]+)"', html)
    for kind, urls in (("css", assets), ("js", scripts)):
        for url in urls:
            conn.request("GET", url.decode(), headers={"Accept-Encoding": "br, gzip"})
            response = conn.getresponse()
            weights[kind] += len(response.read())
    weights["total"] = weights["html"] + weights["css"] + weights["js"]
    return weights


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few seconds, to prove it runs")
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds per page")
    parser.add_argument("--rounds", type=int, default=4, help="pages take turns this many times")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.rounds = 1.0, 1

    import os

    workdir = Path(tempfile.mkdtemp(prefix="atrophy-bench-"))
    database_url = args.database_url or os.environ.get(
        "DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}"
    )
    env = server_environment(database_url, workdir)
    prepare_database(env)

    with gunicorn(env, args.workers) as base_url:
        pages: list[tuple[str, str, str]] = [
            ("home", "/", ""),
            ("learn", "/learn/", ""),
            ("topic", TOPIC_PATH, ""),
            ("health", "/health/", ""),
        ]
        summary = make_summary_session(env, base_url)
        if summary:
            pages.insert(2, ("summary", summary[0], summary[1]))
        totals = {name: Timings() for name, _, _ in pages}
        per_round = args.seconds / args.rounds
        for _ in range(args.rounds):
            for name, path, cookie in pages:
                run = run_clients(base_url, path, per_round, args.clients, cookie)
                totals[name].add(run)
                totals[name].elapsed += run.elapsed
        weights = {
            name: page_weight(base_url, path)
            for name, path in (("home", "/"), ("topic", TOPIC_PATH))
        }

    floor = totals["health"].throughput or 1.0
    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    lines = [
        "| page | requests/s | ratio to /health/ | p50 ms | p95 ms | errors | 5xx |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, path, _ in pages:
        t = totals[name]
        shown_path = path if name != "summary" else "/prepare/summary/"
        lines.append(
            f"| {name} (`{shown_path}`) | {t.throughput:.0f} "
            f"| {t.throughput / floor:.2f} | {t.percentile(50) * 1000:.1f} "
            f"| {t.percentile(95) * 1000:.1f} | {t.errors} | {t.server_errors} |"
        )
    lines += [
        "",
        "| page | HTML (gzip) | CSS | JS | total |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, w in weights.items():
        lines.append(
            f"| {name} | {w['html'] / 1024:.1f} KB | {w['css'] / 1024:.1f} KB "
            f"| {w['js'] / 1024:.1f} KB | {w['total'] / 1024:.1f} KB |"
        )
    report = "\n".join(lines)
    print(
        f"{engine}, gunicorn {args.workers} workers, {args.clients} clients, "
        f"{args.seconds:.0f} s per page"
    )
    print(report)

    failures = []
    if any(t.server_errors or t.errors for t in totals.values()):
        failures.append("errors or unexpected status codes")
    for name in ("learn", "topic"):  # the bar of issue 18, with Redis as the cache
        ratio = totals[name].throughput / floor
        if not args.smoke and ratio < 0.8:
            failures.append(f"{name} throughput {ratio:.2f} of /health/ is under 0.8")
    if weights["home"]["total"] > 60 * 1024 or weights["topic"]["total"] > 60 * 1024:
        failures.append("a page weighs over 60 KB compressed")

    if args.write:
        today = datetime.date.today().isoformat()
        header = (
            f"## {today}: {engine}\n\nMachine: {machine_description()}. Server: gunicorn, "
            f"{args.workers} sync workers, DEBUG off, on loopback. Client: {args.clients} "
            f"concurrent keep-alive connections (bench/benchmark.py, stdlib), "
            f"{args.seconds:.0f} s per page in {args.rounds} rounds.\n\n"
        )
        results = BASE_DIR / "bench" / "RESULTS.md"
        existing = results.read_text() if results.exists() else "# Benchmark results\n"
        results.write_text(existing.rstrip() + "\n\n" + header + report + "\n")
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
