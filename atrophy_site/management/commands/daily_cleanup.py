"""`daily_cleanup`: expired sessions, expired drafts and old task results, once a day.

    manage.py daily_cleanup         # queue it: a background worker runs it
    manage.py daily_cleanup --now   # run it here and now, and say what it did

Call it from cron or a systemd timer on one machine (README, "Background tasks"). With `--now`
it does not depend on a worker running, and a failure ends the command with an error (cron
mails it). The steps are in atrophy_site/tasks.py.
"""

from django.core.management.base import BaseCommand, CommandError

from atrophy_site.tasks import daily_cleanup


class Command(BaseCommand):
    help = (
        "Queue the daily cleanup (expired sessions, expired drafts, old task results) for a "
        "background worker, or run it now with --now."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Run the cleanup in this process instead."
        )

    def handle(self, *args, now=False, **options):
        if not now:
            result = daily_cleanup.enqueue()
            self.stdout.write(f"Daily cleanup queued (task {result.id}).")
            return
        try:
            done = daily_cleanup.call()
        except RuntimeError as error:
            raise CommandError(f"{error} (see the log)") from error
        for step, what in done.items():
            self.stdout.write(f"{step}: {what}" if what else step)
