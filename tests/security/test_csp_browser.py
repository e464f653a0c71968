"""The strict Content-Security-Policy holds in a real browser, on every kind of page.

Chromium reports each thing the policy blocks (an inline script, an inline style, a file from
elsewhere) on the console as "Refused to ... because it violates the following Content Security
Policy directive". This walks one page of every kind, for patients and for staff, and listens:
nothing may be refused, no script may fail, and no page may carry an inline script at all. A
first test shows that the listener does hear a violation when there is one. (Styles set from
script through the DOM are allowed by the policy; the templates' own markup is scanned for
inline styles in tests/test_content_security.py.)
"""

import re

import pytest
from django.urls import reverse

from intake.tests.factories import IntakeSubmissionFactory
from intake.tokens import resume_link_for
from tests.staff import PASSWORD, current_code, enrol_totp, make_staff_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_rate_limits"),
]

INLINE_CODE = """() => ({
  scripts: [...document.scripts]
    .filter(s => !s.src && !["application/json", "application/ld+json"].includes(s.type))
    .map(s => s.outerHTML.slice(0, 80)),
  handlers: [...document.querySelectorAll("*")]
    .filter(e => [...e.attributes].some(a => a.name.startsWith("on")))
    .map(e => e.outerHTML.slice(0, 80)),
})"""


class Listener:
    """Collects what the browser reports about a page: CSP refusals, script errors and files
    that did not load (a 404 page's own status is not counted: it is meant)."""

    def __init__(self, page):
        self.messages: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"script error: {error}"))
        page.on("response", self._response)

    def _console(self, message):
        if message.text.startswith("Failed to load resource"):
            return  # reported with its address by _response, below
        if "Content Security Policy" in message.text or message.type == "error":
            self.messages.append(f"{message.type}: {message.text}")

    def _response(self, response):
        if response.status >= 400 and response.request.resource_type != "document":
            self.messages.append(f"{response.status}: {response.url}")

    def take(self) -> list[str]:
        taken, self.messages = self.messages, []
        return taken


def check(page, listener, problems, name):
    page.wait_for_load_state("load")
    found = listener.take()
    inline = page.evaluate(INLINE_CODE)
    found += [f"{kind}: {items}" for kind, items in inline.items() if items]
    if found:
        problems[name] = found


def test_the_listener_hears_the_policy_refuse_an_inline_script(desktop_page):
    listener = Listener(desktop_page)
    desktop_page.goto("/")
    desktop_page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.append(script);
        }"""
    )
    assert desktop_page.evaluate("window.inlineRan") is None
    heard = listener.take()
    assert any(re.search(r"inline script.*Content Security Policy", m) for m in heard), heard


def test_no_policy_violation_on_any_patient_page(desktop_page, learn_content):
    page = desktop_page
    listener = Listener(page)
    problems: dict[str, list[str]] = {}
    for path in (
        "/",
        "/learn/",
        "/learn/disuse-atrophy/",
        "/learn/urgent-signs/",
        "/learn/glossary/",
        "/learn/search/?q=muscle",
        "/no-such-page/",
        "/prepare/",
        "/prepare/resume/not-a-link/",
        "/prepare/summary/",
    ):
        page.goto(path)
        check(page, listener, problems, path)

    page.goto("/prepare/step/1/")
    page.get_by_role("button", name="Save and continue").click()
    check(page, listener, problems, "step 1 with errors")

    submission = IntakeSubmissionFactory(urgent=True)
    page.goto(resume_link_for(submission, submission.raw_token))
    check(page, listener, problems, "private link")
    page.goto("/prepare/step/2/")
    page.get_by_role("button", name="Save and continue").click()
    check(page, listener, problems, "step 3 with the emergency box")
    for number in (5, 6, 8):
        page.goto(f"/prepare/step/{number}/")
        check(page, listener, problems, f"step {number}")
    page.get_by_role("button", name="Save and come back later").click()
    check(page, listener, problems, "saved")
    page.goto("/prepare/check-your-answers/")
    check(page, listener, problems, "check your answers")
    page.get_by_label(re.compile("I understand this is not a diagnosis")).check()
    page.get_by_role("button", name="Send to the clinic").click()
    check(page, listener, problems, "confirmation")
    page.get_by_role("link", name="Open your visit summary").click()
    check(page, listener, problems, "visit summary")
    assert page.get_by_role("button", name="Print this summary").is_visible()  # print.js ran

    assert problems == {}


def test_no_policy_violation_on_any_staff_page(desktop_page):
    page = desktop_page
    listener = Listener(page)
    problems: dict[str, list[str]] = {}
    nurse = make_staff_user("nurse")
    device = enrol_totp(nurse)
    submission = IntakeSubmissionFactory(sent=True, urgent=True)

    page.goto(reverse("admin:login"))
    check(page, listener, problems, "sign in")
    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Log in").click()
    check(page, listener, problems, "admin home")
    for url in (
        reverse("admin:intake_intakesubmission_changelist"),
        reverse("admin:intake_intakesubmission_changelist") + "?q=zzz&urgency_tier__exact=1",
        reverse("admin:intake_intakesubmission_change", args=[submission.pk]),
        reverse("admin:intake_intakesubmission_history", args=[submission.pk]),
        reverse("intake:staff_summary", kwargs={"reference": submission.reference}),
        reverse("admin:password_change"),
    ):
        page.goto(url)
        check(page, listener, problems, url)

    # The queue's action bar uses the admin's scripts: select a row and run an action.
    page.goto(reverse("admin:intake_intakesubmission_changelist"))
    page.locator("input.action-select").first.check()
    page.locator("select[name=action]").select_option("mark_reviewed")
    page.get_by_role("button", name="Go").click()
    check(page, listener, problems, "action on the queue")

    assert problems == {}
