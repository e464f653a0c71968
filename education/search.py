"""Search over the Learn pages: plain functions the search view calls.

Deliberately simple, so it behaves the same on SQLite and PostgreSQL: every word of the query must
appear (case-insensitive, anywhere in a word) in the topic's title, summary or one of its
sections. Topics whose title holds a word come first. The content is a few dozen pages; a search
index would be more machinery than help.

Search is per language: a reader of the Spanish pages searches the Spanish text of translated
topics (and the English text of the few without a translation, which they are shown in English).
In a translation both the text and the query are compared without accents or capitals, since
people often type "musculo" for "músculo" (TopicTranslation.search_text).
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from .languages import GlossaryEntry, glossary_entries, is_site_language, localized_topics
from .models import GlossaryTerm, Section, Topic, TopicTranslation
from .rendering import fold_for_search

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8


def normalise_query(raw: str | None) -> str:
    """Clean a typed query: no control characters, single spaces, at most 100 characters.

    Control characters (a NUL byte breaks PostgreSQL) become spaces; a very long paste is cut
    rather than refused, so the person still gets results.
    """
    if not raw:
        return ""
    cleaned = "".join(
        " " if unicodedata.category(character).startswith("C") else character
        for character in raw[: MAX_QUERY_LENGTH * 4]
    )
    return " ".join(cleaned.split())[:MAX_QUERY_LENGTH].strip()


def query_words(query: str) -> list[str]:
    """The distinct words of a normalised query, at most eight, in the order typed."""
    words: list[str] = []
    for word in query.split():
        word = word.strip(".,;:!?\"'()[]")
        if word and word.casefold() not in (seen.casefold() for seen in words):
            words.append(word)
    return words[:MAX_WORDS]


def _english_match(word: str) -> Q:
    in_sections = Exists(
        Section.objects.filter(topic=OuterRef("pk")).filter(
            Q(heading__icontains=word) | Q(body__icontains=word)
        )
    )
    return Q(title__icontains=word) | Q(summary__icontains=word) | in_sections


def search_topics(
    query: str, *, language: str | None = None, include_unpublished: bool = False
) -> list[Topic]:
    """Topics whose text in `language` (default English) contains every word of `query`.

    Title matches first, then the Learn order. In another language the topics carry
    `local_title` and `local_summary` (see languages.localized_topics). One query.
    """
    language = language or settings.LANGUAGE_CODE
    words = query_words(query)
    if not words:
        return []
    topics = Topic.objects.all() if include_unpublished else Topic.objects.filter(published=True)
    if not is_site_language(language):
        return _search_translated_topics(topics, words, language)
    for word in words:
        topics = topics.filter(_english_match(word))
    title_matches = Q()
    for word in words:
        title_matches &= Q(title__icontains=word)
    return list(
        topics.annotate(
            title_match=Case(
                When(title_matches, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        ).order_by("-title_match", "order", "title")
    )


def _search_translated_topics(topics: QuerySet[Topic], words: list[str], language: str):
    translations = TopicTranslation.objects.filter(topic=OuterRef("pk"), language=language)
    matching = translations
    for word in words:
        matching = matching.filter(search_text__contains=fold_for_search(word))
    untranslated_match = ~Exists(translations)
    for word in words:
        untranslated_match &= _english_match(word)
    found = localized_topics(topics.filter(Exists(matching) | untranslated_match), language)

    def title_first(topic: Topic):
        title = fold_for_search(topic.local_title or topic.title)
        in_title = all(fold_for_search(word) in title for word in words)
        return (not in_title, topic.order, title)

    return sorted(found, key=title_first)


def search_glossary(query: str, *, language: str | None = None) -> list:
    """Glossary words whose name or other forms contain every word of `query`.

    In English, `GlossaryTerm`s (one query); in another language, `GlossaryEntry`s in that
    language, compared without accents or capitals (one query, then filtered here: the glossary
    is a few dozen words).
    """
    language = language or settings.LANGUAGE_CODE
    words = query_words(query)
    if not words:
        return []
    if not is_site_language(language):
        folded = [fold_for_search(word) for word in words]

        def matches(entry: GlossaryEntry) -> bool:
            text = fold_for_search(f"{entry.term}\n{entry.variants}")
            return all(word in text for word in folded)

        return [entry for entry in glossary_entries(language) if matches(entry)]
    terms = GlossaryTerm.objects.all()
    for word in words:
        terms = terms.filter(Q(term__icontains=word) | Q(variants__icontains=word))
    return list(terms)
