"""Admin for the Learn pages: staff correct topics and the glossary without a deploy."""

from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from atrophy_site.languages import translation_language_choices

from .loader import render_sections, render_translated_sections
from .models import (
    GlossaryTerm,
    GlossaryTermTranslation,
    Section,
    Source,
    Topic,
    TopicTranslation,
    TranslatedSection,
    TranslatedSource,
)


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["order", "heading", "anchor", "body"]


class SourceInline(admin.TabularInline):
    model = Source
    extra = 0
    fields = ["order", "title", "publisher", "url"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "order", "published", "reviewed", "preview_link"]
    list_filter = ["category", "published"]
    list_editable = ["order"]
    search_fields = ["title", "summary", "slug", "sections__heading", "sections__body"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["related"]
    inlines = [SectionInline, SourceInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "category", "order"]}),
        (_("Checking and publishing"), {"fields": ["reviewed", "published"]}),
        (_("Related topics"), {"fields": ["related"]}),
        (_("Translations"), {"fields": ["translation_links"]}),
    ]
    readonly_fields = ["translation_links"]

    @admin.display(description=_("pages in other languages"))
    def translation_links(self, topic: Topic) -> str:
        """Links to edit this topic's translations, and to add one (opened with the topic set)."""
        if topic.pk is None:
            return _("Save the topic first.")
        translations = format_html_join(
            "",
            '<li><a href="{}">{}</a> ({})</li>',
            (
                (
                    reverse("admin:education_topictranslation_change", args=[translation.pk]),
                    translation.title,
                    translation.get_language_display(),
                )
                for translation in topic.translations.all()
            ),
        )
        add_url = reverse("admin:education_topictranslation_add") + f"?topic={topic.pk}"
        return format_html(
            '<ul>{}<li><a href="{}">{}</a></li></ul>', translations, add_url, _("Add a translation")
        )

    @admin.display(description=_("page"))
    def preview_link(self, topic: Topic) -> str:
        label = _("View") if topic.published else _("Preview")
        return format_html('<a href="{}">{}</a>', topic.get_absolute_url(), label)

    @admin.action(description=_("Publish the selected topics"))
    def publish(self, request, queryset):
        count = queryset.update(published=True)
        self.message_user(
            request,
            ngettext("%d topic published.", "%d topics published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected topics"))
    def unpublish(self, request, queryset):
        count = queryset.update(published=False)
        self.message_user(
            request,
            ngettext("%d topic unpublished.", "%d topics unpublished.", count) % count,
            messages.SUCCESS,
        )


class TranslatedSectionInline(admin.StackedInline):
    model = TranslatedSection
    extra = 0
    fields = ["order", "heading", "anchor", "body"]


class TranslatedSourceInline(admin.TabularInline):
    model = TranslatedSource
    extra = 0
    fields = ["order", "title", "publisher", "url"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(TopicTranslation)
class TopicTranslationAdmin(admin.ModelAdmin):
    """A topic's page in another language, edited like the English one."""

    list_display = ["title", "topic", "language", "reviewed", "view_link"]
    list_filter = ["language", "topic__category"]
    list_select_related = ["topic"]
    search_fields = ["title", "summary", "topic__slug", "sections__heading", "sections__body"]
    autocomplete_fields = ["topic"]
    inlines = [TranslatedSectionInline, TranslatedSourceInline]
    fields = ["topic", "language", "title", "summary", "reviewed"]

    @admin.display(description=_("page"))
    def view_link(self, translation: TopicTranslation) -> str:
        return format_html('<a href="{}">{}</a>', translation.get_absolute_url(), _("View"))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_search_text()


@admin.register(GlossaryTermTranslation)
class GlossaryTermTranslationAdmin(admin.ModelAdmin):
    """A glossary word in another language. The translated sections of that language link to
    their glossary words, so a change here re-renders them."""

    list_display = ["term", "glossary_term", "language", "definition"]
    list_filter = ["language"]
    list_select_related = ["glossary_term"]
    search_fields = ["term", "variants", "definition", "glossary_term__term"]
    autocomplete_fields = ["glossary_term"]
    fields = ["glossary_term", "language", "term", "definition", "variants"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        render_translated_sections(obj.language)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        render_translated_sections(obj.language)

    def delete_queryset(self, request, queryset):
        languages = set(queryset.values_list("language", flat=True))
        super().delete_queryset(request, queryset)
        for language in languages:
            render_translated_sections(language)


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    """Every section's links depend on the glossary, so a change here re-renders all sections
    (deleting a term deletes its translations, so the translated sections too)."""

    list_display = ["term", "slug", "definition"]
    search_fields = ["term", "variants", "definition"]
    prepopulated_fields = {"slug": ["term"]}

    def _rerender_sections(self) -> None:
        render_sections(Section.objects.all(), GlossaryTerm.objects.all())
        for language, _name in translation_language_choices():
            render_translated_sections(language)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._rerender_sections()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._rerender_sections()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._rerender_sections()
