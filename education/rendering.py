"""Turning a section's Markdown into the HTML a topic page shows.

Three plain steps, each tested on its own:

1. `render_markdown`: the small Markdown subset of `content/README.md` to HTML, then sanitised
   with nh3 so only paragraphs, lists, bold, italics and links survive (staff type this text in
   the admin; nothing they type can add a script, an image or a style).
2. `link_glossary_terms`: the first time a glossary word appears in a section, it links to its
   entry on /learn/glossary/ (the issue: "hard words in topic pages link to the glossary").
3. `render_section_body`: both, in that order; run when a section is saved or loaded, so a page
   view never renders Markdown.

The functions take plain values (the glossary as `GlossaryLink`s), so they work with the real
models, with the historical models of a data migration, and in tests without a database.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import markdown
import nh3
from django.utils.text import slugify

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
GLOSSARY_URL = "/learn/glossary/"

# Ids the topic page uses for its own parts; a section heading must not take one of them.
RESERVED_ANCHORS = frozenset(
    {"main", "on-this-page", "sources", "related-topics", "prepare", "urgent-notice"}
)

_TAG = re.compile(r"(<[^>]*>)")
_OPENING_A = re.compile(r"<a[\s>]", re.IGNORECASE)
_CLOSING_A = re.compile(r"</a\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class GlossaryLink:
    """A glossary entry as the linker needs it: where it lives and the words that point to it."""

    slug: str
    phrases: tuple[str, ...]


def glossary_link(slug: str, term: str, variants: str) -> GlossaryLink:
    """One `GlossaryLink`; `variants` holds the other forms one per line, as models store them."""
    others = [line.strip() for line in variants.splitlines() if line.strip()]
    return GlossaryLink(slug=slug, phrases=(term, *others))


def glossary_links(terms: Iterable) -> list[GlossaryLink]:
    """Build `GlossaryLink`s from glossary terms (anything with `term`, `slug`, `variants`)."""
    return [glossary_link(term.slug, term.term, term.variants) for term in terms]


def translated_glossary_links(translations) -> list[GlossaryLink]:
    """`GlossaryLink`s from a queryset of glossary term translations (one language), in one query.

    A translated word links to the entry of its English term, whose slug it shares. Works with the
    real model and with a data migration's historical one.
    """
    rows = translations.values_list("glossary_term__slug", "term", "variants")
    return [glossary_link(slug, term, variants) for slug, term, variants in rows]


def fold_for_search(text: str) -> str:
    """Lower case without accents ("Músculo" -> "musculo"), so that search ignores both.

    Letters lose their combining marks after Unicode decomposition; "ñ" becomes "n" too, which
    is what someone typing on a keyboard without it would write.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def render_markdown(text: str) -> str:
    """Render the content Markdown subset to sanitised HTML.

    Anything outside the subset is dropped by nh3: raw HTML tags lose their markup (a <script>
    loses its content too), images and headings become plain text or vanish, and links keep only
    an http(s), mailto or site-relative href.
    """
    rendered = markdown.markdown(text, output_format="html")
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=None,
    ).strip()


def _phrase_pattern(phrase: str) -> str:
    escaped = re.escape(phrase)
    # Short abbreviations written in capitals (ALS, CT, EMG) match only in capitals, so that an
    # ordinary word spelled the same way never becomes a link.
    if phrase.isupper() and len(phrase) <= 5:
        return f"(?-i:{escaped})"
    return escaped


def link_glossary_terms(
    html_text: str, glossary: Sequence[GlossaryLink], url: str = GLOSSARY_URL
) -> str:
    """Link the first occurrence of each glossary entry in a piece of HTML to its glossary anchor.

    Rules (tested in tests/test_rendering.py):
    - whole words only, case-insensitive (except short all-capital abbreviations);
    - the longest phrase wins where phrases overlap ("disuse atrophy" before "atrophy");
    - each entry is linked once, at its first occurrence in `html_text` (one section);
    - text inside an existing link, and tag markup itself, is never touched.

    `html_text` must be sanitised HTML (as `render_markdown` returns); the glossary slugs are
    escaped into the link.
    """
    slug_for_phrase: dict[str, str] = {}
    for entry in glossary:
        for phrase in entry.phrases:
            slug_for_phrase.setdefault(phrase.casefold(), entry.slug)
    if not slug_for_phrase:
        return html_text

    phrases = sorted(
        {phrase for entry in glossary for phrase in entry.phrases if phrase.strip()},
        key=len,
        reverse=True,
    )
    pattern = re.compile(
        r"(?<![\w-])(?:" + "|".join(_phrase_pattern(p) for p in phrases) + r")(?![\w-])",
        re.IGNORECASE,
    )
    linked: set[str] = set()

    def replace(match: re.Match) -> str:
        slug = slug_for_phrase[match.group(0).casefold()]
        if slug in linked:
            return match.group(0)
        linked.add(slug)
        href = html.escape(f"{url}#{slug}")
        return f'<a class="glossary-link" href="{href}">{match.group(0)}</a>'

    pieces = []
    link_depth = 0
    for piece in _TAG.split(html_text):
        if piece.startswith("<"):
            if _OPENING_A.match(piece):
                link_depth += 1
            elif _CLOSING_A.match(piece):
                link_depth = max(0, link_depth - 1)
        elif piece and link_depth == 0:
            piece = pattern.sub(replace, piece)
        pieces.append(piece)
    return "".join(pieces)


def render_section_body(text: str, glossary: Sequence[GlossaryLink]) -> str:
    """The HTML stored in `Section.body_html`: sanitised Markdown with glossary links."""
    return link_glossary_terms(render_markdown(text), glossary)


def unique_anchor(heading: str, taken: Iterable[str]) -> str:
    """A URL fragment for a section heading, unique among `taken` and the page's own ids."""
    base = slugify(heading)[:70].strip("-") or "section"
    unavailable = set(taken) | RESERVED_ANCHORS
    anchor, number = base, 2
    while anchor in unavailable:
        anchor = f"{base}-{number}"
        number += 1
    return anchor


_BLOCK_END = re.compile(r"</(?:p|li)>|<(?:ul|ol)>", re.IGNORECASE)


def plain_text(html_text: str) -> str:
    """The words of sanitised section HTML, one sentence-ended line per paragraph or list item.

    Readability formulas count sentences by their full stops. A bullet point or a lead-in such as
    "You might notice:" is a sentence to a reader, so each block ends with a full stop here;
    without it, a list would count as one very long sentence.
    """
    lines = []
    for block in _BLOCK_END.split(html_text):
        words = " ".join(html.unescape(_TAG.sub("", block)).split())
        words = words.rstrip(":;,").rstrip()
        if words and words[-1] not in ".!?":
            words += "."
        if words:
            lines.append(words)
    return "\n".join(lines)
