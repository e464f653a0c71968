"""Retention, the one command: remove expired drafts and, if asked, archived submissions past
a given age.

    manage.py purge                               # expired drafts only
    manage.py purge --archived-older-than 365     # and archived ones a year old
    manage.py purge --archived-older-than 365 --dry-run

The daily cleanup runs it (atrophy_site/tasks.py), with INTAKE_ARCHIVED_KEEP_DAYS when set.
Drafts expire INTAKE_DRAFT_DAYS after their last change, an invited one not before the day after
its appointment (IntakeSubmissionQuerySet.expired_drafts). Their kept PDFs, links and
invitations go with them.
An archived submission's age counts from when it was archived (from when it was sent, for any
archived before that was recorded). Sent and reviewed submissions are never removed: staff have
not finished with them. Deleting a submission deletes its rows and its change history with it
(intake/staff_review.py); the staff summary-view log keeps only the reference code.

Prints what it removed: counts, and the reference codes of archived submissions so the clinic can
match them to its own records. Never names or answers.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from intake.models import IntakeSubmission, draft_lifetime


def archived_before_days(days: int, now=None):
    """Archived submissions archived (or, lacking that, sent) more than `days` days ago."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return IntakeSubmission.objects.filter(status=IntakeSubmission.Status.ARCHIVED).filter(
        Q(archived_at__lt=cutoff) | Q(archived_at__isnull=True, sent_at__lt=cutoff)
    )


class Command(BaseCommand):
    help = (
        "Delete expired drafts and, with --archived-older-than DAYS, archived submissions "
        "older than that. --dry-run only says what would go."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--archived-older-than",
            type=int,
            metavar="DAYS",
            help="Also delete archived submissions archived more than DAYS days ago.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would be deleted without deleting anything.",
        )

    def handle(self, *args, archived_older_than=None, dry_run=False, **options):
        if archived_older_than is not None and archived_older_than < 1:
            raise CommandError("--archived-older-than must be at least 1 day.")
        drafts = IntakeSubmission.objects.expired_drafts()
        archived = (
            archived_before_days(archived_older_than)
            if archived_older_than is not None
            else IntakeSubmission.objects.none()
        )
        verb = "Would remove" if dry_run else "Removed"

        with transaction.atomic():
            draft_ids = list(drafts.values_list("pk", flat=True))
            archived_refs = dict(archived.order_by("reference").values_list("pk", "reference"))
            if not dry_run:
                IntakeSubmission.objects.filter(pk__in=[*draft_ids, *archived_refs]).delete()

        self.stdout.write(
            f"{verb} {len(draft_ids)} expired draft(s) "
            f"(unsent for more than {draft_lifetime().days} days)."
        )
        if archived_older_than is None:
            self.stdout.write("Archived submissions kept (no --archived-older-than given).")
            return
        self.stdout.write(
            f"{verb} {len(archived_refs)} archived submission(s) "
            f"archived more than {archived_older_than} days ago"
            + (": " + ", ".join(archived_refs.values()) if archived_refs else ".")
        )
