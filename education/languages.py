"""The Learn pages in the reader's language: plain selectors the views call.

English lives on `Topic`, `Section`, `Source` and `GlossaryTerm`; another language on their
translations (see models.py). Each selector takes the language code to show (the view passes the
active one) and falls back to English, per topic and per glossary word, where no translation
exists, saying so, so a reader is never shown an empty page. The query counts stay fixed:
titles and summaries in lists come from subqueries of the same query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from .models import GlossaryTerm, GlossaryTermTranslation, Topic, TopicTranslation
from .rendering import fold_for_search


def is_site_language(language: str) -> bool:
    """True for the language the content is written in (settings.LANGUAGE_CODE, English)."""
    return language == settings.LANGUAGE_CODE


def localized_topics(topics: QuerySet[Topic], language: str) -> QuerySet[Topic]:
    """`topics` with `local_title` and `local_summary` in `language` (None where untranslated).

    Templates show `topic.local_title|default:topic.title`; in English nothing is added.
    """
    if is_site_language(language):
        return topics
    translation = TopicTranslation.objects.filter(topic=OuterRef("pk"), language=language)
    return topics.annotate(
        local_title=Subquery(translation.values("title")[:1]),
        local_summary=Subquery(translation.values("summary")[:1]),
    )


@dataclass(frozen=True)
class TopicPage:
    """What a topic page shows, in one language: the reader's, or English as a fallback."""

    title: str
    summary: str
    reviewed: datetime.date
    sections: list
    sources: list
    #: The language the text is in.
    language: str
    #: True when the reader asked for another language and this topic has no translation in it.
    is_fallback: bool = False


def topic_page(topic: Topic, language: str) -> TopicPage:
    """The topic's text in `language`, or in English when it has no translation (3 queries).

    A translation brings its own sections and sources (it may cite a source in its language).
    """
    if not is_site_language(language):
        translation = (
            TopicTranslation.objects.filter(topic=topic, language=language)
            .prefetch_related("sections", "sources")
            .first()
        )
        if translation is not None:
            return TopicPage(
                title=translation.title,
                summary=translation.summary,
                reviewed=translation.reviewed,
                sections=list(translation.sections.all()),
                sources=list(translation.sources.all()),
                language=language,
            )
    return TopicPage(
        title=topic.title,
        summary=topic.summary,
        reviewed=topic.reviewed,
        sections=list(topic.sections.all()),
        sources=list(topic.sources.all()),
        language=settings.LANGUAGE_CODE,
        is_fallback=not is_site_language(language),
    )


@dataclass(frozen=True)
class GlossaryEntry:
    """A glossary word as the glossary page and search show it."""

    slug: str
    term: str
    definition: str
    #: The language of `term` and `definition`.
    language: str
    #: Other forms of the word, one per line (search looks in them too).
    variants: str = ""

    def get_absolute_url(self) -> str:
        return GlossaryTerm(slug=self.slug).get_absolute_url()


def glossary_entries(language: str) -> list[GlossaryEntry]:
    """Every glossary word in `language` (English where untranslated), A to Z, in one query.

    Sorted without regard to accents or capitals, as a Spanish reader expects ("Ácido" with A).
    """
    terms = GlossaryTerm.objects.all()
    if not is_site_language(language):
        translation = GlossaryTermTranslation.objects.filter(
            glossary_term=OuterRef("pk"), language=language
        )
        terms = terms.annotate(
            local_term=Subquery(translation.values("term")[:1]),
            local_definition=Subquery(translation.values("definition")[:1]),
            local_variants=Subquery(translation.values("variants")[:1]),
        )
    entries = []
    for term in terms:
        local_term = getattr(term, "local_term", None)
        if local_term:
            entries.append(
                GlossaryEntry(
                    term.slug, local_term, term.local_definition, language, term.local_variants
                )
            )
        else:
            entries.append(
                GlossaryEntry(
                    term.slug, term.term, term.definition, settings.LANGUAGE_CODE, term.variants
                )
            )
    return sorted(entries, key=lambda entry: (fold_for_search(entry.term), entry.slug))
