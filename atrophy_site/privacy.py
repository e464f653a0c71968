"""Marking responses that carry personal health data.

Such pages must not be stored by the browser or any proxy, nor indexed by search engines.
"""

from functools import wraps

from django.utils.cache import add_never_cache_headers


def mark_private(response):
    """Set `Cache-Control: no-store` (and friends) and `X-Robots-Tag: noindex` on a response."""
    add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def private_page(view):
    """Decorator for views whose responses contain personal data."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return mark_private(view(request, *args, **kwargs))

    return wrapper
