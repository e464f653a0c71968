"""The visit summary pages: the patient's (by private link and session) and the staff's."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from intake.models import IntakeSubmission, Medicine, StaffAccess
from intake.tests.factories import (
    BlankDraftFactory,
    InjuryFactory,
    IntakeSubmissionFactory,
    MedicineFactory,
    TestDoneFactory,
    typical_sent_submission_with_token,
)
from intake.tokens import resume_link_for

pytestmark = pytest.mark.django_db

SUMMARY_URL = "/prepare/summary/"


def typical_sent_submission() -> IntakeSubmission:
    """Sent, with two injuries, four medicines and three tests."""
    submission, _token = typical_sent_submission_with_token()
    return submission


def open_private_link(client, submission):
    """What the patient does: open their private link (it binds the form to this browser)."""
    return client.get(resume_link_for(submission, submission.raw_token))


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def section_html(page: str, key: str) -> str:
    match = re.search(
        rf'<section class="summary-section summary-section--{key}".*?</section>', page, re.S
    )
    assert match, f"no {key} section"
    return match.group(0)


@pytest.fixture
def staff_user(settings):
    settings.ADMIN_REQUIRE_2FA = False  # the second factor has its own tests (staff sign-in)
    user = User.objects.create_user("nurse", password="a-long-test-password-1", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_intakesubmission"))
    return user


# --- The patient's summary ----------------------------------------------------------------------


def test_private_link_of_a_sent_form_opens_the_summary_without_the_token(client):
    submission = typical_sent_submission()
    open_private_link(client, submission)

    response = client.get(SUMMARY_URL)

    assert response.status_code == 200
    assert reverse("intake:summary") == SUMMARY_URL
    assert submission.raw_token not in text_of(response)
    assert submission.full_name in text_of(response)


def test_summary_shows_every_value_the_patient_entered(client):
    s = typical_sent_submission()
    open_private_link(client, s)

    page = text_of(client.get(SUMMARY_URL))

    expected = [
        s.full_name,
        "2 July 1948",
        s.appointment_date.strftime("%-d %B %Y"),
        s.clinician,
        s.reference,
        s.visit_reason,
        # Symptoms, with the choices' labels
        "Left shoulder (a little)",
        "Right hip or thigh (quite a lot)",
        "More than a year ago",
        s.started_details,
        "Over months or longer",
        "Getting worse slowly, over months",
        "Less well than before, but I can still walk and stand",
        "Trouble breathing, or short of breath lying flat (for months, known to a doctor)",
        "Quite a lot: some everyday things are hard",
        "Cramps or twitching",
        "Tiredness",
        "Gripping, opening jars or doing up buttons",
        "Getting dressed",
        # SARC-F
        "Some (1)",
        "None (0)",
        "3 out of 10: negative screen (below 4)",
        # History
        "Diabetes",
        s.conditions_other,
        s.family_history,
        s.surgeries,
        s.allergies,
        # Lifestyle
        "Light: I move around the home and do light chores",
        "Less than usual",
        s.unplanned_weight_loss_amount,
        # Questions
        s.questions,
        "What could be causing my weakness?",
        "Could any of my medicines be causing this?",
    ]
    for medicine in s.medicines.all():
        expected += [medicine.name, medicine.dose, medicine.frequency]
    for injury in s.injuries.all():
        expected += [injury.body_part, injury.when, injury.what_happened, injury.treatment]
    for test in s.tests_done.all():
        expected += [test.get_test_type_display(), test.when, test.where]
    missing = [value for value in expected if value and value not in page]
    assert missing == []
    lifestyle = section_html(page, "lifestyle")
    assert f"<dd>{s.alcohol_drinks_per_week}</dd>" in lifestyle


def test_summary_lists_medicines_injuries_and_tests_in_tables_in_the_patients_order(client):
    s = typical_sent_submission()
    open_private_link(client, s)
    page = text_of(client.get(SUMMARY_URL))

    medicines = section_html(page, "medicines")
    names = [m.name for m in s.medicines.order_by("position")]
    assert medicines.count('<th scope="row">') == 4
    positions = [medicines.index(f'<th scope="row">{name}</th>') for name in names]
    assert positions == sorted(positions)
    assert section_html(page, "injuries").count('<th scope="row">') == 2
    assert section_html(page, "tests").count('<th scope="row">') == 3


def test_key_points_come_before_the_sections(client):
    s = IntakeSubmissionFactory(sent=True, sarc_f_positive=True, urgent=True)
    open_private_link(client, s)
    page = text_of(client.get(SUMMARY_URL))

    key_points = page.index("Key points")
    assert key_points < page.index('id="summary-section-symptoms"')
    assert "Urgency: tier 1, Emergency now" in page
    assert "Facial droop, not known as long-standing" in page
    assert "6 out of 10: positive screen for sarcopenia" in page


def test_empty_sections_say_none_reported(client):
    s = BlankDraftFactory(status=IntakeSubmission.Status.SENT, sent_at=timezone.now())
    open_private_link(client, s)
    page = text_of(client.get(SUMMARY_URL))

    for key in (
        "symptoms",
        "strength_check",
        "medical_history",
        "medicines",
        "injuries",
        "lifestyle",
        "tests",
        "questions",
    ):
        assert "None reported" in section_html(page, key), key
    assert "Urgency: tier 3 (bring to the appointment), no urgent signs reported." in page


def test_a_section_with_answers_does_not_say_none_reported(client):
    s = typical_sent_submission()
    open_private_link(client, s)
    page = text_of(client.get(SUMMARY_URL))
    assert "None reported" not in section_html(page, "medicines")


def test_a_draft_goes_back_to_its_form_not_to_a_summary(client):
    draft = IntakeSubmissionFactory()  # steps 1 to 9 saved, not sent
    open_private_link(client, draft)

    response = client.get(SUMMARY_URL, follow=True)

    assert response.redirect_chain[0][0] == reverse("intake:continue")
    assert response.request["PATH_INFO"] == reverse("intake:check_answers")
    assert "Key points" not in text_of(response)


def test_without_an_open_form_the_summary_asks_for_the_private_link(client):
    response = client.get(SUMMARY_URL)

    assert response.status_code == 404
    assert "Open your private link to see your summary" in text_of(response)


def _sent_days_ago(submission, days: float) -> None:
    IntakeSubmission.objects.filter(pk=submission.pk).update(
        sent_at=timezone.now() - timedelta(days=days)
    )


def test_the_private_link_says_it_has_expired_after_the_configured_days(client, settings):
    settings.INTAKE_SUMMARY_DAYS = 5
    submission = typical_sent_submission()
    _sent_days_ago(submission, 5.001)

    response = open_private_link(client, submission)

    assert response.status_code == 410
    page = text_of(response)
    assert "This link has expired" in page
    assert "please ask your clinic" in page.lower()
    assert submission.full_name not in page
    assert client.get(SUMMARY_URL).status_code == 404  # and nothing was opened


def test_the_private_link_opens_the_summary_until_the_configured_days_have_passed(client, settings):
    settings.INTAKE_SUMMARY_DAYS = 5
    submission = typical_sent_submission()
    _sent_days_ago(submission, 4.99)

    response = open_private_link(client, submission)

    assert response.status_code == 302
    assert response.headers["Location"] == SUMMARY_URL
    assert client.get(SUMMARY_URL).status_code == 200


def test_the_private_link_lasts_thirty_days_by_default(client):
    submission = typical_sent_submission()
    _sent_days_ago(submission, 29.99)
    assert open_private_link(client, submission).status_code == 302

    _sent_days_ago(submission, 30.001)
    assert open_private_link(client, submission).status_code == 410


def test_an_open_summary_closes_when_the_link_expires(client, settings):
    settings.INTAKE_SUMMARY_DAYS = 5
    submission = typical_sent_submission()
    open_private_link(client, submission)
    _sent_days_ago(submission, 6)

    response = client.get(SUMMARY_URL)

    assert response.status_code in (404, 410)
    assert submission.full_name not in text_of(response)
    assert "ask your clinic" in text_of(response)


def test_a_wrong_link_still_gets_the_usual_not_found_page(client):
    response = client.get(reverse("intake:resume", args=["not-a-real-token" * 3]))
    assert response.status_code == 404
    assert "This link has expired" not in text_of(response)


def test_summary_pages_are_private(client, staff_user):
    submission = typical_sent_submission()
    open_private_link(client, submission)
    patient = client.get(SUMMARY_URL)
    client.force_login(staff_user)
    staff = client.get(reverse("intake:staff_summary", args=[submission.reference]))

    for response in (patient, staff):
        assert response.status_code == 200
        assert "no-store" in response.headers["Cache-Control"]
        assert "noindex" in response.headers["X-Robots-Tag"]


def test_print_link_asks_the_page_to_open_the_print_dialog(client):
    submission = typical_sent_submission()
    open_private_link(client, submission)

    assert "data-print-on-load" in text_of(client.get(SUMMARY_URL + "?print=1"))
    page = text_of(client.get(SUMMARY_URL))
    assert "data-print-on-load" not in page
    # The print button needs JavaScript, so it starts hidden; print.js shows it.
    assert re.search(r"<button[^>]*data-print-button[^>]*hidden", page)
    assert "js/print" in page


# --- The staff summary --------------------------------------------------------------------------


def test_staff_open_the_summary_by_reference_without_a_token(client, staff_user):
    submission = typical_sent_submission()
    client.force_login(staff_user)

    response = client.get(reverse("intake:staff_summary", args=[submission.reference]))

    assert response.status_code == 200
    assert submission.full_name in text_of(response)
    assert "Staff view" in text_of(response)
    admin_url = reverse("admin:intake_intakesubmission_change", args=[submission.pk])
    assert f'href="{admin_url}"' in text_of(response)


def test_staff_can_type_the_reference_loosely(client, staff_user):
    submission = typical_sent_submission()
    client.force_login(staff_user)
    loose = submission.reference.replace("-", "").lower()

    response = client.get(reverse("intake:staff_summary", args=[loose]))

    assert response.status_code == 200


def test_staff_access_does_not_expire_with_the_patients_link(client, staff_user, settings):
    settings.INTAKE_SUMMARY_DAYS = 5
    submission = typical_sent_submission()
    IntakeSubmission.objects.filter(pk=submission.pk).update(
        sent_at=timezone.now() - timedelta(days=400)
    )
    client.force_login(staff_user)

    response = client.get(reverse("intake:staff_summary", args=[submission.reference]))

    assert response.status_code == 200


def test_unknown_reference_is_not_found_for_staff(client, staff_user):
    client.force_login(staff_user)
    assert client.get(reverse("intake:staff_summary", args=["ZZZZ-ZZZZ"])).status_code == 404


def test_staff_cannot_open_a_draft_the_patient_has_not_sent(client, staff_user):
    draft = BlankDraftFactory(full_name="Not Sent Yet")
    client.force_login(staff_user)
    response = client.get(reverse("intake:staff_summary", args=[draft.reference]))
    assert response.status_code == 404
    assert b"Not Sent Yet" not in response.content


def test_signed_out_visitors_are_sent_to_the_staff_sign_in(client, settings):
    settings.ADMIN_REQUIRE_2FA = False
    submission = typical_sent_submission()

    response = client.get(reverse("intake:staff_summary", args=[submission.reference]))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("admin:login"))


def test_non_staff_users_are_refused_even_with_the_permission(client, settings):
    settings.ADMIN_REQUIRE_2FA = False
    submission = typical_sent_submission()
    user = User.objects.create_user("patient", password="a-long-test-password-1")
    user.user_permissions.add(Permission.objects.get(codename="view_intakesubmission"))
    client.force_login(user)

    response = client.get(reverse("intake:staff_summary", args=[submission.reference]))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("admin:login"))
    assert submission.full_name not in text_of(response)


def test_staff_without_the_view_permission_are_refused(client, settings):
    settings.ADMIN_REQUIRE_2FA = False
    submission = typical_sent_submission()
    user = User.objects.create_user("porter", password="a-long-test-password-1", is_staff=True)
    client.force_login(user)

    response = client.get(reverse("intake:staff_summary", args=[submission.reference]))

    assert response.status_code == 403
    assert submission.full_name not in text_of(response)


def test_staff_signed_in_without_the_second_factor_are_refused(client, staff_user, settings):
    settings.ADMIN_REQUIRE_2FA = True
    submission = typical_sent_submission()
    client.force_login(staff_user)  # a password session, not verified by a device

    response = client.get(reverse("intake:staff_summary", args=[submission.reference]))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("admin:login"))


def test_each_staff_view_is_recorded_in_the_audit_log(client, staff_user):
    submission = typical_sent_submission()
    client.force_login(staff_user)
    client.get(reverse("intake:staff_summary", args=[submission.reference]))
    assert list(StaffAccess.objects.values_list("username", "references")) == [
        ("nurse", submission.reference)
    ]


def test_the_patients_own_views_are_not_recorded_as_staff_views(client):
    submission = typical_sent_submission()
    open_private_link(client, submission)
    assert client.get(SUMMARY_URL).status_code == 200
    assert not StaffAccess.objects.exists()


# --- Queries ------------------------------------------------------------------------------------


def _with_rows(count: int) -> IntakeSubmission:
    submission = BlankDraftFactory(status=IntakeSubmission.Status.SENT, sent_at=timezone.now())
    for n in range(count):
        MedicineFactory(submission=submission, position=n, name=f"Medicine {n}")
        InjuryFactory(submission=submission, position=n, body_part=f"Part {n}")
    for n, test_type in enumerate(list(TestDoneFactory._meta.model.TestType)[:count]):
        TestDoneFactory(submission=submission, position=n, test_type=test_type)
    return submission


@pytest.mark.parametrize("rows", [1, 20])
def test_patient_summary_queries_do_not_grow_with_rows(client, rows, django_assert_max_num_queries):
    submission = _with_rows(rows)
    open_private_link(client, submission)

    # Session, submission, then medicines, injuries and tests in one query each.
    with django_assert_max_num_queries(5):
        response = client.get(SUMMARY_URL)

    assert response.status_code == 200
    assert Medicine.objects.filter(submission=submission).count() == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_staff_summary_queries_do_not_grow_with_rows(
    client, staff_user, rows, django_assert_max_num_queries
):
    submission = _with_rows(rows)
    client.force_login(staff_user)

    # The rows cost 3 queries; the rest is the staff session, user, permissions and audit row
    # (12 today, a little room for the admin's own bookkeeping).
    with django_assert_max_num_queries(14):
        response = client.get(reverse("intake:staff_summary", args=[submission.reference]))

    assert response.status_code == 200


# --- The confirmation page after sending --------------------------------------------------------


def test_confirmation_page_offers_the_summary_a_print_link_and_plain_instructions(client):
    submission = typical_sent_submission()
    open_private_link(client, submission)

    page = text_of(client.get(reverse("intake:sent")))

    assert submission.reference in page
    assert f'href="{SUMMARY_URL}"' in page
    assert f'href="{SUMMARY_URL}?print=1"' in page
    assert "Print it, or show it on your phone at the visit." in page
    assert "Keep your private link private" in page
    assert "for 30 days after sending" in page


def test_a_long_answer_is_printed_across_the_page_under_the_short_ones(client):
    """Long answers leave the print columns: easier to read, and a long text in a column made
    WeasyPrint's layout take longer than the server's timeout (bench/pdf.py)."""
    s = typical_sent_submission()
    s.questions = "Why do my legs feel weak on the stairs? " * 50  # 2,000 characters
    s.save()
    open_private_link(client, s)

    questions = section_html(client.get(SUMMARY_URL).content.decode(), "questions")

    columns, wide = questions.split('<dl class="summary-grid summary-grid--wide">', 1)
    assert "Why do my legs feel weak on the stairs?" in wide
    assert "Why do my legs feel weak on the stairs?" not in columns
    assert "What could be causing my weakness?" in columns  # a short answer stays in a column


def test_short_answers_stay_in_the_columns(client):
    s = typical_sent_submission()
    open_private_link(client, s)
    page = client.get(SUMMARY_URL).content.decode()
    assert "summary-grid--wide" not in section_html(page, "questions")


# --- Who answered, and whose left and right ---------------------------------------------------


def test_a_form_filled_in_by_a_helper_says_so_on_the_summary_not_prepared_by_the_patient(client):
    submission = typical_sent_submission()  # filled in by Sam Carer (son)
    open_private_link(client, submission)
    page = text_of(client.get(SUMMARY_URL))
    assert "Visit summary, prepared with a helper" in page
    assert "filled in by Sam Carer (son) for the patient" in page
    assert "prepared by the patient" not in page
    assert "Answers given by the patient" not in page


def test_a_form_the_patient_filled_in_says_prepared_by_the_patient(client):
    submission = typical_sent_submission()
    IntakeSubmission.objects.filter(pk=submission.pk).update(filled_by="patient", helper_name="")
    open_private_link(client, submission)
    page = text_of(client.get(SUMMARY_URL))
    assert "Visit summary, prepared by the patient" in page
    assert "Answers given by the patient before the visit" in page
    assert "for the patient" not in page


def test_the_summary_figure_says_the_patients_left_and_right_the_form_says_yours(client):
    submission = typical_sent_submission()
    open_private_link(client, submission)
    page = text_of(client.get(SUMMARY_URL))
    assert "Patient's right" in page and "Patient's left" in page
    assert "Your right" not in page and "Your left" not in page
