"""Every public page meets WCAG 2.2 A and AA as far as axe-core can tell, on a phone.

Home, the Learn index, every topic, the glossary, search (empty, with results and with none)
and the "page not found" page. All impacts count, not only serious ones.
"""

import pytest

from education.loader import read_content
from tests.accessibility.axe_check import wcag_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOPICS = sorted(topic.slug for topic in read_content().topics if topic.published)
PAGES = {
    "/": 200,
    "/learn/": 200,
    **{f"/learn/{slug}/": 200 for slug in TOPICS},
    "/learn/glossary/": 200,
    "/learn/search/": 200,
    "/learn/search/?q=muscle+weak": 200,  # with results
    "/learn/search/?q=xylophone": 200,  # with none
    "/no-such-page/": 404,
    "/learn/no-such-topic/": 404,
}


def test_every_public_page_has_no_wcag_violations(phone, learn_content):
    """One scan per page, in one window; the failure lists every page that has a problem."""
    assert len(TOPICS) >= 15
    problems = {}
    for path, status in PAGES.items():
        response = phone.goto(path)
        assert response.status == status, path
        if found := wcag_violations(phone):
            problems[path] = found
    assert problems == {}


def test_the_search_states_are_what_they_claim(phone, learn_content):
    phone.goto("/learn/search/?q=muscle+weak")
    assert phone.locator("main a[href^='/learn/']").count() > 0
    phone.goto("/learn/search/?q=xylophone")
    assert phone.get_by_text("xylophone").first.is_visible()
