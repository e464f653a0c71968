"""The Learn pages send every emergency sign to the emergency number, in plain words.

The clinical source is the three-tier note on urgent signs (tier 1: call the emergency number now;
tier 2: call a doctor today; tier 3: bring it to the appointment). These tests check the wording
readers see: the urgent box shown on the Learn index, the urgent-signs page and the home page, the
two sign topics, and every topic in English and Spanish, both as shipped in education/content/
and as `load_education_content` loaded them.
"""

import re
from html import escape

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from education.loader import read_content, read_translations
from education.models import GlossaryTermTranslation, Section, TopicTranslation, TranslatedSection
from education.rendering import plain_text, render_section_body

pytestmark = pytest.mark.django_db

#: Each tier-1 sign, with the words (regular expressions) that show a list names it, in English.
TIER_1_SIGNS_EN = {
    "stroke: a drooping face": r"face that droops|face droops|drooping face",
    "stroke: weakness on one side": r"one side",
    "weakness on both sides": r"both sides",
    "weakness that came on over hours or days": r"hours or (a few )?days",
    "weakness that is spreading": r"spread",
    "trouble breathing": r"breathing",
    "trouble swallowing": r"swallowing",
    "trouble lifting the head": r"lifting (your|the) head",
    "cannot walk or stand": r"walk or stand",
    "dark urine with muscle pain": r"dark urine",
    "loss of bladder or bowel control": r"bladder or bowel",
}

#: The same signs in the Spanish pages.
TIER_1_SIGNS_ES = {
    "stroke: a drooping face": r"cara caída",
    "stroke: weakness on one side": r"un lado",
    "weakness on both sides": r"los dos lados",
    "weakness that came on over hours or days": r"en horas",
    "weakness that is spreading": r"extend",
    "trouble breathing": r"respirar",
    "trouble swallowing": r"tragar",
    "trouble lifting the head": r"levantar la cabeza",
    "cannot walk or stand": r"caminar o estar de pie",
    "dark urine with muscle pain": r"orina oscura",
    "loss of bladder or bowel control": r"vejiga o del intestino",
}

#: Tier 2 ("call a doctor today"): words each sign needs on the two sign pages.
TIER_2_SIGNS = {
    "en": [r"one week to the next", r"statin", r"fall", r"fever"],
    "es": [r"de una semana a otra", r"estatina", r"caída", r"fiebre"],
}

SIGN_PAGES = ["urgent-signs", "warning-signs"]


def missing_signs(text: str, signs: dict[str, str]) -> list[str]:
    return [sign for sign, words in signs.items() if not re.search(words, text, re.IGNORECASE)]


def file_text(topic) -> str:
    """A topic read from its content file: title, summary, headings and section text."""
    html = f"<p>{escape(topic.title)}</p><p>{escape(topic.summary)}</p>" + "".join(
        f"<p>{escape(section.heading)}</p>{render_section_body(section.body, [])}"
        for section in topic.sections
    )
    return plain_text(html)


def list_after(body: str, lead_in: str) -> str:
    """The bullet list that follows a lead-in sentence in a section's Markdown."""
    return body.split(lead_in, 1)[1].strip().split("\n\n", 1)[0]


def english_topics() -> dict:
    return {topic.slug: topic for topic in read_content().topics}


def spanish_topics() -> dict:
    return {topic.slug: topic for topic in read_translations("es").topics}


# --- The urgent box and the footer --------------------------------------------------------------


def test_the_urgent_box_lists_every_emergency_sign_in_plain_words():
    with translation.override("en"):
        html = render_to_string("includes/urgent_signs.html", {"EMERGENCY_NUMBER": "999"})
    items = re.findall(r"<li>(.*?)</li>", html, re.DOTALL)
    text = " ".join(items)
    assert "Call 999 now if you have:" in html
    assert not missing_signs(text, TIER_1_SIGNS_EN), missing_signs(text, TIER_1_SIGNS_EN)
    assert "do not drive yourself" in html.lower()
    # Plain markup only: the box keeps its classes and has no inline styles or scripts.
    assert 'class="urgent-box"' in html and "style=" not in html and "<script" not in html


def test_the_urgent_box_no_longer_limits_sudden_weakness_to_one_side():
    with translation.override("en"):
        html = render_to_string("includes/urgent_signs.html", {"EMERGENCY_NUMBER": "911"})
    both_sides = [item for item in re.findall(r"<li>(.*?)</li>", html) if "both sides" in item]
    assert both_sides and all("hours" in item for item in both_sides)


def test_the_footer_on_every_page_names_both_sides_dark_urine_and_bladder_signs(client):
    html = client.get(reverse("education:index")).content.decode()
    footer = re.search(r'<p class="site-footer__emergency">(.*?)</p>', html, re.DOTALL).group(1)
    for words in ("In an emergency, call", "both", "breathing", "swallowing", "walk or stand"):
        assert words in footer, words
    assert "dark urine" in footer and "bladder or bowel" in footer


# --- Tier 1 never goes to anything less than emergency care ------------------------------------


def test_no_english_topic_sends_anyone_to_urgent_care():
    """In US usage "urgent care" is a walk-in clinic; every tier-1 sign needs the emergency number.

    Checked on the shipped files and on the pages the content loader loaded.
    """
    in_files = [
        slug
        for slug, topic in english_topics().items()
        if "urgent care" in file_text(topic).lower()
    ]
    assert not in_files, f"'urgent care' in {in_files}"
    loaded = Section.objects.filter(body__icontains="urgent care").values_list(
        "topic__slug", flat=True
    )
    assert not list(loaded), f"'urgent care' in the loaded pages {list(loaded)}"


def test_no_spanish_topic_sends_anyone_to_atencion_urgente():
    in_files = [
        slug
        for slug, topic in spanish_topics().items()
        if "atención urgente" in file_text(topic).lower()
    ]
    assert not in_files, f"'atención urgente' in {in_files}"
    assert not TranslatedSection.objects.filter(body__icontains="atención urgente").exists()


@pytest.mark.parametrize(
    ("language", "urine", "emergency"),
    [
        ("en", r"dark (brown )?urine|urine (that )?looks (dark|like tea)", "emergency"),
        ("es", r"orina[^.]{0,40}(oscura|café)|(oscura|café)[^.]{0,40}orina", "emergencia"),
    ],
)
def test_every_section_that_mentions_dark_urine_calls_it_an_emergency(language, urine, emergency):
    topics = english_topics() if language == "en" else spanish_topics()
    not_urgent = [
        f"{slug}: {section.heading}"
        for slug, topic in topics.items()
        for section in topic.sections
        if re.search(urine, section.body, re.IGNORECASE)
        and emergency not in section.body.lower()
        and emergency not in section.heading.lower()
    ]
    assert not not_urgent, f"dark urine not called an emergency in {not_urgent}"


def test_the_exercise_page_warns_everyone_about_dark_urine_not_only_people_with_a_disease():
    for topic in (english_topics()["exercise"], spanish_topics()["exercise"]):
        disease_section = next(
            index
            for index, section in enumerate(topic.sections)
            if "nerve or muscle disease" in section.heading
            or "enfermedad de los nervios" in section.heading
        )
        earlier = " ".join(section.body for section in topic.sections[:disease_section])
        assert re.search(r"dark urine|orina se ve oscura", earlier), topic.slug


def test_coughing_when_eating_goes_to_a_doctor_not_only_a_dietitian():
    english = english_topics()["diet-and-nutrition"]
    section = next(s for s in english.sections if "dietitian" in s.heading)
    dietitian_list = list_after(section.body, "Ask your doctor about seeing one if:")
    assert dietitian_list and not re.search(r"cough|swallow|chok", dietitian_list)
    assert "Trouble swallowing needs a doctor first" in section.body
    assert "emergency" in section.body
    spanish = spanish_topics()["diet-and-nutrition"]
    section = next(s for s in spanish.sections if "nutricionista" in s.heading)
    dietitian_list = list_after(section.body, "en estos casos:")
    assert dietitian_list and not re.search(r"\btos|tragar|ahog", dietitian_list)
    assert "primero vea a un médico" in section.body and "emergencia" in section.body


# --- The emergency paragraph at the end of each topic, and the notice beside it ----------------

#: The old wording, which sent only sudden weakness "mainly on one side" to the emergency number.
OLD_ONE_SIDE_WORDING = {
    "en": "mainly on one side",
    "es": "debilidad de repente, sobre todo en un lado del cuerpo",
}

#: What the emergency paragraph of every topic names, beyond the stroke signs.
EMERGENCY_PARAGRAPH = {
    "en": (
        "**Call emergency services now**",
        [
            "over a few days",
            "both sides",
            "spreading",
            "dark urine",
            "bladder or bowels",
            "walk or stand",
            "swallowing",
        ],
    ),
    "es": (
        "**Llame a emergencias ahora**",
        [
            "en pocos días",
            "los dos lados",
            "extendiendo",
            "orina oscura",
            "vejiga o el intestino",
            "caminar o estar de pie",
            "tragar",
        ],
    ),
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_topic_limits_emergency_weakness_to_one_side(language):
    topics = english_topics() if language == "en" else spanish_topics()
    old = OLD_ONE_SIDE_WORDING[language]
    in_files = [slug for slug, topic in topics.items() if old in file_text(topic)]
    assert not in_files, f"{old!r} in {in_files}"
    model = Section if language == "en" else TranslatedSection
    loaded = model.objects.filter(body__icontains=old)
    assert not loaded.exists(), f"{old!r} in the loaded pages"


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_topic_emergency_paragraph_names_the_signs_that_are_not_a_stroke(language):
    topics = english_topics() if language == "en" else spanish_topics()
    lead_in, words = EMERGENCY_PARAGRAPH[language]
    paragraphs = {
        slug: paragraph
        for slug, topic in topics.items()
        for section in topic.sections
        for paragraph in section.body.split("\n\n")
        if paragraph.startswith(lead_in)
    }
    assert len(paragraphs) >= 19, sorted(paragraphs)
    incomplete = {
        slug: [word for word in words if word not in paragraph]
        for slug, paragraph in paragraphs.items()
        if any(word not in paragraph for word in words)
    }
    assert not incomplete, incomplete
    assert all("(/learn/urgent-signs/)" in paragraph for paragraph in paragraphs.values())


def test_the_notice_on_every_topic_names_both_sides_dark_urine_and_bladder_signs():
    with translation.override("en"):
        html = render_to_string(
            "education/includes/urgent_notice.html", {"EMERGENCY_NUMBER": "911"}
        )
    text = re.search(r'<p class="urgent-notice__text">(.*?)</p>', html, re.DOTALL).group(1)
    for words in ("both sides", "dark urine", "bladder", "over a few days", "swallowing"):
        assert words in text, words
    assert "Call 911 now." in text
    assert "mainly on one side" not in html


# --- The two sign pages: all three tiers --------------------------------------------------------


@pytest.mark.parametrize("slug", SIGN_PAGES)
def test_the_sign_pages_list_every_emergency_sign(slug):
    english = file_text(english_topics()[slug])
    spanish = file_text(spanish_topics()[slug])
    assert not missing_signs(english, TIER_1_SIGNS_EN), missing_signs(english, TIER_1_SIGNS_EN)
    assert not missing_signs(spanish, TIER_1_SIGNS_ES), missing_signs(spanish, TIER_1_SIGNS_ES)


@pytest.mark.parametrize("slug", SIGN_PAGES)
def test_the_sign_pages_have_a_call_a_doctor_today_group(slug):
    for language, topics, today in (
        ("en", english_topics(), "today"),
        ("es", spanish_topics(), "hoy"),
    ):
        section = next(s for s in topics[slug].sections if today in s.heading.lower())
        for words in TIER_2_SIGNS[language]:
            assert re.search(words, section.body, re.IGNORECASE), (slug, language, words)


def test_the_urgent_signs_page_says_what_can_wait_for_the_appointment():
    for topic, words in (
        (english_topics()["urgent-signs"], ("wait for your visit", "months", "cramps")),
        (spanish_topics()["urgent-signs"], ("esperar a su consulta", "meses", "calambres")),
    ):
        section = next(s for s in topic.sections if words[0] in s.heading)
        assert all(word in section.body for word in words[1:]), topic.slug


def test_no_topic_tells_the_reader_which_illness_they_may_have():
    """Education, not diagnosis: never "you may have a stroke" (or GBS, rhabdomyolysis...)."""
    pattern = re.compile(
        r"\byou (may|might|could) (have|be having) (a |an )?"
        r"(stroke|guillain|gbs|rhabdo|als|cauda|muscle breakdown|dystrophy|myopathy)",
        re.IGNORECASE,
    )
    found = [slug for slug, topic in english_topics().items() if pattern.search(file_text(topic))]
    assert not found, found


# --- Spanish: twitching is "fasciculaciones", not "espasmos" ------------------------------------


def test_the_spanish_content_never_calls_twitching_espasmos():
    """Un espasmo is a cramp or spasm; twitches are fasciculaciones (MedlinePlus en español)."""
    in_files = [
        slug for slug, topic in spanish_topics().items() if "espasmo" in file_text(topic).lower()
    ]
    assert not in_files, f"'espasmo' in {in_files}"
    glossary = read_translations("es").glossary
    assert not [term.slug for term in glossary if "espasmo" in term.definition.lower()]
    assert not TranslatedSection.objects.filter(body__icontains="espasmo").exists()
    assert not TopicTranslation.objects.filter(summary__icontains="espasmo").exists()
    assert not GlossaryTermTranslation.objects.filter(definition__icontains="espasmo").exists()


def test_every_spanish_page_about_twitches_says_fasciculaciones_and_explains_it_first():
    english = english_topics()
    spanish = spanish_topics()
    about_twitches = [
        slug
        for slug, topic in english.items()
        if re.search(r"\btwitch(es|ing)\b", file_text(topic), re.IGNORECASE)
    ]
    assert "warning-signs" in about_twitches
    for slug in about_twitches:
        text = file_text(spanish[slug])
        first = text.lower().find("fasciculaci")
        assert first != -1, f"{slug}: no 'fasciculaciones' where the English says twitching"
        assert "pequeños movimientos" in text[first : first + 80], slug
    term = next(t for t in read_translations("es").glossary if t.slug == "fasciculations")
    assert term.term == "Fasciculaciones" and "pequeños movimientos" in term.definition.lower()
