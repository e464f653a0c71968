"""Exports past the immediate limit run in the worker and are downloaded by who asked for them."""

import csv
import datetime
import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake import export_jobs
from intake.models import Export, ExportPart, IntakeSubmission, StaffAccess
from intake.tests.factories import IntakeSubmissionFactory, MedicineFactory
from tests.staff import make_staff_user, sign_in_verified

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:intake_intakesubmission_changelist")
EXPORTS = reverse("admin:intake_export_changelist")


def staff_with(username: str, *codenames: str) -> Client:
    user = make_staff_user(username)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return sign_in_verified(Client(), user)


def select_all(client, action: str):
    return client.post(
        CHANGELIST + "?view=all",
        {
            "action": action,
            "select_across": "1",
            "index": "0",
            "_selected_action": list(IntakeSubmission.objects.values_list("pk", flat=True)),
        },
    )


def download(client, export: Export) -> bytes:
    response = client.get(reverse("admin:intake_export_download", args=[export.pk]))
    assert response.status_code == 200, response.status_code
    assert "no-store" in response["Cache-Control"]
    return b"".join(response.streaming_content)


@pytest.fixture
def forms(settings, monkeypatch):
    settings.INTAKE_EXPORT_AT_ONCE = 3
    # The selection is read a slice at a time (a database takes only so many parameters in one
    # query): three slices here, one header and one Bundle around them all.
    monkeypatch.setattr("intake.export_jobs.IDS_PER_QUERY", 3)
    sent = [IntakeSubmissionFactory(sent=True) for _ in range(7)]
    MedicineFactory(submission=sent[0], name="Atorvastatin")
    IntakeSubmissionFactory()  # a draft: never exported
    return sent


def test_a_csv_export_past_the_limit_runs_in_the_worker_and_downloads_whole(forms, run_tasks):
    records = staff_with("records", "export_intakesubmission")
    started = select_all(records, "export_csv")
    assert started.status_code == 302 and started.url == EXPORTS
    export = Export.objects.get()
    assert (export.kind, export.status, export.total) == ("csv", "queued", 7)
    listing = records.get(EXPORTS).content.decode()
    assert 'http-equiv="refresh"' in listing  # progress shows itself while it runs
    run_tasks()
    export.refresh_from_db()
    assert (export.status, export.done) == ("done", 7)
    text = download(records, export).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert text.count("Reference code") == 1
    assert len(rows) == 7
    assert {row["Reference code"] for row in rows} == {form.reference for form in forms}
    assert "Atorvastatin" in text  # with each form's rows, as in the direct download
    assert 'http-equiv="refresh"' not in records.get(EXPORTS).content.decode()
    assert StaffAccess.objects.filter(action="export_csv", form_count=7).exists()


def test_another_member_of_staff_cannot_download_it(forms, run_tasks):
    records = staff_with("records", "export_intakesubmission")
    select_all(records, "export_csv")
    run_tasks()
    export = Export.objects.get()
    colleague = staff_with("colleague", "export_intakesubmission")
    assert (
        colleague.get(reverse("admin:intake_export_download", args=[export.pk])).status_code == 403
    )
    assert 'id="result_list"' not in colleague.get(EXPORTS).content.decode()  # not listed
    boss = sign_in_verified(Client(), make_staff_user("boss", superuser=True))
    assert len(download(boss, export)) == export.size


def test_a_small_selection_still_downloads_at_once(forms):
    records = staff_with("records", "export_intakesubmission")
    response = records.post(
        CHANGELIST + "?view=all",
        {"action": "export_csv", "_selected_action": [form.pk for form in forms[:3]]},
    )
    assert response["Content-Type"].startswith("text/csv")
    assert not Export.objects.exists()


def test_a_fhir_export_past_the_limit_is_a_complete_bundle(forms, run_tasks):
    records = staff_with("records", "export_fhir_intakesubmission")
    select_all(records, "download_fhir")
    run_tasks()
    export = Export.objects.get(kind="fhir")
    bundle = json.loads(download(records, export))
    responses = [
        e for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    assert len(responses) == 7 and bundle["type"] == "collection"
    assert len({e["resource"]["id"] for e in responses}) == 7
    export.refresh_from_db()
    assert export.done == 7


def test_queries_grow_with_batches_not_with_forms(settings, run_tasks):
    settings.INTAKE_EXPORT_AT_ONCE = 1
    user = make_staff_user("records")

    def queries_for(count: int) -> int:
        IntakeSubmission.objects.all().delete()
        for _ in range(count):
            form = IntakeSubmissionFactory(sent=True)
            MedicineFactory(submission=form)
        export = export_jobs.start_export(
            kind="csv", queryset=IntakeSubmission.objects.all(), user=user
        )
        with CaptureQueriesContext(connection) as captured:
            export_jobs.run_export(export.pk)
        return len(captured)

    assert queries_for(5) == queries_for(40)  # both one batch of EXPORT_CHUNK_SIZE (200)


def test_a_failed_export_says_so_and_keeps_no_half_file(forms, monkeypatch, run_tasks):
    records = staff_with("records", "export_intakesubmission")
    select_all(records, "export_csv")

    def broken(*args, **kwargs):
        yield "reference\n"
        raise RuntimeError("disk full")

    monkeypatch.setattr("intake.export.csv_lines", broken)
    run_tasks()
    export = Export.objects.get()
    assert export.status == "failed" and "Try again" in export.error
    assert not ExportPart.objects.exists()
    assert "Failed" in records.get(EXPORTS).content.decode()
    assert records.get(reverse("admin:intake_export_download", args=[export.pk])).status_code == 404


def test_an_export_expires_after_a_day_and_the_cleanup_removes_it(forms, run_tasks):
    records = staff_with("records", "export_intakesubmission")
    select_all(records, "export_csv")
    run_tasks()
    export = Export.objects.get()
    Export.objects.filter(pk=export.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert records.get(reverse("admin:intake_export_download", args=[export.pk])).status_code == 404
    assert export_jobs.purge_expired_exports() == 1
    assert not ExportPart.objects.exists()


def test_staff_without_an_export_permission_see_no_exports(forms):
    nurse = sign_in_verified(Client(), make_staff_user("nurse"))
    assert nurse.get(EXPORTS).status_code == 403
