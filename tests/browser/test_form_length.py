"""How long the form is for a tired patient: questions on the common path and page heights.

Measured in the browser at phone width (390 px), as a new patient meets each step: only the
questions the page shows (follow-ups stay hidden until an answer calls for them; the injuries
page starts with an "Add an injury" button). The numbers are printed and kept in
test-artifacts/form-length.txt; the README quotes them.
"""

from pathlib import Path

import pytest

from intake.questions import CHECK_STEP
from intake.tests.factories import BlankDraftFactory
from intake.tokens import resume_link_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_rate_limits"),
]

#: At most this many questions from the first step to the check page (the issue: "about 40").
MOST_QUESTIONS = 42
#: No step page taller than this many phone screens (844 px each) at 390 px wide.
MOST_SCREENS = 3.5

QUESTIONS_SHOWN = """() => [...document.querySelectorAll('main form .form-group')]
    .filter(group => group.offsetParent !== null)
    .filter(group => !group.parentElement.closest('.form-group')).length"""


def test_the_common_path_has_about_40_questions_and_no_page_is_over_three_screens(phone_page):
    page = phone_page
    draft = BlankDraftFactory(steps_completed=[1])
    page.goto(resume_link_for(draft, draft.raw_token))
    screen = page.viewport_size["height"]
    measured = []
    for number in range(1, CHECK_STEP):
        page.goto(f"/prepare/step/{number}/")
        page.wait_for_load_state("load")
        questions = page.evaluate(QUESTIONS_SHOWN)
        # How far the patient scrolls to finish the page: to the bottom of "Save and continue".
        height = round(
            page.get_by_role("button", name="Save and continue").last.evaluate(
                "button => button.getBoundingClientRect().bottom + window.scrollY"
            )
        )
        if number == 2:
            page.screenshot(path="test-artifacts/step-2-phone.png", full_page=True)
        measured.append((number, page.title().split(" (")[0], questions, height))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

    total = sum(questions for _n, _t, questions, _h in measured)
    tallest = max(measured, key=lambda row: row[3])
    lines = [
        f"{n:>2}  {questions:>2} questions  {height:>5} px  {title}"
        for n, title, questions, height in measured
    ]
    lines.append(
        f"Common path: {total} questions; tallest page: step {tallest[0]}, "
        f"{tallest[3]} px = {tallest[3] / screen:.1f} phone screens of {screen} px"
    )
    report = "\n".join(lines)
    print(report)
    Path("test-artifacts").mkdir(exist_ok=True)
    Path("test-artifacts/form-length.txt").write_text(report + "\n")

    assert total <= MOST_QUESTIONS, report
    assert tallest[3] <= MOST_SCREENS * screen, report
