"""A clinic morning in the queue: saved views with counts, one-click review, the next form,
the patient's other forms, the patient's copy and one date format."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake.models import IntakeSubmission
from intake.tests.factories import IntakeSubmissionFactory
from tests.staff import form_data, make_staff_user, sign_in_verified

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:intake_intakesubmission_changelist"
Status = IntakeSubmission.Status


def change_url(submission):
    return reverse("admin:intake_intakesubmission_change", args=[submission.pk])


def review_url(submission):
    return reverse("admin:intake_intakesubmission_review", args=[submission.pk])


def sent(**kwargs):
    return IntakeSubmissionFactory(sent=True, **kwargs)


@pytest.fixture
def nurse():
    return make_staff_user("nurse")


@pytest.fixture
def nurse_client(client, nurse):
    return sign_in_verified(client, nurse)


def listed(client, **params) -> list[str]:
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return [s.reference for s in response.context["cl"].result_list]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Saved views --------------------------------------------------------------------------------


def test_the_queue_opens_on_forms_needing_review_most_urgent_first(nurse_client):
    today = timezone.localdate()
    routine = sent(appointment_date=today)
    sent(urgent=True, status=Status.REVIEWED)
    sent(status=Status.ARCHIVED)
    emergency = sent(urgent=True, appointment_date=today + datetime.timedelta(days=3))
    call_today = sent(call_today=True, appointment_date=today)

    assert listed(nurse_client) == [emergency.reference, call_today.reference, routine.reference]


def test_each_saved_view_holds_what_it_says_and_shows_its_count(nurse_client):
    today = timezone.localdate()
    waiting_today = sent(appointment_date=today)
    reviewed_today = sent(appointment_date=today, status=Status.REVIEWED)
    sent(appointment_date=today, status=Status.ARCHIVED)  # not in "today's": archived
    tomorrow = sent(appointment_date=today + datetime.timedelta(days=1))
    archived = sent(status=Status.ARCHIVED)

    assert set(listed(nurse_client, view="today")) == {
        waiting_today.reference,
        reviewed_today.reference,
    }
    assert listed(nurse_client, view="tomorrow") == [tomorrow.reference]
    assert listed(nurse_client, view="reviewed") == [reviewed_today.reference]
    assert archived.reference in listed(nurse_client, view="archived")
    assert len(listed(nurse_client, view="all")) == 5

    page = nurse_client.get(reverse(CHANGELIST)).content.decode()
    for wording in (
        "Needs review (2)",
        "Today&#x27;s appointments (2)",
        "Tomorrow&#x27;s appointments (1)",
        "Reviewed (1)",
        "Archived (2)",
        "All forms (5)",
    ):
        assert wording in page


def test_a_search_looks_through_every_form_unless_a_view_is_chosen(nurse_client):
    earlier = sent(full_name="Ada Lovelace", status=Status.ARCHIVED)
    latest = sent(full_name="Ada Lovelace")

    assert set(listed(nurse_client, q="lovelace")) == {earlier.reference, latest.reference}
    assert listed(nurse_client, q="lovelace", view="needs_review") == [latest.reference]


def test_the_queue_counts_cost_one_query_whatever_the_number_of_forms(
    nurse_client, django_assert_max_num_queries
):
    IntakeSubmissionFactory.create_batch(3, sent=True)
    nurse_client.get(reverse(CHANGELIST))  # warm the session and permission caches
    with django_assert_max_num_queries(12) as few:
        nurse_client.get(reverse(CHANGELIST))
    IntakeSubmissionFactory.create_batch(6, sent=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        nurse_client.get(reverse(CHANGELIST))


# --- One click: mark reviewed -------------------------------------------------------------------


def test_a_row_marks_its_form_reviewed_with_one_click_and_stays_in_the_queue(nurse_client, nurse):
    first, second = sent(full_name="Ada Lovelace"), sent()
    queue = nurse_client.get(reverse(CHANGELIST)).content.decode()
    assert f'formaction="{review_url(first)}"' in queue

    before = timezone.now()
    response = nurse_client.post(
        review_url(first) + "?_changelist_filters=view%3Dneeds_review", {"from": "queue"}
    )

    assert response.status_code == 302
    assert response.url == reverse(CHANGELIST) + "?view=needs_review"
    first.refresh_from_db()
    assert (first.status, first.reviewed_by) == (Status.REVIEWED, nurse)
    assert first.reviewed_at >= before
    after = nurse_client.get(response.url)
    assert f"{first.reference} (Ada Lovelace) marked reviewed." in messages_of(after)
    assert [s.reference for s in after.context["cl"].result_list] == [second.reference]


def test_marking_reviewed_from_a_form_keeps_the_note_and_opens_the_next_form(nurse_client):
    routine = sent()
    emergency = sent(urgent=True)
    call_today = sent(call_today=True)
    page = nurse_client.get(change_url(emergency)).content.decode()
    assert "Mark reviewed and open the next form" in page
    data = form_data(page, "intakesubmission_form")
    data.update(staff_note="Called the patient; advised 999.", **{"from": "form"})

    response = nurse_client.post(review_url(emergency), data)

    emergency.refresh_from_db()
    assert emergency.status == Status.REVIEWED
    assert emergency.staff_note == "Called the patient; advised 999."
    assert response.url == change_url(call_today)
    nurse_client.post(review_url(call_today), {"from": "form"})
    last = nurse_client.post(review_url(routine), {"from": "form"})
    assert last.url == reverse(CHANGELIST)
    assert "No more forms need review." in messages_of(nurse_client.get(last.url))


def test_a_form_already_reviewed_is_left_as_it_was_and_says_so(nurse_client, nurse):
    other = make_staff_user("doctor")
    done = sent(status=Status.REVIEWED, reviewed_by=other)

    response = nurse_client.post(review_url(done), {"from": "queue"}, follow=True)

    done.refresh_from_db()
    assert done.reviewed_by == other
    assert f"{done.reference} was already Reviewed; it was left as it was." in messages_of(response)


def test_marking_reviewed_needs_a_post_with_its_csrf_token(nurse):
    submission = sent()
    client = sign_in_verified(Client(enforce_csrf_checks=True), nurse)

    assert client.get(review_url(submission)).status_code == 405
    assert client.post(review_url(submission), {"from": "queue"}).status_code == 403
    submission.refresh_from_db()
    assert submission.status == Status.SENT


def test_staff_who_may_only_read_get_no_review_button_and_cannot_post_one(client):
    reader = make_staff_user("reader", clinic_staff=False)
    reader.user_permissions.add(Permission.objects.get(codename="view_intakesubmission"))
    sign_in_verified(client, reader)
    submission = sent()

    assert "Mark reviewed" not in client.get(reverse(CHANGELIST)).content.decode()
    assert "Mark reviewed" not in client.get(change_url(submission)).content.decode()
    assert client.post(review_url(submission), {"from": "queue"}).status_code == 403


def test_a_form_page_links_to_the_next_form_to_review(nurse_client):
    emergency, routine = sent(urgent=True), sent()
    page = nurse_client.get(change_url(emergency)).content.decode()
    assert f'href="{change_url(routine)}" class="next-review-link"' in page
    reviewed = sent(status=Status.REVIEWED)
    page = nurse_client.get(change_url(reviewed)).content.decode()
    assert "Mark reviewed and open the next form" not in page
    assert "next-review-link" in page


# --- Patients at the desk -----------------------------------------------------------------------


def test_a_form_lists_the_patients_other_forms_by_name_and_date_of_birth(nurse_client):
    born = datetime.date(1950, 3, 14)
    now = sent(full_name="Ada Lovelace", date_of_birth=born)
    before = sent(full_name="ADA  lovelace", date_of_birth=born, status=Status.ARCHIVED)
    namesake = sent(full_name="Ada Lovelace", date_of_birth=datetime.date(1951, 3, 14))
    IntakeSubmissionFactory(full_name="Ada Lovelace", date_of_birth=born)  # a draft

    page = nurse_client.get(change_url(now)).content.decode()

    others = re.search(r'<ul class="other-forms">(.*?)</ul>', page, re.S).group(1)
    assert f'href="{change_url(before)}">{before.reference}</a>' in others
    assert namesake.reference not in others
    assert others.count("<li>") == 1


def test_staff_print_the_patients_copy_without_the_clinics_findings(nurse_client):
    submission = sent(full_name="Ada Lovelace")
    page = nurse_client.get(change_url(submission)).content.decode()
    copy_url = reverse("intake:staff_patient_copy", args=[submission.reference])
    assert f'href="{copy_url}"' in page

    response = nurse_client.get(copy_url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ada Lovelace" in html
    assert "data-print-on-load" in html
    assert "Examination findings" not in html
    assert "no-store" in response["Cache-Control"]


# --- One date format ----------------------------------------------------------------------------


def test_staff_pages_show_dates_and_times_in_one_format(nurse_client):
    moment = timezone.make_aware(datetime.datetime(2026, 11, 30, 9, 5))
    submission = sent(appointment_date=datetime.date(2026, 12, 14), sent_at=moment)
    IntakeSubmission.objects.filter(pk=submission.pk).update(created_at=moment, sent_at=moment)

    queue = nurse_client.get(reverse(CHANGELIST)).content.decode()
    form = nurse_client.get(change_url(submission)).content.decode()

    assert "30 November 2026, 09:05" in queue
    assert "14 December 2026" in queue
    assert "30 November 2026, 09:05" in form
    for page in (queue, form):
        assert not re.search(r"\d (a|p)\.m\.", page)
        assert "Nov. 30" not in page
