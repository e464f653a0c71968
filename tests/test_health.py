"""/health/ tells a load balancer whether the app, its database and its cache answer."""

import pytest
from django.db import connection
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_health_reports_ok_when_the_database_answers(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert (
        "no-store" in response.headers["Cache-Control"]
        or "max-age=0" in response.headers["Cache-Control"]
    )


def test_health_reports_503_when_the_database_is_unreachable(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}


def test_a_load_balancer_probes_by_the_servers_own_address_over_plain_http(client, settings):
    settings.ALLOWED_HOSTS = ["clinic.example.org"]
    settings.SECURE_SSL_REDIRECT = True

    probe = client.get("/health/", HTTP_HOST="10.0.0.5:8000")
    page = client.get("/", HTTP_HOST="10.0.0.5:8000")

    assert probe.status_code == 200
    assert probe.json()["database"] == "ok"
    assert page.status_code == 400  # pages still refuse a host that is not the clinic's


def test_ready_when_the_database_the_cache_and_the_migrations_are(client):
    response = client.get("/ready/", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "database": "ok",
        "cache": "ok",
        "migrations": "ok",
    }


def test_not_ready_without_the_database(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_not_ready_without_the_cache(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["cache"] == "error"


def test_not_ready_while_migrations_are_pending(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: ["0014_next"])
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"
