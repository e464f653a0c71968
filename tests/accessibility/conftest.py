"""One browser window per test module, at phone width (most patients use a phone)."""

import pytest

PHONE = {"width": 390, "height": 844}  # as the root conftest's phone_page


@pytest.fixture(scope="module")
def _phone_window(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(_phone_window):
    """The module's phone-sized page, with no cookies left from the test before."""
    _phone_window.context.clear_cookies()
    return _phone_window
