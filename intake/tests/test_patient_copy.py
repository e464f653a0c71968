"""The patient's own copy: a shorter page and PDF of what they told the clinic, in their language.

Spanish app texts added with the copy are translated later, so the Spanish tests read what Django
itself translates (month names, the page's language) and texts already in the catalogue (the
questions' labels, worked out here with gettext rather than written out).
"""

import datetime
import html
import io
import os
import re
import unicodedata

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from intake.models import IntakeSubmission, StaffAccess
from intake.patient_copy import build_patient_copy, copy_language
from intake.questions import STEP_BY_SLUG
from intake.tests.factories import (
    BlankDraftFactory,
    ExaminationFactory,
    IntakeSubmissionFactory,
)
from intake.tokens import resume_link_for
from tests.staff import make_staff_user, sign_in_verified

pytestmark = pytest.mark.django_db

COPY_URL = "/prepare/summary/your-copy/"
COPY_PDF_URL = "/prepare/summary/your-copy/pdf/"

#: 5 March 2026 at noon: the copy says "5 de marzo de 2026" in Spanish.
SENT_AT = timezone.make_aware(datetime.datetime(2026, 3, 5, 12, 0))


def sent_form(**fields) -> IntakeSubmission:
    """A complete sent form (two medicines, two injuries, three tests), sent on SENT_AT."""
    submission = IntakeSubmissionFactory(sent=True, **fields)
    IntakeSubmission.objects.filter(pk=submission.pk).update(sent_at=SENT_AT)
    submission.sent_at = SENT_AT
    return submission


def open_private_link(client, submission):
    """What the patient does: open their private link (it binds the form to this browser)."""
    return client.get(resume_link_for(submission, submission.raw_token))


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def in_spanish(text) -> str:
    with translation.override("es"):
        return str(text)


@pytest.fixture
def settings_with_dates(settings):
    """Sending on 5 March 2026 with the 30-day link would be long past: keep it open."""
    settings.INTAKE_SUMMARY_DAYS = 10_000
    return settings


@pytest.fixture
def weasyprint_installed():
    """Skip when WeasyPrint or its system libraries are missing; under CI=true, fail instead."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        message = f"WeasyPrint cannot run here ({error}); see README, PDF"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


needs_weasyprint = pytest.mark.usefixtures("weasyprint_installed")


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture
def nurse_client(client):
    return sign_in_verified(client, make_staff_user("nurse"))


# --- In the patient's language ------------------------------------------------------------------


@pytest.mark.usefixtures("settings_with_dates")
def test_a_form_filled_in_spanish_gets_its_copy_in_spanish(client):
    submission = sent_form(language="es", appointment_date=datetime.date(2026, 4, 20))
    open_private_link(client, submission)

    response = client.get(COPY_URL)

    assert response.status_code == 200
    assert response["Content-Language"] == "es"
    page = text_of(response)
    assert '<html lang="es">' in page
    # Django's own Spanish: the dates.
    assert "5 de marzo de 2026" in page  # sent
    assert "20 de abril de 2026" in page  # the appointment
    assert "2 de julio de 1948" in page  # an answer: the date of birth
    assert "March 2026" not in page
    # The questions and choices as the patient read them, in the catalogue's Spanish.
    symptoms = STEP_BY_SLUG["symptoms"]
    for text in (
        symptoms.title,
        symptoms.question("weakness_map").check_label,
        symptoms.question("onset").check_label,
    ):
        assert in_spanish(text) in page
        if in_spanish(text) != str(text):
            assert f">{text}<" not in page
    # The site's own header and footer are rendered in Spanish too.
    with translation.override("es"):
        assert translation.gettext("Skip to main content") in page
        assert translation.gettext("This site is for education. It is not a diagnosis.") in page


@pytest.mark.usefixtures("settings_with_dates")
def test_the_copy_has_the_reference_the_dates_the_answers_next_steps_and_urgent_signs(client):
    submission = sent_form(language="en", appointment_date=datetime.date(2026, 4, 20))
    open_private_link(client, submission)

    page = text_of(client.get(COPY_URL))

    assert '<html lang="en">' in page
    assert "Your copy: what you told the clinic" in page  # the page's title
    assert submission.reference in page
    assert "5 March 2026" in page and "20 April 2026" in page
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", page)
    for heading in ("What you told us", "What happens next", "Get help now"):
        assert heading in headings
    # What they said, worded as on their "Check your answers" page, with every row.
    assert "Where, and how weak" in page
    assert "Left hip or thigh (quite a lot)" in page
    assert "Prednisolone" in page and "Atorvastatin" in page
    assert "Fell on ice" in page
    assert submission.visit_reason in page
    # What happens next, and how long the private link opens it.
    assert "Bring your reference code, your medicines (or a list of them)" in page
    assert "for 10000 days after sending" in page
    # The urgent signs, from the same include as every other page, and not a diagnosis.
    assert 'id="urgent-box-title-your-copy"' in page
    assert "not a diagnosis" in page


def test_the_link_says_how_many_days_it_opens_and_until_when(client, settings):
    settings.INTAKE_SUMMARY_DAYS = 30
    submission = IntakeSubmissionFactory(sent=True, language="en")
    open_private_link(client, submission)

    page = text_of(client.get(COPY_URL))

    until = timezone.localdate(submission.sent_at + datetime.timedelta(days=30))
    assert f"for 30 days after sending, until {until.day} {until:%B %Y}" in page


@pytest.mark.usefixtures("settings_with_dates")
def test_the_copy_leaves_out_the_doctors_key_points_and_the_clinics_findings(client):
    submission = sent_form(language="en", sarc_f_positive=True)
    ExaminationFactory(submission=submission, dynamometer="Jamar hydraulic", grip_left_kg=14.5)
    open_private_link(client, submission)

    page = text_of(client.get(COPY_URL))

    for doctors_only in (
        "Key points",
        "Urgency: tier",
        "positive screen for sarcopenia",
        "noted for the doctor",
        "Steroids or statins",
        "Relevant history",
        # The examination recorded by the clinic.
        "Examination findings",
        "Examined on",
        "Jamar hydraulic",
        "14.5",
    ):
        assert doctors_only not in page, doctors_only


def test_the_urgent_signs_the_patient_gave_are_in_their_own_words(client):
    submission = IntakeSubmissionFactory(sent=True, language="en", urgent=True)
    open_private_link(client, submission)

    page = text_of(client.get(COPY_URL))

    assert "Get emergency help if you have not already" in page
    assert "One side of your face droops." in page  # the patient's wording
    assert 'href="tel:911"' in page
    assert "Facial droop, not known as long-standing" not in page  # the clinician's wording


def test_the_reader_can_choose_another_language_for_the_copy(client):
    submission = IntakeSubmissionFactory(sent=True, language="es")
    open_private_link(client, submission)

    spanish = text_of(client.get(COPY_URL))
    english = client.get(COPY_URL + "?language=en")
    unknown = text_of(client.get(COPY_URL + "?language=xx"))

    assert f'href="{COPY_URL}?language=en" lang="en"' in spanish
    assert '<html lang="en">' in text_of(english) and english["Content-Language"] == "en"
    assert '<html lang="es">' in unknown
    assert f'href="{COPY_PDF_URL}?language=en"' in text_of(english)


def test_without_a_language_on_the_form_the_copy_is_in_the_readers_language(client):
    submission = IntakeSubmissionFactory(sent=True, language="")
    open_private_link(client, submission)

    response = client.get(COPY_URL, HTTP_ACCEPT_LANGUAGE="es")

    assert '<html lang="es">' in text_of(response)


def test_copy_language_prefers_the_asked_then_the_forms_then_the_current_language():
    submission = IntakeSubmission(language="es")
    with translation.override("en"):
        assert copy_language(submission) == "es"
        assert copy_language(submission, "en") == "en"
        assert copy_language(submission, "klingon") == "es"
        assert copy_language(IntakeSubmission(language="")) == "en"


def test_build_patient_copy_reads_every_label_in_the_language_asked():
    submission = IntakeSubmissionFactory(sent=True, language="es")

    with translation.override("en"):
        copy = build_patient_copy(submission, language="es")

    symptoms = next(s for s in copy.sections if s.key == "symptoms")
    assert symptoms.title == in_spanish(STEP_BY_SLUG["symptoms"].title)
    assert [s.key for s in copy.sections][0] == "about"
    medicines = next(s for s in copy.sections if s.key == "medicines")
    assert [row.title for row in medicines.rows] == ["Prednisolone", "Atorvastatin"]


def test_a_form_section_with_no_rows_says_so():
    submission = IntakeSubmissionFactory(sent=True, language="en", medicines=[], injuries=[])

    copy = build_patient_copy(submission, language="en")

    medicines = next(s for s in copy.sections if s.key == "medicines")
    assert medicines.is_empty
    assert medicines.empty_text == str(STEP_BY_SLUG["medicines"].rows.empty_text)


# --- Where it is offered ------------------------------------------------------------------------


def test_the_sent_page_and_the_summary_offer_the_copy(client):
    submission = IntakeSubmissionFactory(sent=True, language="es")
    open_private_link(client, submission)

    sent = text_of(client.get(reverse("intake:sent")))
    summary = text_of(client.get(reverse("intake:summary")))

    assert f'href="{COPY_URL}"' in sent
    assert f'href="{COPY_PDF_URL}"' in sent
    assert f'href="{COPY_URL}?print=1"' in sent
    assert f'href="{COPY_URL}"' in summary
    assert "Your own shorter copy, in Spanish" in summary  # named in the reader's language


def test_print_link_asks_the_copy_to_open_the_print_dialog(client):
    submission = IntakeSubmissionFactory(sent=True)
    open_private_link(client, submission)

    assert "data-print-on-load" in text_of(client.get(COPY_URL + "?print=1"))
    page = text_of(client.get(COPY_URL))
    assert "data-print-on-load" not in page
    assert re.search(r"<button[^>]*data-print-button[^>]*hidden", page)
    assert re.search(r'<link rel="stylesheet" href="[^"]*css/patient_copy[.][^"]*css">', page)
    # Strict CSP: no inline styles or scripts.
    assert " style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)


# --- Who may see it -----------------------------------------------------------------------------


def test_the_copy_opens_only_in_the_browser_bound_to_that_form(client):
    submission = IntakeSubmissionFactory(sent=True)
    open_private_link(client, submission)
    other = Client()
    someone_else = IntakeSubmissionFactory(sent=True)
    open_private_link(other, someone_else)
    stranger = Client()

    mine = text_of(client.get(COPY_URL))
    theirs = text_of(other.get(COPY_URL))
    nobody = stranger.get(COPY_URL)

    assert submission.reference in mine and someone_else.reference not in mine
    assert someone_else.reference in theirs and submission.reference not in theirs
    assert nobody.status_code == 404
    assert "Open your private link to see your summary" in text_of(nobody)
    assert stranger.get(COPY_PDF_URL).status_code == 404


def test_a_draft_goes_back_to_its_form_not_to_a_copy(client):
    draft = IntakeSubmissionFactory()
    open_private_link(client, draft)

    response = client.get(COPY_URL)

    assert response.status_code == 302
    assert response.headers["Location"] == reverse("intake:continue")


def test_the_copy_closes_when_the_link_expires(client, settings):
    settings.INTAKE_SUMMARY_DAYS = 5
    submission = IntakeSubmissionFactory(sent=True)
    open_private_link(client, submission)
    IntakeSubmission.objects.filter(pk=submission.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=6)
    )

    for url in (COPY_URL, COPY_PDF_URL):
        response = client.get(url)
        assert response.status_code in (404, 410)
        assert submission.full_name not in text_of(response)


def test_the_copy_is_private_and_not_indexed(client):
    submission = IntakeSubmissionFactory(sent=True)
    open_private_link(client, submission)

    response = client.get(COPY_URL)

    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in text_of(response)


def test_the_copy_costs_the_same_few_queries_as_the_summary(client, django_assert_max_num_queries):
    submission = IntakeSubmissionFactory(sent=True, language="es")
    open_private_link(client, submission)

    # Session, submission, then its medicines, injuries and tests.
    with django_assert_max_num_queries(5):
        assert client.get(COPY_URL).status_code == 200


def test_the_patients_own_copy_is_not_recorded_as_a_staff_view(client):
    submission = IntakeSubmissionFactory(sent=True)
    open_private_link(client, submission)
    client.get(COPY_URL)
    assert not StaffAccess.objects.exists()


# --- The PDF ------------------------------------------------------------------------------------


@needs_weasyprint
@pytest.mark.usefixtures("settings_with_dates")
def test_the_copy_as_a_pdf_is_in_spanish_with_the_reference(client, django_assert_max_num_queries):
    submission = sent_form(language="es")
    open_private_link(client, submission)

    # The page's queries, then the lookup of a kept PDF and keeping this one (stored_pdfs.py).
    with django_assert_max_num_queries(15):
        response = client.get(COPY_PDF_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Language"] == "es"
    assert response["Content-Disposition"] == (
        f'attachment; filename="your-copy-{submission.reference}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    text = pdf_text(response)
    assert submission.reference in text
    assert "5 de marzo de 2026" in text
    assert in_spanish(STEP_BY_SLUG["symptoms"].question("weakness_map").check_label) in text
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.trailer["/Root"].get("/Lang") == "es"
    # Nothing of the screen: buttons, navigation.
    assert "Download PDF" not in text and in_spanish("Download PDF") not in text


@needs_weasyprint
def test_the_copys_pdf_is_not_the_summarys_pdf_in_the_same_language(client):
    submission = IntakeSubmissionFactory(sent=True, language="en")  # the clinic's language
    open_private_link(client, submission)

    summary = pdf_text(client.get(reverse("intake:summary_pdf")))
    copy = pdf_text(client.get(COPY_PDF_URL))  # just after: a cached summary must not answer

    assert "Key points" in summary
    assert "Key points" not in copy
    assert "What you told the clinic" in copy


# --- Staff at the desk --------------------------------------------------------------------------


def test_staff_print_the_patients_copy_in_the_patients_language(nurse_client):
    submission = IntakeSubmissionFactory(sent=True, language="es")
    ExaminationFactory(submission=submission, dynamometer="Jamar hydraulic")
    full_copy = reverse("intake:staff_patient_copy", args=[submission.reference])
    short_copy = reverse("intake:staff_your_copy", args=[submission.reference])

    assert f'href="{short_copy}"' in text_of(nurse_client.get(full_copy))
    response = nurse_client.get(short_copy)

    assert response.status_code == 200
    page = text_of(response)
    assert '<html lang="es">' in page
    assert "data-print-on-load" in page
    assert 'lang="en" data-print-on-load' in page  # the staff's toolbar, in their language
    assert "Back to this form in the admin" in page
    assert "Jamar hydraulic" not in page
    assert "no-store" in response["Cache-Control"]
    copies = StaffAccess.objects.filter(action=StaffAccess.Action.PATIENT_COPY)
    assert list(copies.values_list("references", flat=True)) == [submission.reference] * 2


def test_staff_cannot_open_a_copy_of_a_draft(nurse_client):
    draft = BlankDraftFactory(full_name="Not Sent Yet")
    response = nurse_client.get(reverse("intake:staff_your_copy", args=[draft.reference]))
    assert response.status_code == 404


def test_signed_out_visitors_are_sent_to_the_staff_sign_in(client):
    submission = IntakeSubmissionFactory(sent=True)
    response = client.get(reverse("intake:staff_your_copy", args=[submission.reference]))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("admin:login"))


def test_long_answers_are_printed_across_the_page_not_in_the_columns(client):
    long_reason = "My legs give way on the stairs and I hold on to the rail. " * 10
    submission = IntakeSubmissionFactory(sent=True, language="en", visit_reason=long_reason)
    open_private_link(client, submission)

    page = text_of(client.get(COPY_URL))

    wide = re.findall(
        r'<dl class="your-copy-answers your-copy-answers--wide">(.*?)</dl>', page, re.S
    )
    assert len(wide) == 1 and long_reason.strip() in wide[0]
