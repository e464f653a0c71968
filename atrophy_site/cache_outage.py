"""Pages keep working when the shared cache (Redis) is down.

The cache holds only what can be rebuilt: rendered Learn pages and the count of failed private
link attempts. If Redis stops answering, a page that reads or writes it carries on as if the
cache were empty (the Learn page is rendered again) or falls back to a slower way that still
holds (failed link attempts are counted in the database, intake/tokens.py), and logs a
warning (once a minute per place, not once a request), instead of answering 500 to every
reader and every patient opening their link.
`/health/` says "degraded" meanwhile (atrophy_site/views.py), so monitoring sees it.

Only the cache's own connection errors are caught: a bug in the code around it still fails.
"""

import functools
import logging
import time

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger("atrophy_site.cache")

#: What a cache backend raises when its server is gone: redis-py's errors, and the socket's.
CACHE_DOWN = (RedisError, OSError)

#: While the cache is down every request meets it: warn at most once a minute per place.
WARN_EVERY_SECONDS = 60
_last_warned: dict[str, float] = {}


def _warn(where: str, error: Exception) -> None:
    now = time.monotonic()
    if now - _last_warned.get(where, -WARN_EVERY_SECONDS) >= WARN_EVERY_SECONDS:
        _last_warned[where] = now
        logger.warning("cache unavailable (%s): %s", where, error)


def survives_cache_outage(default=None, fallback=None):
    """When the decorated cache call finds the cache down, log a warning and return `default`,
    or what `fallback(*args, **kwargs)` returns (a slower way that still holds, such as a count
    in the database)."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except CACHE_DOWN as error:
                _warn(function.__qualname__, error)
                return fallback(*args, **kwargs) if fallback is not None else default

        return wrapper

    return decorate


def count_in_window(key: str, window: int) -> int:
    """Add one to the count kept under `key` for a fixed window of `window` seconds (it starts
    with the first count) and return the count so far. The cache's own errors pass through: the
    caller decides what an outage means (`survives_cache_outage`)."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, 1, timeout=window)
        return 1
