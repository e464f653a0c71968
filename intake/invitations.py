"""The clinic invites a patient to prepare for a visit, and reminds them before it.

Plain functions, no requests: the admin (intake/invitation_admin.py) and the CSV upload call
`invite`; the background worker (intake/tasks.py) calls `send_invitation` and `send_reminders`.

An invitation is a draft form made for the patient, holding what the clinic knows (name, in its
parts when the clinic gave them, date of birth, appointment date, clinician, language), plus an
`Invitation` row with how to reach them. The draft stays open until the day after the
appointment (`keep_until`), however long before it the patient was invited. Every message
carries a fresh private link (`PrivateLink`, stored hashed); the link is made in the worker, so
the raw token never sits in the task queue.

Reminders go `INTAKE_REMINDER_DAYS` before the appointment (default 3 and 1 days), only while the
form is not sent, and never twice: the row in `Reminder` (unique per invitation and day) is
inserted before the message goes, so of two workers racing, only the one whose insert succeeds
sends. A reminder point that had already passed when the patient was invited is skipped (an
invitation made two days before the visit gets the one-day reminder, not an immediate second
message), and when the job was not run for a while only the latest due reminder goes.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from .models import (
    IntakeSubmission,
    Invitation,
    PrivateLink,
    Reminder,
    draft_lifetime,
    full_name_from_parts,
)
from .tokens import add_link, create_submission

logger = logging.getLogger(__name__)

#: An invited form stays open this long after the appointment starts.
KEEP_AFTER_APPOINTMENT = timedelta(days=1)


def reminder_days() -> list[int]:
    """Days before the appointment when reminders go, high to low (INTAKE_REMINDER_DAYS, [3, 1])."""
    days = getattr(settings, "INTAKE_REMINDER_DAYS", [3, 1])
    return sorted({int(day) for day in days if int(day) > 0}, reverse=True)


@dataclass(frozen=True, kw_only=True)
class InvitationDetails:
    """What the clinic enters for one invitation (validated by the admin's form).

    The name in its parts, as the form asks it (the family name is needed); `full_name` only
    from a CSV file with the one name column of older files, which is never split.
    """

    date_of_birth: object  # datetime.date
    appointment_at: datetime
    given_names: str = ""
    family_name: str = ""
    full_name: str = ""
    email: str = ""
    mobile: str = ""
    clinician: str = ""
    language: str = ""

    @property
    def name(self) -> str:
        """The name on one line, as the draft's full name will read."""
        return full_name_from_parts(self.given_names, self.family_name) or self.full_name.strip()


def already_invited(details: InvitationDetails) -> Invitation | None:
    """An invitation for the same person and appointment, so a file uploaded twice does not
    invite anyone twice (name compared without case)."""
    return (
        Invitation.objects.filter(
            appointment_at=details.appointment_at,
            submission__date_of_birth=details.date_of_birth,
            submission__full_name__iexact=details.name,
        )
        .select_related("submission")
        .first()
    )


def invite(details: InvitationDetails, *, created_by=None) -> Invitation:
    """Make the draft and the invitation; the message is queued once the transaction commits."""
    from .tasks import send_invitation_task

    with transaction.atomic():
        submission, _token = create_submission(
            given_names=details.given_names.strip(),
            family_name=details.family_name.strip(),
            full_name=details.name,
            date_of_birth=details.date_of_birth,
            appointment_date=timezone.localdate(details.appointment_at),
            clinician=details.clinician.strip(),
            language=details.language or settings.CLINIC_LANGUAGE,
            email=details.email,
            phone=details.mobile or "",
            keep_until=details.appointment_at + KEEP_AFTER_APPOINTMENT,
        )
        # The first link (token_hash) is never sent: each message carries a link of its own.
        invitation = Invitation.objects.create(
            submission=submission,
            email=details.email,
            mobile=details.mobile or "",
            appointment_at=details.appointment_at,
            created_by=created_by,
        )
        transaction.on_commit(lambda: send_invitation_task.enqueue(invitation.pk))
    return invitation


def _send(invitation: Invitation, purpose: str) -> None:
    """Send one message with a fresh link to the patient's email and mobile, in their language."""
    from .messaging import absolute_url, send_link_email, send_link_sms

    submission = invitation.submission
    token = add_link(
        submission,
        PrivateLink.Purpose.INVITATION if purpose == "invitation" else PrivateLink.Purpose.REMINDER,
    )
    link = absolute_url(reverse("intake:resume", kwargs={"token": token}))
    language = submission.language or settings.CLINIC_LANGUAGE
    if invitation.email:
        send_link_email(
            to=invitation.email,
            link=link,
            language=language,
            purpose=purpose,
            appointment_at=invitation.appointment_at,
        )
    if invitation.mobile:
        send_link_sms(
            to=str(invitation.mobile),
            link=link,
            language=language,
            purpose=purpose,
            appointment_at=invitation.appointment_at,
        )


def send_invitation(invitation_id: int) -> bool:
    """Send the invitation's message (once: a second call for the same invitation does nothing).

    Returns whether a message went.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("submission")
            .filter(pk=invitation_id, message_sent_at__isnull=True)
            .first()
        )
        if invitation is None or not invitation.submission.is_draft:
            return False
        _send(invitation, "invitation")
        invitation.message_sent_at = timezone.now()
        invitation.save(update_fields=["message_sent_at"])
    logger.info("invitation message sent")
    return True


def due_reminder_day(invitation: Invitation, now: datetime) -> int | None:
    """Which reminder (days before) is due for this invitation now, or None.

    The smallest reminder day whose moment has come, provided the invitation existed before that
    moment; None when the appointment has begun.
    """
    if now >= invitation.appointment_at:
        return None
    due = None
    for days in reminder_days():  # high to low: the last match is the latest moment passed
        moment = invitation.appointment_at - timedelta(days=days)
        if now >= moment and invitation.created_at < moment:
            due = days
    return due


def invitations_to_remind(now: datetime):
    """Invitations whose form is an open draft and whose appointment is within the reminder
    window; `due_reminder_day` then decides for each."""
    days = reminder_days()
    if not days:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            submission__status=IntakeSubmission.Status.DRAFT,
            appointment_at__gt=now,
            appointment_at__lte=now + timedelta(days=max(days)),
        )
        .exclude(email="", mobile="")
        .select_related("submission")
        .prefetch_related("reminders")
    )


def send_reminders(now: datetime | None = None) -> int:
    """Send every reminder that is due and not yet sent; return how many went.

    Safe to run from several machines at once: see the module's docstring.
    """
    now = now or timezone.now()
    sent = 0
    for invitation in invitations_to_remind(now):
        day = due_reminder_day(invitation, now)
        if day is None or invitation.submission.is_expired(now):
            continue
        if any(reminder.days_before <= day for reminder in invitation.reminders.all()):
            continue  # this one, or a later one, has gone already
        try:
            with transaction.atomic():
                Reminder.objects.create(invitation=invitation, days_before=day, created_at=now)
        except IntegrityError:
            continue  # another worker claimed it
        try:
            _send(invitation, "reminder")
        except Exception:
            # Not sent: release the claim so the next run tries again.
            Reminder.objects.filter(invitation=invitation, days_before=day).delete()
            logger.exception("reminder not sent")
            continue
        sent += 1
    if sent:
        logger.info("%d reminder(s) sent", sent)
    return sent


# --- Status, for the admin's lists and the queue --------------------------------------------------


def status_q(status: str, now: datetime) -> Q:
    """The filter for invitations in `status` (the same order of precedence as
    Invitation.status): sent back, expired, started, opened, invited."""
    draft = Q(submission__status=IntakeSubmission.Status.DRAFT)
    expired = (
        draft
        & Q(submission__updated_at__lt=now - draft_lifetime())
        & (Q(submission__keep_until__isnull=True) | Q(submission__keep_until__lte=now))
    )
    started = draft & ~expired & ~Q(submission__steps_completed=[])
    opened = draft & ~expired & Q(submission__steps_completed=[]) & Q(opened_at__isnull=False)
    invited = draft & ~expired & Q(submission__steps_completed=[]) & Q(opened_at__isnull=True)
    return {
        Invitation.Status.SUBMITTED: ~draft,
        Invitation.Status.EXPIRED: expired,
        Invitation.Status.STARTED: started,
        Invitation.Status.OPENED: opened,
        Invitation.Status.SENT: invited,
    }[status]


def start_of_day(days_from_today: int = 0, now: datetime | None = None) -> datetime:
    """Midnight at the start of a day on the clinic's calendar (TIME_ZONE): today's, or the one
    `days_from_today` later (a day is not always 24 hours long)."""
    day = timezone.localtime(now or timezone.now()).date() + timedelta(days=days_from_today)
    return timezone.make_aware(datetime.combine(day, time.min))


def coming(queryset=None, now: datetime | None = None):
    """Invitations whose appointment is today or later: what staff act on. A clinic keeps years
    of invitations; the counts above the queue and the invitations list (by default) read only
    these, through the index on the appointment (`intake_invitation_appointment`)."""
    queryset = Invitation.objects.all() if queryset is None else queryset
    return queryset.filter(appointment_at__gte=start_of_day(now=now))


def status_counts(queryset=None, now: datetime | None = None) -> dict[str, int]:
    """How many invitations (of `queryset`, by default those with an appointment today or
    later) are in each status, in one query."""
    now = now or timezone.now()
    queryset = coming(now=now) if queryset is None else queryset
    return queryset.aggregate(
        **{status.value: Count("pk", filter=status_q(status, now)) for status in Invitation.Status}
    )


def mark_opened(submission: IntakeSubmission) -> None:
    """The patient opened a link to an invited form: the first time, note when."""
    Invitation.objects.filter(submission=submission, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )
