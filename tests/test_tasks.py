"""Background tasks: the settings, the database worker, the daily cleanup and the Redis option.

Tasks queued by the app wait in the database until a worker runs them (`manage.py db_worker`; in
tests the `run_tasks` fixture in conftest.py). The Redis option is proved against the real Redis
at 127.0.0.1:6379 (database 15, a queue of the test's own): skipped when Redis does not answer,
except under CI=true, where that fails the run.
"""

import json
import os
import signal
import uuid
from datetime import timedelta
from io import StringIO

import pytest
import redis
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks_db.models import DBTaskResult

from atrophy_site.tasks import daily_cleanup
from tests.production import production_env, run_python
from tests.task_fixtures import add, add_later, break_a_database_rule, fail

TEST_REDIS_URL = "redis://127.0.0.1:6379/15"

SHOW_TASK_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
call_command("check", verbosity=0)
print(json.dumps({
    "backend": settings.TASKS["default"]["BACKEND"],
    "queues": settings.TASKS["default"]["QUEUES"],
    "rq_queues": getattr(settings, "RQ_QUEUES", None),
    "rq": getattr(settings, "RQ", None),
    "django_rq": "django_rq" in settings.INSTALLED_APPS,
    "keep_days": settings.TASK_RESULTS_KEEP_DAYS,
}))
"""


def task_settings(**env: str | None) -> dict:
    result = run_python("-c", SHOW_TASK_SETTINGS, env=production_env(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Settings ------------------------------------------------------------------------------------


def test_tasks_default_to_the_database_backend_without_redis():
    shown = task_settings(TASKS_BACKEND=None, REDIS_URL=None)
    assert shown["backend"] == "django_tasks_db.DatabaseBackend"
    assert shown["queues"] == ["default"]
    assert shown["django_rq"] is False and shown["rq_queues"] is None
    assert shown["keep_days"] == 7


def test_the_test_run_uses_the_database_backend_too(settings):
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert type(task_backends["default"]).__name__ == "DatabaseBackend"


def test_tasks_backend_redis_uses_rq_on_the_caches_redis_unless_redis_url_says_otherwise():
    shown = task_settings(TASKS_BACKEND="redis", CACHE_URL="redis://cache.internal:6379/0")
    assert shown["backend"] == "django_tasks_rq.RQBackend"
    assert shown["django_rq"] is True
    assert shown["rq_queues"]["default"]["URL"] == "redis://cache.internal:6379/0"
    assert shown["rq"] == {"JOB_CLASS": "django_tasks_rq.Job"}
    own = task_settings(
        TASKS_BACKEND="redis",
        CACHE_URL="redis://cache.internal:6379/0",
        REDIS_URL="redis://tasks.internal:6379/1",
    )
    assert own["rq_queues"]["default"]["URL"] == "redis://tasks.internal:6379/1"


def test_an_unknown_tasks_backend_refuses_to_start():
    result = run_python("-c", SHOW_TASK_SETTINGS, env=production_env(TASKS_BACKEND="celery"))
    assert result.returncode != 0
    assert 'TASKS_BACKEND must be "database" or "redis"' in result.stderr


# --- The database worker -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_queued_task_waits_for_the_worker(run_tasks):
    result = add.enqueue(2, 3)
    assert result.status == TaskResultStatus.READY
    result.refresh()
    assert result.status == TaskResultStatus.READY  # nothing runs it inside the "request"

    ran = run_tasks()

    assert [task_result.id for task_result in ran] == [result.id]
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5
    assert run_tasks() == []  # nothing left


@pytest.mark.django_db
def test_a_task_queued_on_commit_runs_once_the_tests_transaction_stands_committed(run_tasks):
    transaction.on_commit(lambda: add.enqueue(1, 1))
    assert not DBTaskResult.objects.exists()
    [result] = run_tasks()
    assert result.return_value == 2


@pytest.mark.django_db
def test_tasks_queued_by_a_task_run_in_the_same_call(run_tasks):
    assert run_tasks() == []  # nothing waits yet
    add_later.enqueue(20, 22)
    ran = run_tasks()
    assert [task_result.task.name for task_result in ran] == ["add_later", "add"]
    assert ran[1].return_value == 42


@pytest.mark.django_db
def test_a_failed_task_makes_run_tasks_raise_with_its_traceback(run_tasks):
    add.enqueue(1, 2)
    fail.enqueue("the printer is on fire")
    with pytest.raises(AssertionError) as raised:
        run_tasks()
    message = str(raised.value)
    assert "1 background task(s) failed" in message
    assert "tests.task_fixtures.fail" in message
    assert "ValueError: the printer is on fire" in message
    assert "Traceback" in message
    # The other task ran all the same; the failure is recorded as a real worker records it.
    assert DBTaskResult.objects.successful().count() == 1
    assert DBTaskResult.objects.failed().get().exception_class_path == "builtins.ValueError"


@pytest.mark.django_db
def test_run_tasks_can_return_failures_for_a_test_that_expects_them(run_tasks):
    fail.enqueue("expected")
    [result] = run_tasks(raise_on_failure=False)
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class is ValueError


@pytest.mark.django_db
def test_a_database_error_in_a_task_leaves_the_test_able_to_query(run_tasks):
    break_a_database_rule.enqueue()
    [result] = run_tasks(raise_on_failure=False)
    assert result.status == TaskResultStatus.FAILED
    assert "IntegrityError" in result.errors[0].exception_class_path
    assert not Session.objects.filter(session_key="twice").exists()  # the task's savepoint


@pytest.mark.django_db(transaction=True)
def test_run_tasks_works_in_transactional_tests_too(run_tasks):
    result = add.enqueue(3, 4)
    [ran] = run_tasks()
    assert ran.id == result.id and ran.return_value == 7


# --- The daily cleanup ---------------------------------------------------------------------------


def _session(*, expires_in: timedelta) -> str:
    session = SessionStore()
    session["intake_submission_id"] = 1
    session.create()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return session.session_key


@pytest.mark.django_db
def test_the_daily_cleanup_clears_expired_sessions_through_the_worker(run_tasks):
    expired = _session(expires_in=-timedelta(minutes=1))
    live = _session(expires_in=timedelta(hours=1))
    out = StringIO()

    call_command("daily_cleanup", stdout=out)

    assert "Daily cleanup queued" in out.getvalue()
    assert Session.objects.filter(session_key=expired).exists()  # only queued so far
    [result] = run_tasks()
    assert result.task.name == "daily_cleanup"
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()
    assert set(result.return_value) == {
        "clearsessions",
        "purge",
        "exports",
        "task results (default)",
    }
    assert result.return_value["purge"].startswith("Removed 0 expired draft(s)")


@pytest.mark.django_db
def test_the_daily_cleanup_prunes_finished_task_results_after_the_days_kept(run_tasks, settings):
    settings.TASK_RESULTS_KEEP_DAYS = 7
    old, recent = add.enqueue(1, 1), add.enqueue(2, 2)
    failed_long_ago = fail.enqueue("old failure")
    run_tasks(raise_on_failure=False)
    DBTaskResult.objects.filter(id__in=[old.id, failed_long_ago.id]).update(
        finished_at=timezone.now() - timedelta(days=8)
    )
    waiting = add.using(run_after=timezone.now() + timedelta(days=30)).enqueue(3, 3)
    DBTaskResult.objects.filter(id=waiting.id).update(
        enqueued_at=timezone.now() - timedelta(days=9)
    )
    out = StringIO()

    call_command("daily_cleanup", "--now", stdout=out)

    assert "Removed 2 finished task result(s) older than 7 days." in out.getvalue()
    assert set(DBTaskResult.objects.values_list("id", flat=True)) == {
        uuid.UUID(recent.id),
        uuid.UUID(waiting.id),
    }


# --- Redis (TASKS_BACKEND=redis) -----------------------------------------------------------------


@pytest.fixture
def redis_queue(settings):
    """Tasks go to a queue of this test's own in Redis database 15; its keys go afterwards."""
    connection = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as error:
        message = f"Redis does not answer at {TEST_REDIS_URL} ({error})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    queue_name = f"atrophy-test-{uuid.uuid4().hex[:12]}"
    # django-tasks-rq reads results through the "default" queue's connection.
    settings.RQ_QUEUES = {name: {"URL": TEST_REDIS_URL} for name in ("default", queue_name)}
    settings.RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
    # Changing TASKS resets django-tasks' cached backends (its setting_changed receiver).
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue_name]},
    }
    yield queue_name
    _delete_keys_of(connection, queue_name)


def _delete_keys_of(connection, queue_name: str) -> None:
    """Delete the queue's keys and its jobs' keys (jobs, results, executions, registries)."""
    job_ids = set()
    for key in connection.scan_iter(match=f"*{queue_name}*"):
        if key.startswith((b"rq:queue:", b"rq:finished:", b"rq:failed:")):
            kind = connection.type(key)
            if kind == b"list":
                job_ids.update(connection.lrange(key, 0, -1))
            elif kind == b"zset":
                job_ids.update(connection.zrange(key, 0, -1))
        connection.delete(key)
    for job_id in job_ids:
        for key in connection.scan_iter(match=f"*{job_id.decode()}*"):
            connection.delete(key)
    connection.srem("rq:queues", f"rq:queue:{queue_name}")


def work_in_burst(queue_name: str) -> None:
    """Run an RQ worker in this process until the queue is empty (as `rqworker --burst`)."""
    import django_rq
    from rq import SimpleWorker

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        worker = django_rq.get_worker(
            queue_name, worker_class=SimpleWorker, name=f"{queue_name}-worker"
        )
        worker.work(burst=True)
    finally:
        for sig, handler in handlers.items():  # the worker installs its own
            signal.signal(sig, handler)


def test_with_redis_a_task_waits_in_redis_until_an_rq_worker_runs_it(redis_queue):
    assert type(task_backends["default"]).__name__ == "RQBackend"
    result = add.using(queue_name=redis_queue).enqueue(20, 22)
    assert result.status == TaskResultStatus.READY
    result.refresh()
    assert result.status == TaskResultStatus.READY

    work_in_burst(redis_queue)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 42


@pytest.mark.django_db
def test_with_redis_the_daily_cleanup_deletes_failed_tasks_after_the_days_kept(
    redis_queue, settings
):
    failed = fail.using(queue_name=redis_queue).enqueue("no such address")
    work_in_burst(redis_queue)
    failed.refresh()
    assert failed.status == TaskResultStatus.FAILED
    assert "ValueError: no such address" in failed.errors[0].traceback

    settings.TASK_RESULTS_KEEP_DAYS = 1
    assert daily_cleanup.call()["failed tasks (default)"].startswith("Removed 0 failed task(s)")
    failed.refresh()  # younger than a day: kept

    settings.TASK_RESULTS_KEEP_DAYS = 0
    done = daily_cleanup.call()
    assert (
        done["failed tasks (default)"] == "Removed 1 failed task(s) older than 0 days from Redis."
    )
    with pytest.raises(TaskResultDoesNotExist):
        failed.refresh()
