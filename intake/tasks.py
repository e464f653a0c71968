"""Background tasks of the intake app (django-tasks; the worker runs them, never a request).

Each task takes ids, not personal data or links, so the task queue (a database table or Redis)
holds no private token; the one exception is "email me my link", which must carry the address
the person typed (finished task rows are pruned by the daily cleanup).
"""

import logging

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from . import invitations
from .models import IntakeSubmission, PrivateLink
from .tokens import add_link, is_reachable

logger = logging.getLogger(__name__)


@task()
def send_invitation_task(invitation_id: int) -> bool:
    """Send an invitation's first message (email and/or text)."""
    return invitations.send_invitation(invitation_id)


@task()
def send_reminders_task() -> int:
    """Send the reminders that are due (run it every hour or so: cron or a periodic job)."""
    return invitations.send_reminders()


@task()
def email_link_task(submission_id: int, address: str) -> bool:
    """Email a fresh private link to a form, at the patient's request."""
    from .messaging import absolute_url, send_link_email

    submission = IntakeSubmission.objects.filter(pk=submission_id).first()
    if submission is None or not is_reachable(submission):
        return False
    token = add_link(submission, PrivateLink.Purpose.EMAILED)
    send_link_email(
        to=address,
        link=absolute_url(reverse("intake:resume", kwargs={"token": token})),
        language=submission.language or settings.CLINIC_LANGUAGE,
        purpose="your_link",
        appointment_at=getattr(getattr(submission, "invitation", None), "appointment_at", None),
    )
    logger.info("private link emailed on request")
    return True


@task()
def draw_sent_pdfs_task(submission_id: int) -> int:
    """Draw a sent form's summary and patient's copy once, to serve them from then on."""
    from .stored_pdfs import draw_sent_pdfs

    return draw_sent_pdfs(submission_id)


@task()
def run_export_task(export_id: int) -> str:
    """Write a large export's file (intake/export_jobs.py)."""
    from .export_jobs import run_export

    return run_export(export_id)
