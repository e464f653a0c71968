"""Staff correct the Learn pages in the admin, and preview them before publishing."""

import pytest
from django.urls import reverse

from education.models import Section, Topic
from tests.staff import make_staff_user, sign_in_verified

from .factories import GlossaryTermFactory, SectionFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    return sign_in_verified(client, make_staff_user("editor", superuser=True))


def test_topic_list_filters_by_category_and_published_and_links_to_a_preview(editor_client):
    TopicFactory(title="Draft zebra topic", category=Topic.Category.CAUSE, published=False)
    url = reverse("admin:education_topic_changelist")
    html = editor_client.get(url, {"category__exact": "cause", "published__exact": "0"}).content
    html = html.decode()
    assert "Draft zebra topic" in html
    assert "Exercise for weak or shrinking muscles" not in html
    assert ">Preview</a>" in html


def test_topic_search_looks_inside_sections(editor_client):
    topic = TopicFactory(title="Plain title")
    SectionFactory(topic=topic, body="Mentions fasciculations once.")
    url = reverse("admin:education_topic_changelist")
    html = editor_client.get(url, {"q": "fasciculations"}).content.decode()
    assert "Plain title" in html


def test_topic_form_edits_sections_and_sources_inline_and_links_to_the_site(editor_client):
    topic = TopicFactory()
    SectionFactory(topic=topic, heading="First heading")
    SourceFactory(topic=topic, publisher="NINDS")
    html = editor_client.get(reverse("admin:education_topic_change", args=[topic.pk])).content
    html = html.decode()
    assert "First heading" in html and "NINDS" in html
    assert "View on site" in html


def test_saving_a_topic_in_the_admin_renders_its_new_section(editor_client):
    GlossaryTermFactory(term="Biopsy", slug="biopsy")
    topic = TopicFactory(slug="edited", title="Edited")
    data = {
        "title": "Edited",
        "slug": "edited",
        "summary": "A summary.",
        "category": "test",
        "order": "3",
        "reviewed": "2026-11-25",
        "published": "on",
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "0",
        "sections-0-order": "1",
        "sections-0-heading": "What a biopsy is",
        "sections-0-anchor": "",
        "sections-0-body": "A **biopsy** takes a small piece.",
        "sources-TOTAL_FORMS": "1",
        "sources-INITIAL_FORMS": "0",
        "sources-0-order": "1",
        "sources-0-title": "Muscle biopsy",
        "sources-0-publisher": "MedlinePlus",
        "sources-0-url": "https://medlineplus.gov/ency/article/003924.htm",
    }
    response = editor_client.post(reverse("admin:education_topic_change", args=[topic.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    section = Section.objects.get(topic=topic)
    assert section.anchor == "what-a-biopsy-is"
    assert 'href="/learn/glossary/#biopsy"' in section.body_html
    page = editor_client.get("/learn/edited/").content.decode()
    assert '<h2 id="what-a-biopsy-is">What a biopsy is</h2>' in page


def test_changing_the_glossary_relinks_every_section(editor_client):
    section = SectionFactory(body="Some zebrafibres here.")
    assert "glossary-link" not in section.body_html
    response = editor_client.post(
        reverse("admin:education_glossaryterm_add"),
        {"term": "Zebrafibres", "slug": "zebrafibres", "definition": "Made up.", "variants": ""},
    )
    assert response.status_code == 302
    section.refresh_from_db()
    assert 'href="/learn/glossary/#zebrafibres"' in section.body_html


def test_publish_action_publishes_the_chosen_topics(editor_client):
    drafts = TopicFactory.create_batch(2, published=False)
    editor_client.post(
        reverse("admin:education_topic_changelist"),
        {"action": "publish", "_selected_action": [topic.pk for topic in drafts]},
    )
    assert Topic.objects.filter(pk__in=[t.pk for t in drafts], published=True).count() == 2
