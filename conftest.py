"""Shared pytest setup.

Tests run with a throwaway key and DEBUG on unless the environment says otherwise, so they do not
depend on a local .env. Browser tests drive the system Chromium (/usr/bin/chromium) through
Playwright; they are skipped when it is missing, except under CI=true, where that fails the run.
"""

import os
import shutil
import tempfile

import pytest

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_DEBUG", "true")
# Each test run collects static files into a folder of its own, so two runs at once (or a dev
# server beside the tests) never see each other's half-written files.
_OWN_STATIC_ROOT = "STATIC_ROOT" not in os.environ
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="atrophy-static-"))
# Playwright's sync API runs an event loop in the test thread; Django would then refuse
# database calls made by test code beside it. Tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as a deploy leaves it: migrated, then the Learn content loaded by its
    management command (the data migrations no longer load it; see education/migrations)."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("load_education_content", verbosity=0)


@pytest.fixture(autouse=True)
def site_language_between_tests():
    """Each test starts and ends in the site's language (English).

    A test-client request in Spanish leaves Spanish active in the test's thread (LocaleMiddleware
    activates the request's language and nothing resets it), which would change every lazy text
    the next test reads.
    """
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def collected_static_files():
    """Collect static files once per run, so hashed names always match the current files."""
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)
    yield
    if _OWN_STATIC_ROOT:
        shutil.rmtree(os.environ["STATIC_ROOT"], ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def live_server_serves_static_like_production():
    """Let whitenoise serve static files to browser tests, with hashed names, as in production.

    Django's live server puts its own static handler in front of the app; it looks files up by
    their source names and so answers 404 for the hashed names our pages link to. Stepping it
    aside sends /static/ requests through WhiteNoiseMiddleware, which serves STATIC_ROOT.
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    original = StaticFilesHandler._should_handle
    StaticFilesHandler._should_handle = lambda self, path: False
    yield
    StaticFilesHandler._should_handle = original


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: no rate-limit counts or cached pages from another."""
    from django.core.cache import cache

    from atrophy_site.shared_pages import forget_pages
    from education.page_cache import forget_remembered_version

    cache.clear()
    forget_remembered_version()
    forget_pages()


@pytest.fixture
def run_tasks(db):
    """A function that runs the waiting background tasks here, as `manage.py db_worker` would.

    `run_tasks()` runs every task waiting in the database backend's queues (all queues), then any
    task those tasks queued, until none is left, and returns their results (django-tasks
    `TaskResult`s, in the order they ran; `[]` when nothing waited). If a task failed it then
    raises AssertionError with each failed task's path and traceback, so a test cannot pass over
    a failure; `run_tasks(raise_on_failure=False)` returns the failed results with the others.
    Tasks queued with a `run_after` still in the future wait, as they would for a worker.

    In a plain `db` test everything happens inside the test's transaction, which stands for a
    request that has committed: what waits for the commit (`transaction.on_commit(lambda:
    task.enqueue(...))`) is run first, each task runs in a savepoint (a database error inside a
    task leaves the test's transaction usable; a real worker runs each task in autocommit) and
    the worker does not close the connection between tasks. In `transactional_db` and
    live-server tests the worker sees what other threads committed, as in production.
    """
    return _run_waiting_tasks


def _run_waiting_tasks(*, raise_on_failure=True):
    from unittest import mock

    from django.conf import settings
    from django.db import transaction
    from django_tasks import TaskResultStatus, task_backends
    from django_tasks.base import Task
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.management.commands import db_worker

    aliases = [
        alias for alias in settings.TASKS if isinstance(task_backends[alias], DatabaseBackend)
    ]
    if not aliases:
        raise RuntimeError("run_tasks needs a database task backend in TASKS (django_tasks_db).")

    ran = []

    class TestWorker(db_worker.Worker):
        def run_task(self, db_task_result):
            super().run_task(db_task_result)
            ran.append(db_task_result)

    original_call = Task.call

    def call_in_savepoint(task, *args, **kwargs):
        if not transaction.get_connection().in_atomic_block:
            return original_call(task, *args, **kwargs)
        with transaction.atomic():
            return original_call(task, *args, **kwargs)

    with (
        # Inside the test's transaction this would close the connection (and lose the test's rows).
        mock.patch.object(db_worker, "close_old_connections", lambda: None),
        mock.patch.object(Task, "call", call_in_savepoint),
    ):
        for _round in range(100):
            callbacks = _run_on_commit_callbacks()
            before = len(ran)
            for alias in aliases:
                TestWorker(
                    queue_names=["*"],
                    excluded_queue_names=[],
                    interval=0,
                    batch=True,
                    backend_name=alias,
                    startup_delay=False,
                    max_tasks=None,
                    worker_id="pytest-run-tasks",
                ).run()
            if not callbacks and len(ran) == before:
                break
        else:
            raise AssertionError("run_tasks: tasks kept queueing tasks for 100 rounds.")

    failed = [row for row in ran if row.status == TaskResultStatus.FAILED]
    if failed and raise_on_failure:
        raise AssertionError(
            f"{len(failed)} background task(s) failed:\n\n"
            + "\n\n".join(f"{row.task_path}:\n{row.traceback}" for row in failed)
        )
    return [row.task_result for row in ran]


def _run_on_commit_callbacks():
    """Run what waits for the test's transaction to commit, as a commit would; return how many."""
    from django.db import connections

    count = 0
    for connection in connections.all(initialized_only=True):
        while connection.in_atomic_block and connection.run_on_commit:
            waiting, connection.run_on_commit = connection.run_on_commit, []
            for _savepoint_ids, callback, _robust in waiting:
                callback()
                count += 1
    return count


class ReceivedMail:
    """What the `smtp_server` fixture's SMTP server received, parsed with the email package."""

    def __init__(self):
        import threading

        self.messages = []  # email.message.EmailMessage, in order of arrival
        self.recipients = []  # each message's envelope recipients (RCPT TO), in the same order
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook
        import email
        import email.policy

        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)
            self.recipients.append(list(envelope.rcpt_tos))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 5.0) -> list:
        """The messages received, once there are at least `count` (fails after `timeout` s)."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                got = len(self.messages)
                pytest.fail(f"expected {count} email(s) within {timeout} s, got {got}")
            return list(self.messages)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd), with Django's SMTP backend pointed at it.

    Yields a `ReceivedMail`: `.messages` (email.message.EmailMessage), `.recipients` and
    `.wait_for(count)`. For tests of what actually crosses the wire (headers, both parts, the
    encoding), where `mail.outbox` shows only Django's objects.
    """
    import socket

    from aiosmtpd.controller import Controller

    received = ReceivedMail()
    for _attempt in range(3):  # a free port can be taken between choosing and binding it
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(received, hostname="127.0.0.1", port=port)
        try:
            controller.start()
            break
        except Exception:
            if _attempt == 2:
                raise
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield received
    controller.stop()


@pytest.fixture
def sms_outbox(settings):
    """Text messages go to intake.sms.outbox (LocmemSmsBackend), emptied before and after."""
    from intake import sms

    settings.SMS_BACKEND = "intake.sms.LocmemSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def _chromium_path():
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
    ):
        if candidate and shutil.which(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = _chromium_path()
    if path is None:
        message = "Chromium not found at /usr/bin/chromium (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def phone_page(new_context, live_server):
    """A page in a phone-sized window (390 px wide) opening paths on the live server.

    Built on pytest-playwright's `new_context`, so a failing test leaves a screenshot in
    test-artifacts/.
    """
    return new_context(viewport=PHONE, base_url=live_server.url).new_page()


@pytest.fixture
def desktop_page(new_context, live_server):
    """A page in a desktop-sized window (1280 px wide) opening paths on the live server."""
    return new_context(viewport=DESKTOP, base_url=live_server.url).new_page()
