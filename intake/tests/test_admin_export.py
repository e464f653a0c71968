"""CSV export: one row per submission, repeating groups summarised, spreadsheet-safe, streamed."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.export import csv_lines, csv_safe, header_row
from intake.models import IntakeSubmission
from intake.tests.factories import IntakeSubmissionFactory, MedicineFactory
from tests.staff import make_staff_user, sign_in_verified

pytestmark = pytest.mark.django_db


def export(client, submissions):
    response = client.post(
        reverse("admin:intake_intakesubmission_changelist"),
        {"action": "export_csv", "_selected_action": [s.pk for s in submissions]},
    )
    return response


def read_csv(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def exporter_client(client):
    user = make_staff_user("records")
    user.user_permissions.add(Permission.objects.get(codename="export_intakesubmission"))
    return sign_in_verified(client, user)


def test_export_is_a_streamed_csv_download(exporter_client):
    submission = IntakeSubmissionFactory(sent=True)
    response = export(exporter_client, [submission])
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="visit-forms-')


def test_export_has_one_row_per_submission_with_rows_summarised(exporter_client):
    first = IntakeSubmissionFactory(
        sent=True,
        full_name="Ada Lovelace",
        urgent=True,
        weakness_regions=["hips_thighs", "shoulders_upper_arms"],  # as asked before the body map
        weakness_side="left",
    )
    second = IntakeSubmissionFactory(sent=True, full_name="Grace Hopper")
    medicines = [m.name for m in first.medicines.all()]

    rows = read_csv(export(exporter_client, [first, second]))

    assert sorted(row["Reference code"] for row in rows) == sorted(
        [first.reference, second.reference]
    )
    by_name = {row["Full name"]: row for row in rows}
    ada = by_name["Ada Lovelace"]
    assert ada["Urgency"] == "Emergency now"
    assert ada["Urgent signs"].startswith("Sudden-onset weakness (minutes to hours), left-sided;")
    assert by_name["Grace Hopper"]["Urgency"] == "Bring to the appointment"
    assert by_name["Grace Hopper"]["Urgent signs"] == ""
    assert ada["Phone number"] == "'+1 201-555-0123"  # a leading + is made inert for spreadsheets
    assert ada["SARC-F total"] == "3"
    assert ada["Date of birth"] == "1948-07-02"
    assert ada["Where the weakness is, and how weak"] == (
        "Face, eyes or mouth (a little); Left upper arm (quite a lot); "
        "Left hand (cannot move it); Left hip or thigh (quite a lot)"
    )
    # Asked before the body map: forms that hold them keep their columns.
    assert ada["Where the weakness is (older forms)"] == "Hips or thighs; Shoulders or upper arms"
    assert ada["Which side (older forms)"] == "Left side"
    for name in medicines:
        assert name in ada["Medicines"]
    assert ada["Medicines"].count(" | ") == 1
    assert "Fell on ice" in ada["Injuries"] and "still troubling:" in ada["Injuries"]
    assert "MRI scan, when: 2023, where: City Hospital" in ada["Tests already done"]
    assert "started (month): 2025-03" in ada["Medicines"]
    assert set(rows[0]) == set(header_row())


def test_export_cells_cannot_run_as_spreadsheet_formulas(exporter_client):
    submission = IntakeSubmissionFactory(
        sent=True, full_name='=HYPERLINK("http://evil","x")', allergies="+1 peanuts"
    )
    submission.medicines.all().delete()
    MedicineFactory(
        submission=submission, name="@SUM(A1)", dose="-5 mg", frequency="daily", started=None
    )

    row = read_csv(export(exporter_client, [submission]))[0]

    assert row["Full name"] == '\'=HYPERLINK("http://evil","x")'
    assert row["Allergies"] == "'+1 peanuts"
    assert row["Medicines"] == "'@SUM(A1), dose: -5 mg, how often: daily"


@pytest.mark.parametrize(
    ("typed", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("-2", "'-2"),
        ("+3", "'+3"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("Ada", "Ada"),
        ("", ""),
    ],
)
def test_csv_safe(typed, safe):
    assert csv_safe(typed) == safe


def test_export_reads_the_database_a_chunk_at_a_time():
    for _ in range(5):
        IntakeSubmissionFactory(sent=True)
    lines = csv_lines(IntakeSubmission.objects.sent().order_by("pk"), chunk_size=2)

    with CaptureQueriesContext(connection) as before_reading:
        next(lines)  # the header needs no query
    assert len(before_reading) == 0

    with CaptureQueriesContext(connection) as first_chunk:
        next(lines)  # the one query over submissions, and the first chunk's three kinds of row
    assert len(first_chunk) == 4

    with CaptureQueriesContext(connection) as rest:
        remaining = list(lines)
    assert len(remaining) == 4
    assert len(rest) == 6  # three per further chunk of two, never a query per submission


def test_only_sent_submissions_are_exported(exporter_client):
    draft = IntakeSubmissionFactory(full_name="Still Typing")
    sent = IntakeSubmissionFactory(sent=True)
    rows = read_csv(export(exporter_client, [draft, sent]))
    assert [row["Reference code"] for row in rows] == [sent.reference]


def test_superusers_can_export(client):
    sign_in_verified(client, make_staff_user("boss", superuser=True))
    submission = IntakeSubmissionFactory(sent=True)
    assert len(read_csv(export(client, [submission]))) == 1
