"""The content the issue asks for is there, reachable, sourced, safe and easy to read.

These tests run on the content `load_education_content` loaded (the rows a fresh set-up gives),
so they fail the day someone adds a hard page, drops a source or unpublishes a required topic.
"""

import re
from html import escape

import pytest
import textstat
from django.urls import reverse

from education.models import Topic
from education.rendering import plain_text

from .factories import SectionFactory, TopicFactory

pytestmark = pytest.mark.django_db

MAX_READING_GRADE = 8.0

# Every cause, sign, test and treatment the issue names, with the topic page that covers it.
REQUIRED_TOPICS = {
    "what muscle atrophy is": "what-is-muscle-atrophy",
    "disuse atrophy": "disuse-atrophy",
    "neurogenic atrophy": "neurogenic-atrophy",
    "muscular dystrophy": "muscular-dystrophy",
    "arthritis": "arthritis",
    "other causes": "other-causes",
    "signs": "warning-signs",
    "urgent signs": "urgent-signs",
    "history and old or new injuries, physical exam": "history-and-physical-exam",
    "blood tests": "blood-tests",
    "imaging (CT, MRI)": "imaging-tests",
    "nerve conduction studies": "nerve-conduction-study",
    "electromyography (EMG)": "electromyography",
    "nerve or muscle biopsy": "nerve-and-muscle-biopsy",
    "exercise": "exercise",
    "physical therapy": "physical-therapy",
    "dietary changes": "diet-and-nutrition",
    "surgery": "surgery",
    "ultrasound therapy": "ultrasound-therapy",
    "treating the underlying cause": "treating-the-cause",
    "preparing for your visit": "preparing-for-your-visit",
}

# Causes the issue names inside a cause page: (page, words a section must contain).
NAMED_CAUSES = [
    ("disuse-atrophy", "ageing"),
    ("disuse-atrophy", "bed rest"),
    ("disuse-atrophy", "cast"),
    ("disuse-atrophy", "paralysis"),
    ("neurogenic-atrophy", "ALS"),
    ("neurogenic-atrophy", "polio"),
    ("neurogenic-atrophy", "post-polio syndrome"),
    ("neurogenic-atrophy", "Guillain-Barré"),
    ("neurogenic-atrophy", "motor neuropathy"),
    ("neurogenic-atrophy", "spinal cord injury"),
    ("arthritis", "rheumatoid arthritis"),
    ("arthritis", "osteoarthritis"),
    ("other-causes", "stroke"),
    ("other-causes", "alcoholic myopathy"),
    ("other-causes", "malnutrition"),
    ("other-causes", "immobilisation"),
    ("other-causes", "corticosteroids"),
]


def _published_topics():
    return Topic.objects.filter(published=True).prefetch_related("sections", "sources")


def topic_text(topic: Topic) -> str:
    """Title, summary, headings and section text, without markup, one sentence per block."""
    html = f"<p>{escape(topic.title)}</p><p>{escape(topic.summary)}</p>" + "".join(
        f"<p>{escape(section.heading)}</p>{section.body_html}" for section in topic.sections.all()
    )
    return plain_text(html)


def test_every_named_cause_sign_test_and_treatment_has_a_published_page_linked_from_learn(client):
    index = client.get(reverse("education:index")).content.decode()
    linked = set(re.findall(r'href="/learn/([a-z0-9-]+)/"', index))
    published = set(Topic.objects.filter(published=True).values_list("slug", flat=True))
    missing = {name: slug for name, slug in REQUIRED_TOPICS.items() if slug not in published}
    unlinked = {name: slug for name, slug in REQUIRED_TOPICS.items() if slug not in linked}
    assert not missing, f"no published page for: {missing}"
    assert not unlinked, f"not linked from /learn/: {unlinked}"
    for slug in REQUIRED_TOPICS.values():
        assert client.get(reverse("education:topic", args=[slug])).status_code == 200


@pytest.mark.parametrize(("slug", "words"), NAMED_CAUSES)
def test_a_section_of_the_cause_page_names_each_cause_in_the_issue(slug, words):
    topic = Topic.objects.get(slug=slug, published=True)
    pattern = re.compile(rf"(?<!\w){re.escape(words)}", re.IGNORECASE)
    assert any(
        pattern.search(section.heading) or pattern.search(section.body)
        for section in topic.sections.all()
    ), f"no section of {slug} mentions {words!r}"


def test_every_page_shows_its_sources_reviewed_date_and_the_way_to_urgent_help(client):
    topics = list(_published_topics())
    assert len(topics) >= len(REQUIRED_TOPICS)
    for topic in topics:
        html = client.get(topic.get_absolute_url()).content.decode()
        sources = list(topic.sources.all())
        assert sources, f"{topic.slug} has no sources"
        for source in sources:
            assert f'href="{escape(source.url)}"' in html, f"{topic.slug}: {source.url} not shown"
        assert topic.reviewed is not None
        assert f'Last reviewed: <time datetime="{topic.reviewed:%Y-%m-%d}">' in html
        assert 'href="/learn/urgent-signs/"' in html or 'class="urgent-box"' in html, topic.slug


def test_the_urgent_signs_page_shows_the_full_urgent_box(client):
    html = client.get(reverse("education:topic", args=["urgent-signs"])).content.decode()
    assert 'class="urgent-box"' in html
    assert "dark urine (like tea or cola)" in html
    assert "on one side or both sides" in html


def reading_grade(topic: Topic) -> float:
    return textstat.flesch_kincaid_grade(topic_text(topic))


def test_every_page_reads_at_grade_8_or_lower():
    grades = {
        topic.slug: reading_grade(topic) for topic in Topic.objects.prefetch_related("sections")
    }
    assert len(grades) >= len(REQUIRED_TOPICS)
    too_hard = {slug: grade for slug, grade in grades.items() if grade > MAX_READING_GRADE}
    assert not too_hard, f"Flesch-Kincaid grade above {MAX_READING_GRADE}: {too_hard}"


def test_the_reading_grade_check_fails_on_hard_text():
    """The check above is only worth something if hard text fails it."""
    topic = TopicFactory(title="Denervation", summary="Electrodiagnostic characterisation.")
    SectionFactory(
        topic=topic,
        heading="Pathophysiology",
        body=(
            "Pathophysiological mechanisms underlying neurogenic denervation-associated "
            "myofibrillar degeneration encompass multifactorial, incompletely characterised "
            "intracellular proteolytic cascades, necessitating comprehensive investigation."
        ),
    )
    assert reading_grade(Topic.objects.prefetch_related("sections").get(pk=topic.pk)) > (
        MAX_READING_GRADE
    )
