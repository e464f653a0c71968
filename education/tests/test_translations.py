"""The Learn pages in Spanish: stored per language, shown by the reader's language, searchable.

The Spanish content ships in education/content/es/ and is loaded by `load_education_content`
(after `migrate`), so these tests read the same rows a fresh set-up gives. A reader chooses
Spanish with the browser's Accept-Language header or the language switch (the cookie); both
end in the active language.
"""

import re
from html import escape, unescape

import pytest
import textstat
from django.urls import reverse

from education.languages import glossary_entries, topic_page
from education.loader import (
    CONTENT_DIR,
    ContentError,
    load_content,
    read_content,
    read_translations,
)
from education.models import (
    GlossaryTermTranslation,
    Topic,
    TopicTranslation,
    TranslatedSection,
)
from education.rendering import plain_text
from education.search import search_glossary, search_topics

from .factories import GlossaryTermFactory, SectionFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

#: Fernández Huerta reading ease: 60 to 70 is "normal" (plain) Spanish, 70 and above easy.
MIN_SPANISH_READING_EASE = 60

#: Short words that are very common in one language and rare in the other.
SPANISH_WORDS = {"el", "la", "los", "las", "de", "que", "y", "en", "un", "una", "es", "por", "su"}
ENGLISH_WORDS = {"the", "and", "of", "to", "is", "you", "your", "it", "with", "for", "that"}


@pytest.fixture
def spanish(client):
    """A client whose browser asks for Spanish (Accept-Language), as a phone set to Spanish does."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es-MX,es;q=0.9,en;q=0.5"
    return client


@pytest.fixture
def spanish_textstat():
    """textstat in Spanish; its language is global, so English is set back afterwards."""
    textstat.set_lang("es")
    try:
        yield textstat
    finally:
        textstat.set_lang("en_US")  # textstat's own default, which the English checks use


def words_of(html: str) -> list[str]:
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    return re.findall(r"[a-záéíóúüñ]+", text.lower())


def reads_as_spanish(html: str) -> bool:
    words = words_of(html)
    spanish = sum(word in SPANISH_WORDS for word in words)
    english = sum(word in ENGLISH_WORDS for word in words)
    return spanish > 5 * max(english, 1)


def article(html: str) -> str:
    return html[html.index('<article class="topic"') : html.index("</article>")]


def translated_text(translation: TopicTranslation) -> str:
    html = f"<p>{escape(translation.title)}</p><p>{escape(translation.summary)}</p>" + "".join(
        f"<p>{escape(section.heading)}</p>{section.body_html}"
        for section in translation.sections.all()
    )
    return plain_text(html)


# --- The content files --------------------------------------------------------------------------


def test_every_english_topic_has_a_spanish_file_with_the_same_sections_in_order():
    english = read_content()
    spanish = {topic.slug: topic for topic in read_translations("es", english=english).topics}
    missing = sorted({topic.slug for topic in english.topics} - set(spanish))
    assert not missing, f"no Spanish file for: {missing}"
    for topic in english.topics:
        assert len(spanish[topic.slug].sections) == len(topic.sections), topic.slug
        assert spanish[topic.slug].sources, topic.slug


def test_every_english_glossary_word_has_a_spanish_one_under_the_same_slug():
    english = read_content()
    spanish = read_translations("es", english=english).glossary
    assert {term.slug for term in spanish} == {term.slug for term in english.glossary}


def test_a_translation_of_a_topic_that_does_not_exist_is_refused(tmp_path):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    (content / "es" / "topics" / "no-such-topic.md").write_text(
        "---\nslug: no-such-topic\ntitle: T\nsummary: S\nreviewed: 2026-11-25\nsources:\n"
        "  - {title: x, publisher: y, url: 'https://example.org/'}\n---\n\n## A\n\nTexto.\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match="no English topic 'no-such-topic'"):
        read_translations("es", content)


def test_loading_again_updates_translations_in_place_without_duplicates():
    before = (TopicTranslation.objects.count(), TranslatedSection.objects.count())
    report = load_content()
    assert report.translations == {"es": TopicTranslation.objects.filter(language="es").count()}
    assert (TopicTranslation.objects.count(), TranslatedSection.objects.count()) == before
    assert GlossaryTermTranslation.objects.filter(language="es").count() == len(
        read_translations("es").glossary
    )


# --- Pages in Spanish ---------------------------------------------------------------------------


def test_every_spanish_topic_page_is_in_spanish_with_its_sources_and_reviewed_date(spanish):
    translations = TopicTranslation.objects.filter(
        language="es", topic__published=True
    ).prefetch_related("sections", "sources")
    assert translations.count() == Topic.objects.filter(published=True).count()
    for translation in translations:
        response = spanish.get(translation.topic.get_absolute_url())
        html = response.content.decode()
        assert response["Content-Language"] == "es"
        assert '<html lang="es">' in html
        assert f'<h1 id="topic-title">{escape(translation.title)}</h1>' in html
        for section in translation.sections.all():
            assert f'id="{section.anchor}">{escape(section.heading)}</h2>' in html
        assert reads_as_spanish(article(html)), translation.topic.slug
        assert "translation-notice" not in html
        for source in translation.sources.all():
            assert f'href="{escape(source.url)}"' in html
        assert f'<time datetime="{translation.reviewed:%Y-%m-%d}">' in html
        assert 'href="/learn/urgent-signs/"' in html or 'class="urgent-box"' in html


def test_spanish_pages_link_glossary_words_to_spanish_entries(spanish):
    glossary = spanish.get(reverse("education:glossary")).content.decode()
    anchors = set(re.findall(r'class="glossary__entry" id="([^"]+)"', glossary))
    assert '<dt class="glossary__term">Atrofia</dt>' in glossary
    linked = set()
    for translation in TopicTranslation.objects.filter(language="es"):
        html = spanish.get(translation.topic.get_absolute_url()).content.decode()
        linked |= set(re.findall(r'class="glossary-link" href="/learn/glossary/#([^"]+)"', html))
    assert linked, "no glossary links in the Spanish content"
    assert linked <= anchors


def test_the_spanish_learn_index_lists_topics_by_their_spanish_titles(spanish):
    html = spanish.get(reverse("education:index")).content.decode()
    title = TopicTranslation.objects.get(topic__slug="what-is-muscle-atrophy").title
    assert escape(title) in html
    assert "What is muscle atrophy?" not in html


def test_a_topic_without_a_translation_is_shown_in_english_with_a_note(spanish):
    topic = TopicFactory(slug="untranslated", title="An English-only page")
    SectionFactory(topic=topic, heading="Only in English", body="Plain words.")
    SourceFactory(topic=topic)
    html = spanish.get("/learn/untranslated/").content.decode()
    assert '<h1 id="topic-title">An English-only page</h1>' in html
    assert 'class="notice translation-notice"' in html
    assert '<article class="topic" aria-labelledby="topic-title" lang="en">' in html


def test_english_readers_still_get_the_english_page(client):
    html = client.get("/learn/what-is-muscle-atrophy/").content.decode()
    assert '<h1 id="topic-title">What is muscle atrophy?</h1>' in html
    assert "translation-notice" not in html


def test_the_spanish_topic_page_makes_a_fixed_number_of_queries(
    spanish, django_assert_max_num_queries
):
    topic = Topic.objects.get(slug="neurogenic-atrophy")
    with django_assert_max_num_queries(5):
        response = spanish.get(topic.get_absolute_url())
    assert response.status_code == 200
    with django_assert_max_num_queries(1):
        spanish.get(reverse("education:index"))
    with django_assert_max_num_queries(1):
        spanish.get(reverse("education:glossary"))
    with django_assert_max_num_queries(2):
        spanish.get(reverse("education:search"), {"q": "músculo débil"})


def test_topic_page_selector_falls_back_to_english_per_topic():
    topic = TopicFactory(title="Only English")
    page = topic_page(topic, "es")
    assert (page.title, page.language, page.is_fallback) == ("Only English", "en", True)
    translated = topic_page(Topic.objects.get(slug="exercise"), "es")
    assert translated.language == "es" and not translated.is_fallback


# --- Search per language ------------------------------------------------------------------------


def test_spanish_search_finds_spanish_words_with_or_without_accents(spanish):
    with_accents = spanish.get(reverse("education:search"), {"q": "electromiografía"})
    without = spanish.get(reverse("education:search"), {"q": "ELECTROMIOGRAFIA"})
    for response in (with_accents, without):
        html = response.content.decode()
        assert 'href="/learn/electromyography/"' in html


def test_spanish_search_does_not_match_the_english_text_of_translated_topics():
    assert search_topics("zzz-not-a-word", language="es") == []
    english_only_word = "electromyography"
    found = {topic.slug for topic in search_topics(english_only_word, language="es")}
    assert "electromyography" not in found
    assert "electromyography" in {t.slug for t in search_topics(english_only_word)}


def test_spanish_search_puts_title_matches_first_and_shows_spanish_titles():
    results = search_topics("atrofia", language="es")
    assert results
    assert "atrofia" in results[0].local_title.lower()


def test_spanish_glossary_search_matches_other_forms_without_accents():
    slugs = [entry.slug for entry in search_glossary("neurogenica", language="es")]
    assert "neurogenic" in slugs


def test_glossary_entries_fall_back_to_english_for_an_untranslated_word():
    GlossaryTermFactory(term="Zebrafibre", slug="zebrafibre", definition="Made up.")
    entries = {entry.slug: entry for entry in glossary_entries("es")}
    assert entries["zebrafibre"].language == "en"
    assert entries["atrophy"].term == "Atrofia"


# --- Reading ease -------------------------------------------------------------------------------


def test_every_spanish_page_is_easy_to_read(spanish_textstat):
    scores = {
        translation.topic.slug: spanish_textstat.fernandez_huerta(translated_text(translation))
        for translation in TopicTranslation.objects.filter(language="es").prefetch_related(
            "sections"
        )
    }
    assert scores
    too_hard = {slug: score for slug, score in scores.items() if score < MIN_SPANISH_READING_EASE}
    assert not too_hard, f"Fernández Huerta below {MIN_SPANISH_READING_EASE}: {too_hard}"


def test_the_spanish_reading_check_fails_on_hard_text(spanish_textstat):
    hard = (
        "La caracterización electrofisiológica de las miopatías inflamatorias idiopáticas "
        "requiere una evaluación multidisciplinaria exhaustiva, considerando simultáneamente "
        "manifestaciones extramusculares, autoanticuerpos específicos y alteraciones "
        "histopatológicas características de la degeneración miofibrilar."
    )
    assert spanish_textstat.fernandez_huerta(hard) < MIN_SPANISH_READING_EASE


# --- Admin --------------------------------------------------------------------------------------


@pytest.fixture
def editor_client(client):
    from tests.staff import make_staff_user, sign_in_verified

    return sign_in_verified(client, make_staff_user("editor", superuser=True))


def test_the_topic_form_links_to_its_translations(editor_client):
    translation = TopicTranslation.objects.get(topic__slug="exercise", language="es")
    html = editor_client.get(
        reverse("admin:education_topic_change", args=[translation.topic_id])
    ).content.decode()
    assert reverse("admin:education_topictranslation_change", args=[translation.pk]) in html
    assert f"{reverse('admin:education_topictranslation_add')}?topic={translation.topic_id}" in html


def test_editing_a_translation_in_the_admin_renders_it_and_updates_search(editor_client, spanish):
    translation = TopicTranslation.objects.get(topic__slug="surgery", language="es")
    url = reverse("admin:education_topictranslation_change", args=[translation.pk])
    data = {
        "topic": translation.topic_id,
        "language": "es",
        "title": "Cirugía corregida",
        "summary": "Un resumen.",
        "reviewed": "2026-11-25",
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "0",
        "sections-0-order": "1",
        "sections-0-heading": "Qué es una biopsia cebra",
        "sections-0-anchor": "",
        "sections-0-body": "Una **biopsia** toma un trozo pequeño de zebrotejido.",
        "sources-TOTAL_FORMS": "0",
        "sources-INITIAL_FORMS": "0",
    }
    # The existing rows are left out of the form, so delete them first, as staff would.
    translation.sections.all().delete()
    translation.sources.all().delete()
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    section = translation.sections.get()
    assert section.anchor == "que-es-una-biopsia-cebra"
    assert 'href="/learn/glossary/#biopsy"' in section.body_html
    found = search_topics("zebrotejido", language="es")
    assert [topic.slug for topic in found] == ["surgery"]


def test_changing_a_spanish_glossary_word_relinks_the_spanish_sections(editor_client):
    word = GlossaryTermTranslation.objects.get(glossary_term__slug="biopsy", language="es")
    translated = TranslatedSection.objects.filter(translation__language="es").first()
    translated.body = "Una zebrapalabra aquí."
    translated.save()
    assert "glossary-link" not in translated.body_html
    response = editor_client.post(
        reverse("admin:education_glossarytermtranslation_change", args=[word.pk]),
        {
            "glossary_term": word.glossary_term_id,
            "language": "es",
            "term": word.term,
            "definition": word.definition,
            "variants": word.variants + "\nzebrapalabra",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    translated.refresh_from_db()
    assert 'href="/learn/glossary/#biopsy">zebrapalabra</a>' in translated.body_html
