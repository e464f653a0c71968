"""A patient fills in the whole form on a phone, leaves half-way, comes back by link and sends."""

import re

import pytest

from intake.models import IntakeSubmission
from tests.browser.body_map_steps import mark_weakness

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def save_and_continue(page):
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state("load")


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def expect_step(page, number):
    assert page.locator(".step-caption").inner_text() == f"Step {number} of 11"
    assert fits_the_phone(page)


def test_whole_form_on_a_phone_with_a_break_and_the_private_link(
    phone_page, new_context, live_server
):
    page = phone_page
    page.goto("/prepare/")
    page.get_by_role("link", name="Start now").click()

    # Step 1, with a mistake first: the error is shown and nothing typed is lost.
    expect_step(page, 1)
    page.get_by_label("Given names").fill("Maria")
    page.get_by_label("Family name").fill("Example")
    page.get_by_label("Day").first.fill("9")
    page.get_by_label("Year").first.fill("1947")
    page.get_by_label("What is the main reason for your visit?").fill("My legs are weaker.")
    save_and_continue(page)
    assert page.title().startswith("Error:")
    assert page.get_by_text("Date of birth must include a month").first.is_visible()
    assert page.get_by_label("Given names").input_value() == "Maria"
    assert page.get_by_label("Family name").input_value() == "Example"
    page.get_by_label("Month").first.fill("11")
    save_and_continue(page)

    # The private link and reference, shown once.
    assert page.get_by_role("heading", name=re.compile("Save this link")).is_visible()
    link = page.locator(".private-link a").inner_text()
    reference = page.locator(".reference-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
    page.get_by_role("link", name="Continue").click()

    # Step 2
    expect_step(page, 2)
    mark_weakness(page, "Left hip or thigh", "Quite a lot")
    mark_weakness(page, "Right hip or thigh", "A little")
    page.get_by_label("More than a year ago").check()
    page.get_by_label("Over months or longer").check()
    page.get_by_label("Getting worse slowly, over months").check()
    save_and_continue(page)

    # Step 3
    expect_step(page, 3)
    page.get_by_label("A little: I can still do my usual things").check()
    page.get_by_label("Cramps or twitching").check()
    save_and_continue(page)

    # Step 4: SARC-F, total 5
    expect_step(page, 4)
    for name, value in [("strength", 2), ("walking", 1), ("chair", 1), ("stairs", 1), ("falls", 0)]:
        page.locator(f"#id_sarc_f_{name}_{value}").check()
    save_and_continue(page)

    # Step 5
    expect_step(page, 5)
    page.get_by_label("Diabetes").check()
    page.get_by_label("Allergies").fill("Penicillin")
    save_and_continue(page)

    # Step 6: two medicines, the second added with "Add another" (no script needed)
    expect_step(page, 6)
    page.locator("#id_medicine-0-name").fill("Prednisolone")
    page.locator("#id_medicine-0-dose").fill("5 mg")
    page.get_by_role("button", name="Add another medicine").click()
    page.wait_for_load_state("load")
    page.locator("#id_medicine-1-name").fill("Atorvastatin")
    page.locator("#id_medicine-1-frequency").fill("Every evening")
    save_and_continue(page)

    # Step 7: two injuries
    expect_step(page, 7)
    page.get_by_role("button", name="Add an injury").click()
    page.wait_for_load_state("load")
    page.locator("#id_injury-0-body_part").fill("Left knee")
    page.locator("#id_injury-0-when").fill("2019")
    page.locator("#injury-0").get_by_label("Sometimes").check()
    page.get_by_role("button", name="Add another injury").click()
    page.wait_for_load_state("load")
    page.locator("#id_injury-1-body_part").fill("Right wrist")
    page.locator("#id_injury-1-what_happened").fill("Fell on the ice")
    page.locator("#injury-1").get_by_label("No", exact=True).check()
    save_and_continue(page)
    expect_step(page, 8)

    # The patient closes the page half-way through...
    page.context.close()

    # ...and later opens the private link in a fresh browser, with JavaScript off.
    later = new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    page = later.new_page()
    page.goto(link)
    assert "/resume/" not in page.url
    assert link.rsplit("/", 2)[-2] not in page.url
    assert page.get_by_text(f"Welcome back. Your answers are here (reference {reference}).")
    expect_step(page, 8)

    # Back shows what was saved before the break.
    page.get_by_role("button", name="Back", exact=True).click()
    page.wait_for_load_state("load")
    expect_step(page, 7)
    assert page.locator("#id_injury-1-body_part").input_value() == "Right wrist"
    save_and_continue(page)

    # Step 8
    page.get_by_label("Light: I move around the home and do light chores").check()
    page.get_by_label("Alcoholic drinks a week").fill("9")
    save_and_continue(page)

    # Step 9
    expect_step(page, 9)
    page.get_by_label("Blood tests", exact=True).check()
    page.locator("#id_blood_when").fill("2024")
    save_and_continue(page)

    # Step 10
    expect_step(page, 10)
    page.get_by_label("Could any of my medicines be causing this?").check()
    save_and_continue(page)

    # Step 11: every answer is there, including both medicines and both injuries.
    expect_step(page, 11)
    for text in [
        "Maria",
        "Example",
        "9 November 1947",
        "Left hip or thigh (quite a lot)",
        "5 out of 10. A total of 4 or more",
        "Prednisolone",
        "Atorvastatin",
        "Left knee",
        "Right wrist",
        "Fell on the ice",
        "Blood tests",
    ]:
        assert page.get_by_text(text).first.is_visible(), text
    page.get_by_role("button", name="Send to the clinic").click()
    page.wait_for_load_state("load")
    assert page.title().startswith("Error:")
    page.get_by_label(re.compile("I understand this is not a diagnosis")).check()
    page.get_by_role("button", name="Send to the clinic").click()
    page.wait_for_load_state("load")

    assert page.get_by_role("heading", name="Your answers have been sent").is_visible()
    assert page.locator(".reference-code").inner_text() == reference
    assert fits_the_phone(page)

    submission = IntakeSubmission.objects.get(reference=reference)
    assert submission.status == IntakeSubmission.Status.SENT
    assert [m.name for m in submission.medicines.all()] == ["Prednisolone", "Atorvastatin"]
    assert [i.body_part for i in submission.injuries.all()] == ["Left knee", "Right wrist"]
    assert submission.sarc_f_total == 5


def test_every_step_passes_automated_accessibility_checks(desktop_page):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = desktop_page

    def check(name):
        results = axe.run(page)
        problems = [
            f"{v['id']}: {v['help']}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert problems == [], name

    page.goto("/prepare/")
    check("start")
    page.goto("/prepare/step/1/")
    save_and_continue(page)  # with errors
    check("step 1 with errors")
    page.get_by_label("Given names").fill("Ann")
    page.get_by_label("Family name").fill("Example")
    page.get_by_label("Day").first.fill("3")
    page.get_by_label("Month").first.fill("4")
    page.get_by_label("Year").first.fill("1950")
    save_and_continue(page)
    check("save this link")
    for number in range(2, 10):
        page.goto(f"/prepare/step/{number}/")
        check(f"step {number}")
    page.goto("/prepare/check-your-answers/")
    check("check your answers")
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Send to the clinic").click()
    page.wait_for_load_state("load")
    check("sent")
    page.goto("/prepare/step/2/")
    check("read-only step")
