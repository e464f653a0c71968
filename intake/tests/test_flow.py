"""The whole journey: saving, the private link, Back, two tabs, sending and what comes after."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from intake.models import IntakeSubmission, Medicine
from intake.session import SENT_VIEW_LIFETIME
from intake.tests.factories import BlankDraftFactory, IntakeSubmissionFactory
from intake.tokens import resume_link_for

from .helpers import SARC_F_ALL_SOME, STEP1, error_messages, post_step, rows, start_form, step_url

pytestmark = pytest.mark.django_db

REVIEW = "/prepare/check-your-answers/"


def open_link(client, submission):
    return client.get(resume_link_for(submission, submission.raw_token), follow=True)


# --- Saving and the private link ----------------------------------------------------------------


def test_the_first_save_shows_the_private_link_and_reference_once(client):
    response = client.post(step_url(1), {"form_reference": "", **STEP1})
    assert response.url == "/prepare/saved/?next=2"
    to_link_page = client.get(response.url)
    link_page = re.fullmatch(
        r"/prepare/resume/([A-Za-z0-9_-]{43})/saved/\?next=2", to_link_page.url
    )
    assert link_page, to_link_page.url
    page = client.get(to_link_page.url).content.decode()
    submission = IntakeSubmission.objects.get()
    assert "Save this link" in page
    assert submission.reference in page
    assert f'href="http://testserver/prepare/resume/{link_page[1]}/"' in page
    assert 'href="/prepare/step/2/"' in page  # carry on in this session
    again = client.get(response.url).content.decode()
    assert "/prepare/resume/" not in again
    assert "Get a new link" in again


def test_a_bookmark_of_the_link_page_keeps_the_link(client):
    client.post(step_url(1), {"form_reference": "", **STEP1})
    link_page = client.get("/prepare/saved/?next=2").url
    elsewhere = Client()  # another browser, or the same one days later
    page = elsewhere.get(link_page).content.decode()
    token = re.search(r"/prepare/resume/([^/]+)/saved/", link_page)[1]
    assert f"http://testserver/prepare/resume/{token}/" in page
    assert "intake_submission_id" not in elsewhere.session  # showing the link opens nothing
    # "Carry on now" goes through the link itself.
    assert f'href="http://testserver/prepare/resume/{token}/">Carry on now' in page
    assert Client().get("/prepare/resume/" + "x" * 43 + "/saved/").status_code == 404


def test_getting_a_new_link_retires_the_old_one(client):
    submission, old_link = start_form(client)
    page = client.post("/prepare/saved/new-link/", follow=True).content.decode()
    new_link = re.search(r'href="http://testserver(/prepare/resume/[^"]+)"', page).group(1)
    assert new_link != old_link
    assert Client().get(old_link).status_code == 404
    assert Client().get(new_link, follow=True).status_code == 200


def test_every_next_saves_to_the_database(client):
    start_form(client)
    post_step(
        client,
        2,
        {"weakness_map": ["left_hand"], "weakness_map__left_hand": "little", "onset": "months"},
    )
    post_step(client, 4, SARC_F_ALL_SOME)
    submission = IntakeSubmission.objects.get()
    assert submission.weakness_map == {"left_hand": "little"}
    assert submission.sarc_f_falls == 1
    assert submission.steps_completed == [1, 2, 4]


def test_resume_by_link_restores_every_answer():
    submission = IntakeSubmissionFactory()
    browser = Client()  # another device: nothing in its session
    response = open_link(browser, submission)
    assert response.redirect_chain[-1][0] == REVIEW  # all nine steps answered
    review = response.content.decode()
    for text in [
        submission.given_names,
        submission.family_name,
        "2 July 1948",
        "Dr Okafor",
        "Left hip or thigh (quite a lot)",
        "Getting worse slowly, over months",
        "Quite a lot: some everyday things are hard",
        "Cramps or twitching",
        "Getting dressed",
        "3 out of 10.",
        "Something else: High blood pressure",
        "Penicillin (rash)",
        "Prednisolone",
        "Atorvastatin",
        "Left knee",
        "Lower back",
        "Fell on ice",
        "Light: I move around the home",
        "About 4 kg over 6 months",
        "MRI scan",
        "City Hospital",
        "What could be causing my weakness?",
        "Could my cholesterol tablets be part of this?",
    ]:
        assert text in review, text
    step2 = browser.get(step_url(2)).content.decode()
    assert re.search(r'value="left_hip_thigh"[^>]*checked', step2)
    assert re.search(r'name="weakness_map__left_hip_thigh" value="quite_a_lot"[^>]*checked', step2)
    step3 = browser.get(step_url(3)).content.decode()
    assert re.search(r'value="quite_a_lot"[^>]*checked', step3)
    step5 = browser.get(step_url(6)).content.decode()
    assert 'value="Prednisolone"' in step5 and 'value="Atorvastatin"' in step5


def test_a_part_done_form_resumes_at_the_first_unanswered_step(client):
    draft = BlankDraftFactory(steps_completed=[1, 2, 3, 4])
    response = client.get(resume_link_for(draft, draft.raw_token))
    assert response.url == "/prepare/continue/"
    assert client.get(response.url).url == step_url(5)


def test_the_token_never_stays_in_the_url(client):
    submission = IntakeSubmissionFactory()
    response = open_link(client, submission)
    for url, _status in response.redirect_chain:
        assert submission.raw_token not in url
    assert submission.raw_token not in response.request["PATH_INFO"]
    assert submission.raw_token not in response.content.decode()


def test_opening_a_link_starts_a_fresh_session(client):
    client.get("/prepare/")
    client.session.save()
    before = client.cookies["sessionid"].value
    submission = BlankDraftFactory()
    client.get(resume_link_for(submission, submission.raw_token))
    assert client.cookies["sessionid"].value != before


@pytest.mark.parametrize("kind", ["wrong", "expired"])
def test_a_wrong_or_expired_link_gets_the_same_404(client, kind, settings):
    settings.INTAKE_DRAFT_DAYS = 30
    draft = BlankDraftFactory()
    if kind == "expired":
        IntakeSubmission.objects.filter(pk=draft.pk).update(
            updated_at=timezone.now() - timedelta(days=31)
        )
        path = resume_link_for(draft, draft.raw_token)
    else:
        path = "/prepare/resume/" + "A" * 43 + "/"
    response = client.get(path)
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert "intake_submission_id" not in client.session


def test_an_expired_draft_drops_out_of_the_session(client, settings):
    submission, _ = start_form(client)
    IntakeSubmission.objects.filter(pk=submission.pk).update(
        updated_at=timezone.now() - timedelta(days=settings.INTAKE_DRAFT_DAYS + 1)
    )
    response = client.get(step_url(2))
    assert response.url == "/prepare/"
    assert "intake_submission_id" not in client.session


def test_guessing_links_is_rate_limited(client, settings):
    settings.INTAKE_RESUME_MAX_FAILURES = 5
    real = BlankDraftFactory()
    for n in range(5):
        assert client.get(f"/prepare/resume/guess{n}/").status_code == 404
    response = client.get(resume_link_for(real, real.raw_token))
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()


def test_behind_a_proxy_the_limit_counts_each_patient_not_the_proxy(client, settings):
    settings.INTAKE_RESUME_MAX_FAILURES = 2
    settings.TRUSTED_PROXY_COUNT = 1
    real = BlankDraftFactory()
    for n in range(2):
        client.get(f"/prepare/resume/guess{n}/", HTTP_X_FORWARDED_FOR="198.51.100.7")
    blocked = client.get("/prepare/resume/x/", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert blocked.status_code == 429
    other_patient = Client(HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other_patient.get(resume_link_for(real, real.raw_token)).status_code == 302


def test_a_patient_cannot_see_another_submission_by_changing_the_token(client):
    mine = IntakeSubmissionFactory()
    theirs = IntakeSubmissionFactory()
    open_link(client, mine)
    token = mine.raw_token
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/prepare/resume/{changed}/").status_code == 404
    review = client.get(REVIEW).content.decode()
    assert mine.family_name in review
    assert theirs.family_name not in review
    # Nor by posting the other submission's (non-secret) reference.
    response = post_step(client, 1, STEP1, reference=theirs.reference)
    assert response.status_code == 409
    theirs.refresh_from_db()
    assert theirs.family_name != STEP1["family_name"]


# --- Back, errors and two tabs ------------------------------------------------------------------


def test_back_saves_what_was_typed(client):
    start_form(client)
    response = post_step(client, 5, {"allergies": "Penicillin"}, action="back")
    assert response.url == step_url(4)
    assert IntakeSubmission.objects.get().allergies == "Penicillin"
    assert "Penicillin" in client.get(step_url(5)).content.decode()


def test_back_keeps_input_with_errors_and_shows_it_again(client):
    start_form(client)
    response = post_step(
        client, 8, {"alcohol_drinks_per_week": "300", "appetite": "less"}, action="back"
    )
    assert response.url == step_url(7)
    assert IntakeSubmission.objects.get().appetite == ""  # not saved while it has an error
    returning = client.get(step_url(8))
    html = returning.content.decode()
    assert 'value="300"' in html
    assert re.search(r'value="less"[^>]*checked', html)
    assert error_messages(returning) == [
        "Alcoholic drinks a week must be a whole number from 0 to 200"
    ]
    post_step(client, 8, {"alcohol_drinks_per_week": "8", "appetite": "less"})
    fixed = client.get(step_url(8))
    assert error_messages(fixed) == []
    assert 'value="8"' in fixed.content.decode()


def test_back_from_rows_keeps_every_row(client):
    start_form(client)
    data = rows("medicine", {"name": "Aspirin"}, {"dose": "5 mg"})  # second row needs a name
    post_step(client, 6, data, action="back")
    html = client.get(step_url(6)).content.decode()
    assert 'value="Aspirin"' in html and 'value="5 mg"' in html


def test_the_month_a_statin_was_started_is_asked_after_yes_and_checked(client):
    start_form(client)
    page = client.get(step_url(5)).content.decode()
    assert "When did you start it?" in page
    incomplete = post_step(client, 5, {"takes_statin": "yes", "statin_started_0": "3"})
    assert error_messages(incomplete) == ["Enter both the month and the year, or leave both empty"]
    assert 'value="3"' in incomplete.content.decode()
    wrong = post_step(
        client, 5, {"takes_statin": "yes", "statin_started_0": "13", "statin_started_1": "2025"}
    )
    assert error_messages(wrong) == ["Month must be a number from 1 to 12, for example 3 for March"]
    assert 'value="13"' in wrong.content.decode()  # kept as typed, to correct
    words = post_step(
        client, 5, {"takes_statin": "yes", "statin_started_0": "May", "statin_started_1": "2025"}
    )
    assert error_messages(words) == ["Enter the month and the year in numbers, for example 3 2025"]
    post_step(
        client, 5, {"takes_statin": "yes", "statin_started_0": "3", "statin_started_1": "2025"}
    )
    assert IntakeSubmission.objects.get().statin_started.isoformat() == "2025-03-01"


# --- Save and come back later never blocks -------------------------------------------------------


def test_save_for_later_with_errors_saves_the_good_answers_and_keeps_the_rest(client):
    submission, link = start_form(client)
    response = post_step(
        client, 4, {"sarc_f_strength": "1", "sarc_f_walking": "2"}, action="later"
    )  # three of the five strength questions not answered yet
    assert response.url == "/prepare/saved/?next=4&leave=1"
    saved = client.get(response.url).content.decode()
    assert "Some answers on the page you left need checking." in saved
    assert "Your form is now closed on this device" in saved
    assert "intake_submission_id" not in client.session
    submission.refresh_from_db()
    assert (submission.sarc_f_strength, submission.sarc_f_walking) == (1, 2)
    assert 4 not in submission.steps_completed  # the check page still asks for it
    # Another device, through the private link: what was typed is there, with what to fix.
    other = Client()
    other.get(link)
    returning = other.get(step_url(4))
    assert re.search(r'id="id_sarc_f_walking_2"[^>]*checked', returning.content.decode())
    assert len(error_messages(returning)) == 3
    # Answering them all clears the kept input.
    post_step(other, 4, SARC_F_ALL_SOME)
    submission.refresh_from_db()
    assert submission.unsaved_input == {}
    assert 4 in submission.steps_completed


def test_a_page_with_errors_shows_what_was_typed_again_after_a_reload(client):
    """Continue with an answer missing: the page comes back with the message, and a reload (or
    a phone that dropped the tab) shows the same typed answers, not a blank page."""
    submission, _link = start_form(client)
    response = post_step(client, 4, {"sarc_f_strength": "1", "sarc_f_walking": "2"})
    assert response.status_code == 200
    assert len(error_messages(response)) == 3
    reloaded = client.get(step_url(4))
    assert re.search(r'id="id_sarc_f_walking_2"[^>]*checked', reloaded.content.decode())
    assert len(error_messages(reloaded)) == 3
    submission.refresh_from_db()
    assert submission.sarc_f_walking is None  # kept as typed, not saved as an answer
    assert 4 not in submission.steps_completed
    # Once the page is sent without errors, the kept input is gone.
    post_step(client, 4, SARC_F_ALL_SOME)
    submission.refresh_from_db()
    assert submission.unsaved_input == {}
    assert "checked" in client.get(step_url(4)).content.decode()


def test_save_for_later_on_the_first_page_starts_the_form_even_without_a_name(client):
    response = client.post(
        step_url(1),
        {"form_reference": "", "action": "later", "date_of_birth_0": "3", "date_of_birth_1": "4"},
    )
    assert response.url == "/prepare/saved/?next=1&leave=1"
    page = client.get(response.url, follow=True).content.decode()
    link = re.search(r'href="http://testserver(/prepare/resume/[^/"]+/)"', page)[1]
    submission = IntakeSubmission.objects.get()
    assert submission.full_name == "" and submission.steps_completed == []
    assert client.get(step_url(2)).url == "/prepare/"  # closed on this device
    client.get(link)
    returning = client.get(step_url(1))
    assert 'value="3"' in returning.content.decode()
    assert "Enter your family name" in error_messages(returning)


def test_a_form_started_for_later_cannot_be_sent_until_step_one_is_done(client):
    client.post(step_url(1), {"form_reference": "", "action": "later"})
    submission = IntakeSubmission.objects.get()
    refused = send(client, submission)
    html = refused.content.decode()
    # Each answer the clinic needs is listed, linked to its question on its page.
    assert "Answer “Family name” before you send" in html
    assert 'href="/prepare/step/1/?change=1#id_family_name"' in html
    assert "Answer “Given names”" not in html  # some people have one name
    assert 'href="/prepare/step/1/?change=1#id_date_of_birth_0"' in html
    assert 'href="/prepare/step/4/?change=1#id_sarc_f_strength_0"' in html
    assert IntakeSubmission.objects.get().is_draft


def test_the_check_page_lists_what_is_needed_before_sending_and_nothing_once_answered(client):
    start_form(client)
    page = client.get(REVIEW).content.decode()
    assert "Before you send, answer these" in page
    assert "Answer “Falls in the past year” before you send" in page
    assert "Family name" not in page.split("Before you send, answer these")[1].split("</ul>")[0]
    post_step(client, 4, SARC_F_ALL_SOME)
    assert "Before you send, answer these" not in client.get(REVIEW).content.decode()


def test_change_from_check_your_answers_returns_there(client):
    start_form(client)
    page = client.get(step_url(2) + "?change=1").content.decode()
    assert 'name="return_to" value="check"' in page
    response = client.post(
        step_url(2),
        {
            "form_reference": IntakeSubmission.objects.get().reference,
            "return_to": "check",
            "action": "next",
        },
    )
    assert response.url == REVIEW


def test_a_page_left_open_for_another_form_does_not_save_into_this_one(client):
    first, _ = start_form(client)
    stale_reference = first.reference
    client.post("/prepare/new/")  # e.g. the next patient starts a form in another tab
    second, _ = start_form(client, given_names="Bob", family_name="Next")
    response = post_step(client, 5, {"allergies": "Latex"}, reference=stale_reference)
    assert response.status_code == 409
    assert "This page was for a different form" in response.content.decode()
    assert IntakeSubmission.objects.get(pk=second.pk).allergies == ""
    assert IntakeSubmission.objects.get(pk=first.pk).allergies == ""


def test_starting_a_new_form_asks_first_and_then_forgets_the_old_one(client):
    first, _ = start_form(client)
    page = client.get("/prepare/new/")
    assert page.status_code == 200
    assert "Start a new form?" in page.content.decode()
    assert client.session["intake_submission_id"] == first.pk
    response = client.post("/prepare/new/")
    assert response.url == step_url(1)
    assert "intake_submission_id" not in client.session
    assert 'value="Example"' not in client.get(step_url(1)).content.decode()


def test_a_later_step_without_a_form_goes_to_the_start(client):
    response = client.get(step_url(5))
    assert response.url == "/prepare/"


# --- Urgent signs -------------------------------------------------------------------------------


URGENT_PAGE = "/prepare/get-help-now/"


def test_emergency_answers_stop_at_the_get_help_now_page(client, settings):
    settings.EMERGENCY_NUMBER = "999"
    start_form(client)
    response = post_step(client, 2, {"onset": "minutes_hours", "weakness_map": ["left_hand"]})
    assert response.url == URGENT_PAGE
    html = client.get(URGENT_PAGE).content.decode()
    assert "Get emergency help now" in html
    assert "Your weakness came on within minutes or hours." in html
    assert 'href="tel:999"' in html
    assert "Do not drive yourself." in html
    submission = IntakeSubmission.objects.get()
    assert submission.urgency_tier == 1
    assert submission.urgent_carry_on_at is None


@pytest.mark.parametrize(
    ("sign", "words"),
    [
        ("sudden_trouble_seeing", "You suddenly have trouble seeing."),
        ("sudden_weakness", "You have sudden weakness of your face, arm or leg."),
        ("trouble_understanding", "You have trouble understanding what people say to you."),
    ],
)
def test_a_stroke_sign_stops_at_the_emergency_page_whatever_the_weakness_did(client, sign, words):
    """Weakness slow over years: sudden trouble seeing, a sudden weak arm or trouble
    understanding speech still call for the emergency number (FAST, the reference's tier 1)."""
    start_form(client)
    post_step(client, 2, {"onset": "months", "started_when": "years"})
    response = post_step(client, 3, {"urgent_symptoms": [sign]})
    assert response.url == URGENT_PAGE
    html = client.get(URGENT_PAGE).content.decode()
    assert words in html
    assert IntakeSubmission.objects.get().urgency_tier == 1
    # An answer ticked by mistake can be changed where it was asked, on either page (then on
    # through the form as before, not off to the check page).
    assert f'href="{step_url(2)}"' in html
    assert f'href="{step_url(3)}"' in html
    assert "How it affects you" in html


def test_carrying_on_needs_the_box_ticked_and_is_recorded(client):
    start_form(client)
    post_step(
        client,
        2,
        {"onset": "days", "weakness_map": ["left_foot", "right_foot"], "spreading": "yes"},
    )
    reference = IntakeSubmission.objects.get().reference
    refused = client.post(URGENT_PAGE, {"form_reference": reference})
    assert refused.status_code == 200
    assert "Tick the box only if a doctor already knows" in refused.content.decode()
    assert IntakeSubmission.objects.get().urgent_carry_on_at is None
    carried = client.post(URGENT_PAGE, {"form_reference": reference, "doctor_knows": "on"})
    assert carried.url == step_url(3)
    submission = IntakeSubmission.objects.get()
    assert submission.urgent_carry_on_at is not None
    assert submission.urgent_carry_on_signs == ["onset_over_days", "spreading"]
    # The tier stays: the clinic still sees the form first. The next pages remind, briefly.
    assert submission.urgency_tier == 1
    step3 = client.get(step_url(3)).content.decode()
    assert "You told us about signs that can need emergency care." in step3
    assert 'href="tel:911"' in step3
    check = client.get(REVIEW).content.decode()
    assert "Get emergency help if you have not already" in check
    assert "You said a doctor already knows about these signs." in check


def test_the_stop_page_comes_back_for_a_new_emergency_sign(client):
    start_form(client)
    post_step(client, 2, {"onset": "minutes_hours"})
    reference = IntakeSubmission.objects.get().reference
    client.post(URGENT_PAGE, {"form_reference": reference, "doctor_knows": "on"})
    same = post_step(client, 2, {"onset": "minutes_hours"})
    assert same.url == step_url(3)
    new_sign = post_step(client, 3, {"urgent_symptoms": ["dark_urine"]})
    assert new_sign.url == URGENT_PAGE


def test_save_and_come_back_later_also_stops_at_the_emergency_page(client):
    start_form(client)
    response = post_step(client, 3, {"walking_change": "cannot_now"}, action="later")
    assert response.url == URGENT_PAGE
    reference = IntakeSubmission.objects.get().reference
    carried = client.post(URGENT_PAGE, {"form_reference": reference, "doctor_knows": "on"})
    assert carried.url == "/prepare/saved/?next=3&leave=1"


def test_adding_a_medicine_row_is_not_interrupted_but_moving_on_is(client):
    start_form(client)
    post_step(client, 3, {"walking_change": "cannot_now"})  # left the stop page without a tick
    added = post_step(client, 6, rows("medicine", {"name": "Aspirin"}), action="add")
    assert added.url.startswith(step_url(6) + "?add=1")
    moved_on = post_step(client, 6, rows("medicine", {"name": "Aspirin"}))
    assert moved_on.url == URGENT_PAGE


def test_call_today_answers_open_the_next_page_with_the_clinic_number(client, settings):
    settings.CLINIC_PHONE = "+1 (201) 555-0199"
    start_form(client)
    response = post_step(client, 2, {"course": "worse_weekly", "onset": "weeks"})
    assert response.url == step_url(3)
    html = client.get(response.url).content.decode()
    assert "Contact a doctor today" in html
    assert "Your weakness is getting worse from one week to the next." in html
    assert 'href="tel:+12015550199"' in html
    assert html.index("urgent-box") < html.index("<h1")
    assert IntakeSubmission.objects.get().urgency_tier == 2
    # In full once; then a short reminder with the number on each page.
    step4 = client.get(step_url(4)).content.decode()
    assert 'href="tel:+12015550199"' in step4
    assert "getting worse from one week to the next" not in step4


def test_calm_answers_show_no_urgent_box(client):
    start_form(client)
    response = post_step(
        client, 2, {"onset": "months", "course": "same", "weakness_map": ["left_hand"]}
    )
    assert response.url == step_url(3)
    assert "urgent-box" not in client.get(response.url).content.decode()
    assert IntakeSubmission.objects.get().urgency_tier == 3


def test_a_phone_number_is_needed_to_send_when_a_sign_is_urgent(client):
    start_form(client)
    post_step(client, 2, {"course": "worse_weekly"})
    post_step(client, 4, SARC_F_ALL_SOME)
    submission = IntakeSubmission.objects.get()
    refused = send(client, submission)
    assert refused.status_code == 200
    assert "Add a phone number, so the clinic can call you" in refused.content.decode()
    assert "/prepare/step/1/?change=1#id_phone" in refused.content.decode()
    assert IntakeSubmission.objects.get().is_draft
    step1 = client.get(step_url(1)).content.decode()
    assert "The clinic needs it to call you about the signs you told us." in step1
    missing = post_step(client, 1, STEP1)
    assert "Enter a phone number, so the clinic can call you" in missing.content.decode()
    post_step(client, 1, {**STEP1, "phone": "(201) 555-0123"})
    assert str(IntakeSubmission.objects.get().phone) == "+1 201-555-0123"
    assert IntakeSubmission.objects.get().phone.as_e164 == "+12015550123"
    assert send(client, submission).url == "/prepare/sent/"


def test_a_phone_number_is_optional_when_nothing_is_urgent(client):
    submission, _link = start_form(client)
    post_step(client, 4, SARC_F_ALL_SOME)
    assert send(client, submission).url == "/prepare/sent/"


def test_a_wrong_phone_number_is_refused_beside_the_field_and_kept(client):
    start_form(client)
    response = post_step(client, 1, {**STEP1, "phone": "12345"})
    assert response.status_code == 200
    assert any(m.startswith("Enter a phone number, like") for m in error_messages(response))
    assert 'value="12345"' in response.content.decode()


# --- Sending ------------------------------------------------------------------------------------


def send(client, submission):
    return client.post(REVIEW, {"form_reference": submission.reference, "consent": "on"})


def test_send_marks_it_sent_and_confirms_with_the_reference(client):
    submission = IntakeSubmissionFactory()
    open_link(client, submission)
    response = send(client, submission)
    assert response.url == "/prepare/sent/"
    submission.refresh_from_db()
    assert submission.status == IntakeSubmission.Status.SENT
    assert submission.sent_at is not None and submission.consent_given_at is not None
    assert 11 in submission.steps_completed
    page = client.get("/prepare/sent/").content.decode()
    assert "Your answers have been sent" in page
    assert submission.reference in page
    assert "What happens next" in page


def test_a_sent_form_is_read_only(client):
    submission = IntakeSubmissionFactory()
    open_link(client, submission)
    send(client, submission)
    page = client.get(step_url(1)).content.decode()
    assert "You have sent this form" in page
    assert f'value="{submission.family_name}"' in page
    assert re.search(r'name="family_name"[^>]*disabled', page)
    assert "Save and continue" not in page
    response = post_step(client, 1, {**STEP1, "family_name": "Changed"})
    assert response.url == "/prepare/sent/"
    response = post_step(client, 6, rows("medicine", {"name": "New"}))
    submission.refresh_from_db()
    assert "Changed" not in (submission.family_name, submission.full_name)
    assert not Medicine.objects.filter(name="New").exists()
    assert send(client, submission).url == "/prepare/sent/"


def test_a_sent_form_opened_by_link_shows_the_visit_summary(client):
    submission = IntakeSubmissionFactory(sent=True)
    response = open_link(client, submission)
    assert response.redirect_chain[-1][0] == "/prepare/summary/"
    review = client.get(REVIEW).content.decode()
    assert submission.family_name in review
    assert 'class="answers__change"' not in review
    assert "Send to the clinic" not in review


def test_sending_ends_editing_and_the_view_lapses(client, monkeypatch):
    submission = IntakeSubmissionFactory()
    open_link(client, submission)
    send(client, submission)
    # After the confirmation a new form can start without asking.
    later = timezone.now() + SENT_VIEW_LIFETIME + timedelta(minutes=1)
    monkeypatch.setattr("intake.session.timezone.now", lambda: later)
    assert client.get("/prepare/sent/").url == "/prepare/"
    assert "intake_submission_id" not in client.session


def test_closing_a_sent_form_forgets_it_on_this_device(client):
    submission = IntakeSubmissionFactory()
    open_link(client, submission)
    send(client, submission)
    client.post("/prepare/finish/")
    assert client.get("/prepare/sent/").url == "/prepare/"
    assert submission.full_name not in client.get(REVIEW, follow=True).content.decode()


# --- Privacy ------------------------------------------------------------------------------------


def test_pages_with_answers_are_not_stored_or_indexed(client):
    submission = IntakeSubmissionFactory()
    open_link(client, submission)
    for path in ["/prepare/", step_url(1), step_url(6), REVIEW, "/prepare/saved/"]:
        response = client.get(path)
        assert "no-store" in response.headers["Cache-Control"], path
        assert "noindex" in response.headers["X-Robots-Tag"], path


def test_no_answer_is_kept_in_a_cookie(client):
    start_form(client, given_names="Zebedee", family_name="Quill")
    post_step(client, 5, {"allergies": "Wasp stings"})
    assert set(client.cookies) <= {"sessionid", "csrftoken"}
    for morsel in client.cookies.values():
        assert "Zebedee" not in morsel.value and "Wasp" not in morsel.value


# --- Purging expired drafts ---------------------------------------------------------------------


def test_purge_removes_only_expired_drafts(settings, capsys):
    settings.INTAKE_DRAFT_DAYS = 30
    old_draft = IntakeSubmissionFactory()
    fresh_draft = BlankDraftFactory()
    old_sent = IntakeSubmissionFactory(sent=True)
    IntakeSubmission.objects.filter(pk__in=[old_draft.pk, old_sent.pk]).update(
        updated_at=timezone.now() - timedelta(days=31)
    )
    call_command("purge", "--dry-run")
    assert "1 expired draft(s)" in capsys.readouterr().out
    assert IntakeSubmission.objects.count() == 3

    call_command("purge")
    assert "Removed 1 expired draft(s)" in capsys.readouterr().out
    assert set(IntakeSubmission.objects.values_list("pk", flat=True)) == {
        fresh_draft.pk,
        old_sent.pk,
    }
    assert not Medicine.objects.filter(submission_id=old_draft.pk).exists()
