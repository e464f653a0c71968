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

    cache.clear()


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
