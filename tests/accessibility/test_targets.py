"""Controls big enough for weak or shaky hands, measured in the browser at phone width."""

import pytest

from intake.tests.factories import BlankDraftFactory
from intake.tokens import resume_link_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_rate_limits"),
]


def test_radios_and_checkboxes_are_at_least_40_px_and_rows_at_least_44(phone):
    draft = BlankDraftFactory(steps_completed=[1])
    phone.goto(resume_link_for(draft, draft.raw_token))
    sizes = []
    for number in (2, 3):  # the symptoms steps: every kind of radio and checkbox
        phone.goto(f"/prepare/step/{number}/")
        phone.wait_for_load_state("load")
        sizes += phone.evaluate(
            """() => [...document.querySelectorAll('main .form-check-input')]
            .filter(input => input.offsetParent !== null)
            .map(input => {
                const box = input.getBoundingClientRect();
                const row = input.closest('.form-check').getBoundingClientRect();
                return [input.id, box.width, box.height, row.height];
            })"""
        )
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert len(sizes) > 40  # every radio and checkbox on the two symptoms steps
    small = [s for s in sizes if s[1] < 40 or s[2] < 40 or s[3] < 44]
    assert small == []


def test_the_header_takes_at_most_90_px_of_a_phone_screen_and_keeps_full_link_names(phone):
    phone.goto("/prepare/")
    phone.wait_for_load_state("load")
    assert phone.evaluate("document.querySelector('.site-header').offsetHeight") <= 90
    nav = phone.get_by_role("navigation", name="Main")
    # "Learn" is what a phone shows; the whole name is still what a screen reader says.
    learn = nav.get_by_role("link", name="Learn about muscle loss")
    assert learn.is_visible()
    assert learn.evaluate("a => a.getBoundingClientRect().height") >= 44
    assert phone.get_by_role("button", name="Español").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_spanish_header_also_fits_in_90_px_with_a_shorter_link_the_phone_shows(phone):
    phone.goto("/prepare/")
    phone.get_by_role("button", name="Español").click()
    phone.wait_for_load_state("load")
    assert phone.evaluate("document.querySelector('.site-header').offsetHeight") <= 90
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    nav = phone.get_by_role("navigation", name="Principal")
    # The phone shows "Su consulta"; a screen reader still hears the whole name.
    prepare = nav.get_by_role("link", name="Prepárese para su consulta")
    assert prepare.is_visible()
    assert prepare.locator(".site-nav__short").inner_text() == "Su consulta"
    assert prepare.locator(".site-nav__full").bounding_box()["width"] <= 1  # read, not shown
    assert nav.get_by_role("link", name="Aprenda sobre la pérdida de músculo").is_visible()
