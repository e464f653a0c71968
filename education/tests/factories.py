"""Factories for education tests: each test builds exactly the topics it needs."""

import datetime

import factory

from education.models import GlossaryTerm, Section, Source, Topic


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    slug = factory.Sequence(lambda n: f"test-topic-{n}")
    title = factory.Sequence(lambda n: f"Test topic {n}")
    summary = "A short summary of the test topic."
    category = Topic.Category.CAUSE
    order = factory.Sequence(lambda n: n)
    reviewed = datetime.date(2026, 11, 25)
    published = True


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    topic = factory.SubFactory(TopicFactory)
    order = factory.Sequence(lambda n: n)
    heading = factory.Sequence(lambda n: f"Section {n}")
    body = "Some plain words in a short paragraph."


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    topic = factory.SubFactory(TopicFactory)
    title = "Muscle atrophy"
    publisher = "MedlinePlus"
    url = "https://medlineplus.gov/ency/article/003188.htm"
    order = factory.Sequence(lambda n: n)


class GlossaryTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GlossaryTerm
        django_get_or_create = ("slug",)

    term = factory.Sequence(lambda n: f"Term {n}")
    slug = factory.Sequence(lambda n: f"term-{n}")
    definition = "A plain definition."
    variants = ""
