"""Invitations from the clinic, their links, statuses and reminders (intake/invitations.py)."""

import datetime
import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from intake import invitations
from intake.invitations import InvitationDetails, due_reminder_day, invite, send_reminders
from intake.models import IntakeSubmission, Invitation, PrivateLink, Reminder

from .helpers import STEP1, post_step

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+/prepare/resume/[A-Za-z0-9_-]{43}/")


def details(**overrides) -> InvitationDetails:
    fields = {
        "given_names": "Rosa María",
        "family_name": "Ejemplo García",
        "date_of_birth": datetime.date(1948, 3, 14),
        "appointment_at": timezone.now() + datetime.timedelta(days=10),
        "email": "rosa@example.org",
        "clinician": "Dr Rivera",
        "language": "es",
    }
    return InvitationDetails(**{**fields, **overrides})


def links_in(message) -> list[str]:
    return LINK.findall(message.body)


def path_of(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


# --- Making an invitation ------------------------------------------------------------------------


def test_an_invitation_is_a_draft_filled_in_with_what_the_clinic_knows(run_tasks):
    appointment = timezone.now() + datetime.timedelta(days=10)
    invitation = invite(details(appointment_at=appointment))
    submission = invitation.submission
    assert submission.is_draft and submission.steps_completed == []
    assert (submission.given_names, submission.family_name) == ("Rosa María", "Ejemplo García")
    assert (submission.full_name, submission.date_of_birth) == (
        "Rosa María Ejemplo García",
        datetime.date(1948, 3, 14),
    )
    assert submission.appointment_date == timezone.localdate(appointment)
    assert (submission.clinician, submission.language) == ("Dr Rivera", "es")
    # Open until the day after the appointment, however long the draft lifetime is.
    assert submission.expires_at >= appointment + datetime.timedelta(days=1)
    assert not IntakeSubmission.objects.expired_drafts(now=appointment).exists()


def test_the_message_goes_from_the_worker_not_when_the_invitation_is_made(run_tasks):
    invitation = invite(details())
    assert mail.outbox == []
    assert invitation.message_sent_at is None
    run_tasks()
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.message_sent_at is not None
    assert mail.outbox[0].to == ["rosa@example.org"]
    assert len(links_in(mail.outbox[0])) == 1


def test_the_invitation_link_opens_the_form_filled_in_and_in_the_patients_language(run_tasks):
    invitation = invite(details())
    run_tasks()
    patient = Client()
    opened = patient.get(path_of(links_in(mail.outbox[0])[0]))
    assert opened.status_code == 302
    assert opened.cookies["django_language"].value == "es"
    step1 = patient.get("/prepare/step/1/", follow=True).content.decode()
    assert 'name="given_names" value="Rosa María"' in step1
    assert 'name="family_name" value="Ejemplo García"' in step1
    assert 'lang="es"' in step1
    invitation.refresh_from_db()
    assert invitation.opened_at is not None
    assert invitation.status() == Invitation.Status.OPENED


def test_an_invitation_from_one_full_name_keeps_it_whole_and_leaves_the_parts_to_the_patient():
    """A CSV file of older days names the patient in one column: never split by guessing."""
    submission = invite(
        details(given_names="", family_name="", full_name="Rosa Ejemplo")
    ).submission
    submission.refresh_from_db()
    assert (submission.full_name, submission.given_names, submission.family_name) == (
        "Rosa Ejemplo",
        "",
        "",
    )


def test_the_same_person_is_not_invited_twice_whether_named_in_parts_or_in_one():
    appointment = timezone.now() + datetime.timedelta(days=10)
    first = details(given_names="Rosa", family_name="Ejemplo", appointment_at=appointment)
    invited = invite(first)
    assert invitations.already_invited(first) == invited
    again = details(
        given_names="", family_name="", full_name="rosa ejemplo", appointment_at=appointment
    )
    assert invitations.already_invited(again) == invited


def test_the_invitation_message_is_sent_once_even_if_the_task_runs_twice(run_tasks):
    invitation = invite(details())
    run_tasks()
    assert invitations.send_invitation(invitation.pk) is False
    assert len(mail.outbox) == 1


def test_no_raw_link_is_stored_only_its_hash(run_tasks):
    invitation = invite(details())
    run_tasks()
    token = links_in(mail.outbox[0])[0].rstrip("/").rsplit("/", 1)[1]
    stored = PrivateLink.objects.get(submission=invitation.submission)
    assert stored.token_hash != token and len(stored.token_hash) == 64
    assert stored.purpose == PrivateLink.Purpose.INVITATION


# --- Statuses ------------------------------------------------------------------------------------


def _statuses_agree(now=None):
    now = now or timezone.now()
    for status in Invitation.Status:
        in_filter = set(Invitation.objects.filter(invitations.status_q(status, now)))
        by_rule = {i for i in Invitation.objects.all() if i.status(now) == status}
        assert in_filter == by_rule, status


def test_the_status_follows_the_patient_from_invited_to_sent_back(run_tasks):
    invitation = invite(details())
    assert invitation.status() == Invitation.Status.SENT
    _statuses_agree()
    run_tasks()
    patient = Client()
    patient.get(path_of(links_in(mail.outbox[0])[0]))
    invitation.refresh_from_db()
    assert invitation.status() == Invitation.Status.OPENED
    _statuses_agree()
    post_step(patient, 1, STEP1)
    invitation.refresh_from_db()
    assert invitation.status() == Invitation.Status.STARTED
    _statuses_agree()
    IntakeSubmission.objects.filter(pk=invitation.submission_id).update(
        status=IntakeSubmission.Status.SENT, sent_at=timezone.now()
    )
    invitation.refresh_from_db()
    assert invitation.status() == Invitation.Status.SUBMITTED
    _statuses_agree()
    assert invitations.status_counts()["submitted"] == 1


def test_an_invitation_expires_after_its_appointment_when_never_sent_back():
    invitation = invite(details(appointment_at=timezone.now() + datetime.timedelta(days=2)))
    later = timezone.now() + datetime.timedelta(days=40)
    assert invitation.status(later) == Invitation.Status.EXPIRED
    _statuses_agree(later)
    assert invitation.status() == Invitation.Status.SENT


# --- Reminders -----------------------------------------------------------------------------------


def _invited(days_ahead: float, **overrides) -> Invitation:
    appointment = timezone.now() + datetime.timedelta(days=days_ahead)
    invitation = invite(details(appointment_at=appointment, **overrides))
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=7), message_sent_at=timezone.now()
    )
    invitation.refresh_from_db()
    return invitation


def test_the_due_reminder_is_the_latest_moment_passed_since_the_invitation():
    appointment = timezone.now() + datetime.timedelta(days=10)
    invitation = Invitation(
        appointment_at=appointment, created_at=appointment - datetime.timedelta(days=10)
    )
    day = datetime.timedelta(days=1)
    assert due_reminder_day(invitation, appointment - 4 * day) is None
    assert due_reminder_day(invitation, appointment - 3 * day) == 3
    assert due_reminder_day(invitation, appointment - 2 * day) == 3
    assert due_reminder_day(invitation, appointment - 0.5 * day) == 1
    assert due_reminder_day(invitation, appointment) is None  # the visit has begun
    # Invited two days before: no three-day reminder straight away, the one-day one later.
    late = Invitation(appointment_at=appointment, created_at=appointment - 2 * day)
    assert due_reminder_day(late, appointment - 1.9 * day) is None
    assert due_reminder_day(late, appointment - 0.9 * day) == 1


def test_a_reminder_goes_three_days_before_with_a_fresh_working_link():
    invitation = _invited(2.5)
    assert send_reminders() == 1
    assert len(mail.outbox) == 1
    assert Reminder.objects.get(invitation=invitation).days_before == 3
    link = links_in(mail.outbox[0])[0]
    assert Client().get(path_of(link)).status_code == 302  # opens the form
    assert PrivateLink.objects.filter(
        submission=invitation.submission, purpose=PrivateLink.Purpose.REMINDER
    ).exists()


def test_a_reminder_is_never_sent_twice():
    _invited(2.5)
    assert send_reminders() == 1
    assert send_reminders() == 0
    assert len(mail.outbox) == 1


def test_the_one_day_reminder_follows_the_three_day_one():
    invitation = _invited(2.5)
    send_reminders()
    assert send_reminders(now=invitation.appointment_at - datetime.timedelta(hours=20)) == 1
    assert sorted(invitation.reminders.values_list("days_before", flat=True)) == [1, 3]


def test_no_reminder_once_the_form_is_sent_or_too_early():
    sent = _invited(2.5)
    IntakeSubmission.objects.filter(pk=sent.submission_id).update(
        status=IntakeSubmission.Status.SENT, sent_at=timezone.now()
    )
    _invited(5)  # not yet due
    assert send_reminders() == 0
    assert mail.outbox == []


def test_a_reminder_that_could_not_be_sent_is_tried_again(monkeypatch):
    _invited(2.5)

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("intake.messaging.send_link_email", broken)
    assert send_reminders() == 0
    assert not Reminder.objects.exists()
    monkeypatch.undo()
    assert send_reminders() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two workers racing need a real database server"
)
def test_two_reminder_jobs_racing_send_each_reminder_once():
    for days_ahead in (2.5, 2.6, 0.5):
        _invited(days_ahead)
    barrier = threading.Barrier(2)
    counts = []

    def worker():
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            counts.append(send_reminders())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == 3
    assert len(mail.outbox) == 3
    assert Reminder.objects.count() == 3
