"""Retention: purge removes expired drafts and old archived forms, or only says so."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from intake.models import IntakeSubmission, Medicine, StaffAccess
from intake.tests.factories import IntakeSubmissionFactory

pytestmark = pytest.mark.django_db

Status = IntakeSubmission.Status


def _purge(*args) -> str:
    out = StringIO()
    call_command("purge", *args, stdout=out)
    return out.getvalue()


def _ago(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def forms(settings):
    settings.INTAKE_DRAFT_DAYS = 30
    expired = IntakeSubmissionFactory()
    IntakeSubmission.objects.filter(pk=expired.pk).update(updated_at=_ago(31))
    fresh_draft = IntakeSubmissionFactory()
    old_archived = IntakeSubmissionFactory(sent=True)
    old_archived.status, old_archived.archived_at = Status.ARCHIVED, _ago(400)
    old_archived.save()
    new_archived = IntakeSubmissionFactory(sent=True)
    new_archived.status, new_archived.archived_at = Status.ARCHIVED, _ago(10)
    new_archived.save()
    old_sent = IntakeSubmissionFactory(sent=True, sent_at=_ago(900))
    old_reviewed = IntakeSubmissionFactory(sent=True, status=Status.REVIEWED, sent_at=_ago(900))
    return {
        "expired": expired,
        "fresh_draft": fresh_draft,
        "old_archived": old_archived,
        "new_archived": new_archived,
        "old_sent": old_sent,
        "old_reviewed": old_reviewed,
    }


def _left(forms):
    kept = set(IntakeSubmission.objects.values_list("pk", flat=True))
    return {name for name, form in forms.items() if form.pk in kept}


def test_dry_run_lists_what_would_go_and_deletes_nothing(forms):
    output = _purge("--archived-older-than", "365", "--dry-run")
    assert _left(forms) == set(forms)
    assert "Would remove 1 expired draft(s)" in output
    reference = forms["old_archived"].reference
    assert (
        f"Would remove 1 archived submission(s) archived more than 365 days ago: {reference}"
        in (output)
    )


def test_purge_removes_expired_drafts_and_old_archived_forms_only(forms):
    output = _purge("--archived-older-than", "365")
    assert _left(forms) == {"fresh_draft", "new_archived", "old_sent", "old_reviewed"}
    assert "Removed 1 expired draft(s)" in output
    assert forms["old_archived"].reference in output
    assert forms["old_archived"].full_name not in output


def test_without_an_age_archived_forms_are_kept(forms):
    output = _purge()
    assert _left(forms) == {
        "fresh_draft",
        "old_archived",
        "new_archived",
        "old_sent",
        "old_reviewed",
    }
    assert "Archived submissions kept" in output


def test_purge_takes_rows_and_change_history_with_it(forms):
    old = forms["old_archived"]
    StaffAccess.objects.create(submission=old, references=old.reference, username="nurse")
    assert old.history.exists()
    history_model = IntakeSubmission.history.model
    medicine_history = Medicine.history.model

    _purge("--archived-older-than", "365")

    assert not Medicine.objects.filter(submission_id=old.pk).exists()
    assert not history_model.objects.filter(id=old.pk).exists()
    assert not medicine_history.objects.filter(submission_id=old.pk).exists()
    # The log of who viewed it keeps only the reference.
    view = StaffAccess.objects.get(references=old.reference)
    assert view.submission is None


def test_an_age_below_one_day_is_refused(forms):
    with pytest.raises(CommandError):
        _purge("--archived-older-than", "0")


def test_the_daily_cleanup_removes_old_archived_forms_only_when_the_clinic_says_how_old(
    forms, settings
):
    call_command("daily_cleanup", "--now", stdout=StringIO())
    assert IntakeSubmission.objects.filter(pk=forms["old_archived"].pk).exists()
    settings.INTAKE_ARCHIVED_KEEP_DAYS = 365
    call_command("daily_cleanup", "--now", stdout=StringIO())
    assert not IntakeSubmission.objects.filter(pk=forms["old_archived"].pk).exists()
    assert IntakeSubmission.objects.filter(pk=forms["new_archived"].pk).exists()


def test_an_invited_draft_is_kept_until_the_day_after_its_appointment(settings):
    from intake.invitations import InvitationDetails, invite

    settings.INTAKE_DRAFT_DAYS = 30
    appointment = timezone.now() + datetime.timedelta(days=60)
    invited = invite(
        InvitationDetails(
            full_name="Ann Example",
            date_of_birth=datetime.date(1950, 3, 14),
            appointment_at=appointment,
            email="ann@example.org",
        )
    ).submission
    IntakeSubmission.objects.filter(pk=invited.pk).update(updated_at=_ago(45))
    _purge()
    assert IntakeSubmission.objects.filter(pk=invited.pk).exists()  # the visit is to come
    IntakeSubmission.objects.filter(pk=invited.pk).update(
        keep_until=timezone.now() - datetime.timedelta(hours=1)
    )
    _purge()
    assert not IntakeSubmission.objects.filter(pk=invited.pk).exists()
