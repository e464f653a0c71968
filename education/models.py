"""The Learn pages: topics made of ordered sections, with their sources, and a glossary.

Content ships in `education/content/` and is loaded by `manage.py load_education_content` (see
`loader.py`) after each `migrate`; after
that the database is the truth and staff correct it in the admin. Section bodies are written in a
small Markdown subset and stored twice: the Markdown staff edit, and the sanitised HTML (with
glossary links) that the topic page shows, so a page view never renders Markdown.

Topics are written in English (the site's LANGUAGE_CODE) on `Topic`, `Section` and `Source`.
A translation is a whole page in another language: `TopicTranslation` (title, summary, reviewed
date) with its own `TranslatedSection`s and `TranslatedSource`s, loaded from
`content/<language>/` like the English files. The topic keeps what is the same in every language:
slug, category, order, publishing and related topics. Glossary words get a
`GlossaryTermTranslation` per language under the same slug, so /learn/glossary/#atrophy is the
same entry in both languages and translated sections link to it in their own words.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from atrophy_site.languages import translation_language_choices

from .rendering import (
    fold_for_search,
    glossary_links,
    plain_text,
    render_section_body,
    translated_glossary_links,
    unique_anchor,
)

# Paths under /learn/ that are pages of their own, not topics (see urls.py).
RESERVED_TOPIC_SLUGS = frozenset({"glossary", "search"})


def validate_topic_slug(value: str) -> None:
    if value in RESERVED_TOPIC_SLUGS:
        raise ValidationError(
            _("%(value)s is the address of another Learn page. Choose another slug."),
            params={"value": value},
        )


class Topic(models.Model):
    class Category(models.TextChoices):
        # Declared in the order the Learn index shows them: what it is, what to look for, why it
        # happens, how doctors find out, what helps, and getting ready for the visit.
        BASICS = "basics", _("The basics")
        SIGN = "sign", _("Signs")
        CAUSE = "cause", _("Causes")
        TEST = "test", _("Tests")
        TREATMENT = "treatment", _("Treatments")
        VISIT = "visit", _("Your visit")

    slug = models.SlugField(_("slug"), max_length=80, unique=True, validators=[validate_topic_slug])
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("One plain sentence, shown in lists and search results."),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    order = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Position inside its category on the Learn page.")
    )
    reviewed = models.DateField(
        _("last reviewed"), help_text=_("The date the text was last checked against the sources.")
    )
    published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Only published topics are shown to the public. Staff can preview the rest."),
    )
    related = models.ManyToManyField(
        "self", verbose_name=_("related topics"), symmetrical=False, blank=True
    )

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("education:topic", kwargs={"slug": self.slug})


class SectionText(models.Model):
    """What every section has, in any language: a heading, an anchor and Markdown text.

    The text is rendered to HTML (with glossary links) when saved, so pages never render Markdown.
    """

    order = models.PositiveIntegerField(_("order"), default=0)
    heading = models.CharField(_("heading"), max_length=200)
    anchor = models.SlugField(
        _("anchor"),
        max_length=80,
        blank=True,
        help_text=_("The #link to this section. Left empty, it is made from the heading."),
    )
    body = models.TextField(
        _("text"),
        help_text=_(
            "Plain paragraphs, '-' bullet lists, '1.' numbered lists, **bold** and links. "
            "Glossary words are linked automatically."
        ),
    )
    body_html = models.TextField(_("text as shown"), blank=True, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.heading

    def save(self, *args, **kwargs):
        if not self.anchor:
            self.anchor = unique_anchor(self.heading, set(self.sibling_anchors()))
        self.body_html = render_section_body(self.body, self.glossary_links())
        super().save(*args, **kwargs)

    def sibling_anchors(self):
        """Anchors already used by the other sections of the same page."""
        raise NotImplementedError

    def glossary_links(self):
        """The glossary links for the page's language (see rendering.glossary_links)."""
        raise NotImplementedError


class Section(SectionText):
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="sections", verbose_name=_("topic")
    )

    class Meta:
        ordering = ["topic", "order", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["topic", "anchor"], name="education_section_anchor")
        ]

    def get_absolute_url(self) -> str:
        return f"{self.topic.get_absolute_url()}#{self.anchor}"

    def sibling_anchors(self):
        return (
            Section.objects.filter(topic_id=self.topic_id)
            .exclude(pk=self.pk)
            .values_list("anchor", flat=True)
        )

    def glossary_links(self):
        return glossary_links(GlossaryTerm.objects.all())


class SourceText(models.Model):
    """A public page a topic rests on, in any language."""

    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200)
    url = models.URLField(_("web address"), max_length=500)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.title} ({self.publisher})"


class Source(SourceText):
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="sources", verbose_name=_("topic")
    )

    class Meta:
        ordering = ["topic", "order", "pk"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")


class GlossaryTerm(models.Model):
    term = models.CharField(_("term"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    definition = models.TextField(_("definition"))
    variants = models.TextField(
        _("other forms"),
        blank=True,
        help_text=_(
            "Other spellings or forms found in topic text that should link here, one per line."
        ),
    )

    class Meta:
        ordering = ["term"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")

    def __str__(self) -> str:
        return self.term

    def get_absolute_url(self) -> str:
        return f"{reverse('education:glossary')}#{self.slug}"


# --- Translations -------------------------------------------------------------------------------


class TopicTranslation(models.Model):
    """A topic's page in another language: title, summary and reviewed date, with its own
    sections and sources. Without one, the page is shown in English with a note."""

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="translations", verbose_name=_("topic")
    )
    language = models.CharField(_("language"), max_length=10, choices=translation_language_choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("One plain sentence, shown in lists and search results."),
    )
    reviewed = models.DateField(
        _("last reviewed"),
        help_text=_("The date the translation was last checked against the sources."),
    )
    search_text = models.TextField(
        _("search text"),
        blank=True,
        editable=False,
        help_text=_("Title, summary and sections without accents or capitals, for search."),
    )

    class Meta:
        ordering = ["topic__order", "language"]
        verbose_name = _("topic translation")
        verbose_name_plural = _("topic translations")
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "language"], name="education_one_translation_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    def get_absolute_url(self) -> str:
        return self.topic.get_absolute_url()

    def refresh_search_text(self) -> None:
        """Store the folded words of the title, summary and sections (one extra query)."""
        self.search_text = translation_search_text(
            self.title, self.summary, self.sections.values_list("heading", "body_html")
        )
        type(self).objects.filter(pk=self.pk).update(search_text=self.search_text)


def translation_search_text(title: str, summary: str, sections) -> str:
    """Title, summary and (heading, body_html) pairs as one folded text for accent-free search.

    People often type Spanish without accents ("musculo" for "músculo"), so both the stored text
    and the query are folded the same way (rendering.fold_for_search).
    """
    parts = [title, summary]
    for heading, body_html in sections:
        parts.extend((heading, plain_text(body_html)))
    return fold_for_search(" ".join(parts))


class TranslatedSection(SectionText):
    """One section of a translated page: the same Markdown subset as `Section`."""

    translation = models.ForeignKey(
        TopicTranslation,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("translation"),
    )

    class Meta:
        ordering = ["translation", "order", "pk"]
        verbose_name = _("translated section")
        verbose_name_plural = _("translated sections")
        constraints = [
            models.UniqueConstraint(
                fields=["translation", "anchor"], name="education_translated_section_anchor"
            )
        ]

    def sibling_anchors(self):
        return (
            TranslatedSection.objects.filter(translation_id=self.translation_id)
            .exclude(pk=self.pk)
            .values_list("anchor", flat=True)
        )

    def glossary_links(self):
        return translated_glossary_links(
            GlossaryTermTranslation.objects.filter(language=self.translation.language)
        )


class TranslatedSource(SourceText):
    """A source of a translated page; often the English topic's, plus one in the language."""

    translation = models.ForeignKey(
        TopicTranslation,
        on_delete=models.CASCADE,
        related_name="sources",
        verbose_name=_("translation"),
    )

    class Meta:
        ordering = ["translation", "order", "pk"]
        verbose_name = _("translated source")
        verbose_name_plural = _("translated sources")


class GlossaryTermTranslation(models.Model):
    """A glossary word in another language, under the same entry (and so the same #slug)."""

    glossary_term = models.ForeignKey(
        GlossaryTerm,
        on_delete=models.CASCADE,
        related_name="translations",
        verbose_name=_("glossary term"),
    )
    language = models.CharField(_("language"), max_length=10, choices=translation_language_choices)
    term = models.CharField(_("term"), max_length=100)
    definition = models.TextField(_("definition"))
    variants = models.TextField(
        _("other forms"),
        blank=True,
        help_text=_(
            "Other spellings or forms found in topic text that should link here, one per line."
        ),
    )

    class Meta:
        ordering = ["language", "term"]
        verbose_name = _("glossary term translation")
        verbose_name_plural = _("glossary term translations")
        constraints = [
            models.UniqueConstraint(
                fields=["glossary_term", "language"], name="education_one_term_per_language"
            ),
            models.UniqueConstraint(
                fields=["language", "term"], name="education_unique_translated_term"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} ({self.language})"
