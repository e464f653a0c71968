"""A patient may fill in the form in Spanish; the doctor's summary is in the clinic's language.

The patient's pages (steps, errors, check your answers, confirmation) follow their language. The
visit summary, on screen, printed or as a PDF, for the patient and for staff, is built and
rendered in CLINIC_LANGUAGE (English), with what the patient typed as they typed it, and names the
patient's language so staff can plan (an interpreter, a leaflet in Spanish).
"""

import html
import io
import os
import re
import unicodedata

import pytest
from django.conf import settings
from django.urls import reverse

from intake.models import IntakeSubmission
from intake.summary import build_summary
from intake.tests.factories import IntakeSubmissionFactory, typical_sent_submission_with_token
from intake.tokens import resume_link_for
from tests.staff import make_staff_user, sign_in_verified

from .helpers import SARC_F_ALL_SOME, STEP1, error_messages, post_step, start_form, step_url

pytestmark = pytest.mark.django_db

SPANISH = "es-MX,es;q=0.9"


@pytest.fixture
def spanish(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = SPANISH
    return client


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def sent_in_spanish(**fields) -> IntakeSubmission:
    submission, _token = typical_sent_submission_with_token()
    IntakeSubmission.objects.filter(pk=submission.pk).update(language="es", **fields)
    submission.refresh_from_db()
    submission.raw_token = _token
    return submission


def test_the_patient_languages_are_the_sites_languages():
    codes = [code for code, _name in IntakeSubmission._meta.get_field("language").choices]
    assert codes == [code for code, _name in settings.LANGUAGES]  # listed once, in settings
    assert settings.CLINIC_LANGUAGE in codes


# --- The patient's pages in Spanish -------------------------------------------------------------


def test_a_form_started_in_spanish_is_in_spanish_and_remembers_it(spanish):
    page = text_of(spanish.get(step_url(1)))
    assert "Paso 1 de 11" in page
    assert "Sobre usted y su consulta" in page
    assert "Apellido(s)" in page and "Nombre completo" not in page
    submission, _link = start_form(spanish)
    assert submission.language == "es"
    saved = text_of(spanish.get("/prepare/saved/"))
    assert "Sus respuestas están guardadas" in saved


def test_the_language_of_the_last_save_is_kept(client):
    submission, _link = start_form(client)
    assert submission.language == "en"
    client.post(reverse("set_language"), {"language": "es", "next": step_url(2)})
    response = post_step(client, 2, {"onset": "months"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.language == "es"


def test_error_messages_are_in_spanish_and_say_the_field_and_range(spanish):
    response = spanish.post(step_url(1), {"form_reference": "", "family_name": ""})
    page = text_of(response)
    assert "<title>Error: Sobre usted y su consulta" in page
    assert "Hay un problema" in page
    assert "Escriba su apellido" in error_messages(response)
    assert "Escriba su fecha de nacimiento" in error_messages(response)

    start_form(spanish)
    response = post_step(spanish, 8, {"alcohol_drinks_per_week": "300"})
    assert error_messages(response) == [
        "Bebidas alcohólicas a la semana: escriba un número entero del 0 al 200"
    ]


def test_the_same_messages_stay_english_for_an_english_reader(client):
    start_form(client)
    response = post_step(client, 8, {"alcohol_drinks_per_week": "300"})
    assert error_messages(response) == [
        "Alcoholic drinks a week must be a whole number from 0 to 200"
    ]


def test_a_date_of_birth_error_names_the_field_in_spanish(spanish):
    response = spanish.post(
        step_url(1),
        {"form_reference": "", **STEP1, "date_of_birth_0": "", "date_of_birth_2": "1950"},
    )
    assert error_messages(response) == ["Fecha de nacimiento: falta un día"]


def test_the_check_your_answers_page_shows_the_choices_in_spanish(spanish):
    start_form(spanish)
    post_step(
        spanish,
        2,
        {
            "weakness_map": ["left_hip_thigh"],
            "weakness_map__left_hip_thigh": "quite_a_lot",
            "onset": "months",
        },
    )
    page = text_of(spanish.get("/prepare/check-your-answers/"))
    assert "Revise sus respuestas y envíelas" in page
    assert "Cadera o muslo izquierdo (bastante)" in page
    assert "En meses o más tiempo" in page
    assert "3 de abril de 1950" in page


def test_the_confirmation_page_is_in_the_patients_language(spanish):
    start_form(spanish)
    post_step(spanish, 4, SARC_F_ALL_SOME)
    spanish.post(
        "/prepare/check-your-answers/",
        {
            "form_reference": IntakeSubmission.objects.get().reference,
            "consent": "on",
        },
    )
    page = text_of(spanish.get("/prepare/sent/"))
    assert "Sus respuestas se enviaron" in page
    assert "Qué pasa ahora" in page
    assert "su clínica" in page
    assert IntakeSubmission.objects.get().language == "es"


# --- The summary: the clinic's language ---------------------------------------------------------


def summary_article(page: str) -> str:
    match = re.search(r'<article class="summary"[^>]*>.*</article>', page, re.S)
    assert match, "no summary"
    return match.group(0)


def test_a_spanish_patients_own_summary_is_in_english_around_it_their_page_is_spanish(spanish):
    submission = sent_in_spanish(full_name="María Pérez", visit_reason="Me caigo seguido.")
    spanish.get(resume_link_for(submission, submission.raw_token))
    page = text_of(spanish.get("/prepare/summary/"))
    article = summary_article(page)
    assert article.startswith('<article class="summary" aria-labelledby="summary-title" lang="en">')
    assert "Key points" in article and "Puntos clave" not in article
    assert "Main reason for the visit" in article
    assert "Me caigo seguido." in article
    assert "María Pérez" in article
    assert "Patient's language" in article and "<dd>Spanish</dd>" in article
    assert '<div class="summary-running-head" aria-hidden="true" lang="en">' in page
    # The page around it is the patient's: header, buttons, and a note saying why.
    assert '<html lang="es">' in page
    assert "Imprimir este resumen" in page
    note = re.search(r'<p class="summary-toolbar__note summary-language-note">(.*?)</p>', page)
    assert note, "no note about the summary's language"
    assert "Este resumen está en inglés, el idioma de la clínica" in note.group(1)


def test_the_summary_refusal_pages_stay_in_the_patients_language(spanish):
    response = spanish.get("/prepare/summary/")
    assert response.status_code == 404
    assert "Abra su enlace privado para ver su resumen" in text_of(response)


def test_an_english_patient_sees_no_language_line_or_note(client):
    submission, token = typical_sent_submission_with_token()
    IntakeSubmission.objects.filter(pk=submission.pk).update(language="en")
    client.get(resume_link_for(submission, token))
    page = text_of(client.get("/prepare/summary/"))
    assert "Patient's language" not in page
    assert "summary-language-note" not in page


def test_staff_see_the_summary_in_english_with_the_patients_language(client, settings):
    settings.ADMIN_REQUIRE_2FA = False
    submission = sent_in_spanish()
    staff = sign_in_verified(client, make_staff_user("nurse"))
    staff.defaults["HTTP_ACCEPT_LANGUAGE"] = SPANISH  # a bilingual nurse's browser
    url = reverse("intake:staff_summary", kwargs={"reference": submission.reference})
    response = staff.get(url)
    assert response.status_code == 200
    article = summary_article(text_of(response))
    assert "Key points" in article and "Puntos clave" not in article
    assert "Patient's language" in article and "<dd>Spanish</dd>" in article
    assert "summary-language-note" not in text_of(response)


def test_the_summary_is_built_in_english_with_the_patients_answers_as_typed():
    from django.utils import translation

    submission = IntakeSubmissionFactory(
        language="es",
        onset="minutes_hours",
        weakness_map={"left_lower_leg": "quite_a_lot"},
        visit_reason="Debilidad en la pierna",
    )
    with translation.override("en"):
        summary = build_summary(submission)
    assert summary.header.patient_language == "Spanish"
    assert summary.header.visit_reason == "Debilidad en la pierna"
    onset = next(point for point in summary.key_points.points if point.label == "Onset and course")
    assert "Within minutes or hours" in onset.text
    weakness = next(point for point in summary.key_points.points if point.label == "Weakness")
    assert weakness.text == "Left lower leg (quite a lot) – Left side only"


def test_the_summary_pdf_of_a_spanish_patient_is_in_english(spanish):
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"WeasyPrint cannot run here ({error})")
        pytest.skip(f"WeasyPrint cannot run here ({error})")
    from pypdf import PdfReader

    submission = sent_in_spanish(full_name="María Pérez")
    spanish.get(resume_link_for(submission, submission.raw_token))
    response = spanish.get("/prepare/summary/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Language"] == "en"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(unicodedata.normalize("NFKC", page.extract_text()) for page in reader.pages)
    text = " ".join(text.split())
    assert "Key points" in text
    assert "Patient's language" in text and "Spanish" in text
    assert "María Pérez" in text
    assert "Puntos clave" not in text
