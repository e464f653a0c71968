"""A member of staff works the queue in a real browser: sign in with a code, filter, review."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from intake.models import IntakeSubmission
from intake.staff_group import ensure_clinician_group
from intake.tests.factories import IntakeSubmissionFactory
from tests.staff import PASSWORD, current_code, enrol_totp, make_staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def stylesheets_served_by_the_live_server(settings):
    """The live server finds static files by their plain names, not the manifest's hashed ones."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_staff_sign_in_filter_to_urgent_review_and_open_the_summary(desktop_page):
    nurse = make_staff_user("nurse")
    device = enrol_totp(nurse)
    urgent = IntakeSubmissionFactory(sent=True, urgent=True, full_name="Ada Lovelace")
    IntakeSubmissionFactory(sent=True, full_name="Grace Hopper")
    page = desktop_page

    page.goto(reverse("admin:index"))
    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Visit preparation forms").first.click()

    # Emergencies come first; filter the queue to them: only Ada's form is left.
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_contain_text("Ada Lovelace")
    page.locator("#changelist-filter").get_by_role("link", name="Emergency now").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Emergency now")

    rows.first.get_by_role("link", name="Ada Lovelace").click()
    reason = "Sudden-onset weakness (minutes to hours), left-sided (Emergency now)"
    expect(page.get_by_text(reason)).to_be_visible()
    page.get_by_label("Status").select_option("reviewed")
    page.get_by_label("Staff note").fill("Called the patient; advised emergency care.")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    urgent.refresh_from_db()
    assert urgent.status == IntakeSubmission.Status.REVIEWED
    assert urgent.reviewed_by == nurse

    # Reviewed, it has left "Needs review" and waits in "Reviewed".
    page.locator("#changelist-filter").get_by_role("link", name=re.compile("^Reviewed")).click()
    page.locator("#result_list").get_by_role("link", name="Ada Lovelace").click()
    page.get_by_role("link", name="Open the visit summary to print").click()
    expect(page.locator("main")).to_contain_text("Ada Lovelace")
    assert urgent.staff_accesses.filter(user=nurse, action="summary").exists()


# --- A clinic morning ---------------------------------------------------------------------------

#: Every table cell whose content is wider than the cell (cut or scrolled), and the table's box
#: when the table is wider than it.
CUT_CELLS = """() => {
  const cut = [];
  for (const cell of document.querySelectorAll('#result_list th, #result_list td')) {
    if (cell.scrollWidth > cell.clientWidth + 1) cut.push(cell.className + ': ' + cell.innerText);
  }
  const box = document.querySelector('#result_list').closest('.results');
  if (box.scrollWidth > box.clientWidth + 1) cut.push('table wider than its box');
  return cut;
}"""

#: Every visible piece of text set in less than 15 px, with its size.
SMALL_TEXT = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const element = walker.currentNode.parentElement;
    if (!text || !element.checkVisibility() || element.closest('.visually-hidden')) continue;
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (size < 15) small.push(size + 'px: ' + text.slice(0, 40));
  }
  return small;
}"""


def test_a_clinic_morning_review_the_emergency_first_then_record_an_examination(desktop_page):
    doctor = make_staff_user("doctor", clinic_staff=False)
    doctor.groups.add(ensure_clinician_group())
    device = enrol_totp(doctor)
    urgent = IntakeSubmissionFactory(sent=True, urgent=True, full_name="Ada Lovelace")
    routine = IntakeSubmissionFactory(
        sent=True, full_name="Bartholomew Featherstonehaugh-Smythe", sarc_f_positive=True
    )
    IntakeSubmissionFactory(sent=True, call_today=True, full_name="Grace Hopper")
    IntakeSubmissionFactory(sent=True, status=IntakeSubmission.Status.REVIEWED)
    page = desktop_page

    page.goto(reverse("admin:index"))
    page.get_by_label("Username").fill("doctor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Visit preparation forms").first.click()

    # "Needs review" first, the emergency at the top; at 1280 px nothing is cut, no text < 15 px.
    expect(page.locator("#changelist-filter")).to_contain_text("Needs review (3)")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Ada Lovelace")
    expect(rows.first).to_contain_text("Emergency now")
    assert page.evaluate(CUT_CELLS) == []
    assert page.evaluate(SMALL_TEXT) == []

    # One click on the form page: reviewed, and the next form (call today) opens.
    rows.first.get_by_role("link", name="Ada Lovelace").click()
    expect(page.locator("#content")).to_contain_text("Sudden-onset weakness")
    assert page.evaluate(SMALL_TEXT) == []
    page.get_by_role("button", name="Mark reviewed and open the next form").first.click()
    expect(page.get_by_text("marked reviewed")).to_be_visible()
    expect(page.locator("#content")).to_contain_text("Grace Hopper")
    urgent.refresh_from_db()
    assert (urgent.status, urgent.reviewed_by) == (IntakeSubmission.Status.REVIEWED, doctor)
    page.get_by_role("button", name="Mark reviewed and open the next form").first.click()
    expect(page.locator("#content")).to_contain_text("Bartholomew Featherstonehaugh-Smythe")

    # The examination: MRC grades and grip strength, then back to the form.
    page.get_by_role("link", name="Record an examination").click()
    page.get_by_label("Sex for reference values").select_option("male")
    page.get_by_label("Hip flexion, left").select_option("4-")
    page.get_by_label("Hip flexion, right").select_option("4+")
    page.get_by_label("Grip strength, left (kg)").fill("22")
    page.get_by_label("Grip strength, right (kg)").fill("24.5")
    page.get_by_label("Dynamometer").fill("Jamar hydraulic")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".examination-findings")).to_contain_text("24.5 kg")
    examination = routine.examinations.get()
    assert (examination.mrc_hip_flexion_left, examination.examined_by) == ("4-", doctor)

    # The staff summary shows them beside the patient's answers.
    page.get_by_role("link", name="Open the visit summary to print").click()
    findings = page.locator("main")
    expect(findings).to_contain_text("Examination findings (recorded by the clinic)")
    expect(findings).to_contain_text("Hip flexion")
    expect(findings).to_contain_text("4+")
    expect(findings).to_contain_text("below the EWGSOP2 cut-off (27 kg for men)")
