"""Data-scale benchmark: the staff queue, its views, filters and searches, a form's page and the
staff summary with 1,000, 10,000 and 100,000 sent forms.

Builds the forms, each with two medicines, two injuries and three tests, by bulk inserts into a
database of its own (PostgreSQL `atrophy_scale`, dropped and created by this script), grows it to
each size in turn, analyses it (as autovacuum would), then requests every page in this process
through Django's test client as a superuser signed in with the second factor, and prints for
each page the SQL time (the sum of its queries' times, timed around each query; the median and
the best of seven requests after one to warm up: on a shared machine the median carries other
jobs' noise, the best is what the queries cost) and the number of queries.

    .venv/bin/python bench/scale.py                          # 1k, 10k, 100k (a few minutes)
    .venv/bin/python bench/scale.py --sizes 1000,20000
    .venv/bin/python bench/scale.py --smoke                  # 200 forms, a few seconds (CI)
    .venv/bin/python bench/scale.py --slowest                # also each page's slowest query
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/atrophy_scale_ci \
        .venv/bin/python bench/scale.py --smoke
    .venv/bin/python bench/scale.py --sqlite --sizes 1000    # a temporary SQLite file instead

The database is thrown away: only names starting with `atrophy_scale` are accepted. SQLite is
the fallback for small sites, not what 100,000 forms run on: it is refused above 10,000 forms
unless `--allow-large-sqlite` says otherwise.

The forms look like a clinic's after a few years: appointments from three years ago to a month
ahead (one in ten without a date), most past forms reviewed or archived, those still to come
waiting for review ("needs review" is a few per cent of the table), 2% urgency tier 1 and 8%
tier 2, one in ten a returning patient's (same name and date of birth), and 2% unsent drafts.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent))

from common import machine_description, server_environment  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/atrophy_scale"
SQLITE_LIMIT = 10_000
RUNS = 7
BATCH = 2_000


# --- The throwaway database ---------------------------------------------------------------------


def database_url(args, folder: Path) -> str:
    if args.sqlite:
        return f"sqlite:///{folder / 'scale.sqlite3'}"
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    scheme = urllib.parse.urlparse(url).scheme
    if not scheme.startswith("postgres"):
        sys.exit("bench/scale.py: DATABASE_URL must be PostgreSQL (or pass --sqlite).")
    name = urllib.parse.urlparse(url).path.lstrip("/")
    if not name.startswith("atrophy_scale"):
        sys.exit(f"bench/scale.py drops and creates its database: {name!r} is not atrophy_scale*.")
    return url


def recreate_postgres_database(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    server = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as conn:
        # The name is checked above (atrophy_scale*), never typed by a user of the site.
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def set_up_django(url: str, data_dir: Path) -> None:
    """Production-like settings (DEBUG off), our database, then Django and its tables."""
    os.environ.update(server_environment(url, data_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atrophy_site.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host and in-memory email
    call_command("migrate", "--noinput", verbosity=0)


# --- The forms ----------------------------------------------------------------------------------


def answer_templates() -> dict[int, dict]:
    """The answers of a typical form for each urgency tier, as column values to copy."""
    from intake.staff_review import refresh_review_flags
    from intake.tests.factories import IntakeSubmissionFactory

    traits = {1: {"urgent": True}, 2: {"call_today": True}, 3: {}}
    templates = {}
    for tier, trait in traits.items():
        form = IntakeSubmissionFactory.build(sent=True, **trait)
        refresh_review_flags(form)
        if form.urgency_tier != tier:
            raise RuntimeError(f"answer template for tier {tier} gives {form.urgency_tier}")
        templates[tier] = {
            f.attname: getattr(form, f.attname)
            for f in form._meta.concrete_fields
            if not f.primary_key
        }
    return templates


@dataclass
class Forms:
    """Grows the table: `add(count)` appends sent forms (and 2% drafts) with their rows."""

    # The same forms on every run (seeded), for comparable runs; nothing secret is drawn here.
    rng: random.Random = field(default_factory=lambda: random.Random(18))  # noqa: S311 # nosec B311
    added: int = 0
    #: (given names, family name, date of birth) of each patient so far.
    patients: list[tuple[str, str, datetime.date]] = field(default_factory=list)
    references: set[str] = field(default_factory=set)
    templates: dict[int, dict] = field(default_factory=answer_templates)
    faker: object = None

    def __post_init__(self):
        from faker import Faker

        self.faker = Faker("en_GB")
        self.faker.seed_instance(18)
        self.today = datetime.date.today()

    def reference(self) -> str:
        from intake.tokens import new_reference

        while (code := new_reference()) in self.references:
            pass
        self.references.add(code)
        return code

    def one(self, number: int):
        from django.utils import timezone

        from intake.models import IntakeSubmission, full_name_from_parts

        rng = self.rng
        Status = IntakeSubmission.Status
        draw = rng.random()
        tier = 1 if draw < 0.02 else 2 if draw < 0.10 else 3
        values = dict(self.templates[tier])
        if self.patients and rng.random() < 0.10:
            given, family, born = rng.choice(self.patients)  # a returning patient
        else:
            given, family = self.faker.first_name(), self.faker.last_name()
            born = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(16_000))
            self.patients.append((given, family, born))
        appointment = None
        if rng.random() >= 0.10:
            appointment = self.today + datetime.timedelta(days=rng.randint(-3 * 365, 30))
        day = appointment or self.today - datetime.timedelta(days=rng.randint(0, 3 * 365))
        sent_at = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(9))
            - datetime.timedelta(days=rng.randint(1, 20), minutes=rng.randrange(600))
        )
        age = (self.today - day).days
        if rng.random() < 0.02:
            status = Status.DRAFT
        elif age < 3:
            status = Status.SENT if rng.random() < 0.8 else Status.REVIEWED
        elif age < 180:
            status = Status.SENT if rng.random() < 0.02 else Status.REVIEWED
        else:
            status = Status.ARCHIVED if rng.random() < 0.7 else Status.REVIEWED
        sarc_f = rng.random()
        if sarc_f < 0.10:
            values.update(sarc_f_falls=None, sarc_f_total=None)
        elif sarc_f < 0.40:
            values.update(sarc_f_strength=2, sarc_f_walking=1, sarc_f_chair=1, sarc_f_stairs=2)
            values.update(sarc_f_total=6)
        values.update(
            reference=self.reference(),
            token_hash=hashlib.sha256(f"scale-{number}".encode()).hexdigest(),
            status=status,
            # bulk_create does not call save(): the full name is made here, as save() would.
            given_names=given,
            family_name=family,
            full_name=full_name_from_parts(given, family),
            date_of_birth=born,
            appointment_date=appointment,
            language="es" if rng.random() < 0.15 else "en",
            sent_at=None if status == Status.DRAFT else sent_at,
            consent_given_at=None if status == Status.DRAFT else sent_at,
            reviewed_at=sent_at + datetime.timedelta(days=1) if status == Status.REVIEWED else None,
            archived_at=sent_at + datetime.timedelta(days=30)
            if status == Status.ARCHIVED
            else None,
        )
        return IntakeSubmission(**values)

    def add(self, count: int) -> None:
        from django.db import transaction

        from intake.models import Injury, IntakeSubmission, Medicine, TestDone
        from intake.tests.factories import COMPLETE_INJURIES, COMPLETE_MEDICINES

        for start in range(0, count, BATCH):
            forms = [self.one(self.added + n) for n in range(start, min(count, start + BATCH))]
            with transaction.atomic():
                forms = IntakeSubmission.objects.bulk_create(forms)
                medicines, injuries, tests = [], [], []
                for form in forms:
                    for position, (name, dose, often, started) in enumerate(COMPLETE_MEDICINES):
                        medicines.append(
                            Medicine(
                                submission=form,
                                position=position,
                                name=name,
                                dose=dose,
                                frequency=often,
                                started=started,
                            )
                        )
                    for position, injury in enumerate(COMPLETE_INJURIES):
                        injuries.append(Injury(submission=form, position=position, **injury))
                    for position, kind in enumerate(("blood", "mri", "emg")):
                        tests.append(
                            TestDone(
                                submission=form,
                                position=position,
                                test_type=kind,
                                done="yes",
                                when="March 2024",
                                where="City Hospital",
                            )
                        )
                Medicine.objects.bulk_create(medicines)
                Injury.objects.bulk_create(injuries)
                TestDone.objects.bulk_create(tests)
        self.added += count


def analyse() -> None:
    """Fresh planner statistics and visibility map, as autovacuum keeps them on a live site."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


# --- The pages ----------------------------------------------------------------------------------


@dataclass
class Measured:
    sql_ms: float  # the median run's
    queries: int
    page_ms: float
    slowest: tuple[float, str]
    best_ms: float = 0.0  # the fastest run's: what the queries cost on a quiet machine


class QueryTimer:
    """Times every query the connection runs (perf_counter around each execute)."""

    def __init__(self):
        self.times: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.times.append((time.perf_counter() - started, sql))


def measure(client, url: str, params: dict) -> Measured:
    from django.db import connection

    warm = client.get(url, params)  # warm: sessions, caches, plans
    if warm.status_code != 200:
        raise RuntimeError(f"{url} {params} answered {warm.status_code}")
    runs = []
    for _run in range(RUNS):
        timer = QueryTimer()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            response = client.get(url, params)
        page = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{url} {params} answered {response.status_code}")
        runs.append(
            Measured(
                sql_ms=sum(t for t, _sql in timer.times) * 1000,
                queries=len(timer.times),
                page_ms=page * 1000,
                slowest=max(timer.times) if timer.times else (0.0, ""),
            )
        )
    middle = sorted(runs, key=lambda m: m.sql_ms)[len(runs) // 2]
    middle.page_ms = statistics.median(m.page_ms for m in runs)
    middle.best_ms = min(m.sql_ms for m in runs)
    return middle


def pages() -> list[tuple[str, str, dict]]:
    """(label, url, query parameters) of every page measured; the forms searched for exist."""
    from django.urls import reverse

    from intake.models import IntakeSubmission

    queue = reverse("admin:intake_intakesubmission_changelist")
    today = datetime.date.today()
    one = datetime.timedelta(days=1)
    # A returning patient: a surname and a date of birth that are in the table.
    patient = IntakeSubmission.objects.sent().exclude(full_name="").order_by("pk").first()
    surname = patient.family_name or patient.full_name.split()[-1]
    typed_reference = patient.reference.replace("-", "").lower()
    return [
        ("queue (needs review)", queue, {}),
        ("view: today's appointments", queue, {"view": "today"}),
        ("view: tomorrow's appointments", queue, {"view": "tomorrow"}),
        ("view: reviewed", queue, {"view": "reviewed"}),
        ("view: archived", queue, {"view": "archived"}),
        ("view: all forms", queue, {"view": "all"}),
        ("filter: urgency tier 1", queue, {"urgency_tier__exact": "1"}),
        (
            "filter: appointment today",
            queue,
            {"appointment_date__gte": str(today), "appointment_date__lt": str(today + one)},
        ),
        (
            "filter: appointment past 7 days",
            queue,
            {
                "appointment_date__gte": str(today - 7 * one),
                "appointment_date__lt": str(today + one),
            },
        ),
        ("filter: SARC-F positive", queue, {"sarc_f": "positive"}),
        ("filter: language Spanish", queue, {"language__exact": "es"}),
        ("filter: urgency 1, all forms", queue, {"view": "all", "urgency_tier__exact": "1"}),
        (f"search: name ({surname})", queue, {"q": surname}),
        (f"search: reference ({typed_reference})", queue, {"q": typed_reference}),
        (
            f"search: date of birth ({patient.date_of_birth:%d/%m/%Y})",
            queue,
            {"q": f"{patient.date_of_birth:%d/%m/%Y}"},
        ),
        (
            "form page",
            reverse("admin:intake_intakesubmission_change", args=[patient.pk]),
            {},
        ),
        (
            "staff summary",
            reverse("intake:staff_summary", kwargs={"reference": patient.reference}),
            {},
        ),
    ]


def signed_in_client():
    from django.test import Client, override_settings

    from tests.staff import make_staff_user, sign_in_verified

    # Static file names without the collected manifest: not what is measured here.
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    user = make_staff_user("scale-admin", superuser=True)
    return sign_in_verified(Client(), user)


# --- Main ---------------------------------------------------------------------------------------


def print_table(sizes: list[int], results: dict[str, dict[int, Measured]]) -> None:
    head = " | ".join(f"{size:,} forms" for size in sizes)
    print(f"| page | {head} |")
    print("| --- |" + " ---: |" * len(sizes))
    for label, by_size in results.items():
        cells = " | ".join(
            f"{m.sql_ms:.1f} / {m.best_ms:.1f} ({m.queries})"
            for m in (by_size[size] for size in sizes)
        )
        print(f"| {label} | {cells} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated")
    parser.add_argument("--smoke", action="store_true", help="200 forms, a few seconds (CI)")
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file")
    parser.add_argument("--allow-large-sqlite", action="store_true")
    parser.add_argument("--slowest", action="store_true", help="print each page's slowest query")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--export", action="store_true", help="also time a background export of every form"
    )
    args = parser.parse_args()
    sizes = [200] if args.smoke else sorted(int(s) for s in args.sizes.split(","))
    if args.sqlite and max(sizes) > SQLITE_LIMIT and not args.allow_large_sqlite:
        sys.exit(f"SQLite above {SQLITE_LIMIT:,} forms: pass --allow-large-sqlite to insist.")

    with tempfile.TemporaryDirectory(prefix="atrophy-scale-") as folder:
        url = database_url(args, Path(folder))
        postgres = url.startswith("postgres")
        if postgres:
            recreate_postgres_database(url)
        try:
            set_up_django(url, Path(folder))
            run(sizes, slowest=args.slowest)
            if args.export:
                export_everything()
        finally:
            from django.db import connections

            connections.close_all()
            if postgres and not args.keep:
                recreate_postgres_database(url, drop_only=True)
    return 0


def run(sizes: list[int], *, slowest: bool) -> None:
    """Grow the table to each size in turn, measure every page, print the table."""
    from django.db import connection

    client = signed_in_client()
    forms = Forms()
    results: dict[str, dict[int, Measured]] = {}
    for size in sizes:
        started = time.perf_counter()
        forms.add(size - forms.added)
        analyse()
        print(f"{size:,} forms built in {time.perf_counter() - started:.0f} s", flush=True)
        for label, url, params in pages():
            measured = measure(client, url, params)
            # Searched names and dates differ by size; keep one row per kind of page.
            key = label.split(" (")[0] if label.startswith("search") else label
            results.setdefault(key, {})[size] = measured
            line = (
                f"  {label:<44} SQL {measured.sql_ms:7.1f} ms (best {measured.best_ms:5.1f})"
                f"  {measured.queries:3d} queries"
            )
            print(f"{line}  page {measured.page_ms:7.1f} ms", flush=True)
            if slowest:
                seconds, sql = measured.slowest
                print(f"      slowest {seconds * 1000:.1f} ms: {sql[:400]}")
    print()
    print(f"Machine: {machine_description()}; {connection.vendor} {server_version()}.")
    print(f"SQL ms: median / best of {RUNS} requests after a warm-up (queries per page).\n")
    print_table(sizes, results)


def export_everything() -> None:
    """Time the background export (intake/export_jobs.py) of every sent form, CSV and FHIR:
    seconds, forms a second, file size and queries (they must grow with batches, not forms)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from intake import export_jobs
    from intake.models import Export, IntakeSubmission

    user = get_user_model().objects.get(username="scale-admin")
    print()
    for kind in (Export.Kind.CSV, Export.Kind.FHIR):
        export = export_jobs.start_export(
            kind=kind, queryset=IntakeSubmission.objects.all(), user=user
        )
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            status = export_jobs.run_export(export.pk)
        seconds = time.perf_counter() - started
        export.refresh_from_db()
        print(
            f"export {kind}: {status}, {export.total:,} forms in {seconds:.0f} s "
            f"({export.total / seconds:,.0f} forms/s), {export.size / 1e6:,.0f} MB, "
            f"{len(captured)} queries",
            flush=True,
        )
        export.delete()


def server_version() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        major, minor = divmod(connection.pg_version, 10000)
        return f"{major}.{minor}"
    import sqlite3

    return sqlite3.sqlite_version


if __name__ == "__main__":
    sys.exit(main())
