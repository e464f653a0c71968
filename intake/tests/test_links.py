"""Never lose the link, and a shared computer forgets the form (intake/link_views.py, session)."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client

from intake.models import IntakeSubmission, PrivateLink, StaffAccess
from intake.tokens import add_link
from tests.staff import make_staff_user, sign_in_verified

from .factories import IntakeSubmissionFactory
from .helpers import STEP1, error_messages, post_step, start_form, step_url

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+(/prepare/resume/[A-Za-z0-9_-]{43}/)")


# --- Email me my link -----------------------------------------------------------------------------


def test_email_me_my_link_from_the_wrong_link_page_sends_a_working_link(client, run_tasks):
    submission, _link = start_form(client, email="ann@example.org")
    page = Client().get("/prepare/resume/" + "x" * 43 + "/")
    assert page.status_code == 404
    assert "Email me my link" in page.content.decode()
    answer = Client().post("/prepare/email-my-link/", {"email": "ANN@example.org"})
    assert "Check your email" in answer.content.decode()
    assert mail.outbox == []  # never inside the request
    run_tasks()
    assert len(mail.outbox) == 1
    path = LINK.search(mail.outbox[0].body)[1]
    other = Client()
    other.get(path)
    assert other.session["intake_submission_id"] == submission.pk


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(client, run_tasks):
    start_form(client, email="ann@example.org")
    known = Client().post("/prepare/email-my-link/", {"email": "ann@example.org"})
    unknown = Client().post("/prepare/email-my-link/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200

    def strip(html):
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        return html.replace("ann@example.org", "@").replace("nobody@example.org", "@")

    assert strip(known.content.decode()) == strip(unknown.content.decode())
    run_tasks()
    assert [message.to for message in mail.outbox] == [["ann@example.org"]]


def test_a_bad_address_is_explained_next_to_the_box_and_kept():
    response = Client().post("/prepare/email-my-link/", {"email": "ann at example"})
    assert response.status_code == 400
    assert error_messages(response) == [
        "Enter an email address in the right format, like name@example.com"
    ]
    assert 'value="ann at example"' in response.content.decode()


def test_emailed_links_are_limited_per_address_and_per_client(client, run_tasks):
    start_form(client, email="ann@example.org")
    for _ in range(5):
        Client().post("/prepare/email-my-link/", {"email": "ann@example.org"})
    run_tasks()
    assert len(mail.outbox) == 3  # per address, silently (the answer does not change)
    blocked = None
    for number in range(12):
        blocked = Client().post("/prepare/email-my-link/", {"email": f"x{number}@example.org"})
    assert blocked.status_code == 429  # per client address


def test_after_save_and_come_back_later_the_page_can_still_email_this_form(client, run_tasks):
    submission, _link = start_form(client)
    page = post_step(client, 2, {}, action="later")
    saved = client.get(page.url).content.decode()
    assert "intake_submission_id" not in client.session  # closed on this device
    key = re.search(r'name="form_key" value="([^"]+)"', saved)[1]
    client.post("/prepare/email-my-link/", {"email": "carer@example.org", "form_key": key})
    run_tasks()
    assert mail.outbox[0].to == ["carer@example.org"]
    assert PrivateLink.objects.filter(submission=submission).count() == 1
    # A key that was tampered with acts on nothing.
    client.post("/prepare/email-my-link/", {"email": "x@example.org", "form_key": key + "x"})
    run_tasks()
    assert len(mail.outbox) == 1


# --- Several links, a new link -------------------------------------------------------------------


def test_every_link_to_a_form_opens_it_until_a_new_link_replaces_them_all(client):
    submission, first = start_form(client)
    second = f"/prepare/resume/{add_link(submission, PrivateLink.Purpose.REMINDER)}/"
    for path in (first, second):
        assert Client().get(path).status_code == 302
    page = client.post("/prepare/saved/new-link/", follow=True).content.decode()
    newest = re.search(r'href="http://testserver(/prepare/resume/[^"]+)"', page)[1]
    for path in (first, second):
        assert Client().get(path).status_code == 404
    assert Client().get(newest).status_code == 302


def test_the_link_page_groups_the_link_for_reading_aloud(client):
    client.post(step_url(1), {"form_reference": "", **STEP1})
    page = client.get("/prepare/saved/?next=2", follow=True).content.decode()
    token = re.search(r"/prepare/resume/([A-Za-z0-9_-]{43})/", page)[1]
    groups = re.search(r'class="link-for-reading__groups"[^>]*>([^<]+)<', page)[1]
    assert groups.split() == [token[i : i + 4] for i in range(0, 43, 4)]


def test_the_link_page_says_the_link_still_opens_the_summary_after_sending(client, settings):
    """The link is not spent by sending: it opens the patient's summary for the setting's days
    (the sent page and the visit rely on it), so the page must not tell them it stops."""
    settings.INTAKE_SUMMARY_DAYS = 45
    client.post(step_url(1), {"form_reference": "", **STEP1})
    page = client.get("/prepare/saved/?next=2", follow=True).content.decode()
    assert "Once you have sent them, it opens your summary for 45 days." in page
    assert "works until you send your answers, or" not in page


def test_staff_can_issue_a_new_link_and_the_old_ones_stop_working(client):
    submission = IntakeSubmissionFactory(sent=True)
    old = f"/prepare/resume/{submission.raw_token}/"
    emailed = f"/prepare/resume/{add_link(submission, PrivateLink.Purpose.EMAILED)}/"
    staff = sign_in_verified(Client(), make_staff_user())
    assert Client().get(old).status_code == 302
    assert staff.get(f"/admin/intake/intakesubmission/{submission.pk}/new-link/").status_code == 405
    page = staff.post(f"/admin/intake/intakesubmission/{submission.pk}/new-link/")
    new = re.search(r"https?://[^/]+(/prepare/resume/[A-Za-z0-9_-]{43}/)", page.content.decode())[1]
    assert Client().get(old).status_code == 404
    assert Client().get(emailed).status_code == 404
    assert Client().get(new).status_code == 302
    access = StaffAccess.objects.get(action=StaffAccess.Action.NEW_LINK)
    assert (access.submission, access.username) == (submission, "nurse")


def test_a_new_link_needs_staff_who_may_change_forms(client):
    submission = IntakeSubmissionFactory(sent=True)
    reader = sign_in_verified(Client(), make_staff_user("reader", clinic_staff=False))
    response = reader.post(f"/admin/intake/intakesubmission/{submission.pk}/new-link/")
    assert response.status_code in (302, 403)
    assert Client().get(f"/prepare/resume/{submission.raw_token}/").status_code == 302


# --- Shared computers -----------------------------------------------------------------------------


def test_a_device_left_idle_for_half_an_hour_shows_the_next_person_nothing(client):
    with time_machine.travel(
        datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC), tick=False
    ) as clock:
        start_form(client)
        name = 'value="Example"'  # the family name in its box
        assert name in client.get(step_url(1)).content.decode()
        clock.shift(datetime.timedelta(minutes=29))
        assert name in client.get(step_url(1)).content.decode()  # still in use
        clock.shift(datetime.timedelta(minutes=31))
        start = client.get("/prepare/").content.decode()
        assert "Ann Example" not in start and "form in progress" not in start
        assert name not in client.get(step_url(1)).content.decode()
        assert client.get(step_url(2)).url == "/prepare/"


def test_a_page_sent_after_the_form_closed_is_filled_in_again_once_the_link_is_opened(client):
    """Half an hour looking for a letter, then Save: nothing is saved (this device can no longer
    open the form), but what was typed comes back, on that page, after the private link."""
    with time_machine.travel(
        datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC), tick=False
    ) as clock:
        submission, link = start_form(client)
        client.get(step_url(5))
        clock.shift(datetime.timedelta(minutes=40))
        response = post_step(client, 5, {"allergies": "Latex"}, reference=submission.reference)
        assert response.status_code == 409
        page = response.content.decode()
        assert "Your form closed on this device" in page
        assert "what you typed on it is kept on this device" in page
        assert "Latex" not in page  # not shown to whoever holds the device now
        submission.refresh_from_db()
        assert submission.allergies == ""
        # Another browser opening the link gets the form as saved, without it.
        other = Client()
        assert other.get(link).url == "/prepare/continue/"
        assert "Latex" not in other.get(step_url(5)).content.decode()
        # This browser, through the link: back on that page, filled in, to check and save.
        opened = client.get(link)
        assert opened.url == step_url(5)
        shown = client.get(step_url(5)).content.decode()
        assert "Latex" in shown
        assert "filled in again" in shown
        post_step(client, 5, {"allergies": "Latex"})
        submission.refresh_from_db()
        assert submission.allergies == "Latex"
        assert submission.unsaved_input == {}


def test_input_kept_after_the_form_closed_never_goes_into_another_form(client):
    with time_machine.travel(
        datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC), tick=False
    ) as clock:
        first, _link = start_form(client)
        clock.shift(datetime.timedelta(minutes=40))
        post_step(client, 5, {"allergies": "Latex"}, reference=first.reference)
        other = IntakeSubmissionFactory()
        assert client.get(f"/prepare/resume/{other.raw_token}/").url == "/prepare/continue/"
        other.refresh_from_db()
        assert other.unsaved_input == {}
        assert "Latex" not in client.get(step_url(5)).content.decode()


def test_the_session_cookie_ends_with_the_browser(client):
    start_form(client)
    cookie = client.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_the_start_page_closes_a_sent_forms_view_for_the_next_person(client):
    submission, link = start_form(client)
    IntakeSubmission.objects.filter(pk=submission.pk).update(
        status=IntakeSubmission.Status.SENT, sent_at=submission.created_at
    )
    client.get(link)
    assert client.get("/prepare/summary/").status_code == 200
    start = client.get("/prepare/").content.decode()
    assert submission.reference not in start
    after = client.get("/prepare/summary/")
    assert after.status_code != 200 and submission.reference not in after.content.decode()


def test_the_wrong_link_page_never_emails_the_form_left_open_on_this_device(client, run_tasks):
    start_form(client, email="ann@example.org")  # the previous person's form, still open here
    client.post("/prepare/email-my-link/", {"email": "next.person@example.org"})
    run_tasks()
    assert mail.outbox == []  # the next person's address is on no form
