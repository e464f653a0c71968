"""Staff opening a summary is logged: who viewed which reference, and when."""

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.audit import record_summary_view
from intake.models import SummaryView
from intake.tests.factories import IntakeSubmissionFactory
from tests.staff import make_staff_user, sign_in_verified

pytestmark = pytest.mark.django_db


def test_opening_a_summary_records_who_which_reference_and_when():
    nurse = make_staff_user("nurse")
    submission = IntakeSubmissionFactory(sent=True)
    before = timezone.now()

    record_summary_view(user=nurse, submission=submission)

    view = SummaryView.objects.get()
    assert (view.viewed_by, view.username) == (nurse, "nurse")
    assert (view.submission, view.reference) == (submission, submission.reference)
    assert view.viewed_at >= before


def test_the_log_outlives_the_account_and_the_submission():
    nurse = make_staff_user("nurse")
    submission = IntakeSubmissionFactory(sent=True)
    record_summary_view(user=nurse, submission=submission)
    reference = submission.reference

    nurse.delete()
    submission.delete()

    view = SummaryView.objects.get()
    assert (view.viewed_by, view.submission) == (None, None)
    assert (view.username, view.reference) == ("nurse", reference)


def test_superusers_read_the_log_and_no_one_edits_it(client):
    sign_in_verified(client, make_staff_user("boss", superuser=True))
    submission = IntakeSubmissionFactory(sent=True)
    record_summary_view(user=make_staff_user("nurse"), submission=submission)
    view = SummaryView.objects.get()

    listing = client.get(reverse("admin:intake_summaryview_changelist"))
    assert submission.reference in listing.content.decode()
    change = reverse("admin:intake_summaryview_change", args=[view.pk])
    client.post(change, {"username": "someone else"})
    delete = reverse("admin:intake_summaryview_delete", args=[view.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    view.refresh_from_db()
    assert view.username == "nurse"
