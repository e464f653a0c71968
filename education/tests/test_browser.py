"""A person reads the Learn pages in a real browser, on a phone and on paper."""

import re

import pytest
from playwright.sync_api import expect

from education.loader import load_content

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("learn_content"),
]


@pytest.fixture
def learn_content():
    """The shipped content, loaded again: browser tests run after others have emptied the tables.

    (Django's serialized_rollback cannot be used: a flush by an earlier browser test recreates
    the content types, which the restore then collides with.)
    """
    load_content()


def test_a_phone_reader_finds_a_topic_reads_it_and_goes_on_to_prepare(phone_page):
    phone_page.goto("/learn/")
    phone_page.get_by_role(
        "link", name="Muscle loss from nerve problems (neurogenic atrophy)"
    ).click()

    heading = phone_page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Muscle loss from nerve problems (neurogenic atrophy)")
    # Nothing spills sideways on a 390 px screen.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(phone_page.locator(".urgent-notice")).to_be_visible()

    phone_page.locator(".on-this-page").get_by_role("link", name="When to get help").click()
    expect(phone_page).to_have_url(re.compile(r"/learn/neurogenic-atrophy/#when-to-get-help$"))
    expect(phone_page.locator("#when-to-get-help")).to_be_in_viewport()

    call_to_action = phone_page.locator(".prepare-cta").get_by_role(
        "link", name="Prepare for your visit"
    )
    box = call_to_action.bounding_box()
    assert box is not None and box["height"] >= 48 and box["width"] <= 390
    call_to_action.click()
    expect(phone_page).to_have_url(re.compile(r"/prepare/$"))


def test_a_glossary_link_lands_on_its_highlighted_entry(phone_page):
    phone_page.goto("/learn/disuse-atrophy/")
    link = phone_page.locator("a.glossary-link").first
    slug = link.get_attribute("href").split("#", 1)[1]
    link.click()
    expect(phone_page).to_have_url(re.compile(rf"/learn/glossary/#{slug}$"))
    expect(phone_page.locator(f"#{slug}")).to_be_in_viewport()


def test_a_printed_topic_keeps_the_words_and_sources_and_drops_the_controls(desktop_page):
    desktop_page.goto("/learn/electromyography/")
    desktop_page.emulate_media(media="print")
    for hidden in (".site-header", ".breadcrumbs", ".on-this-page", ".prepare-cta", ".btn"):
        expect(desktop_page.locator(hidden).first).to_be_hidden()
    expect(desktop_page.get_by_role("heading", level=1)).to_be_visible()
    expect(desktop_page.locator(".topic-sources")).to_be_visible()
    expect(desktop_page.locator(".urgent-notice__text")).to_be_visible()
