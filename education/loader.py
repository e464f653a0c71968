"""Load the education content (`education/content/`) into the database.

The content folder is how topics ship with the code (format: `content/README.md`). The data
migration `0002_load_content` calls `load_content` so that `migrate` on a fresh database fills
the Learn pages, and `0004_load_translations` loads the translated pages of `content/<language>/`
(`load_translations`); `manage.py load_education_content` loads both again on demand. Loading is
idempotent: topics and glossary terms are matched by slug and updated in place, a topic's
sections and sources are replaced by the file's, and nothing else is touched.

Reading (files -> plain dataclasses, with clear errors naming the file) is kept apart from writing
(dataclasses -> rows), so the format can be checked without a database.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.apps import apps as django_apps
from django.conf import settings
from django.db import transaction

from .models import RESERVED_TOPIC_SLUGS, translation_search_text
from .rendering import (
    glossary_links,
    render_section_body,
    translated_glossary_links,
    unique_anchor,
)

CONTENT_DIR = Path(__file__).resolve().parent / "content"
CATEGORIES = ("basics", "sign", "cause", "test", "treatment", "visit")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n(.*)\Z", re.DOTALL)
_SECTION_HEADING = re.compile(r"^## +(.+?)\s*#*\s*$")
_OTHER_HEADING = re.compile(r"^#{1,6}(?!#)\s")


class ContentError(ValueError):
    """A content file does not follow the format in content/README.md."""


@dataclass(frozen=True)
class SourceData:
    title: str
    publisher: str
    url: str


@dataclass(frozen=True)
class SectionData:
    heading: str
    body: str


@dataclass(frozen=True)
class TopicData:
    slug: str
    title: str
    summary: str
    category: str
    order: int
    reviewed: datetime.date
    published: bool
    related: tuple[str, ...]
    sources: tuple[SourceData, ...]
    sections: tuple[SectionData, ...]


@dataclass(frozen=True)
class TopicTranslationData:
    slug: str
    title: str
    summary: str
    reviewed: datetime.date
    sources: tuple[SourceData, ...]
    sections: tuple[SectionData, ...]


@dataclass(frozen=True)
class GlossaryData:
    term: str
    slug: str
    definition: str
    variants: tuple[str, ...] = ()


@dataclass
class Content:
    topics: list[TopicData] = field(default_factory=list)
    glossary: list[GlossaryData] = field(default_factory=list)


@dataclass
class TranslatedContent:
    language: str
    topics: list[TopicTranslationData] = field(default_factory=list)
    glossary: list[GlossaryData] = field(default_factory=list)


@dataclass(frozen=True)
class LoadReport:
    topics_created: int
    topics_updated: int
    glossary_terms: int
    #: Translated topics loaded, by language code.
    translations: dict[str, int] = field(default_factory=dict)


def _require(data: dict, key: str, kind: type, where: str):
    value = data.get(key)
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "" or not isinstance(value, kind):
        raise ContentError(f"{where}: '{key}' is missing or is not a {kind.__name__}")
    return value


def split_sections(body: str, where: str) -> tuple[SectionData, ...]:
    """Split a topic's Markdown body at its `## ` headings into sections."""
    sections: list[SectionData] = []
    heading: str | None = None
    lines: list[str] = []

    def finish() -> None:
        text = "\n".join(lines).strip()
        if heading is None:
            if text:
                raise ContentError(f"{where}: text before the first '## ' heading")
        elif not text:
            raise ContentError(f"{where}: the section '{heading}' has no text")
        else:
            sections.append(SectionData(heading=heading, body=text))

    for line in body.splitlines():
        match = _SECTION_HEADING.match(line)
        if match:
            finish()
            heading, lines = match.group(1), []
        elif _OTHER_HEADING.match(line):
            raise ContentError(f"{where}: only '## ' headings are allowed, found {line!r}")
        else:
            lines.append(line)
    finish()
    if not sections:
        raise ContentError(f"{where}: no '## ' sections")
    return tuple(sections)


def _front_matter(text: str, where: str) -> tuple[dict, str]:
    """A topic file's YAML front matter (as a dict) and its Markdown body."""
    match = _FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if not match:
        raise ContentError(f"{where}: the file must start with front matter between '---' lines")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        raise ContentError(f"{where}: the front matter is not valid YAML: {error}") from error
    if not isinstance(meta, dict):
        raise ContentError(f"{where}: the front matter must be 'key: value' lines")
    return meta, match.group(2)


def _sources(meta: dict, where: str) -> tuple[SourceData, ...]:
    raw_sources = meta.get("sources") or []
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ContentError(f"{where}: every topic needs at least one source")
    sources = []
    for number, source in enumerate(raw_sources, start=1):
        if not isinstance(source, dict):
            raise ContentError(f"{where}: source {number} must have title, publisher and url")
        source_where = f"{where}, source {number}"
        url = _require(source, "url", str, source_where)
        if not url.startswith(("https://", "http://")):
            raise ContentError(f"{source_where}: the url must start with https://")
        sources.append(
            SourceData(
                title=_require(source, "title", str, source_where),
                publisher=_require(source, "publisher", str, source_where),
                url=url,
            )
        )
    return tuple(sources)


def parse_topic(text: str, *, where: str) -> TopicData:
    """Parse one topic file (YAML front matter, then `## ` sections in Markdown)."""
    meta, body = _front_matter(text, where)

    category = _require(meta, "category", str, where)
    if category not in CATEGORIES:
        raise ContentError(f"{where}: category {category!r} is not one of {', '.join(CATEGORIES)}")
    reviewed = _require(meta, "reviewed", datetime.date, where)
    order = meta.get("order", 0)
    if not isinstance(order, int) or order < 0:
        raise ContentError(f"{where}: 'order' must be a whole number, 0 or more")
    related = meta.get("related") or []
    if not isinstance(related, list) or not all(isinstance(slug, str) for slug in related):
        raise ContentError(f"{where}: 'related' must be a list of topic slugs")

    return TopicData(
        slug=_require(meta, "slug", str, where),
        title=_require(meta, "title", str, where),
        summary=_require(meta, "summary", str, where),
        category=category,
        order=order,
        reviewed=reviewed,
        published=bool(meta.get("published", True)),
        related=tuple(related),
        sources=_sources(meta, where),
        sections=split_sections(body, where),
    )


def parse_topic_translation(text: str, *, where: str) -> TopicTranslationData:
    """Parse one translated topic file (`content/<language>/topics/<slug>.md`).

    The same format as an English topic file. Only the slug, title, summary, reviewed date,
    sources and sections are read: category, order, publishing and related topics are the
    English topic's, whatever the translated file says.
    """
    meta, body = _front_matter(text, where)
    return TopicTranslationData(
        slug=_require(meta, "slug", str, where),
        title=_require(meta, "title", str, where),
        summary=_require(meta, "summary", str, where),
        reviewed=_require(meta, "reviewed", datetime.date, where),
        sources=_sources(meta, where),
        sections=split_sections(body, where),
    )


def parse_glossary(text: str, *, where: str) -> list[GlossaryData]:
    """Parse the glossary file: a YAML list of {term, slug, definition, also}."""
    try:
        entries = yaml.safe_load(text) or []
    except yaml.YAMLError as error:
        raise ContentError(f"{where}: not valid YAML: {error}") from error
    if not isinstance(entries, list):
        raise ContentError(f"{where}: must be a list of terms")
    glossary = []
    for number, entry in enumerate(entries, start=1):
        entry_where = f"{where}, entry {number}"
        if not isinstance(entry, dict):
            raise ContentError(f"{entry_where}: must have term, slug and definition")
        also = entry.get("also") or []
        if not isinstance(also, list) or not all(isinstance(variant, str) for variant in also):
            raise ContentError(f"{entry_where}: 'also' must be a list of words")
        glossary.append(
            GlossaryData(
                term=_require(entry, "term", str, entry_where),
                slug=_require(entry, "slug", str, entry_where),
                definition=_require(entry, "definition", str, entry_where),
                variants=tuple(variant.strip() for variant in also if variant.strip()),
            )
        )
    return glossary


def _check_unique(slugs: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for slug in slugs:
        if slug in seen:
            raise ContentError(f"two {what} have the slug {slug!r}")
        seen.add(slug)


def read_content(content_dir: Path = CONTENT_DIR) -> Content:
    """Read and check every topic file and the glossary, without touching the database."""
    content = Content()
    for path in sorted((content_dir / "topics").glob("*.md")):
        topic = parse_topic(path.read_text(encoding="utf-8"), where=path.name)
        if topic.slug in RESERVED_TOPIC_SLUGS:
            raise ContentError(f"{path.name}: {topic.slug!r} is the address of another page")
        if topic.slug != path.stem:
            raise ContentError(f"{path.name}: the slug {topic.slug!r} must equal the file name")
        content.topics.append(topic)
    glossary_path = content_dir / "glossary.yaml"
    if glossary_path.exists():
        content.glossary = parse_glossary(
            glossary_path.read_text(encoding="utf-8"), where=glossary_path.name
        )

    _check_unique((topic.slug for topic in content.topics), "topics")
    _check_unique((term.slug for term in content.glossary), "glossary terms")
    known = {topic.slug for topic in content.topics}
    for topic in content.topics:
        unknown = [slug for slug in topic.related if slug not in known]
        if unknown:
            raise ContentError(f"{topic.slug}.md: related topics not found: {', '.join(unknown)}")
    return content


def render_sections(sections: Iterable, glossary_terms: Iterable) -> None:
    """Store each section's HTML, rendered with the current glossary (one bulk update).

    Used after loading and whenever the glossary changes, since every section's links depend on it.
    Works with real and historical (migration) models.
    """
    render_sections_with_links(sections, glossary_links(glossary_terms))


def render_translated_sections(language: str, *, apps=django_apps) -> None:
    """Store the HTML of every translated section in `language`, linked to its glossary words.

    Used after loading and whenever a glossary word in that language changes.
    """
    TranslatedSection = apps.get_model("education", "TranslatedSection")
    GlossaryTermTranslation = apps.get_model("education", "GlossaryTermTranslation")
    TopicTranslation = apps.get_model("education", "TopicTranslation")
    render_sections_with_links(
        TranslatedSection.objects.filter(translation__language=language),
        translated_glossary_links(GlossaryTermTranslation.objects.filter(language=language)),
    )
    refresh_search_texts(TopicTranslation.objects.filter(language=language))


def refresh_search_texts(translations) -> None:
    """Store the folded search text of each translated topic (two queries, one bulk update)."""
    translations = list(translations)
    if not translations:
        return
    Model = type(translations[0])
    Section = Model._meta.get_field("sections").related_model
    sections: dict[int, list[tuple[str, str]]] = {}
    for translation_id, heading, body_html in Section.objects.filter(
        translation__in=translations
    ).values_list("translation_id", "heading", "body_html"):
        sections.setdefault(translation_id, []).append((heading, body_html))
    for translation in translations:
        translation.search_text = translation_search_text(
            translation.title, translation.summary, sections.get(translation.pk, [])
        )
    Model.objects.bulk_update(translations, ["search_text"], batch_size=200)


def render_sections_with_links(sections: Iterable, links: list) -> None:
    """Store each section's HTML rendered with these glossary links (one bulk update)."""
    sections = list(sections)
    for section in sections:
        section.body_html = render_section_body(section.body, links)
    if sections:
        type(sections[0]).objects.bulk_update(sections, ["body_html"], batch_size=200)


def load_content(
    content_dir: Path = CONTENT_DIR, *, apps=django_apps, translations: bool = True
) -> LoadReport:
    """Create or update topics and glossary terms from `content_dir`; return what it did.

    With `translations`, the translated pages in `content_dir/<language>/` are loaded too (see
    `load_translations`). `apps` is the app registry: a data migration passes its historical one
    (0002, written before translations existed, passes translations=False).
    """
    content = read_content(content_dir)
    Topic = apps.get_model("education", "Topic")
    Section = apps.get_model("education", "Section")
    Source = apps.get_model("education", "Source")
    GlossaryTerm = apps.get_model("education", "GlossaryTerm")

    created = 0
    with transaction.atomic():
        for term in content.glossary:
            GlossaryTerm.objects.update_or_create(
                slug=term.slug,
                defaults={
                    "term": term.term,
                    "definition": term.definition,
                    "variants": "\n".join(term.variants),
                },
            )

        topics = {}
        for data in content.topics:
            topic, was_created = Topic.objects.update_or_create(
                slug=data.slug,
                defaults={
                    "title": data.title,
                    "summary": data.summary,
                    "category": data.category,
                    "order": data.order,
                    "reviewed": data.reviewed,
                    "published": data.published,
                },
            )
            created += was_created
            topics[data.slug] = topic

            Section.objects.filter(topic=topic).delete()
            anchors: list[str] = []
            for section in data.sections:
                anchors.append(unique_anchor(section.heading, anchors))
            Section.objects.bulk_create(
                Section(topic=topic, order=number, heading=s.heading, anchor=anchor, body=s.body)
                for number, (s, anchor) in enumerate(zip(data.sections, anchors, strict=True), 1)
            )
            Source.objects.filter(topic=topic).delete()
            Source.objects.bulk_create(
                Source(topic=topic, order=number, title=s.title, publisher=s.publisher, url=s.url)
                for number, s in enumerate(data.sources, start=1)
            )

        for data in content.topics:
            topics[data.slug].related.set([topics[slug] for slug in data.related])

        render_sections(Section.objects.all(), GlossaryTerm.objects.all())
        loaded = load_translations(content_dir, apps=apps, english=content) if translations else {}

    return LoadReport(
        topics_created=created,
        topics_updated=len(content.topics) - created,
        glossary_terms=len(content.glossary),
        translations=loaded,
    )


# --- Translations -------------------------------------------------------------------------------


def translation_languages(content_dir: Path = CONTENT_DIR) -> list[str]:
    """The site's other languages (settings.LANGUAGES) that have a folder in `content_dir`."""
    return [
        code
        for code, _name in settings.LANGUAGES
        if code != settings.LANGUAGE_CODE and (content_dir / code).is_dir()
    ]


def read_translations(
    language: str, content_dir: Path = CONTENT_DIR, *, english: Content | None = None
) -> TranslatedContent:
    """Read and check `content_dir/<language>/` (topics/*.md and glossary.yaml), no database.

    Every translated topic and glossary word must have an English one with the same slug.
    """
    english = english or read_content(content_dir)
    folder = content_dir / language
    translated = TranslatedContent(language=language)
    topic_slugs = {topic.slug for topic in english.topics}
    for path in sorted((folder / "topics").glob("*.md")):
        where = f"{language}/topics/{path.name}"
        topic = parse_topic_translation(path.read_text(encoding="utf-8"), where=where)
        if topic.slug != path.stem:
            raise ContentError(f"{where}: the slug {topic.slug!r} must equal the file name")
        if topic.slug not in topic_slugs:
            raise ContentError(f"{where}: there is no English topic {topic.slug!r}")
        translated.topics.append(topic)
    glossary_path = folder / "glossary.yaml"
    if glossary_path.exists():
        where = f"{language}/glossary.yaml"
        translated.glossary = parse_glossary(glossary_path.read_text(encoding="utf-8"), where=where)
        term_slugs = {term.slug for term in english.glossary}
        unknown = [term.slug for term in translated.glossary if term.slug not in term_slugs]
        if unknown:
            raise ContentError(f"{where}: no English glossary term for {', '.join(unknown)}")
    _check_unique((term.slug for term in translated.glossary), f"{language} glossary terms")
    _check_unique((term.term for term in translated.glossary), f"{language} glossary terms")
    return translated


def load_translations(
    content_dir: Path = CONTENT_DIR, *, apps=django_apps, english: Content | None = None
) -> dict[str, int]:
    """Create or update the translated topics and glossary words; return topics per language.

    Matched by slug to the English topics and terms already in the database (one the staff have
    deleted is skipped). A translated topic's sections and sources are replaced by the file's.
    """
    english = english or read_content(content_dir)
    Topic = apps.get_model("education", "Topic")
    TopicTranslation = apps.get_model("education", "TopicTranslation")
    TranslatedSection = apps.get_model("education", "TranslatedSection")
    TranslatedSource = apps.get_model("education", "TranslatedSource")
    GlossaryTerm = apps.get_model("education", "GlossaryTerm")
    GlossaryTermTranslation = apps.get_model("education", "GlossaryTermTranslation")

    loaded: dict[str, int] = {}
    for language in translation_languages(content_dir):
        translated = read_translations(language, content_dir, english=english)
        with transaction.atomic():
            terms = GlossaryTerm.objects.in_bulk(
                [term.slug for term in translated.glossary], field_name="slug"
            )
            for data in translated.glossary:
                if data.slug in terms:
                    GlossaryTermTranslation.objects.update_or_create(
                        glossary_term=terms[data.slug],
                        language=language,
                        defaults={
                            "term": data.term,
                            "definition": data.definition,
                            "variants": "\n".join(data.variants),
                        },
                    )

            topics = Topic.objects.in_bulk(
                [topic.slug for topic in translated.topics], field_name="slug"
            )
            count = 0
            for data in translated.topics:
                if data.slug not in topics:
                    continue
                translation, _created = TopicTranslation.objects.update_or_create(
                    topic=topics[data.slug],
                    language=language,
                    defaults={
                        "title": data.title,
                        "summary": data.summary,
                        "reviewed": data.reviewed,
                    },
                )
                count += 1
                TranslatedSection.objects.filter(translation=translation).delete()
                anchors: list[str] = []
                for section in data.sections:
                    anchors.append(unique_anchor(section.heading, anchors))
                TranslatedSection.objects.bulk_create(
                    TranslatedSection(
                        translation=translation,
                        order=number,
                        heading=s.heading,
                        anchor=anchor,
                        body=s.body,
                    )
                    for number, (s, anchor) in enumerate(
                        zip(data.sections, anchors, strict=True), 1
                    )
                )
                TranslatedSource.objects.filter(translation=translation).delete()
                TranslatedSource.objects.bulk_create(
                    TranslatedSource(
                        translation=translation,
                        order=number,
                        title=s.title,
                        publisher=s.publisher,
                        url=s.url,
                    )
                    for number, s in enumerate(data.sources, start=1)
                )
            render_translated_sections(language, apps=apps)
        loaded[language] = count
    return loaded
