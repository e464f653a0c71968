"""Search over the Learn pages: plain functions the search view calls.

Deliberately simple, so it behaves the same on SQLite and PostgreSQL: every word of the query must
appear (case-insensitive, anywhere in a word) in the topic's title, summary or one of its
sections. Topics whose title holds a word come first. The content is a few dozen pages; a search
index would be more machinery than help.
"""

from __future__ import annotations

import unicodedata

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from .models import GlossaryTerm, Section, Topic

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


def search_topics(query: str, *, include_unpublished: bool = False) -> QuerySet[Topic]:
    """Topics whose title, summary or sections contain every word of `query`."""
    words = query_words(query)
    if not words:
        return Topic.objects.none()
    topics = Topic.objects.all() if include_unpublished else Topic.objects.filter(published=True)
    for word in words:
        in_sections = Exists(
            Section.objects.filter(topic=OuterRef("pk")).filter(
                Q(heading__icontains=word) | Q(body__icontains=word)
            )
        )
        topics = topics.filter(Q(title__icontains=word) | Q(summary__icontains=word) | in_sections)
    title_matches = Q()
    for word in words:
        title_matches &= Q(title__icontains=word)
    return topics.annotate(
        title_match=Case(
            When(title_matches, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    ).order_by("-title_match", "order", "title")


def search_glossary(query: str) -> QuerySet[GlossaryTerm]:
    """Glossary terms whose name or other forms contain every word of `query`."""
    words = query_words(query)
    if not words:
        return GlossaryTerm.objects.none()
    terms = GlossaryTerm.objects.all()
    for word in words:
        terms = terms.filter(Q(term__icontains=word) | Q(variants__icontains=word))
    return terms
