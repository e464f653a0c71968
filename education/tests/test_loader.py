"""Reading the content files and loading them into the database (education.loader)."""

import datetime
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from education.loader import CONTENT_DIR, ContentError, load_content, parse_topic, read_content
from education.models import GlossaryTerm, Section, Source, Topic

TOPIC_FILE = """---
slug: sample
title: A sample topic
summary: A short summary.
category: cause
order: 5
reviewed: 2026-11-25
related: []
sources:
  - title: "Muscle atrophy"
    publisher: MedlinePlus
    url: https://medlineplus.gov/ency/article/003188.htm
---

## First part

Muscle atrophy is muscle loss.

## When to get help

See a doctor.
"""


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A copy of the shipped content that a test may change."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def test_a_topic_file_is_read_into_front_matter_and_sections():
    topic = parse_topic(TOPIC_FILE, where="sample.md")
    assert topic.slug == "sample"
    assert topic.reviewed == datetime.date(2026, 11, 25)
    assert topic.published is True
    assert [section.heading for section in topic.sections] == ["First part", "When to get help"]
    assert topic.sections[0].body == "Muscle atrophy is muscle loss."
    assert topic.sources[0].publisher == "MedlinePlus"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda text: text.replace("---\nslug", "slug", 1), "front matter"),
        (lambda text: text.replace("category: cause", "category: cures"), "category"),
        (lambda text: text.replace("reviewed: 2026-11-25", "reviewed: soon"), "reviewed"),
        (lambda text: text.replace("## First part", "### First part"), "only '## ' headings"),
        (lambda text: text.replace("## First part\n", "Loose text\n## First part\n"), "before"),
        (lambda text: text.replace("https://medlineplus", "ftp://medlineplus"), "https"),
        (lambda text: text.replace("title: A sample topic\n", ""), "'title'"),
    ],
)
def test_a_broken_topic_file_is_refused_with_a_message_naming_the_file(change, message):
    with pytest.raises(ContentError, match=message) as error:
        parse_topic(change(TOPIC_FILE), where="sample.md")
    assert "sample.md" in str(error.value)


def test_every_shipped_content_file_follows_the_format():
    content = read_content()
    assert len(content.topics) == len(list((CONTENT_DIR / "topics").glob("*.md")))
    assert content.glossary


def test_a_related_slug_that_does_not_exist_is_refused(content_dir):
    (content_dir / "topics" / "sample.md").write_text(
        TOPIC_FILE.replace("related: []", "related: [no-such-topic]"), encoding="utf-8"
    )
    with pytest.raises(ContentError, match="no-such-topic"):
        read_content(content_dir)


@pytest.mark.django_db
def test_the_load_command_loads_every_topic_and_glossary_term():
    content = read_content()
    assert set(Topic.objects.values_list("slug", flat=True)) == {t.slug for t in content.topics}
    assert GlossaryTerm.objects.count() == len(content.glossary)
    assert Section.objects.exclude(body_html="").count() == Section.objects.count()


def _snapshot():
    return {
        "topics": list(
            Topic.objects.order_by("slug").values_list(
                "slug", "title", "summary", "category", "order", "reviewed", "published"
            )
        ),
        "sections": list(
            Section.objects.order_by("topic__slug", "order").values_list(
                "topic__slug", "order", "heading", "anchor", "body", "body_html"
            )
        ),
        "sources": list(
            Source.objects.order_by("topic__slug", "order").values_list(
                "topic__slug", "title", "url"
            )
        ),
        "related": sorted(
            Topic.related.through.objects.values_list("from_topic_id", "to_topic_id")
        ),
        "glossary": list(
            GlossaryTerm.objects.values_list("slug", "term", "definition", "variants")
        ),
    }


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    before = _snapshot()
    report = load_content()
    assert report.topics_created == 0
    assert report.topics_updated == len(before["topics"])
    assert _snapshot() == before


@pytest.mark.django_db
def test_reloading_updates_a_changed_topic_and_leaves_other_topics_alone(content_dir):
    path = content_dir / "topics" / "exercise.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("title: ", "title: Revised ", 1),
        encoding="utf-8",
    )
    own = Topic.objects.create(
        slug="staff-only", title="Staff topic", summary="s", category="cause", reviewed="2026-01-01"
    )
    load_content(content_dir)
    assert Topic.objects.get(slug="exercise").title.startswith("Revised ")
    assert Topic.objects.filter(pk=own.pk).exists()


@pytest.mark.django_db
def test_load_command_reports_what_it_loaded():
    from io import StringIO

    out = StringIO()
    call_command("load_education_content", stdout=out)
    assert f"Loaded {Topic.objects.count()} topics (0 new" in out.getvalue()


@pytest.mark.django_db
def test_load_command_explains_a_broken_file(content_dir):
    (content_dir / "topics" / "broken.md").write_text("no front matter", encoding="utf-8")
    with pytest.raises(CommandError, match="broken.md"):
        call_command("load_education_content", content_dir=content_dir)
