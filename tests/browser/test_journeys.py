"""The whole story in a real browser, at phone and desktop widths.

A patient reads a page about a cause of muscle loss, follows "Prepare for your visit", answers
every question of every step, sends the form, opens the visit summary and prints it; then a
member of clinic staff signs in with a password and an authenticator code, finds the form in the
admin and marks it reviewed.
"""

import io
import re
import unicodedata

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from intake.models import IntakeSubmission
from tests.browser.body_map_steps import mark_weakness
from tests.staff import PASSWORD, current_code, enrol_totp, make_staff_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("learn_content", "fresh_rate_limits"),
]

WIDTHS = {"phone_page": 390, "desktop_page": 1280}
CAUSE_TOPIC = "Muscle loss from not moving enough (disuse atrophy)"


def fits(page, width):
    """Nothing spills sideways: the page is no wider than the window."""
    page.wait_for_load_state("load")  # measured before the stylesheets arrive, tables are wide
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def save_and_continue(page, expected_step=None):
    page.get_by_role("button", name="Save and continue").click()
    if expected_step is not None:
        expect(page.locator(".step-caption")).to_have_text(f"Step {expected_step} of 11")
        expect(page).not_to_have_title(re.compile("^Error:"))


def in_group(page, name):
    """The fieldset (radio or checkbox group, date) whose legend starts with `name`."""
    return page.get_by_role("group", name=re.compile("^" + re.escape(name)))


def answer_to(area, label):
    """The answer beside `label` on "Check your answers" (its summary list's row)."""
    row = area.locator(".summary-list__row").filter(
        has=area.page.locator("dt", has_text=re.compile(f"^{re.escape(label)}$"))
    )
    return row.locator("dd")


def fill_date(page, legend, day, month, year):
    group = in_group(page, legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def read_pdf(data: bytes) -> tuple[int, str]:
    """The number of pages and the text of a PDF, on one line, ligatures unfolded."""
    pages = PdfReader(io.BytesIO(data)).pages
    text = " ".join(unicodedata.normalize("NFKC", page.extract_text()) for page in pages)
    return len(pages), " ".join(text.split())


def patient_reads_a_cause_and_sends_every_answer(page, width) -> str:
    """Drive the patient's part; return the reference code shown at the end."""
    page.goto("/learn/")
    page.get_by_role("link", name=CAUSE_TOPIC).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CAUSE_TOPIC)
    fits(page, width)
    page.locator(".prepare-cta").get_by_role("link", name="Prepare for your visit").click()
    expect(page).to_have_url(re.compile(r"/prepare/$"))
    page.get_by_role("link", name="Start now").click()

    # Step 1: about you and your visit.
    page.get_by_label("Given names").fill("Rosa")
    page.get_by_label("Family name").fill("Example-Núñez")
    fill_date(page, "Date of birth", "27", "3", "1946")
    fill_date(page, "Appointment date", "1", "6", str(timezone.localdate().year + 1))
    page.get_by_label("Phone number").fill("(201) 555-0123")
    page.get_by_label("Email address").fill("rosa@example.org")
    page.get_by_label("What is the main reason for your visit?").fill(
        "My thighs have got thinner since my hip operation.\nI struggle to get up from chairs."
    )
    fits(page, width)
    page.get_by_role("button", name="Save and continue").click()

    # The private link and reference code, shown once.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Save this link")
    reference = page.locator(".reference-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
    page.get_by_role("link", name="Continue").click()

    # Step 2: symptoms, every question.
    expect(page.locator(".step-caption")).to_have_text("Step 2 of 11")
    mark_weakness(page, "Left hip or thigh", "Quite a lot")
    mark_weakness(page, "Right hip or thigh", "Quite a lot")
    mark_weakness(page, "Left lower leg", "A little")
    in_group(page, "When did it start?").get_by_label("In the last few months").check()
    in_group(page, "How quickly did the weakness come on?").get_by_label("Over months").check()
    in_group(page, "Is it getting worse").get_by_label("Staying the same").check()
    in_group(page, "Is the weakness spreading").get_by_label("No", exact=True).check()
    fits(page, width)
    save_and_continue(page, 3)

    # Step 3: how it affects her, every question.
    in_group(page, "Can you walk and stand").get_by_label("Less well than before").check()
    # Breathless for years, known to her doctor: the follow-up appears under the ticked sign.
    signs = in_group(page, "Do you have any of these now?")
    long_standing = signs.get_by_label(re.compile("^Trouble breathing.*for months"))
    expect(long_standing).to_be_hidden()
    signs.get_by_label("Trouble breathing, or short of breath lying flat", exact=True).check()
    expect(long_standing).to_be_visible()
    long_standing.check()
    in_group(page, "How much does the weakness limit you?").get_by_label(
        "Quite a lot: some everyday things are hard"
    ).check()
    others = in_group(page, "Do you have any of these as well?")
    others.get_by_label("Muscles look smaller or thinner").check()
    others.get_by_label("Tiredness").check()
    fits(page, width)
    save_and_continue(page, 4)

    # Step 4: the five SARC-F questions (1 + 0 + 2 + 1 + 1 = 5, a positive screen).
    in_group(page, "How much difficulty do you have lifting").get_by_label("Some").check()
    in_group(page, "How much difficulty do you have walking").get_by_label("None").check()
    in_group(page, "How much difficulty do you have moving").get_by_label("A lot").check()
    in_group(page, "How much difficulty do you have climbing").get_by_label("Some").check()
    in_group(page, "How many times have you fallen").get_by_label("1 to 3 falls").check()
    save_and_continue(page, 5)

    # Step 5: medical history.
    conditions = in_group(page, "Have you ever been told")
    conditions.get_by_label("Osteoarthritis").check()
    conditions.get_by_label("Something else", exact=True).check()
    page.get_by_label("If you ticked something else, what is it?").fill("Low vitamin D")
    in_group(page, "Has anyone in your family").get_by_label("Yes", exact=True).check()
    page.get_by_label("Who, and what did they have?").fill("My brother had muscular dystrophy.")
    in_group(page, "Do you take a statin?").get_by_label("Yes", exact=True).check()
    in_group(page, "Do you take steroid tablets").get_by_label("Yes", exact=True).check()

    page.get_by_label("Operations you have had").fill("Hip replacement, 2023")
    page.get_by_label("Allergies").fill("Penicillin (rash)")
    save_and_continue(page, 6)
    # A statin and weakness that started in the last few months: call a doctor today.
    box = page.locator(".urgent-box--today")
    expect(box).to_contain_text("You take a statin and your muscle trouble is new.")
    expect(box).to_be_focused()

    # Step 6: two medicines, the second added with "Add another medicine".
    page.locator("#id_medicine-0-name").fill("Prednisolone")
    page.locator("#id_medicine-0-dose").fill("5 mg")
    page.locator("#id_medicine-0-frequency").fill("Every morning")
    page.get_by_role("button", name="Add another medicine").click()
    page.locator("#id_medicine-1-name").fill("Simvastatin")
    page.locator("#id_medicine-1-dose").fill("20 mg")
    page.locator("#id_medicine-1-frequency").fill("At night")
    fits(page, width)
    save_and_continue(page, 7)

    # Step 7: no injury box until she says there is one; then one injury, every box.
    expect(page.get_by_label("Part of the body")).to_have_count(0)
    page.get_by_role("button", name="Add an injury").click()
    page.get_by_label("Part of the body").fill("Right hip")
    page.get_by_label("When did it happen?").fill("2023")
    page.get_by_label("What happened?").fill("Fell in the garden and broke my hip")
    page.get_by_label("What treatment did you have?").fill("Hip replacement, then physio")
    in_group(page, "Does it still trouble you?").get_by_label("Sometimes").check()
    save_and_continue(page, 8)

    # Step 8: daily life, every question.
    in_group(page, "How active are you").get_by_label("Mostly sitting or lying down").check()
    in_group(page, "In the last 6 months, have you spent").get_by_label("Yes", exact=True).check()
    page.get_by_label("If yes, what happened and for how long?").fill("Two weeks in hospital")
    page.get_by_label("Alcoholic drinks a week").fill("2")
    in_group(page, "How is your appetite?").get_by_label("Less than usual").check()
    in_group(page, "Have you lost weight").get_by_label("Yes", exact=True).check()
    page.get_by_label("If yes, about how much").fill("About 5 kg over 4 months")
    save_and_continue(page, 9)

    # Step 9: one checklist; when and where appear under the test ticked.
    tests = in_group(page, "Which of these tests have you had?")
    expect(page.get_by_label("Blood tests: roughly when?")).to_be_hidden()
    tests.get_by_label("Blood tests", exact=True).check()
    page.get_by_label("Blood tests: roughly when?").fill("May 2024")
    page.get_by_label("Blood tests: where?").fill("Riverside Surgery")
    save_and_continue(page, 10)

    # Step 10: questions for the doctor.
    page.get_by_label("Could any of my medicines be causing this?").check()
    page.get_by_label("Your own questions").fill("Is it safe to use weights?\nHow long to recover?")
    save_and_continue(page, 11)

    # Check your answers: what was typed is all there; then send with consent.
    main = page.locator("main")
    expect(answer_to(main, "Given names")).to_have_text("Rosa")
    expect(answer_to(main, "Family name")).to_have_text("Example-Núñez")
    expect(main).not_to_contain_text("Full name")  # the name once, in its two parts
    for text in (
        "27 March 1946",
        "Left lower leg (a little)",
        "Low vitamin D",
        "Prednisolone",
        "Simvastatin",
        "Fell in the garden and broke my hip",
        "About 5 kg over 4 months",
        "Riverside Surgery",
        "How long to recover?",
    ):
        expect(main).to_contain_text(text)
    fits(page, width)
    page.get_by_label(re.compile("I understand this is not a diagnosis")).check()
    page.get_by_role("button", name="Send to the clinic").click()

    expect(page.get_by_role("heading", name="Your answers have been sent")).to_be_visible()
    expect(page.locator(".reference-code")).to_have_text(reference)
    fits(page, width)
    return reference


def patient_opens_and_prints_the_summary(page, width):
    page.get_by_role("link", name="Open your visit summary").click()
    expect(page.get_by_role("heading", name="Rosa Example-Núñez")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Key points")
    fits(page, width)

    page_count, text = read_pdf(page.pdf(format="A4"))
    assert page_count <= 2
    for words in (
        "Rosa Example-Núñez",
        "Key points",
        "Prednisolone",
        "Right hip",
        "Is it safe to use weights?",
    ):
        assert words in text, words
    assert "Print this summary" not in text


def staff_signs_in_and_marks_it_reviewed(page, width, reference, nurse, device):
    page.goto(reverse("admin:index"))
    page.get_by_label("Username").fill(nurse.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Visit preparation forms").first.click()
    page.locator("#searchbar").fill(reference.replace("-", " ").lower())  # typed loosely
    page.locator("#changelist-search").get_by_role("button", name="Search").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Rosa Example-Núñez")
    fits(page, width)

    rows.first.get_by_role("link", name="Rosa Example-Núñez").click()
    expect(page.locator("#content")).to_contain_text("Fell in the garden and broke my hip")
    page.get_by_label("Status").select_option("reviewed")
    page.get_by_label("Staff note").fill("Read before the visit. Check vitamin D.")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")


@pytest.mark.parametrize("page_fixture", WIDTHS)
def test_patient_prepares_sends_and_prints_then_staff_mark_it_reviewed(
    request, page_fixture, new_context, live_server
):
    width = WIDTHS[page_fixture]
    nurse = make_staff_user("nurse")
    device = enrol_totp(nurse)
    patient = request.getfixturevalue(page_fixture)

    reference = patient_reads_a_cause_and_sends_every_answer(patient, width)
    patient_opens_and_prints_the_summary(patient, width)

    submission = IntakeSubmission.objects.get(reference=reference)
    assert submission.status == IntakeSubmission.Status.SENT
    assert submission.sarc_f_total == 5
    assert [m.name for m in submission.medicines.all()] == ["Prednisolone", "Simvastatin"]
    assert submission.injuries.get().body_part == "Right hip"
    assert submission.steps_completed == list(range(1, 12))
    assert submission.phone.as_e164 == "+12015550123"
    assert submission.long_standing_symptoms == ["trouble_breathing"]
    # Breathless for years (known): no emergency; a statin with new weakness: call today.
    assert submission.urgency_tier == 2

    staff = new_context(viewport=patient.viewport_size, base_url=live_server.url).new_page()
    staff_signs_in_and_marks_it_reviewed(staff, width, reference, nurse, device)

    submission.refresh_from_db()
    assert submission.status == IntakeSubmission.Status.REVIEWED
    assert submission.reviewed_by == nurse
    assert submission.staff_note == "Read before the visit. Check vitamin D."
