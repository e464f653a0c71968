"""Small background tasks for tests/test_tasks.py, importable by a worker (tests.task_fixtures)."""

from django_tasks import task


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def fail(message: str) -> None:
    raise ValueError(message)


@task()
def add_later(a: int, b: int) -> str:
    """Queue `add` for the worker: a task that queues another."""
    return add.enqueue(a, b).id


@task()
def break_a_database_rule() -> None:
    """Insert the same session key twice: a database error inside a task."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    for _ in range(2):
        Session.objects.create(session_key="twice", session_data="", expire_date=timezone.now())
