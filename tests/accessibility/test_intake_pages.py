"""Every page of "Prepare for your visit" meets WCAG 2.2 A and AA as far as axe-core can tell.

Each step in its empty state and in its error state (sent empty, or with an answer it refuses),
the "save this link" pages, check your answers (and sending without the consent tick), the
confirmation, the visit summary, a sent form's read-only step, the emergency box that urgent
answers open, and the pages for a wrong link or a summary with no form open. One axe scan per
page state; a failure lists every state that has a problem. Keyboard use is in test_keyboard.py.
"""

import re

import pytest
from playwright.sync_api import expect

from intake.tests.factories import BlankDraftFactory, IntakeSubmissionFactory
from intake.tokens import resume_link_for
from tests.accessibility.axe_check import wcag_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_rate_limits"),
]


def save_and_continue(page):
    page.get_by_role("button", name="Save and continue").click()


def type_past_the_limit(field, length):
    """Type more than the box allows (the server must still refuse it, with a message)."""
    field.evaluate("element => element.removeAttribute('maxlength')")
    field.fill("x" * length)


#: How to make each step refuse its answers, as a patient could.
MAKE_ERRORS = {
    2: None,  # all choices: nothing a patient can do there is an error
    3: None,  # all choices too
    4: lambda page: None,  # the five strength questions must be answered
    5: lambda page: page.get_by_role("checkbox", name="Something else").check(),  # no what
    6: lambda page: page.locator("#id_medicine-0-dose").fill("5 mg"),  # a dose, no name
    7: lambda page: (  # a year in the future
        page.get_by_role("button", name="Add an injury").click(),
        page.locator("#id_injury-0-when").fill("2999"),
    ),
    8: lambda page: page.get_by_label("Alcoholic drinks a week").fill("lots"),
    9: lambda page: (
        page.get_by_label("Blood tests", exact=True).check(),
        page.locator("#id_blood_when").fill("2999"),
    ),
    10: lambda page: type_past_the_limit(page.get_by_label("Your own questions"), 3001),
}


class Scans:
    """Runs one axe scan per page state and keeps what each one found."""

    def __init__(self, page):
        self.page = page
        self.problems: dict[str, list[str]] = {}

    def check(self, state: str, *, error_title=False):
        self.page.wait_for_load_state("load")  # stylesheets in, or contrast is guesswork
        title = self.page.title()
        assert title.startswith("Error:") == error_title, f"{state}: title {title!r}"
        if found := wcag_violations(self.page):
            self.problems[state] = found


def open_link(page, submission):
    page.goto(resume_link_for(submission, submission.raw_token))


def test_pages_before_a_form_is_open(phone):
    scans = Scans(phone)
    phone.goto("/prepare/")
    scans.check("start")
    assert phone.goto("/prepare/resume/not-a-real-link/").status == 404
    scans.check("link not found")
    assert phone.goto("/prepare/summary/").status == 404
    scans.check("summary with no form open")
    assert scans.problems == {}


def test_step_one_empty_and_with_errors_then_the_save_pages(phone):
    scans = Scans(phone)
    phone.goto("/prepare/step/1/")
    scans.check("step 1")
    save_and_continue(phone)
    scans.check("step 1 with errors", error_title=True)

    phone.get_by_label("Given names").fill("Ann")
    phone.get_by_label("Family name").fill("Example")
    phone.get_by_label("Day").first.fill("3")
    phone.get_by_label("Month").first.fill("4")
    phone.get_by_label("Year").first.fill("1950")
    save_and_continue(phone)
    expect(phone.locator(".private-link")).to_be_visible()
    scans.check("save this link")

    phone.goto("/prepare/step/2/")
    phone.get_by_role("button", name="Save and come back later").click()
    expect(phone.get_by_role("heading", name="Your answers are saved")).to_be_visible()
    scans.check("saved, link already given")

    phone.goto("/prepare/new/")
    scans.check("start a new form?")
    assert scans.problems == {}


def test_steps_two_to_nine_empty_and_with_errors(phone):
    scans = Scans(phone)
    open_link(phone, BlankDraftFactory())
    for number, make_errors in MAKE_ERRORS.items():
        phone.goto(f"/prepare/step/{number}/")
        scans.check(f"step {number}")
        if make_errors is None:
            continue
        make_errors(phone)
        save_and_continue(phone)
        expect(phone.locator(".error-summary")).to_be_visible()
        scans.check(f"step {number} with errors", error_title=True)
    assert scans.problems == {}


def test_rows_pages_with_several_rows(phone):
    scans = Scans(phone)
    open_link(phone, IntakeSubmissionFactory())  # two medicines, two injuries
    phone.goto("/prepare/step/6/")
    phone.get_by_role("button", name="Add another medicine").click()
    scans.check("medicines, two rows and a new one")
    phone.goto("/prepare/step/7/")
    scans.check("injuries, two rows")
    assert scans.problems == {}


def test_check_send_confirm_summary_and_read_only(phone):
    scans = Scans(phone)
    open_link(phone, IntakeSubmissionFactory())
    phone.goto("/prepare/check-your-answers/")
    scans.check("check your answers")
    phone.get_by_role("button", name="Send to the clinic").click()
    scans.check("check your answers, sent without consent", error_title=True)
    phone.get_by_label(re.compile("I understand this is not a diagnosis")).check()
    phone.get_by_role("button", name="Send to the clinic").click()
    expect(phone.get_by_role("heading", name="Your answers have been sent")).to_be_visible()
    scans.check("confirmation")
    phone.goto("/prepare/summary/")
    scans.check("visit summary")
    phone.goto("/prepare/step/2/")
    scans.check("a sent form's step, read only")
    phone.goto("/prepare/check-your-answers/")
    scans.check("a sent form's answers, read only")
    assert scans.problems == {}


def test_the_emergency_page_and_boxes_that_urgent_answers_open(phone):
    scans = Scans(phone)
    open_link(phone, IntakeSubmissionFactory(urgent=True))
    phone.goto("/prepare/step/2/")
    save_and_continue(phone)
    expect(phone).to_have_url(re.compile("/prepare/get-help-now/$"))
    scans.check("the get-help-now page")
    phone.get_by_role("button", name="Carry on with the form").click()
    expect(phone.locator(".error-summary")).to_be_visible()
    scans.check("the get-help-now page with its error", error_title=True)
    phone.get_by_label(re.compile("A doctor already knows")).check()
    phone.get_by_role("button", name="Carry on with the form").click()
    expect(phone.locator(".urgent-reminder--emergency")).to_be_visible()
    scans.check("step 3 with the emergency reminder")
    phone.goto("/prepare/check-your-answers/")
    expect(phone.locator(".urgent-box--answers")).to_be_visible()
    scans.check("check your answers with the emergency box")
    assert scans.problems == {}


def test_the_call_today_box_that_tier_2_answers_open(phone):
    scans = Scans(phone)
    open_link(phone, IntakeSubmissionFactory())
    phone.goto("/prepare/step/2/")
    phone.get_by_label("Getting worse from one week to the next").check()
    save_and_continue(phone)
    expect(phone.locator(".urgent-box--today")).to_be_visible()
    scans.check("step 3 with the call-today box")
    save_and_continue(phone)
    expect(phone.locator(".urgent-reminder--today")).to_be_visible()
    scans.check("step 4 with the call-today reminder and revealed follow-ups")
    assert scans.problems == {}
