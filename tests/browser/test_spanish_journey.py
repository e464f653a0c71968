"""In Spanish, in a real browser: a phone set to Spanish reads a Learn page, fills in every step
and sends; the visit summary it gets is in English, the clinic's language, with the same answers.
And the header's language switch works with JavaScript turned off.
"""

import io
import re
import unicodedata

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from conftest import DESKTOP, PHONE
from education.models import TopicTranslation
from intake.models import IntakeSubmission
from tests.browser.body_map_steps import mark_weakness

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("learn_content", "fresh_rate_limits"),
]


@pytest.fixture
def spanish_phone(new_context, live_server):
    """A phone whose browser is set to Spanish (Spain): it sends Accept-Language: es-ES."""
    return new_context(viewport=PHONE, base_url=live_server.url, locale="es-ES").new_page()


def in_group(page, name):
    return page.get_by_role("group", name=re.compile("^" + re.escape(name)))


def fill_date(page, legend, day, month, year):
    group = in_group(page, legend)
    group.get_by_label("Día").fill(day)
    group.get_by_label("Mes").fill(month)
    group.get_by_label("Año").fill(year)


def save_and_continue(page, expected_step):
    page.get_by_role("button", name="Guardar y continuar").click()
    expect(page.locator(".step-caption")).to_have_text(f"Paso {expected_step} de 11")
    expect(page).not_to_have_title(re.compile("^Error:"))


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_a_spanish_journey_ends_in_an_english_summary_with_the_same_answers(spanish_phone):
    page = spanish_phone
    cause = TopicTranslation.objects.get(topic__slug="disuse-atrophy", language="es").title

    page.goto("/learn/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aprenda sobre la pérdida de músculo")
    page.get_by_role("link", name=cause).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(cause)
    expect(page.locator(".topic-sources")).to_contain_text("Última revisión:")
    fits(page)
    page.locator(".prepare-cta").get_by_role("link", name="Prepárese para su consulta").click()
    page.get_by_role("link", name="Empezar ahora").click()

    # Step 1.
    expect(page.locator(".step-caption")).to_have_text("Paso 1 de 11")
    page.get_by_label("Nombre(s)").fill("Rosa")
    page.get_by_label("Apellido(s)").fill("Núñez Pérez")
    fill_date(page, "Fecha de nacimiento", "27", "3", "1946")
    fill_date(page, "Fecha de la cita", "1", "6", str(timezone.localdate().year + 1))
    page.get_by_label("¿Cuál es el motivo principal de su consulta?").fill(
        "Tengo los muslos más delgados desde mi operación.\nMe cuesta levantarme de la silla."
    )
    fits(page)
    page.get_by_role("button", name="Guardar y continuar").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Guarde este enlace")
    reference = page.locator(".reference-code").inner_text()
    page.get_by_role("link", name="Continuar").click()

    # Step 2.
    expect(page.locator(".step-caption")).to_have_text("Paso 2 de 11")
    asked = "¿Cuánta debilidad tiene?"
    mark_weakness(page, "Cadera o muslo izquierdo", "Bastante", asked=asked)
    mark_weakness(page, "Cadera o muslo derecho", "Bastante", asked=asked)
    mark_weakness(page, "Pie o tobillo izquierdo", "Un poco", asked=asked)
    in_group(page, "¿Cuándo empezó?").get_by_label("En los últimos meses").check()
    in_group(page, "¿Qué tan rápido apareció").get_by_label("En meses o más tiempo").check()
    in_group(page, "¿Está empeorando").get_by_label("Sigue igual").check()
    fits(page)
    save_and_continue(page, 3)

    # Step 3.
    in_group(page, "¿Cuánto le limita la debilidad?").get_by_label(
        "Bastante: algunas cosas de todos los días me cuestan"
    ).check()
    others = in_group(page, "¿Tiene también alguno de estos?")
    others.get_by_label("Los músculos se ven más pequeños o más delgados").check()
    others.get_by_label("Cansancio").check()
    fits(page)
    save_and_continue(page, 4)

    # Step 4: SARC-F, 1 + 0 + 2 + 1 + 1 = 5.
    in_group(page, "¿Cuánta dificultad tiene para levantar y cargar").get_by_label("Alguna").check()
    in_group(page, "¿Cuánta dificultad tiene para cruzar").get_by_label("Ninguna").check()
    in_group(page, "¿Cuánta dificultad tiene para levantarse").get_by_label("Mucha").check()
    in_group(page, "¿Cuánta dificultad tiene para subir").get_by_label("Alguna").check()
    in_group(page, "¿Cuántas veces se ha caído").get_by_label("1 a 3 caídas").check()
    save_and_continue(page, 5)

    # Step 5.
    conditions = in_group(page, "¿Alguna vez le han dicho")
    conditions.get_by_label("Osteoartritis (artrosis)").check()
    conditions.get_by_label("Otra cosa", exact=True).check()
    page.get_by_label("Si marcó “Otra cosa”, ¿qué es?").fill("Vitamina D baja")
    in_group(page, "¿Alguien de su familia").get_by_label("Sí", exact=True).check()
    page.get_by_label("¿Quién, y qué enfermedad tuvo?").fill("Mi hermano tuvo distrofia muscular.")
    page.get_by_label("Operaciones que le han hecho").fill("Reemplazo de cadera, 2023")
    page.get_by_label("Alergias").fill("Penicilina (sarpullido)")
    save_and_continue(page, 6)

    # Step 6: two medicines.
    page.locator("#id_medicine-0-name").fill("Prednisolona")
    page.locator("#id_medicine-0-dose").fill("5 mg")
    page.locator("#id_medicine-0-frequency").fill("Cada mañana")
    page.get_by_role("button", name="Agregar otro medicamento").click()
    page.locator("#id_medicine-1-name").fill("Simvastatin")
    page.locator("#id_medicine-1-dose").fill("20 mg")
    page.locator("#id_medicine-1-frequency").fill("En la noche")
    save_and_continue(page, 7)

    # Step 7.
    page.get_by_role("button", name="Agregar una lesión").click()
    page.get_by_label("Parte del cuerpo").fill("Cadera derecha")
    page.get_by_label("¿Cuándo pasó?").fill("2023")
    page.get_by_label("¿Qué pasó?").fill("Me caí en el jardín y me rompí la cadera")
    page.get_by_label("¿Qué tratamiento recibió?").fill("Reemplazo de cadera y terapia física")
    in_group(page, "¿Todavía le molesta?").get_by_label("A veces").check()
    save_and_continue(page, 8)

    # Step 8.
    in_group(page, "¿Qué tan activo es usted").get_by_label("Casi siempre sentado").check()
    in_group(page, "En los últimos 6 meses, ¿pasó").get_by_label("Sí", exact=True).check()
    page.get_by_label("Si la respuesta es sí, ¿qué pasó").fill("Dos semanas en el hospital")
    page.get_by_label("Bebidas alcohólicas a la semana").fill("2")
    in_group(page, "¿Cómo está su apetito?").get_by_label("Menos que de costumbre").check()
    in_group(page, "¿Ha bajado de peso").get_by_label("Sí", exact=True).check()
    page.get_by_label("Si la respuesta es sí, ¿más o menos cuánto").fill("Unos 5 kg en 4 meses")
    save_and_continue(page, 9)

    # Step 9.
    tests = in_group(page, "¿Cuáles de estas pruebas le han hecho?")
    tests.get_by_label("Análisis de sangre", exact=True).check()
    page.get_by_label("Análisis de sangre: ¿más o menos cuándo?").fill("Mayo de 2024")
    page.get_by_label("Análisis de sangre: ¿dónde?").fill("Centro de Salud Riverside")
    save_and_continue(page, 10)

    # Step 10.
    page.get_by_label("¿Alguno de mis medicamentos podría estar causando esto?").check()
    page.get_by_label("Sus propias preguntas").fill("¿Puedo usar pesas?\n¿Cuánto tardaré?")
    save_and_continue(page, 11)

    # Check your answers, in Spanish, then send.
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Revise sus respuestas y envíelas")
    for text in (
        "27 de marzo de 1946",
        "Cadera o muslo izquierdo (bastante)",
        "Vitamina D baja",
        "Sigue igual",
    ):
        expect(main).to_contain_text(text)
    fits(page)
    page.get_by_label(re.compile("Entiendo que esto no es un diagnóstico")).check()
    page.get_by_role("button", name="Enviar a la clínica").click()
    expect(page.get_by_role("heading", name="Sus respuestas se enviaron")).to_be_visible()
    expect(page.locator(".reference-code")).to_have_text(reference)
    fits(page)

    # The summary: in English, every answer the same, with a note in Spanish on screen.
    page.get_by_role("link", name="Abrir su resumen para la consulta").click()
    expect(page.get_by_role("heading", name="Rosa Núñez Pérez")).to_be_visible()
    expect(page.locator(".summary-language-note")).to_contain_text("Este resumen está en inglés")
    expect(page.get_by_role("button", name="Imprimir este resumen")).to_be_visible()
    summary = page.locator("article.summary")
    expect(summary).to_have_attribute("lang", "en")
    english_answers = (
        "Key points",
        "Patient's language",
        "Spanish",
        "Main reason for the visit",
        "Tengo los muslos más delgados desde mi operación.",
        "Left hip or thigh (quite a lot)",
        "Right hip or thigh (quite a lot)",
        "Left foot or ankle (a little)",
        "In the last few months",
        "Over months or longer",
        "Staying the same",
        "Quite a lot: some everyday things are hard",
        "Muscles look smaller or thinner",
        "Tiredness",
        "5 out of 10: positive screen for sarcopenia",
        "1 to 3 falls in the past year",
        "Osteoarthritis",
        "Vitamina D baja",
        "Mi hermano tuvo distrofia muscular.",
        "Reemplazo de cadera, 2023",
        "Penicilina (sarpullido)",
        "Prednisolona",
        "Simvastatin",
        "Statin",
        "Cadera derecha",
        "Me caí en el jardín y me rompí la cadera",
        "Sometimes",
        "Mostly sitting or lying down",
        "Dos semanas en el hospital",
        "Less than usual",
        "Unos 5 kg en 4 meses",
        "Blood tests",
        "Centro de Salud Riverside",
        "Could any of my medicines be causing this?",
        "¿Puedo usar pesas?",
    )
    for text in english_answers:
        expect(summary).to_contain_text(text)
    for spanish_label in ("Puntos clave", "Cadera o muslo", "Sigue igual", "A veces"):
        expect(summary).not_to_contain_text(spanish_label)
    fits(page)

    # On paper too.
    pages = PdfReader(io.BytesIO(page.pdf(format="A4"))).pages
    printed = " ".join(unicodedata.normalize("NFKC", p.extract_text()) for p in pages)
    printed = " ".join(printed.split())
    for text in ("Key points", "Patient's language", "Left hip or thigh", "Cadera derecha"):
        assert text in printed, text
    assert "Este resumen está en inglés" not in printed  # a screen note, not for the doctor

    submission = IntakeSubmission.objects.get(reference=reference)
    assert submission.language == "es"
    assert submission.status == IntakeSubmission.Status.SENT
    assert submission.sarc_f_total == 5
    assert submission.weakness_map == {
        "left_hip_thigh": "quite_a_lot",
        "right_hip_thigh": "quite_a_lot",
        "left_foot": "little",
    }


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_language_switch_works_without_javascript(new_context, live_server, viewport):
    context = new_context(
        viewport=viewport, base_url=live_server.url, locale="en-US", java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/learn/exercise/#what-helps")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch = page.locator(".language-switch")
    expect(switch.locator('[aria-current="true"]')).to_have_text("English")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    switch.get_by_role("button", name="Español").click()
    expect(page).to_have_url(re.compile(r"/learn/exercise/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        TopicTranslation.objects.get(topic__slug="exercise", language="es").title
    )
    expect(switch.locator('[aria-current="true"]')).to_have_text("Español")

    # The choice is remembered on the next page, then undone the same way.
    page.get_by_role("navigation", name="Principal").get_by_role(
        "link", name="Prepárese para su consulta"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prepárese para su consulta")
    page.locator(".language-switch").get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prepare for your visit")
    expect(page).to_have_url(re.compile(r"/prepare/$"))
