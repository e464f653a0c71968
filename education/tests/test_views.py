"""The Learn pages as a visitor and as staff see them: index, topic, glossary and search."""

import re

import pytest
from django.urls import reverse

from education.models import GlossaryTerm, Topic
from education.search import normalise_query, query_words
from tests.staff import make_staff_user, sign_in_verified

from .factories import GlossaryTermFactory, SectionFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    """A staff member signed in with a password and a second factor, as the admin asks."""
    return sign_in_verified(client, make_staff_user("editor", clinic_staff=False))


def test_index_groups_topics_by_category_in_reading_order_with_the_urgent_box(client):
    html = client.get(reverse("education:index")).content.decode()
    headings = re.findall(r'<h2 id="(basics|sign|cause|test|treatment|visit)">', html)
    assert headings == ["basics", "sign", "cause", "test", "treatment", "visit"]
    assert 'class="urgent-box"' in html
    assert 'href="/learn/glossary/"' in html
    assert 'action="/learn/search/"' in html


def test_index_leaves_out_unpublished_topics(client):
    TopicFactory(title="A draft nobody should see", published=False)
    html = client.get(reverse("education:index")).content.decode()
    assert "A draft nobody should see" not in html


def test_topic_page_has_breadcrumbs_contents_sections_sources_and_next_steps(client):
    topic = TopicFactory(slug="sample", title="Sample topic", category=Topic.Category.TEST)
    SectionFactory(topic=topic, order=1, heading="What it is", body="It is a **test**.")
    SectionFactory(topic=topic, order=2, heading="How to prepare", body="- Eat first.")
    SourceFactory(topic=topic, title="Nerve tests", publisher="NHS", url="https://www.nhs.uk/x/")
    related = TopicFactory(title="A related page")
    hidden = TopicFactory(title="An unpublished related page", published=False)
    topic.related.set([related, hidden])

    html = client.get("/learn/sample/").content.decode()

    assert '<nav class="container breadcrumbs" aria-label="Breadcrumb">' in html
    assert '<a href="/learn/#test">Tests</a>' in html
    assert '<h1 id="topic-title">Sample topic</h1>' in html
    assert '<li><a href="#what-it-is">What it is</a></li>' in html
    assert '<li><a href="#how-to-prepare">How to prepare</a></li>' in html
    assert '<h2 id="what-it-is">What it is</h2>' in html
    assert "<p>It is a <strong>test</strong>.</p>" in html
    assert html.index('id="what-it-is"') < html.index('id="how-to-prepare"')
    assert '<a href="https://www.nhs.uk/x/">Nerve tests</a>, NHS' in html
    assert 'Last reviewed: <time datetime="2026-11-25">25 November 2026</time>' in html
    assert "A related page" in html
    assert "An unpublished related page" not in html
    assert 'href="/learn/urgent-signs/"' in html
    assert 'href="/prepare/">Prepare for your visit</a>' in html


def test_unknown_topic_is_a_404(client):
    assert client.get("/learn/no-such-topic/").status_code == 404


def test_unpublished_topic_is_a_404_for_the_public(client, django_user_model):
    TopicFactory(slug="draft", published=False)
    assert client.get("/learn/draft/").status_code == 404
    patient = django_user_model.objects.create_user(username="patient", password="x" * 20)
    client.force_login(patient)
    assert client.get("/learn/draft/").status_code == 404


def test_staff_without_their_second_factor_cannot_preview(client, settings):
    settings.ADMIN_REQUIRE_2FA = True
    TopicFactory(slug="draft", published=False)
    client.force_login(make_staff_user("half-signed-in", clinic_staff=False))
    assert client.get("/learn/draft/").status_code == 404


def test_staff_can_preview_an_unpublished_topic_with_a_banner(staff_client):
    TopicFactory(slug="draft", title="Draft page", published=False)
    response = staff_client.get("/learn/draft/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: not published." in html
    assert "<title>Preview: Draft page" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-store" in response["Cache-Control"]


def test_published_topic_has_no_preview_banner_for_staff(staff_client):
    TopicFactory(slug="live")
    assert "Preview: not published" not in staff_client.get("/learn/live/").content.decode()


def test_glossary_page_has_an_anchor_for_every_term(client):
    html = client.get(reverse("education:glossary")).content.decode()
    for slug in GlossaryTerm.objects.values_list("slug", flat=True):
        assert f'id="{slug}"' in html


def test_every_glossary_link_in_the_content_lands_on_a_glossary_entry(client):
    glossary = client.get(reverse("education:glossary")).content.decode()
    anchors = set(re.findall(r'class="glossary__entry" id="([^"]+)"', glossary))
    linked = set()
    for topic in Topic.objects.filter(published=True):
        html = client.get(topic.get_absolute_url()).content.decode()
        linked |= set(re.findall(r'class="glossary-link" href="/learn/glossary/#([^"]+)"', html))
    assert linked, "no glossary links in the content"
    assert linked <= anchors


def test_search_finds_a_topic_by_a_word_in_its_body(client):
    topic = TopicFactory(title="Nothing in the title")
    SectionFactory(topic=topic, body="Some people notice fasciculations in the calf.")
    response = client.get(reverse("education:search"), {"q": "Fasciculations"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{topic.get_absolute_url()}"' in html
    assert "1 page matches “Fasciculations”" in html


def test_search_needs_every_word_and_puts_title_matches_first(client):
    in_body = TopicFactory(title="Walking aids", order=1)
    SectionFactory(topic=in_body, body="A cane helps with zebrawalk balance.")
    in_title = TopicFactory(title="Zebrawalk balance", order=2)
    TopicFactory(title="Zebrawalk only", order=0)
    html = client.get(reverse("education:search"), {"q": "zebrawalk balance"}).content.decode()
    assert "2 pages match" in html
    assert html.index("Zebrawalk balance</a>") < html.index("Walking aids</a>")
    assert in_title.get_absolute_url() in html
    assert "Zebrawalk only" not in html


def test_search_never_shows_unpublished_topics(client):
    TopicFactory(title="Secret zebrawalk draft", published=False)
    html = client.get(reverse("education:search"), {"q": "zebrawalk"}).content.decode()
    assert "Secret zebrawalk draft" not in html
    assert "No pages match “zebrawalk”" in html


def test_search_with_no_results_suggests_what_to_do_next(client):
    html = client.get(reverse("education:search"), {"q": "qqqxyz"}).content.decode()
    assert "No pages match “qqqxyz”" in html
    assert "check the spelling" in html
    assert 'href="/learn/"' in html and 'href="/learn/glossary/"' in html


def test_search_also_lists_matching_glossary_words(client):
    GlossaryTermFactory(term="Zebracell", slug="zebracell", definition="A made-up word.")
    html = client.get(reverse("education:search"), {"q": "zebracell"}).content.decode()
    assert '<a href="/learn/glossary/#zebracell">Zebracell</a>' in html


@pytest.mark.parametrize("query", ["", "   ", None])
def test_an_empty_search_asks_for_a_word_without_saying_nothing_was_found(client, query):
    params = {} if query is None else {"q": query}
    response = client.get(reverse("education:search"), params)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Type a word or two" in html
    assert "No pages match" not in html


@pytest.mark.parametrize(
    "query",
    [
        "%",
        "_",
        "100%",
        "'; DROP TABLE education_topic; --",
        '<script>alert("x")</script>',
        "nul\x00byte",
        "\u202etext",
        "💪 muscles",
        "weakness " * 2000,
        "a b c d e f g h i j k l m",
    ],
)
def test_odd_or_very_long_searches_are_answered_safely(client, query):
    response = client.get(reverse("education:search"), {"q": query})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert Topic.objects.filter(slug="what-is-muscle-atrophy").exists()


def test_a_percent_sign_is_not_a_wildcard(client):
    html = client.get(reverse("education:search"), {"q": "%"}).content.decode()
    assert "No pages match “%”" in html


def test_queries_are_cleaned_and_cut_to_a_sensible_length():
    assert normalise_query(None) == ""
    assert normalise_query("  muscle \t\n  loss ") == "muscle loss"
    assert normalise_query("nul\x00byte") == "nul byte"
    assert len(normalise_query("x" * 5000)) == 100
    assert query_words("Walking, walking. STAIRS?") == ["Walking", "STAIRS"]
    assert len(query_words("a b c d e f g h i j")) == 8


def _topic_with(count: int) -> Topic:
    topic = TopicFactory()
    for number in range(count):
        SectionFactory(topic=topic, order=number)
        SourceFactory(topic=topic, order=number)
    topic.related.set(TopicFactory.create_batch(count))
    return topic


TOPIC_PAGE_QUERIES = 4  # the topic, its sections, its sources, its related topics


@pytest.mark.parametrize("count", [1, 25])
def test_topic_page_makes_a_fixed_number_of_queries(client, django_assert_max_num_queries, count):
    topic = _topic_with(count)
    with django_assert_max_num_queries(TOPIC_PAGE_QUERIES):
        response = client.get(topic.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('class="topic-section"') == count


def test_index_glossary_and_search_make_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    TopicFactory.create_batch(20)
    with django_assert_max_num_queries(1):
        client.get(reverse("education:index"))
    with django_assert_max_num_queries(1):
        client.get(reverse("education:glossary"))
    with django_assert_max_num_queries(2):
        client.get(reverse("education:search"), {"q": "muscle weakness"})


def test_a_topic_page_read_again_is_served_from_the_cache_without_queries(
    client, django_assert_num_queries
):
    first = client.get("/learn/exercise/")
    with django_assert_num_queries(0):
        again = client.get("/learn/exercise/")
    assert again.status_code == 200
    assert again.content.decode().count("<h1") == first.content.decode().count("<h1")
    assert "Sources" in again.content.decode()


def test_a_content_edit_shows_at_once_despite_the_page_cache(client):
    from education.models import Section

    client.get("/learn/exercise/")
    section = Section.objects.filter(topic__slug="exercise").first()
    section.body = "A brand new paragraph about walking."
    section.save()
    assert "A brand new paragraph about walking." in client.get("/learn/exercise/").content.decode()


def test_the_page_cache_keeps_languages_apart(client):
    english = client.get("/learn/exercise/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish = client.get("/learn/exercise/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert spanish != english
    assert 'lang="es"' in spanish


def test_the_learn_index_read_again_is_served_from_the_cache_without_queries(
    client, django_assert_num_queries
):
    import re

    def without_csrf(html):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    first = client.get(reverse("education:index")).content.decode()
    with django_assert_num_queries(0):
        again = client.get(reverse("education:index")).content.decode()
    assert without_csrf(again) == without_csrf(first)


def test_a_topic_read_again_touches_no_shared_cache_and_another_process_reads_it_once(
    client, monkeypatch
):
    """The content version is remembered for a few seconds and each process keeps its copy of
    the pages it read: read again, a page costs no cache round trip; a process without the copy
    reads the shared cache once (the page), not twice (version, then page)."""
    from django.core.cache import cache

    from atrophy_site.shared_pages import forget_pages
    from education import page_cache

    client.get("/learn/exercise/")
    reads = []
    original = cache.get
    monkeypatch.setattr(cache, "get", lambda *a, **k: reads.append(a[0]) or original(*a, **k))
    client.get("/learn/exercise/")
    assert [key for key in reads if key.startswith("education:")] == []
    # As another process, which has the page only in the shared cache (not its copy, nor the
    # whole page kept for readers without a session, atrophy_site/shared_pages.py).
    page_cache._copies.clear()
    forget_pages()
    client.get("/learn/exercise/")
    education_reads = [key for key in reads if key.startswith("education:")]
    assert len(education_reads) == 1 and education_reads[0].startswith("education:topic:")


def test_a_process_keeps_the_most_recent_pages_for_the_cache_lifetime(monkeypatch):
    from education.page_cache import ProcessCopies

    now = [1000.0]
    monkeypatch.setattr("education.page_cache.time.monotonic", lambda: now[0])
    copies = ProcessCopies(size=2)
    copies.put("a", "page a", seconds=60)
    copies.put("b", "page b", seconds=60)
    assert copies.get("a") == "page a"  # now the most recent
    copies.put("c", "page c", seconds=60)
    assert (copies.get("a"), copies.get("b"), copies.get("c")) == ("page a", None, "page c")
    now[0] += 60
    assert copies.get("a") is None  # expired with the shared cache's entries


def test_a_content_edit_also_refreshes_the_index(client):
    from education.models import Topic

    client.get(reverse("education:index"))
    topic = Topic.objects.get(slug="exercise")
    topic.title = "Moving more, safely"
    topic.save()
    assert "Moving more, safely" in client.get(reverse("education:index")).content.decode()


@pytest.mark.parametrize("path", ["/learn/", "/learn/urgent-signs/"])
def test_a_changed_emergency_number_is_never_served_from_pages_cached_before(
    client, settings, path
):
    settings.EMERGENCY_NUMBER = "999"
    assert "Call 999 now if you have:" in client.get(path).content.decode()
    settings.EMERGENCY_NUMBER = "112"
    html = client.get(path).content.decode()
    assert "Call 112 now if you have:" in html
    # A whole number, not digits inside the random CSRF token.
    assert not re.search(r"(?<![0-9A-Za-z])999(?![0-9A-Za-z])", html)
