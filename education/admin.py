"""Admin for the Learn pages: staff correct topics and the glossary without a deploy."""

from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .loader import render_sections
from .models import GlossaryTerm, Section, Source, Topic


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
    ]

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


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    """Every section's links depend on the glossary, so a change here re-renders all sections."""

    list_display = ["term", "slug", "definition"]
    search_fields = ["term", "variants", "definition"]
    prepopulated_fields = {"slug": ["term"]}

    def _rerender_sections(self) -> None:
        render_sections(Section.objects.all(), GlossaryTerm.objects.all())

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._rerender_sections()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._rerender_sections()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._rerender_sections()
