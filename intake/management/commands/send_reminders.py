"""Send the reminders that are due to invited patients whose form is not sent.

Run it every hour (cron, or a periodic job); running it on several machines at once, or twice,
sends each reminder once (intake/invitations.py). `--queue` hands the work to the background
worker instead of doing it now.
"""

from django.core.management.base import BaseCommand

from intake.invitations import send_reminders


class Command(BaseCommand):
    help = "Send due reminders (3 and 1 days before the appointment) to invited patients."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue", action="store_true", help="Queue the job for the background worker."
        )

    def handle(self, *args, queue=False, **options):
        if queue:
            from intake.tasks import send_reminders_task

            send_reminders_task.enqueue()
            self.stdout.write("Reminder job queued.")
            return
        count = send_reminders()
        self.stdout.write(f"{count} reminder(s) sent.")
