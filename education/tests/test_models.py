"""What the education models say about themselves and keep true on save."""

import pytest

from education.models import GlossaryTerm

from .factories import GlossaryTermFactory, SectionFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_models_name_themselves_and_know_their_urls():
    topic = TopicFactory(slug="sample", title="A sample")
    section = SectionFactory(topic=topic, heading="When to get help")
    source = SourceFactory(topic=topic, title="Stroke", publisher="NHS")
    term = GlossaryTermFactory(term="Biopsy", slug="biopsy")
    assert str(topic) == "A sample"
    assert topic.get_absolute_url() == "/learn/sample/"
    assert str(section) == "When to get help"
    assert section.get_absolute_url() == "/learn/sample/#when-to-get-help"
    assert str(source) == "Stroke (NHS)"
    assert str(term) == "Biopsy"
    assert term.get_absolute_url() == "/learn/glossary/#biopsy"


def test_saving_a_section_renders_its_text_with_glossary_links():
    GlossaryTerm.objects.all().delete()
    GlossaryTermFactory(term="Biopsy", slug="biopsy", variants="biopsies")
    section = SectionFactory(body="Two **biopsies**<script>x</script>")
    assert section.body_html == (
        '<p>Two <strong><a class="glossary-link" href="/learn/glossary/#biopsy">biopsies</a>'
        "</strong></p>"
    )


def test_sections_with_the_same_heading_get_different_anchors():
    topic = TopicFactory()
    first = SectionFactory(topic=topic, heading="More")
    second = SectionFactory(topic=topic, heading="More")
    assert (first.anchor, second.anchor) == ("more", "more-2")


def test_a_topic_may_not_take_the_address_of_the_glossary_or_search():
    from django.core.exceptions import ValidationError

    topic = TopicFactory.build(slug="glossary")
    with pytest.raises(ValidationError, match="address of another Learn page"):
        topic.full_clean()
