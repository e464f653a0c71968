"""Project-wide pages: home, health check and friendly error pages."""

import logging

from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .cache_outage import CACHE_DOWN
from .shared_pages import shared_page

logger = logging.getLogger(__name__)


@require_GET
@shared_page
def home(request):
    return render(request, "home.html")


@never_cache
@require_GET
def health(request):
    """Liveness, database and cache check for load balancers and uptime monitors.

    503 when the database does not answer (nothing works without it). With the cache down the
    pages still work, uncached (atrophy_site/cache_outage.py): 200, "degraded", so a monitor can
    tell someone without the load balancer taking every server out.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unreachable")
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    cache_ok = _cache_answers("health check")
    return JsonResponse(
        {
            "status": "ok" if cache_ok else "degraded",
            "database": "ok",
            "cache": "ok" if cache_ok else "error",
        }
    )


#: The cache key the health and readiness checks write and read back.
HEALTH_KEY = "health:check"


def _cache_answers(check: str) -> bool:
    """Whether the cache takes a value and gives it back (False, logged, when it is down)."""
    try:
        cache.set(HEALTH_KEY, "ok", timeout=10)
        return cache.get(HEALTH_KEY) == "ok"
    except CACHE_DOWN:
        logger.warning("%s: cache unreachable", check, exc_info=True)
        return False


@never_cache
@require_GET
def ready(request):
    """Readiness: may this server take patients now? 503 unless the database answers, the cache
    answers and every migration is applied (a server started before `migrate` finished is not
    ready). For a load balancer that drains servers on it, and for deploy scripts; `/health/`
    stays the liveness probe. Says nothing private."""
    checks = {"database": "ok", "cache": "ok", "migrations": "ok"}
    try:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            checks["migrations"] = "pending"
    except Exception:
        logger.exception("readiness check: database unreachable")
        checks["database"] = checks["migrations"] = "error"
    if not _cache_answers("readiness check"):
        checks["cache"] = "error"
    ready_now = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ready" if ready_now else "not ready", **checks},
        status=200 if ready_now else 503,
    )


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    # Keep this template free of anything that could fail again (no database, no request data).
    return render(request, "500.html", status=500)
