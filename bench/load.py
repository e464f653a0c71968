"""Load test with nothing lost: many patients fill in the whole intake at once.

Starts gunicorn (several workers, DEBUG off) on loopback against a fresh database, then drives
N virtual patients, C at a time, through every step of "Prepare for your visit" as a browser
would (GET the page, fill the form, POST with its CSRF token, follow the redirect), each adding
two medicines and two injuries, and sending. Afterwards it checks in the database that every
patient who was told "sent" is there exactly once, sent, with every row; and reports page turns
per second (a POST and the page it redirects to, timed together as a person waits for them: two
requests to the server), their p50/p95 latency and errors. Zero lost and zero 5xx is the bar;
the exit code says whether it held.

    .venv/bin/python bench/load.py                      # 500 patients, 50 at once, SQLite
    .venv/bin/python bench/load.py --smoke              # 20 patients, 10 at once (CI)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/atrophy_load .venv/bin/python bench/load.py

With `--base-url http://127.0.0.1:8080` it starts nothing and drives a site that is already
running (behind a proxy, say); it then checks the database that this environment's settings name,
so run it with the same DATABASE_URL as that site. bench/cluster.py calls `drive` directly.
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import http.client
import http.cookiejar
import json
import os
import re
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    Timings,
    cpu_ns,
    gunicorn,
    gunicorn_workers,
    machine_description,
    manage_shell,
    prepare_database,
    server_environment,
)

MEDICINES = [("Prednisolone", "5 mg", "Once a day"), ("Atorvastatin", "20 mg", "At night")]
INJURIES = [
    ("Left knee", "2019", "Fell off a ladder", "Physiotherapy"),
    ("Right wrist", "Last spring", "Slipped on ice", "A cast for six weeks"),
]


#: The tags of a form the client reads, and the attributes in them (Django writes every value in
#: double quotes, escaped; a bare name such as `checked` is true).
_FORM_TAG = re.compile(r"<(/?)(form|input|textarea|select|option|button)\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([^\s=/"]+)(?:="([^"]*)")?')
_TEXTAREA_TEXT = re.compile(r"([^<]*)</textarea>", re.IGNORECASE)


class FormParser:
    """Collects the fields of the page's forms that post (the step form, and the small forms
    around it), as a browser would send them.

    A regular expression over the tags a form is made of, not Python's HTMLParser: the client
    runs on the same two cores as the server, and HTMLParser's reading of every tag of 20 to 70 KB
    pages was about a fifth of the load test's CPU. What it reads is checked against
    HTMLParser on every page a patient meets (tests/test_load_client.py)."""

    def __init__(self):
        self.forms: list[dict] = []

    def feed(self, page: str) -> None:
        form = select = None
        for match in _FORM_TAG.finditer(page):
            closing, tag, attribute_text = match.group(1), match.group(2).lower(), match.group(3)
            if closing:
                if tag == "form":
                    form = None
                elif tag == "select":
                    select = None
                continue
            attributes = {
                name.lower(): html.unescape(value) if value is not None else None
                for name, value in _ATTRIBUTE.findall(attribute_text)
            }
            if tag == "form":
                if (attributes.get("method") or "get").lower() == "post":
                    form = {"action": attributes.get("action") or "", "fields": [], "buttons": []}
                    self.forms.append(form)
                continue
            if form is None:
                continue
            if tag == "input":
                form["fields"].append(
                    {
                        "name": attributes.get("name"),
                        "type": (attributes.get("type") or "text").lower(),
                        "value": attributes.get("value") or "",
                        "checked": "checked" in attributes,
                    }
                )
            elif tag == "textarea":
                text = _TEXTAREA_TEXT.match(page, match.end())
                # As a browser reads it: one line end straight after the tag is not part of it.
                value = html.unescape(text.group(1)) if text else ""
                value = value[1:] if value.startswith("\n") else value
                form["fields"].append(
                    {"name": attributes.get("name"), "type": "textarea", "value": value}
                )
            elif tag == "select":
                select = attributes.get("name")
                form["fields"].append({"name": select, "type": "select", "value": ""})
            elif tag == "option" and select:
                field = form["fields"][-1]
                if "selected" in attributes or not field.get("seen_option"):
                    field["value"] = attributes.get("value") or ""
                field["seen_option"] = True
            elif tag == "button" and attributes.get("name"):
                form["buttons"].append((attributes["name"], attributes.get("value") or ""))


def fill(fields: list[dict], patient: str) -> list[tuple[str, str]]:
    """Answer every question sensibly: keep what is there, pick the first option of each group.

    The name goes in its two boxes, "Load Patient" and the number, so the full name the app
    makes from them is `patient` again (what `verify` looks the forms up by).
    """
    given_names, _space, family_name = patient.rpartition(" ")
    answers = {
        "given_names": given_names,
        "family_name": family_name,
        "date_of_birth_0": "3",
        "date_of_birth_1": "7",
        "date_of_birth_2": "1950",
        "visit_reason": "My legs feel weaker on the stairs.",
        "phone": "201 555 0123",
        "questions": "Which exercises are safe for me?",
        "alcohol_drinks_per_week": "3",
    }
    data: list[tuple[str, str]] = []
    seen_groups: set[str] = set()
    for field in fields:
        name, kind = field.get("name"), field.get("type")
        if not name or kind in {"submit", "button", "image", "reset"}:
            continue
        if kind in {"radio", "checkbox"}:
            if field.get("checked") or (
                name not in seen_groups and name not in ("consent", "doctor_knows")
            ):
                data.append((name, field["value"]))
                seen_groups.add(name)
            elif name in ("consent", "doctor_knows"):
                data.append((name, field["value"] or "on"))
            continue
        value = field.get("value", "")
        suffix = name.rsplit("-", 1)[-1]
        if name in answers:
            value = answers[name]
        elif "-" in name and suffix in {
            "name",
            "dose",
            "frequency",
            "body_part",
            "when",
            "what_happened",
            "treatment",
        }:
            index = int(name.split("-")[1]) if name.split("-")[1].isdigit() else 0
            if suffix in {"name", "dose", "frequency"} and index < len(MEDICINES):
                value = value or MEDICINES[index][("name", "dose", "frequency").index(suffix)]
            elif index < len(INJURIES) and suffix != "name":
                columns = ("body_part", "when", "what_happened", "treatment")
                if suffix in columns:
                    value = value or INJURIES[index][columns.index(suffix)]
        data.append((name, value))
    return data


class _CountedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects as urllib does, counting each in the patient's timings: a page turn
    (POST, then the page it redirects to) is timed as one, but is two requests to the server."""

    def __init__(self, patient: Patient):
        self.patient = patient

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        with self.patient.lock:
            self.patient.timings.redirects += 1
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Patient:
    """One virtual patient with their own cookie jar (their own browser)."""

    def __init__(self, base_url: str, number: int, timings: Timings, lock: threading.Lock):
        self.base_url = base_url
        self.name = f"Load Patient {number:05d}"
        self.timings = timings
        self.lock = lock
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), _CountedRedirects(self)
        )

    def request(self, path: str, data: list[tuple[str, str]] | None = None) -> tuple[str, str]:
        url = urllib.parse.urljoin(self.base_url, path)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Referer": url}
        start = time.perf_counter()
        try:
            with self.opener.open(
                urllib.request.Request(url, data=body, headers=headers),  # noqa: S310 (http only)
                timeout=60,
            ) as response:
                html = response.read().decode()
                final = response.geturl()
        except urllib.error.HTTPError as error:
            with self.lock:
                self.timings.latencies.append(time.perf_counter() - start)
                if error.code >= 500:
                    self.timings.server_errors += 1
                else:
                    self.timings.errors += 1
            raise
        with self.lock:
            self.timings.latencies.append(time.perf_counter() - start)
        return html, final

    def post_form(
        self, html: str, url: str, action: str | None, *, ticks: str = "consent"
    ) -> tuple[str, str]:
        """Submit the page's form: the step form (with its `action` button), or the one with the
        box `ticks` (consent on the check page, "a doctor already knows" on the emergency page)."""
        parser = FormParser()
        parser.feed(html)
        if action is None:
            form = next(f for f in parser.forms if ticks in {x["name"] for x in f["fields"]})
            data = fill(form["fields"], self.name)
        else:
            form = next(f for f in parser.forms if any(b[0] == "action" for b in f["buttons"]))
            data = fill(form["fields"], self.name) + [("action", action)]
        return self.request(form["action"] or url, data)

    def run(self) -> bool:
        """Fill in every step and send. True when the confirmation page was reached."""
        html, url = self.request("/prepare/step/1/")
        for _ in range(40):  # eleven steps, two "add another" and the check page, with margin
            path = urllib.parse.urlparse(url).path
            if path.startswith("/prepare/sent"):
                return True
            parser = FormParser()
            parser.feed(html)
            buttons = {b for f in parser.forms for b in f["buttons"]}
            if ("action", "add") in buttons and self._rows(parser) < 2:
                html, url = self.post_form(html, url, "add")
            elif ("action", "next") in buttons:
                html, url = self.post_form(html, url, "next")
            elif path.startswith("/prepare/check-your-answers"):
                html, url = self.post_form(html, url, None)
            elif path.startswith("/prepare/get-help-now"):
                # First-choice answers are emergency signs: carry on, as if a doctor knows.
                html, url = self.post_form(html, url, None, ticks="doctor_knows")
            else:
                # A page without a step form (e.g. "your answers are saved"): go on.
                html, url = self.request("/prepare/continue/")
        return False

    @staticmethod
    def _rows(parser: FormParser) -> int:
        names = {
            f["name"]
            for form in parser.forms
            for f in form["fields"]
            if f.get("name", "") and f["name"].endswith(("-name", "-body_part"))
        }
        return len(names)


def verify(env: dict[str, str], names: list[str]) -> dict:
    """Ask the database: is every sent patient there exactly once, sent, with every row?"""
    code = f"""
import json
from django.db.models import Count
from intake.models import IntakeSubmission
names = {names!r}
rows = (IntakeSubmission.objects.filter(full_name__in=names)
        .values("full_name", "status")
        .annotate(m=Count("medicines", distinct=True), i=Count("injuries", distinct=True)))
print(json.dumps(list(rows)))
"""
    result = manage_shell(env, code)
    rows = json.loads(result.stdout.strip().splitlines()[-1])
    by_name: dict[str, list[dict]] = {}
    for row in rows:
        by_name.setdefault(row["full_name"], []).append(row)
    missing = [n for n in names if n not in by_name]
    duplicated = [n for n, r in by_name.items() if len(r) > 1]
    incomplete = [
        n
        for n, r in by_name.items()
        if r[0]["status"] != "sent" or r[0]["m"] != len(MEDICINES) or r[0]["i"] != len(INJURIES)
    ]
    return {"missing": missing, "duplicated": duplicated, "incomplete": incomplete}


@dataclasses.dataclass
class LoadRun:
    """What one run did so far: filled in while it runs, so a caller can watch it."""

    sent: list[str] = dataclasses.field(default_factory=list)
    failed: list[str] = dataclasses.field(default_factory=list)
    timings: Timings = dataclasses.field(default_factory=Timings)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


def drive(
    base_url: str,
    patients: int,
    concurrency: int,
    *,
    run: LoadRun | None = None,
    first_number: int = 0,
) -> LoadRun:
    """Send `patients` virtual patients through the site at `base_url`, `concurrency` at once."""
    run = run if run is not None else LoadRun()

    def one(number: int) -> None:
        patient = Patient(base_url, number, run.timings, run.lock)
        try:
            ok = patient.run()
        except (urllib.error.URLError, OSError, StopIteration, http.client.HTTPException) as error:
            ok = False
            print(f"{patient.name}: {error!r}", file=sys.stderr)
        with run.lock:
            (run.sent if ok else run.failed).append(patient.name)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(first_number, first_number + patients)))
    run.timings.elapsed = time.perf_counter() - started
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--smoke", action="store_true", help="20 patients, 10 at once")
    parser.add_argument(
        "--base-url",
        help="drive this running site instead of starting one (checks this environment's database)",
    )
    args = parser.parse_args()
    if args.smoke:
        args.patients, args.concurrency = 20, 10

    if args.base_url:
        env = dict(os.environ)
        database_url = env.get("DATABASE_URL", "")
        run = drive(args.base_url, args.patients, args.concurrency)
        server = f"the site at {args.base_url}"
    else:
        workdir = Path(tempfile.mkdtemp(prefix="atrophy-load-"))
        database_url = os.environ.get("DATABASE_URL", f"sqlite:///{workdir / 'load.sqlite3'}")
        env = server_environment(database_url, workdir)
        prepare_database(env)
        with gunicorn(env, args.workers) as base_url:
            port = urllib.parse.urlparse(base_url).port
            deadline = time.monotonic() + 10
            while len(workers := gunicorn_workers(port)) < args.workers:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{args.workers} gunicorn workers expected: {workers}")
                time.sleep(0.1)
            server_cpu, client_cpu = sum(cpu_ns(pid) for pid in workers), time.process_time()
            run = drive(base_url, args.patients, args.concurrency)
            server_cpu = sum(cpu_ns(pid) for pid in workers) - server_cpu
            client_cpu = time.process_time() - client_cpu
        server = f"gunicorn {args.workers} workers"
    sent, failed, timings = run.sent, run.failed, run.timings

    check = verify(env, sent)
    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(
        f"{engine}: {args.patients} patients, {args.concurrency} at once, {server}; "
        f"{machine_description()}"
    )
    print(
        f"sent {len(sent)}, failed {len(failed)}; page turns {timings.requests} "
        f"({timings.requests + timings.redirects} HTTP requests: a POST and the page it "
        f"redirects to are one turn) in {timings.elapsed:.1f} s = {timings.throughput:.0f}/s; p50 "
        f"{timings.percentile(50) * 1000:.0f} ms, p95 {timings.percentile(95) * 1000:.0f} ms; "
        f"4xx {timings.errors}, 5xx {timings.server_errors}"
    )
    if not args.base_url and timings.requests:
        # What each page turn costs, whatever the concurrency: with the CPUs busy, page turns per
        # second are about the CPUs' time divided by this, and the latency at C at once about C
        # divided by page turns per second (Little's law).
        print(
            f"CPU per page turn: the app's workers {server_cpu / 1e6 / timings.requests:.2f} ms, "
            f"this load client {client_cpu * 1000 / timings.requests:.2f} ms"
        )
    print(
        f"lost {len(check['missing'])}, duplicated {len(check['duplicated'])}, "
        f"incomplete {len(check['incomplete'])}"
    )
    ok = (
        not failed
        and timings.server_errors == 0
        and not any(check.values())
        and len(sent) == args.patients
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
