"""A patient who cannot use a mouse fills in step 1 and sends it with the keyboard alone.

From the start page: Tab and Enter only. The keyboard visits the boxes in reading order, each
with a visible focus ring, and after each page is sent the keyboard (and a screen reader) starts
at the new page's heading (GOV.UK: "after Continue, focus starts at the new page's heading").
"""

import pytest

from intake.models import IntakeSubmission

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_rate_limits"),
]

FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    id: element.id,
    tag: element.tagName.toLowerCase(),
    text: element.textContent.trim().replace(/\\s+/g, " ").slice(0, 60),
    ring: style.outlineStyle !== "none" || style.boxShadow !== "none",
  };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def focus_after_load(page) -> dict:
    """The element the page focuses on arrival (autofocus), once the browser has applied it.

    Chromium applies autofocus a moment after the load event; reading (or pressing Tab) before
    then starts from the top of the page instead, which made this test flaky.
    """
    page.wait_for_function("document.activeElement && document.activeElement !== document.body")
    return focused(page)


def tab(page) -> dict:
    page.keyboard.press("Tab")
    now = focused(page)
    assert now["ring"], f"no visible focus on {now}"
    return now


def tab_to_text(page, text, limit=15) -> dict:
    """Press Tab until the focused element's text is `text`."""
    for _press in range(limit):
        now = tab(page)
        if now["text"] == text:
            return now
    raise AssertionError(f"{text!r} not reached with {limit} presses of Tab")


def test_step_one_is_filled_and_sent_with_the_keyboard_alone(phone):
    phone.goto("/prepare/")
    tab_to_text(phone, "Start now")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/prepare/step/1/")

    heading = focus_after_load(phone)
    assert (heading["tag"], heading["text"]) == ("h1", "About you and your visit")

    typed = {
        "id_filled_by_0": "",  # a radio group is one Tab stop; its follow-ups stay hidden
        "id_given_names": "Kim",
        "id_family_name": "Keyboard",
        "id_date_of_birth_0": "9",
        "id_date_of_birth_1": "12",
        "id_date_of_birth_2": "1944",
        "id_phone": "201 555 0188",
        "id_email": "",
        "id_appointment_date_0": "",
        "id_appointment_date_1": "",
        "id_appointment_date_2": "",
        "id_visit_reason": "Weak grip",
        "id_interpreter_needed_0": "",
        "id_access_needs": "",
    }
    for expected_id, text in typed.items():
        assert tab(phone)["id"] == expected_id  # reading order, nothing skipped
        phone.keyboard.type(text)
    assert tab(phone)["text"] == "Save and continue"
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/saved/**")  # the page at the private link's own address

    heading = focus_after_load(phone)
    assert (heading["tag"], heading["text"]) == ("h1", "Your answers are saved. Save this link")
    tab_to_text(phone, "Continue")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/prepare/step/2/")

    heading = focus_after_load(phone)
    assert (heading["tag"], heading["text"]) == ("h1", "Your symptoms")
    submission = IntakeSubmission.objects.get()
    assert (submission.given_names, submission.family_name) == ("Kim", "Keyboard")
    assert submission.full_name == "Kim Keyboard"
    assert submission.date_of_birth.isoformat() == "1944-12-09"
    assert submission.visit_reason == "Weak grip"
    assert submission.phone.as_e164 == "+12015550188"


def test_with_errors_the_keyboard_starts_at_the_error_summary_and_its_links(phone):
    phone.goto("/prepare/step/1/")
    assert focus_after_load(phone)["tag"] == "h1"
    phone.keyboard.press("Tab")  # into the first box, from the heading
    with phone.expect_navigation():
        phone.keyboard.press("Enter")  # send it empty

    summary = focus_after_load(phone)
    assert summary["text"].startswith("There is a problem")
    assert tab(phone)["text"] == "Enter your family name"
    phone.keyboard.press("Enter")  # the summary's link lands in the box
    assert focused(phone)["id"] == "id_family_name"
