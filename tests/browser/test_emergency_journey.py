"""A patient with emergency signs, in a real browser at phone width (390 px).

After NHS 111 online: answers that show a tier-1 sign stop the form on a "get emergency help
now" page with the emergency number as a tappable link; the patient carries on only by saying a
doctor already knows, and the clinic sees that choice and the form first in its queue.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from intake.models import IntakeSubmission
from tests.browser.body_map_steps import mark_weakness
from tests.staff import PASSWORD, current_code, enrol_totp, make_staff_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_rate_limits"),
]


def in_group(page, name):
    return page.get_by_role("group", name=re.compile("^" + re.escape(name)))


def test_emergency_signs_stop_the_form_with_a_number_to_tap_and_the_choice_is_recorded(
    phone_page, settings, new_context, live_server
):
    settings.EMERGENCY_NUMBER = "999"
    page = phone_page
    page.goto("/prepare/step/1/")
    page.get_by_label("Given names").fill("Ray")
    page.get_by_label("Family name").fill("Example")
    dob = in_group(page, "Date of birth")
    dob.get_by_label("Day").fill("9")
    dob.get_by_label("Month").fill("9")
    dob.get_by_label("Year").fill("1951")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Continue").click()

    # Weakness rising up both legs over three days, with tingling: the Guillain-Barré pattern.
    mark_weakness(page, "Left lower leg", "Quite a lot")
    mark_weakness(page, "Right lower leg", "Quite a lot")
    in_group(page, "When did it start?").get_by_label("In the last few days").check()
    in_group(page, "How quickly did the weakness come on?").get_by_label("Over a few days").check()
    in_group(page, "Is it getting worse").get_by_label("Getting worse from one week").check()
    in_group(page, "Is the weakness spreading").get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page).to_have_url(re.compile("/prepare/get-help-now/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Get emergency help now")
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    expect(page.locator("main")).to_contain_text("Your weakness came on over a few days.")
    expect(page.locator("main")).to_contain_text("Do not drive yourself.")
    call = page.get_by_role("link", name="Call 999 now")
    expect(call).to_have_attribute("href", "tel:999")
    box = call.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # easy to tap on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Carrying on needs the box: a clear message beside it, then the form goes on.
    page.get_by_role("button", name="Carry on with the form").click()
    expect(page.locator(".error-message")).to_contain_text("Tick the box only if a doctor")
    page.get_by_label(re.compile("A doctor already knows")).check()
    page.get_by_role("button", name="Carry on with the form").click()
    expect(page.locator(".step-caption")).to_have_text("Step 3 of 11")
    expect(page.get_by_role("link", name="Call 999")).to_have_attribute("href", "tel:999")

    submission = IntakeSubmission.objects.get(full_name="Ray Example")
    assert submission.urgency_tier == 1
    assert submission.urgent_carry_on_at is not None
    assert set(submission.urgent_carry_on_signs) == {"onset_over_days", "spreading"}

    # The clinic: the form is first in the queue, in clinicians' words, with the choice.
    IntakeSubmission.objects.filter(pk=submission.pk).update(
        status=IntakeSubmission.Status.SENT, phone="+441632960001"
    )
    nurse = make_staff_user("nurse")
    device = enrol_totp(nurse)
    staff = new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    staff_page = staff.new_page()
    staff_page.goto(reverse("admin:index"))
    staff_page.get_by_label("Username").fill("nurse")
    staff_page.get_by_label("Password").fill(PASSWORD)
    staff_page.get_by_label("Code from your authenticator app").fill(current_code(device))
    staff_page.get_by_role("button", name="Log in").click()
    staff_page.get_by_role("link", name="Visit preparation forms").first.click()
    first_row = staff_page.locator("#result_list tbody tr").first
    expect(first_row).to_contain_text("Ray Example")
    expect(first_row).to_contain_text("Weakness developing over days, bilateral")
    first_row.get_by_role("link", name="Ray Example").click()
    expect(staff_page.locator("#content")).to_contain_text("saying a doctor already knows")
