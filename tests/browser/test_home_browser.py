"""A person opens the home page in a real browser and finds the two paths."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_shows_both_paths_on_a_phone(phone_page):
    phone_page.goto("/")
    assert phone_page.get_by_role("heading", name="Learn about muscle loss").is_visible()
    assert phone_page.get_by_role("heading", name="Prepare for your visit").is_visible()
    # Nothing spills sideways on a 390 px screen.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


def test_skip_link_is_the_first_thing_the_keyboard_reaches(desktop_page):
    desktop_page.goto("/")
    desktop_page.keyboard.press("Tab")
    focused = desktop_page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"


def test_pages_load_their_stylesheets_in_the_browser(desktop_page):
    failed = []
    desktop_page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    desktop_page.goto("/")
    assert failed == []
    # The site stylesheet is applied: the header has its dark blue background.
    colour = desktop_page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert colour == "rgb(11, 46, 89)"


def test_the_header_links_read_in_full_on_a_desktop_and_short_on_a_phone(desktop_page, phone_page):
    desktop_page.goto("/")
    nav = desktop_page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Learn about muscle loss").inner_text() == (
        "Learn about muscle loss"
    )
    phone_page.goto("/")
    nav = phone_page.get_by_role("navigation", name="Main")
    learn = nav.get_by_role("link", name="Learn about muscle loss")  # the name screen readers say
    assert learn.bounding_box()["width"] < 80  # what shows: "Learn"


def test_a_reader_switches_language_on_a_page_kept_from_another_reader(desktop_page, phone_page):
    from education.tests.factories import TopicFactory

    TopicFactory(slug="kept-for-readers", title="A page kept for readers")
    # The first reader's visit keeps the page whole (atrophy_site/shared_pages.py); the second
    # gets that copy with a CSRF token of their own, which the language switch must accept.
    assert desktop_page.goto("/learn/kept-for-readers/").status == 200
    assert phone_page.goto("/learn/kept-for-readers/").status == 200
    assert phone_page.get_by_role("heading", name="A page kept for readers").is_visible()
    phone_page.get_by_role("button", name="Español").click()
    assert phone_page.locator("html").get_attribute("lang") == "es"
    assert phone_page.url.endswith("/learn/kept-for-readers/")
    assert phone_page.get_by_role("heading", name="A page kept for readers").is_visible()
