"""The queue and its searches stay fast at 100,000 forms (issue 18): every query an index can serve.

On PostgreSQL, each page's queries are taken from a real request (the test client) and EXPLAINed
with sequential scans switched off (`enable_seqscan = off`), and sorts too where the queue's order
should come from an index (`enable_sort = off`). A switched-off plan is still chosen when nothing
else can answer, so this asks exactly "can an index serve this query?", whatever the table's size;
with a test's few hundred rows the planner would rightly read the whole table instead. That the
indexes are chosen at size, unprompted, is what bench/scale.py measures (bench/RESULTS.md).

The behaviour tests (what a search finds, how many queries a page costs) run on both databases.
"""

import contextlib
import datetime
import secrets

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.admin import count_label, search_condition
from intake.models import IntakeSubmission, UrgencyTier
from intake.staff_review import QueueView, queue_counts
from intake.templatetags.queue_dates import months_between
from intake.tests.factories import IntakeSubmissionFactory
from intake.tokens import new_reference
from tests.staff import make_staff_user, sign_in_verified

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:intake_intakesubmission_changelist"
FORMS = "intake_intakesubmission"
Status = IntakeSubmission.Status

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="query plans and the trigram index are PostgreSQL's (SQLite searches names with LIKE)",
)


@pytest.fixture
def nurse_client(client):
    return sign_in_verified(client, make_staff_user("nurse"))


def sent(**kwargs):
    return IntakeSubmissionFactory(sent=True, **kwargs)


def listed(client, **params) -> set[str]:
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return {form.reference for form in response.context["cl"].result_list}


# --- What a search finds (both databases) ----------------------------------------------------


@pytest.mark.parametrize("typed", ["k7qp3mxd", "K7QP-3MXD", "k7qp 3mxd", " K7QP3MXD "])
def test_a_reference_code_is_found_typed_with_or_without_the_dash_in_any_case(nurse_client, typed):
    sent(reference="K7QP-3MXD", status=Status.ARCHIVED)
    sent(reference="K7QP-3MXE")
    assert listed(nurse_client, q=typed) == {"K7QP-3MXD"}


def test_a_date_of_birth_finds_that_date_exactly(nurse_client):
    match = sent(date_of_birth=datetime.date(1950, 3, 14))
    sent(date_of_birth=datetime.date(1950, 3, 15))
    sent(date_of_birth=datetime.date(1951, 3, 14), full_name="Born 14/03/1950 Tester")
    assert listed(nurse_client, q="14/03/1950") == {match.reference}
    assert listed(nurse_client, q="1950-03-14") == {match.reference}


def test_part_of_a_name_finds_it_in_any_case_and_word_order(nurse_client):
    ada = sent(full_name="Ada Lovelace")
    sent(full_name="Grace Hopper")
    assert listed(nurse_client, q="lovel") == {ada.reference}
    assert listed(nurse_client, q="LOVELACE ada") == {ada.reference}
    assert listed(nurse_client, q="Ada Hopper") == set()


def test_a_name_that_looks_like_a_reference_code_is_still_found_by_name(nurse_client):
    # Eight letters, all of the reference alphabet: searched as a code and as a name.
    annamary = sent(full_name="Annamary Okafor")
    assert listed(nurse_client, q="annamary") == {annamary.reference}


def test_an_empty_search_changes_nothing():
    assert search_condition("   ") is None


def test_a_search_costs_the_same_few_queries_whatever_the_number_of_forms(
    nurse_client, django_assert_max_num_queries
):
    sent(full_name="Ada Lovelace")
    nurse_client.get(reverse(CHANGELIST))  # the first request after sign-in saves the session
    for term in ("lovelace", "k7qp3mxd", "14/03/1950"):
        with django_assert_max_num_queries(12):
            nurse_client.get(reverse(CHANGELIST), {"q": term})
    IntakeSubmissionFactory.create_batch(5, sent=True, full_name="Ada Lovelace")
    with django_assert_max_num_queries(12):
        assert len(listed(nurse_client, q="lovelace")) == 6


# --- Counts that stop, dates from first to last ---------------------------------------------


def test_view_counts_stop_past_their_limit_and_say_so():
    for _ in range(4):
        sent()
    counts = queue_counts(IntakeSubmission.objects.sent(), today=timezone.localdate(), limit=2)
    assert counts[QueueView.ALL] == 3  # the limit and one more: "more than 2"
    assert count_label(counts[QueueView.ALL], limit=2) == "2+"
    assert count_label(1001) == "1,000+"
    assert count_label(1000) == "1000"


def test_the_date_hierarchy_lists_the_months_from_the_first_appointment_to_the_last(nurse_client):
    sent(appointment_date=datetime.date(2026, 3, 5))
    sent(appointment_date=datetime.date(2026, 6, 20))
    with CaptureQueriesContext(connection) as captured:
        page = nurse_client.get(reverse(CHANGELIST)).content.decode()
    for month in ("March 2026", "April 2026", "May 2026", "June 2026"):
        assert month in page
    assert "July 2026" not in page
    assert not [q for q in captured if "DISTINCT" in q["sql"]]  # no DISTINCT over the forms


def test_the_date_hierarchy_lists_years_then_a_years_months(nurse_client):
    sent(appointment_date=datetime.date(2024, 11, 5))
    sent(appointment_date=datetime.date(2026, 2, 20))
    page = nurse_client.get(reverse(CHANGELIST)).content.decode()
    assert all(f"appointment_date__year={year}" in page for year in (2024, 2025, 2026))
    page = nurse_client.get(reverse(CHANGELIST), {"appointment_date__year": "2024"})
    assert "November 2024" in page.content.decode()
    assert "October 2024" not in page.content.decode()
    days = nurse_client.get(
        reverse(CHANGELIST), {"appointment_date__year": "2024", "appointment_date__month": "11"}
    )
    assert "November 5" in days.content.decode() or "5 November" in days.content.decode()


def test_months_between_counts_both_ends():
    assert months_between(datetime.date(2025, 11, 30), datetime.date(2026, 1, 1)) == [
        datetime.date(2025, 11, 1),
        datetime.date(2025, 12, 1),
        datetime.date(2026, 1, 1),
    ]


# --- Every query an index can serve (PostgreSQL) ---------------------------------------------


@contextlib.contextmanager
def planner(*, sort: bool = True):
    """Plans chosen as if the table were large: no sequential scans (nor sorts, if asked)."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        if not sort:
            cursor.execute("SET enable_sort = off")
            cursor.execute("SET enable_incremental_sort = off")
        try:
            yield
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
            cursor.execute("RESET enable_incremental_sort")


def plan_of(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        return cursor.fetchone()[0][0]["Plan"]


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def describe(plan: dict, depth: int = 0) -> str:
    """The plan as EXPLAIN prints it, roughly, for assertion messages."""
    name = plan["Node Type"]
    on = plan.get("Index Name") or plan.get("Relation Name") or ""
    lines = ["  " * depth + f"{name} {on}".rstrip()]
    lines += [describe(child, depth + 1) for child in plan.get("Plans", [])]
    return "\n".join(lines)


def queries_of_page(client, **params) -> dict[str, str]:
    """The SQL a queue page runs on the forms' table, by what it is for."""
    client.get(reverse(CHANGELIST), params)  # sessions, caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(CHANGELIST), params).status_code == 200
    kinds = {}
    for query in captured:
        sql = query["sql"]
        if not sql.startswith("SELECT") or f'FROM "{FORMS}"' not in sql:
            continue
        if sql.startswith("SELECT (SELECT COUNT(*)"):
            kinds["view counts"] = sql
        elif 'COUNT(*) AS "__count"' in sql:
            kinds["count"] = sql
        elif "MIN(" in sql:
            kinds["first and last appointment"] = sql
        elif "DISTINCT" in sql:
            kinds["days"] = sql
        elif "ORDER BY" in sql:  # LIMIT 50 with more than a page of forms, else all of them
            kinds["page"] = sql
    assert {"view counts", "count", "page"} <= kinds.keys(), kinds.keys()
    return kinds


def assert_served_by_indexes(sql: str, *, expected: tuple[str, ...] = (), sort: bool = True):
    """No sequential scan of the forms, one of the `expected` indexes read; and with sort=False,
    the rows come in order from an index (no Sort node)."""
    with planner(sort=sort):
        plan = plan_of(sql)
    shown = describe(plan)
    for node in nodes(plan):
        assert not (node["Node Type"] == "Seq Scan" and node.get("Relation Name") == FORMS), shown
    if expected:
        assert set(expected) & {node.get("Index Name") for node in nodes(plan)}, shown
    if not sort:
        assert not {"Sort", "Incremental Sort"} & {node["Node Type"] for node in nodes(plan)}, shown
    return plan


@pytest.fixture
def thousands_of_forms():
    """Forms of every status, tier and appointment date, by one bulk insert (no rows): enough
    that a search's own index is worth more to the planner than reading all of them."""
    today = timezone.localdate()
    # As in a clinic: one in twenty waiting for review, most reviewed or archived.
    statuses = [Status.SENT, Status.DRAFT, *[Status.REVIEWED, Status.ARCHIVED] * 9]
    forms = []
    for n in range(3000):
        status = statuses[n % len(statuses)]
        forms.append(
            IntakeSubmission(
                reference=new_reference(),
                token_hash=secrets.token_hex(32),
                status=status,
                full_name=f"Patient {n} Surname{n % 50}",
                date_of_birth=datetime.date(1940, 1, 1) + datetime.timedelta(days=7 * n),
                appointment_date=today + datetime.timedelta(days=n % 60 - 30),
                sent_at=None if status == Status.DRAFT else timezone.now(),
                urgency_tier=(UrgencyTier.EMERGENCY if n % 7 == 0 else UrgencyTier.ROUTINE),
            )
        )
    IntakeSubmission.objects.bulk_create(forms)
    sent(
        full_name="Ada Lovelace",
        reference="K7QP-3MXD",
        date_of_birth=datetime.date(1950, 3, 14),
        mrn="H123456",
    )
    with connection.cursor() as cursor:
        # The bulk insert sits in the trigram index's pending list until a VACUUM (which cannot
        # run inside the test's transaction) moves it into the index; the planner prices a
        # search by the pending list's size and may then skip the index. Move it now, as the
        # server's autovacuum does in production.
        cursor.execute("SELECT gin_clean_pending_list('intake_full_name_trgm'::regclass)")
        cursor.execute(f"ANALYZE {FORMS}")


#: The queue's two indexes in its order: by status (one view's status), and of every sent form.
BY_STATUS, SENT_FORMS = ("intake_queue_by_status",), ("intake_queue_sent",)
EITHER_QUEUE_INDEX = BY_STATUS + SENT_FORMS
#: Equality on the reference: the unique constraint's index or Django's pattern-ops twin.
REFERENCE = (
    "intake_intakesubmission_reference_key",
    "intake_intakesubmission_reference_14729dd4_like",
)


@postgresql_only
@pytest.mark.parametrize(
    ("params", "ordered_by"),
    [
        ({}, BY_STATUS),  # the default view: needs review, most urgent first
        ({"view": "needs_review"}, BY_STATUS),
        ({"view": "reviewed"}, EITHER_QUEUE_INDEX),
        ({"view": "archived"}, EITHER_QUEUE_INDEX),
        ({"view": "all"}, SENT_FORMS),
        ({"urgency_tier__exact": "1"}, BY_STATUS),
        ({"view": "all", "urgency_tier__exact": "1"}, SENT_FORMS),
    ],
    ids=[
        "default",
        "needs_review",
        "reviewed",
        "archived",
        "all",
        "urgency_tier_1",
        "all_urgency_tier_1",
    ],
)
def test_the_queue_reads_a_page_in_order_from_an_index(
    nurse_client, thousands_of_forms, params, ordered_by
):
    queries = queries_of_page(nurse_client, **params)
    assert_served_by_indexes(queries["page"], expected=ordered_by, sort=False)
    assert_served_by_indexes(queries["count"])
    assert_served_by_indexes(queries["view counts"])
    assert_served_by_indexes(queries["first and last appointment"])


@postgresql_only
@pytest.mark.parametrize("view", ["today", "tomorrow"])
def test_todays_and_tomorrows_appointments_are_found_by_the_appointment_date_index(
    nurse_client, thousands_of_forms, view
):
    queries = queries_of_page(nurse_client, view=view)
    for kind in ("page", "count"):
        assert_served_by_indexes(queries[kind], expected=("intake_appointment_date",))


@postgresql_only
def test_the_appointment_date_filter_is_served_by_an_index(nurse_client, thousands_of_forms):
    today = timezone.localdate()
    queries = queries_of_page(
        nurse_client,
        view="all",
        appointment_date__gte=str(today),
        appointment_date__lt=str(today + datetime.timedelta(days=7)),
    )
    assert_served_by_indexes(
        queries["count"], expected=("intake_appointment_date", "intake_status_appointment")
    )
    assert_served_by_indexes(queries["page"])


@postgresql_only
def test_the_first_and_last_appointment_of_a_view_are_two_index_probes(
    nurse_client, thousands_of_forms
):
    queries = queries_of_page(nurse_client, view="reviewed")
    assert_served_by_indexes(
        queries["first and last appointment"], expected=("intake_status_appointment",)
    )


@postgresql_only
@pytest.mark.parametrize(
    ("term", "index"),
    [
        ("k7qp3mxd", REFERENCE),
        ("K7QP-3MXD", REFERENCE),
        ("k7qp 3mxd", REFERENCE),
        ("14/03/1950", ("intake_date_of_birth",)),
        ("1950-03-14", ("intake_date_of_birth",)),
        ("lovelace", ("intake_full_name_trgm",)),
        ("ada LOVEL", ("intake_full_name_trgm",)),
        ("H123456", ("intake_mrn",)),
    ],
)
def test_each_kind_of_search_reads_its_own_index(nurse_client, thousands_of_forms, term, index):
    queries = queries_of_page(nurse_client, q=term)
    for kind in ("page", "count"):
        assert_served_by_indexes(queries[kind], expected=index)
    assert_served_by_indexes(queries["first and last appointment"], expected=index)


@postgresql_only
def test_the_name_index_holds_what_djangos_icontains_compares():
    """Django writes icontains on PostgreSQL as UPPER("full_name"::text) LIKE UPPER(...): the
    trigram index must be on that very expression, or the planner cannot use it."""
    sql = str(IntakeSubmission.objects.filter(full_name__icontains="ada").query)
    assert f'UPPER("{FORMS}"."full_name"::text) LIKE UPPER(' in sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'intake_full_name_trgm'")
        (definition,) = cursor.fetchone()
    assert "USING gin (upper((full_name)::text) gin_trgm_ops)" in definition


@postgresql_only
def test_the_invitation_counts_above_the_queue_read_only_the_coming_appointments_by_index(
    nurse_client,
):
    """Years of invitations: the counts above the queue are of appointments today or later,
    found by the appointment index, never by reading every invitation."""
    from intake.invitations import InvitationDetails, invite

    for days in (-400, -30, 2, 9):
        invite(
            InvitationDetails(
                family_name=f"Patient{days}",
                date_of_birth=datetime.date(1950, 3, 14),
                appointment_at=timezone.now() + datetime.timedelta(days=days),
                email="patient@example.org",
            )
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE intake_invitation")
    nurse_client.get(reverse(CHANGELIST))
    with CaptureQueriesContext(connection) as captured:
        response = nurse_client.get(reverse(CHANGELIST))
    assert sum(count for _s, _l, count in response.context["status_counts"]) == 2
    (sql,) = [
        query["sql"]
        for query in captured
        if 'FROM "intake_invitation"' in query["sql"] and "COUNT(" in query["sql"]
    ]
    with planner():
        plan = plan_of(sql)
    shown = describe(plan)
    scanned = {node.get("Relation Name") for node in nodes(plan) if node["Node Type"] == "Seq Scan"}
    assert not scanned & {"intake_invitation", FORMS}, shown
    assert "intake_invitation_appointment" in {node.get("Index Name") for node in nodes(plan)}, (
        shown
    )
