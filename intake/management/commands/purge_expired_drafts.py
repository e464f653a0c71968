"""Remove unsent drafts older than INTAKE_DRAFT_DAYS (run daily, e.g. from cron).

Sent submissions are never touched: they are kept for staff. Prints counts only, no personal data.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from intake.models import IntakeSubmission, draft_lifetime


class Command(BaseCommand):
    help = "Delete drafts not changed for INTAKE_DRAFT_DAYS days, with their rows."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the expired drafts without deleting them.",
        )

    def handle(self, *args, dry_run=False, **options):
        expired = IntakeSubmission.objects.expired_drafts()
        days = draft_lifetime().days
        if dry_run:
            count = expired.count()
            self.stdout.write(f"{count} expired draft(s) older than {days} days would be removed.")
            return
        with transaction.atomic():
            _total, by_model = expired.delete()  # rows and history go with them (CASCADE)
        count = by_model.get(IntakeSubmission._meta.label, 0)
        self.stdout.write(f"Removed {count} expired draft(s) older than {days} days.")
