"""With the shared cache (Redis) down, patients and readers still get their pages.

The cache holds only what can be rebuilt (atrophy_site/cache_outage.py): a Learn page is rendered
again, a failed link attempt is not counted; /health/ says "degraded" so monitoring notices.
"""

import pytest
from django.urls import reverse

from education.tests.factories import SectionFactory, TopicFactory
from intake.tests.factories import IntakeSubmissionFactory
from intake.tokens import resume_link_for

pytestmark = pytest.mark.django_db

#: A Redis address nothing listens on: every cache call is refused at once.
REDIS_DOWN = "redis://127.0.0.1:9/0"


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_DOWN,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def test_health_says_degraded_not_down_when_only_the_cache_is_gone(client, cache_down):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "error"}


def test_a_learn_page_is_still_served_without_the_cache(client, cache_down):
    topic = TopicFactory(slug="sample", title="Sample topic")
    SectionFactory(topic=topic, order=1, heading="What it is", body="It is a **test**.")

    response = client.get("/learn/sample/")

    assert response.status_code == 200
    assert "Sample topic" in response.content.decode()


def test_a_patient_still_opens_their_private_link_without_the_cache(client, cache_down):
    submission = IntakeSubmissionFactory()

    response = client.get(resume_link_for(submission, submission.raw_token))

    assert response.status_code == 302


def test_a_wrong_link_is_still_a_plain_not_found_without_the_cache(client, cache_down):
    response = client.get("/prepare/resume/" + "x" * 43 + "/")
    assert response.status_code == 404


def test_staff_can_still_save_content_without_the_cache(cache_down):
    topic = TopicFactory(slug="sample", title="Sample topic")
    topic.title = "Renamed"
    topic.save()  # bumps the page cache's version: logged, not raised


def test_the_outage_is_logged_once_a_minute_not_once_a_request(client, cache_down, caplog):
    from atrophy_site import cache_outage

    cache_outage._last_warned.clear()
    topic = TopicFactory(slug="sample", title="Sample topic")
    SectionFactory(topic=topic, order=1, heading="What it is", body="It is a **test**.")

    for _ in range(3):
        client.get("/learn/sample/")

    warnings = [r for r in caplog.records if r.name == "atrophy_site.cache"]
    assert len({r.getMessage().split(")")[0] for r in warnings}) == len(warnings)  # one per place


def test_link_guessing_is_still_limited_without_the_cache(client, cache_down, settings):
    """Never "everyone in": the failed attempts are counted in the database meanwhile, which
    every worker and server shares."""
    settings.INTAKE_RESUME_MAX_FAILURES = 3
    for _ in range(3):
        assert client.get("/prepare/resume/" + "x" * 43 + "/").status_code == 404
    assert client.get("/prepare/resume/" + "y" * 43 + "/").status_code == 429
    # Another address is not held back, and the count lives in the database.
    other = client_from("203.0.113.9")
    submission = IntakeSubmissionFactory()
    assert other.get(resume_link_for(submission, submission.raw_token)).status_code == 302
    from intake.models import FailedLinkAttempt

    assert FailedLinkAttempt.objects.get().count == 3


def client_from(address: str):
    from django.test import Client

    return Client(REMOTE_ADDR=address)
