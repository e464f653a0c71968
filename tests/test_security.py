"""Security headers, production settings and the refusal to start without a secret."""

import pytest
from django.urls import reverse

from tests.production import production_env, run_python


@pytest.mark.django_db
def test_normal_page_sends_security_headers(client):
    response = client.get(reverse("home"))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


@pytest.mark.django_db
def test_https_requests_get_hsts_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = False
    response = client.get(reverse("home"), secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_deploy_check_is_clean_under_production_settings():
    result = run_python(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=production_env()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Notes for the operator (atrophy.I00x: mail to this machine, texts only logged) may remain.
    assert "WARNINGS:" not in result.stderr + result.stdout
    assert "ERRORS:" not in result.stderr + result.stdout


@pytest.mark.parametrize("weak_key", [None, "", "django-insecure-abc", "short"])
def test_startup_refuses_a_missing_or_weak_secret_key_when_debug_is_off(weak_key):
    result = run_python("manage.py", "check", env=production_env(SECRET_KEY=weak_key))
    assert result.returncode != 0
    assert "SECRET_KEY is missing or too weak" in result.stderr


def test_private_tokens_are_redacted_from_logs():
    from atrophy_site.logging import redact

    assert redact("Not Found: /prepare/resume/abcDEF123_-xyz/") == (
        "Not Found: /prepare/resume/[redacted]/"
    )


def _cache_backend(**env) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default'].get('LOCATION'))"
    )
    result = run_python("-c", code, env=production_env(**env))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after any log line printed at start-up


def test_production_without_redis_shares_one_cache_between_its_workers():
    """Link-guess counts and PDF slots must hold across gunicorn's workers and servers."""
    backend = _cache_backend()
    assert backend == "django.core.cache.backends.db.DatabaseCache cache_entries"
    assert _cache_backend(CACHE_URL="redis://cache.internal:6379/0").startswith(
        "django.core.cache.backends.redis.RedisCache"
    )
    assert _cache_backend(DJANGO_DEBUG="true").startswith(
        "django.core.cache.backends.locmem.LocMemCache"
    )
