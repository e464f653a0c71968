"""The visit summary in a real browser: on screen at phone and desktop widths, and on paper."""

import io
import unicodedata

import pytest
from pypdf import PdfReader

from intake.models import IntakeSubmission
from intake.tests.factories import typical_sent_submission_with_token
from intake.tokens import resume_link_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUMMARY_URL = "/prepare/summary/"


def typical_sent_submission() -> IntakeSubmission:
    """Sent, with two injuries, four medicines and three tests."""
    submission, _token = typical_sent_submission_with_token()
    return submission


def plain_text(pdf_page) -> str:
    """A PDF page's text on one line, with ligatures ("ﬀ" in "Jeﬀrey") as the letters typed."""
    return " ".join(unicodedata.normalize("NFKC", pdf_page.extract_text()).split())


def open_summary(page, submission):
    page.goto(resume_link_for(submission, submission.raw_token))
    page.goto(SUMMARY_URL)


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_typical_summary_prints_on_two_pages_with_the_key_points(desktop_page, paper):
    submission = typical_sent_submission()
    open_summary(desktop_page, submission)

    pdf = PdfReader(io.BytesIO(desktop_page.pdf(format=paper)))
    flat = " ".join(plain_text(page) for page in pdf.pages)

    assert len(pdf.pages) <= 2
    for words in (
        "Key points",
        "Urgency: tier 3 (bring to the appointment), no urgent signs reported.",
        "Left shoulder (a little), Right shoulder (a little),",
        "Quite a lot: some everyday things are hard",
        "3 out of 10: negative screen (below 4)",
        "Yes: About 4 kg over 6 months",
        "Left knee (2019): Fell on ice; treated: Physiotherapy for 6 weeks;",
        "Prednisolone (steroid)",
        "Statin: yes",
    ):
        assert words in flat, words
    # The running head and page numbers are on every page; the screen's buttons are not.
    for number, page in enumerate(pdf.pages, start=1):
        page_text = plain_text(page)
        assert submission.full_name in page_text
        assert "Born 2 Jul 1948" in page_text
        assert f"Page {number} of {len(pdf.pages)}" in page_text
    assert "Print this summary" not in flat
    assert "Learn about muscle loss" not in flat


def test_print_button_appears_with_javascript(desktop_page):
    open_summary(desktop_page, typical_sent_submission())

    assert desktop_page.get_by_role("button", name="Print this summary").is_visible()
    assert not desktop_page.get_by_text("use your browser's Print command").is_visible()


def test_summary_fits_a_phone_screen(phone_page):
    submission = typical_sent_submission()
    open_summary(phone_page, submission)

    assert phone_page.get_by_role("heading", name=submission.full_name).is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


def test_summary_passes_automated_accessibility_checks(desktop_page):
    from axe_playwright_python.sync_playwright import Axe

    open_summary(desktop_page, typical_sent_submission())

    results = Axe().run(desktop_page)
    problems = [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert problems == []
