"""The Learn pages: the index, one page per topic, the glossary and search."""

from django.contrib import admin
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from atrophy_site.shared_pages import shared_page

from .languages import glossary_entries, localized_topics, topic_page
from .models import Topic
from .page_cache import cache_index, cache_topic, get_cached_index, get_cached_topic
from .search import normalise_query, search_glossary, search_topics

# The topic the footer and every topic page link to for emergencies; it shows the full box.
URGENT_SIGNS_SLUG = "urgent-signs"

# One line under each heading of the index, saying what the group is for.
CATEGORY_INTROS = {
    Topic.Category.BASICS: _("Start here if you are new to muscle loss."),
    Topic.Category.SIGN: _("What to look out for, and when to get help fast."),
    Topic.Category.CAUSE: _("Why muscles get smaller and weaker."),
    Topic.Category.TEST: _("What each test is, why it is done and how to get ready."),
    Topic.Category.TREATMENT: _("What can help, and what each treatment is for."),
    Topic.Category.VISIT: _("Get ready to talk with your doctor."),
}


def group_by_category(topics) -> list[dict]:
    """Topics in groups, in the order of `Topic.Category`; empty groups are left out."""
    groups = {category: [] for category in Topic.Category}
    for topic in topics:
        groups[Topic.Category(topic.category)].append(topic)
    return [
        {
            "category": category,
            "label": category.label,
            "intro": CATEGORY_INTROS.get(category, ""),
            "topics": members,
        }
        for category, members in groups.items()
        if members
    ]


@require_GET
@shared_page
def index(request):
    language = get_language()
    body = get_cached_index(language=language)
    if body is None:
        topics = localized_topics(
            Topic.objects.filter(published=True).only("slug", "title", "summary", "category"),
            language,
        )
        body = render_to_string(
            "education/includes/index_body.html",
            {"groups": group_by_category(topics)},
            request=request,
        )
        cache_index(language=language, body=body)
    return render(request, "education/index.html", {"body": body})


@require_GET
@shared_page
def topic_detail(request, slug):
    """One topic in the reader's language (English, with a note, where it has no translation).

    Queries: the topic, its related topics (with their translated titles), then its text in the
    reader's language (translation, sections, sources): five at most, whatever the length.
    """
    language = get_language()
    cached = get_cached_topic(slug=slug, language=language)
    if cached is not None:
        return render(request, "education/topic_detail.html", cached)

    topic = get_object_or_404(
        Topic.objects.prefetch_related(
            Prefetch(
                "related",
                queryset=localized_topics(
                    Topic.objects.filter(published=True).only("slug", "title", "summary"),
                    language,
                ),
            ),
        ),
        slug=slug,
    )
    preview = not topic.published
    # Drafts are for the people who may use the admin (active staff, signed in with their second
    # factor when that is required), the same rule as the admin site itself.
    if preview and not admin.site.has_permission(request):
        raise Http404
    page = topic_page(topic, language)
    context = {
        "title": page.title,
        "summary": page.summary,
        "category": topic.category,
        "category_label": str(Topic.Category(topic.category).label),
        "preview": preview,
        "article": render_to_string(
            "education/includes/topic_article.html",
            {
                "topic": topic,
                "page": page,
                # Other pages show a short notice that links to this one.
                "show_urgent_box": topic.slug == URGENT_SIGNS_SLUG,
            },
            request=request,
        ),
    }
    response = render(request, "education/topic_detail.html", context)
    if preview:
        # A draft must not be stored by any cache or indexed.
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    else:
        cache_topic(slug=slug, language=language, page=context)
    return response


@require_GET
def glossary(request):
    return render(request, "education/glossary.html", {"terms": glossary_entries(get_language())})


@require_GET
def search(request):
    query = normalise_query(request.GET.get("q"))
    language = get_language()
    topics = search_topics(query, language=language) if query else []
    terms = search_glossary(query, language=language) if query else []
    return render(
        request, "education/search.html", {"query": query, "topics": topics, "terms": terms}
    )
