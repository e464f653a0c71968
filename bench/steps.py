"""Benchmark: CPU time of each step page of the form, as a ratio of `/health/`'s.

A patient with every step answered (the test factories' complete draft) opens their private
link; then `GET /health/`, the home page (for comparison), each `/prepare/step/<n>/` (1 to 11;
the last, "Check your answers and send", redirects to `/prepare/check-your-answers/`, measured
too) are requested in-process through Django's test client, in turns, and the CPU time of this
process (time.process_time) is taken per request: the median of `--requests` after a warm-up.
`--server` measures the same pages through gunicorn (the worker's CPU per request).
Settings as production runs them (DEBUG off, so cached template loaders; the database cache;
no `setup_test_environment`, whose template instrumentation would copy every context), in a
throw-away test database (SQLite in memory unless DATABASE_URL says).

    .venv/bin/python bench/steps.py               # 50 requests per page, about a minute
    .venv/bin/python bench/steps.py --smoke       # a few requests per page, for CI
    .venv/bin/python bench/steps.py --profile 2   # cProfile of step 2's page, the costliest calls
    .venv/bin/python bench/steps.py --html DIR    # each step page's HTML (with errors, sent) to DIR
    .venv/bin/python bench/steps.py --language es # as a patient reading Spanish
    .venv/bin/python bench/steps.py --server --requests 160   # through gunicorn, a few minutes
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import http.cookies
import io
import os
import pstats
import re
import secrets
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    cpu_ns,
    gunicorn,
    gunicorn_workers,
    machine_description,
    manage_shell,
    prepare_database,
    server_environment,
)

#: Production settings (atrophy_site/settings.py reads them at import), on no network: DEBUG off,
#: no .env (a developer's has DEBUG on), no HTTPS redirect for the test client's plain requests.
PRODUCTION_ENVIRONMENT = {
    "ENV_FILE": "/nonexistent",
    "DJANGO_DEBUG": "false",
    "ALLOWED_HOSTS": "testserver",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
}

HEALTH = "/health/"
CHECK_PAGE = "/prepare/check-your-answers/"


def step_pages() -> list[tuple[str, str]]:
    """(name, path) of each step's page, in the form's order; the last step's page is "Check
    your answers and send" (`/prepare/step/11/` redirects there)."""
    from intake.questions import STEPS

    return [
        (
            f"step {number} ({step.slug})",
            CHECK_PAGE if step.kind == "check" else f"/prepare/step/{number}/",
        )
        for number, step in STEPS.items()
    ]


def pages() -> list[tuple[str, str]]:
    """(name, path) of what is measured: `/health/`, the home page for comparison, each
    `/prepare/step/<n>/` (the last one a redirect) and the check page it redirects to."""
    from intake.questions import STEPS

    result = [("health", HEALTH), ("home (for comparison)", "/")]
    for number, step in STEPS.items():
        result.append((f"step {number} ({step.slug})", f"/prepare/step/{number}/"))
    result.append((f"step {len(STEPS)}: check your answers", CHECK_PAGE))
    return result


def signed_in_client(language: str = "en", **traits):
    """A test client whose session holds a complete draft (every step answered; `traits` of
    the factory for another, sent=True...), opened by its private link as a patient would, in
    `language`; the "Welcome back" message already shown."""
    from django.conf import settings
    from django.test import Client

    from intake.tests.factories import IntakeSubmissionFactory
    from intake.tokens import resume_link_for

    submission = IntakeSubmissionFactory(given_names="Ann", family_name="Example", **traits)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(resume_link_for(submission, submission.raw_token))
    if response.status_code != 302:
        raise RuntimeError(f"the private link did not open the form: {response.status_code}")
    client.get("/")  # shows (and so clears) the "Welcome back" message
    return client, submission


def get(client, path: str):
    """GET `path`; a page answers 200, `/prepare/step/<last>/` redirects to the check page."""
    response = client.get(path)
    if response.status_code != 200 and response.get("Location") != CHECK_PAGE:
        raise RuntimeError(f"GET {path}: {response.status_code}")
    return response


def cpu_ms(client, path: str) -> float:
    start = time.process_time()
    get(client, path)
    return (time.process_time() - start) * 1000


def measure(client, paths: list[tuple[str, str]], requests: int, rounds: int) -> dict:
    """CPU ms per request of each page, the pages taking turns in `rounds` so that drift on
    the machine hits them alike."""
    times: dict[str, list[float]] = {name: [] for name, _ in paths}
    per_round = max(1, requests // rounds)
    for _ in range(rounds):
        for name, path in paths:
            times[name].extend(cpu_ms(client, path) for _ in range(per_round))
    return times


def counts_of(client, paths: list[tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """(queries, templates rendered) of one request of each page, not timed."""
    from django.db import connection
    from django.template.base import Template
    from django.test.utils import CaptureQueriesContext

    rendered = []
    original = Template._render

    def counting(self, context):
        rendered.append(self.origin.template_name)
        return original(self, context)

    counts = {}
    Template._render = counting
    try:
        for name, path in paths:
            rendered.clear()
            with CaptureQueriesContext(connection) as queries:
                get(client, path)
            counts[name] = (len(queries), len(rendered))
    finally:
        Template._render = original
    return counts


def profile(client, path: str, requests: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        get(client, path)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    return out.getvalue()


# --- The pages' HTML, to compare before and after a change ---------------------------------------


def normalised(html: str, submission) -> str:
    """The page without what changes from run to run (CSRF token, signed form key, reference
    code)."""
    html = re.sub(r'name="(csrfmiddlewaretoken|form_key)" value="[^"]+"', r'name="\1"', html)
    return html.replace(submission.reference, "REFERENCE")


def invalid_data(form_class) -> dict:
    """A post that every field of `form_class` refuses (choices not offered, text too long...)."""
    from django import forms
    from phonenumber_field.formfields import PhoneNumberField

    from intake.forms import BodyMapField, MemorableDateField

    data = {}
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.MultipleChoiceField):
            data[name] = ["not-offered"]
        elif isinstance(field, forms.ChoiceField):
            data[name] = "not-offered"
        elif isinstance(field, BodyMapField):
            data[name] = ["nowhere"]
        elif isinstance(field, MemorableDateField):
            for index in range(len(field.widget.widgets)):
                data[f"{name}_{index}"] = ["31", "2", "19x"][index - len(field.widget.widgets)]
        elif isinstance(field, forms.IntegerField):
            data[name] = "many"
        elif isinstance(field, PhoneNumberField):
            data[name] = "12"
        elif isinstance(field, forms.EmailField):
            data[name] = "not an address"
        elif isinstance(field, forms.CharField):
            data[name] = "x" * ((field.max_length or 10) + 1)
    return data


def error_posts() -> dict[int, dict]:
    """A post with errors for each step: every field refused, or a row without its main field."""
    from intake.forms import TestsChecklistForm, form_for, row_form_for
    from intake.questions import STEPS

    posts = {}
    for number, step in STEPS.items():
        if step.kind == "fields":
            posts[number] = invalid_data(form_for(step))
        elif step.kind == "tests":
            posts[number] = invalid_data(TestsChecklistForm)
        elif step.kind in ("medicines", "injuries"):
            prefix = "medicine" if step.kind == "medicines" else "injury"
            main = step.rows.main
            row = invalid_data(row_form_for(step.rows))
            row.pop(main)
            posts[number] = {
                f"{prefix}-TOTAL_FORMS": "2",
                f"{prefix}-INITIAL_FORMS": "0",
                **{f"{prefix}-0-{key}": value for key, value in row.items()},
                f"{prefix}-1-{main}": "y" * 2000,
            }
        else:
            posts[number] = {}  # the check page: sent without ticking the consent box
    return posts


def write_html(client, submission, directory: Path, language: str) -> None:
    """Each step page as shown, as shown after a post with errors, and as a sent form shows it
    (read-only), to `directory`; and the other pages with form fields."""
    from django.conf import settings
    from django.test import Client

    directory.mkdir(parents=True, exist_ok=True)
    posts = error_posts()
    steps = step_pages()
    for (name, path), number in zip(steps, range(1, len(posts) + 1), strict=True):
        (directory / f"step{number:02}.html").write_text(
            normalised(get(client, path).content.decode(), submission)
        )
        data = {"form_reference": submission.reference, "action": "next", **posts[number]}
        response = client.post(path, data)
        if response.status_code != 200 or b"error-message" not in response.content:
            raise RuntimeError(f"{name}: the post with errors gave {response.status_code}")
        (directory / f"step{number:02}-errors.html").write_text(
            normalised(response.content.decode(), submission)
        )
        get(client, "/")  # nothing kept from the post: the next page starts clean
    # A sent form's pages: read-only, every input disabled.
    sent, sent_submission = signed_in_client(language, sent=True)
    for (_name, path), number in zip(steps, range(1, len(posts) + 1), strict=True):
        (directory / f"step{number:02}-sent.html").write_text(
            normalised(get(sent, path).content.decode(), sent_submission)
        )
    # The visit summary draws the body map's figure too (intake/includes/body_figure.svg.html).
    (directory / "summary.html").write_text(
        normalised(get(sent, "/prepare/summary/").content.decode(), sent_submission)
    )
    # Other pages with form fields: the saved page and the wrong-link page ("Email me my
    # link"), the emergency stop page, as shown and with errors.
    (directory / "saved.html").write_text(
        normalised(get(client, "/prepare/saved/").content.decode(), submission)
    )
    urgent, urgent_submission = signed_in_client(language, urgent=True)
    other_pages = {
        "urgent": (urgent, "/prepare/get-help-now/", "/prepare/get-help-now/", urgent_submission),
        "link-not-found": (
            Client(),
            "/prepare/resume/not-a-link/",
            "/prepare/email-my-link/",
            submission,
        ),
    }
    for name, (browser, path, post_path, owner) in other_pages.items():
        browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = browser.get(path)
        (directory / f"{name}.html").write_text(normalised(response.content.decode(), owner))
        data = {"form_reference": owner.reference, "email": "not an address"}
        response = browser.post(post_path, data)
        if b"error-message" not in response.content:
            raise RuntimeError(f"{name}: the post with errors gave {response.status_code}")
        (directory / f"{name}-errors.html").write_text(normalised(response.content.decode(), owner))
    print(f"HTML of {len(posts)} steps (as shown, with errors, sent) written to {directory}")


# --- Through gunicorn, as production serves them --------------------------------------------------


class Browser:
    """Plain HTTP requests to one server, keeping its cookies (a new connection each time, as
    gunicorn's sync workers close them)."""

    def __init__(self, base_url: str, language: str):
        self.host = urllib.parse.urlparse(base_url)
        self.cookies = {"django_language": language}

    def get(self, path: str) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection(self.host.hostname, self.host.port, timeout=30)
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        conn.close()
        for header in response.msg.get_all("Set-Cookie") or ():
            for name, morsel in http.cookies.SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response


def worker_pid(port: int) -> int:
    """The pid of the one gunicorn worker serving `port` (its master is our child)."""
    workers = gunicorn_workers(port)
    if len(workers) != 1:
        raise RuntimeError(f"expected one gunicorn worker on port {port}, found {workers}")
    return workers[0]


def measure_server(args, requests: int, rounds: int, warm_up: int) -> int:
    """CPU of the gunicorn worker per request, for each page (median of the rounds' means)."""
    workdir = Path(tempfile.mkdtemp(prefix="atrophy-steps-"))
    database_url = os.environ.get("DATABASE_URL", f"sqlite:///{workdir / 'steps.sqlite3'}")
    env = server_environment(database_url, workdir)
    prepare_database(env)
    code = (
        "from intake.tests.factories import IntakeSubmissionFactory as F;"
        "print(F(given_names='Ann', family_name='Example').raw_token)"
    )
    result = manage_shell(env, code)
    token = result.stdout.split()[-1]
    paths = pages()
    per_round = max(1, requests // rounds)
    means: dict[str, list[float]] = {name: [] for name, _ in paths}
    with gunicorn(env, workers=1) as base_url:
        pid = worker_pid(urllib.parse.urlparse(base_url).port)
        browser = Browser(base_url, args.language)
        if browser.get(f"/prepare/resume/{token}/").status != 302:
            raise RuntimeError("the private link did not open the form")
        browser.get("/")
        for _name, path in paths:
            for _ in range(warm_up):
                response = browser.get(path)
                if response.status != 200 and response.getheader("Location") != CHECK_PAGE:
                    raise RuntimeError(f"GET {path}: {response.status}")
        for _ in range(rounds):
            for name, path in paths:
                start = cpu_ns(pid)
                for _ in range(per_round):
                    browser.get(path)
                means[name].append((cpu_ns(pid) - start) / per_round / 1e6)
    medians = {name: statistics.median(values) for name, values in means.items()}
    floor = medians["health"] or 1.0
    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"{machine_description()}; gunicorn, 1 sync worker, DEBUG off, {engine}")
    print(f"CPU ms of the worker per request ({per_round} requests x {rounds} rounds, median)")
    print(f"{'page':<28} {'path':<30} {'CPU ms':>8} {'ratio':>7}")
    for name, path in paths:
        print(f"{name:<28} {path:<30} {medians[name]:>8.2f} {medians[name] / floor:>7.1f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a few requests per page (CI)")
    parser.add_argument(
        "--requests", type=int, default=50, help="timed requests per page, in 5 rounds"
    )
    parser.add_argument("--profile", type=int, metavar="STEP", help="cProfile this step's page")
    parser.add_argument("--html", type=Path, metavar="DIR", help="write the pages' HTML to DIR")
    parser.add_argument("--language", default="en", help="the patient's language (en, es)")
    parser.add_argument(
        "--server", action="store_true", help="through gunicorn: the worker's CPU per request"
    )
    args = parser.parse_args()
    requests, rounds, warm_up = (args.requests, 5, 5) if not args.smoke else (3, 1, 1)
    if args.server:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atrophy_site.settings")
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
        import django

        django.setup()  # the step list only; the server has its own database
        return measure_server(args, requests, rounds, warm_up)

    for key, value in PRODUCTION_ENVIRONMENT.items():
        os.environ[key] = value
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atrophy_site.settings")
    import django
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    django.setup()
    if settings.DEBUG:
        raise RuntimeError("DEBUG is on: the numbers would not be production's")
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        client, submission = signed_in_client(args.language)
        paths = pages()
        if args.html:
            write_html(client, submission, args.html, args.language)
            return 0
        if args.profile:
            name, path = step_pages()[args.profile - 1]
            for _ in range(warm_up):
                get(client, path)
            print(f"{name}: {path}")
            print(profile(client, path, requests))
            return 0
        for _name, path in paths:
            for _ in range(warm_up):
                get(client, path)
        times = measure(client, paths, requests, rounds)
        counts = counts_of(client, paths)
    finally:
        teardown_databases(databases, verbosity=0)

    medians = {name: statistics.median(values) for name, values in times.items()}
    floor = medians["health"] or 1.0
    print(f"{machine_description()}; DEBUG off; {settings.DATABASES['default']['ENGINE']}")
    print(f"CPU ms per request, median of {len(times['health'])} (this process, test client)")
    print(f"{'page':<28} {'path':<30} {'CPU ms':>8} {'ratio':>7} {'queries':>8} {'templates':>9}")
    for name, path in paths:
        print(
            f"{name:<28} {path:<30} {medians[name]:>8.2f} "
            f"{medians[name] / floor:>7.1f} {counts[name][0]:>8} {counts[name][1]:>9}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
