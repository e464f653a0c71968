"""The daily cleanup, a background task (django-tasks; README, "Background tasks").

Once a day, on one machine (`manage.py daily_cleanup`, from cron or a systemd timer):

- `clearsessions`: expired sessions, staff's and patients' (a session row holds which form a
  device has open; settings keep one at most 12 hours).
- `purge`: unsent forms past INTAKE_DRAFT_DAYS, and archived forms archived more than
  INTAKE_ARCHIVED_KEEP_DAYS ago when that is set (sent and reviewed forms are kept).
- `exports`: background exports (and their files) past INTAKE_EXPORT_KEEP_HOURS.
- Finished task results older than TASK_RESULTS_KEEP_DAYS: a task keeps its arguments, and "email
  me my link" carries the address the person typed. With the database backend,
  django-tasks-db's `prune_db_task_results`; with Redis, rq drops finished jobs within minutes by
  itself but keeps failed ones a year, so those are deleted here.

Each step runs even when an earlier one fails; the task then fails, naming the steps, and the log
has each step's traceback.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task, task_backends

logger = logging.getLogger(__name__)


def _command_output(name: str, *args: str) -> str:
    """Run a management command here and return what it printed."""
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue().strip()


def _clear_sessions() -> str:
    call_command("clearsessions")
    return "Removed expired sessions."


def _purge() -> str:
    """Expired drafts, and archived forms past INTAKE_ARCHIVED_KEEP_DAYS when that is set."""
    days = settings.INTAKE_ARCHIVED_KEEP_DAYS
    return _command_output("purge", *(["--archived-older-than", str(days)] if days else []))


def _purge_exports() -> str:
    """Background exports past INTAKE_EXPORT_KEEP_HOURS, with their files."""
    from intake.export_jobs import purge_expired_exports

    return f"Removed {purge_expired_exports()} expired export(s)."


def _prune_database_results(alias: str, keep_days: int) -> str:
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=keep_days)
    count = (
        DBTaskResult.objects.finished().filter(backend_name=alias, finished_at__lte=cutoff).count()
    )
    call_command(
        "prune_db_task_results",
        "--backend",
        alias,
        "--queue-name",
        "*",
        "--min-age-days",
        str(keep_days),
        verbosity=0,
    )
    return f"Removed {count} finished task result(s) older than {keep_days} days."


def _prune_failed_redis_jobs(backend, keep_days: int) -> str:
    import django_rq
    from rq.exceptions import NoSuchJobError

    cutoff = timezone.now() - timedelta(days=keep_days)
    count = 0
    for queue_name in sorted(backend.queues):
        queue = django_rq.get_queue(queue_name)
        registry = queue.failed_job_registry
        for job_id in registry.get_job_ids():
            try:
                job = queue.fetch_job(job_id)
            except NoSuchJobError:
                job = None
            if job is None:
                registry.remove(job_id)
                continue
            ended_at = job.ended_at or datetime.max.replace(tzinfo=dt_timezone.utc)
            if ended_at.tzinfo is None:  # rq writes UTC
                ended_at = ended_at.replace(tzinfo=dt_timezone.utc)
            if ended_at <= cutoff:
                registry.remove(job, delete_job=True)
                count += 1
    return f"Removed {count} failed task(s) older than {keep_days} days from Redis."


def _cleanup_steps() -> list[tuple[str, Callable[[], str]]]:
    from django_tasks_db import DatabaseBackend
    from django_tasks_rq import RQBackend

    keep_days = settings.TASK_RESULTS_KEEP_DAYS
    steps = [
        ("clearsessions", _clear_sessions),
        ("purge", _purge),
        ("exports", _purge_exports),
    ]

    for alias in settings.TASKS:
        backend = task_backends[alias]
        if isinstance(backend, DatabaseBackend):
            steps.append(
                (f"task results ({alias})", lambda a=alias: _prune_database_results(a, keep_days))
            )
        elif isinstance(backend, RQBackend):
            steps.append(
                (
                    f"failed tasks ({alias})",
                    lambda b=backend: _prune_failed_redis_jobs(b, keep_days),
                )
            )
    return steps


@task()
def daily_cleanup() -> dict[str, str]:
    """Remove expired sessions, expired drafts and old task results; return what each step did."""
    done: dict[str, str] = {}
    failures: list[tuple[str, Exception]] = []
    for name, step in _cleanup_steps():
        try:
            done[name] = step()
        except Exception as error:
            logger.exception("daily cleanup: %s failed", name)
            failures.append((name, error))
    if failures:
        names = ", ".join(name for name, _error in failures)
        raise RuntimeError(f"daily cleanup: {names} failed") from failures[0][1]
    logger.info("daily cleanup done: %s", "; ".join(done.values()))
    return done
