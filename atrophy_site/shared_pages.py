"""Whole pages that are the same for every anonymous reader, kept per process and served before
the rest of the middleware.

The home page, the Learn index and the topic pages carry nothing personal: for a reader without
a session they differ only by language, by the emergency number and the education content, and
by the CSRF token of the language switch. Drawing them was cheap already (the article, the menu
and the footer are cached), yet each still went through the sessions, the language, CSRF, the
user, two-factor, messages and history middleware and base.html: about three times the CPU of
`/health/` (issue 18). Here the finished response is kept, the token taken out, and a reader
without a session gets a copy with a fresh token of their own, set by Django's CSRF middleware
as on any page.

What is kept, and for whom:

- Only the responses of views marked `@shared_page`, answering 200 to a GET without a query
  string, with no cookie set but the CSRF one, no `Cache-Control` of its own, and for a
  request that brought no cookie but the CSRF and language ones: nobody signed in, no form under
  way, no message waiting. Anyone with a session (a patient, staff) always gets the page drawn.
- The key holds the path, the reader's language (cookie, else Accept-Language, as
  LocaleMiddleware decides), the education content version and the emergency number: an edit
  shows as it does for the Learn page cache (education/page_cache.py); a changed setting clears
  everything (the `setting_changed` signal, for tests).
- For EDUCATION_PAGE_CACHE_SECONDS, the most recent SIZE pages, in this process only. The host
  is still checked (ALLOWED_HOSTS) and the headers of the middleware outside this one (HTTPS,
  CSP, Permissions-Policy) are added as on any response.

Not Django's cache middleware: it keys on `Vary: Cookie`, so one entry per reader's CSRF cookie,
keeps the first reader's token in the page for everyone, and sits at the end of the middleware,
so a hit still pays for all of it. With DEBUG on (a developer editing templates), nothing is kept.
"""

from __future__ import annotations

import functools
import re

from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_request

from atrophy_site.cache_outage import survives_cache_outage
from education.page_cache import ProcessCopies, content_version

#: The home page, the Learn index and one page per topic, in two languages: 128 holds them all.
SIZE = 128

#: Where each reader's own CSRF token goes in a kept page.
READER_MARK = "\x00csrf-token\x00"
_TOKEN_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(")')

_pages = ProcessCopies(SIZE)
_csrf = CsrfViewMiddleware(lambda request: None)


def shared_page(view):
    """Mark a view whose page is the same for every reader without a session (see above)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.shared_page = True
        return response

    return wrapper


class KeptPage:
    """A finished page (200): its headers (no cookies, no length) and its text with READER_MARK
    where the CSRF token was."""

    __slots__ = ("headers", "text")

    def __init__(self, headers: dict, text: str):
        self.headers = headers
        self.text = text


class SharedPageMiddleware:
    """After the headers' middleware (HTTPS, CSP), before sessions: see the module's docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = self.key(request)
        if key is None:
            return self.get_response(request)
        kept = _pages.get(key)
        if kept is not None:
            return self.serve(request, kept)
        response = self.get_response(request)
        kept = self.keepable(response)
        if kept is not None:
            _pages.put(key, kept, settings.EDUCATION_PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def key(request) -> str | None:
        """The page's key, or None when this request must have its page drawn."""
        if settings.DEBUG or request.method != "GET" or request.META.get("QUERY_STRING"):
            return None
        allowed = (settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME)
        if any(name not in allowed for name in request.COOKIES):
            return None
        version = _content_version()
        if version is None:  # the shared cache is down: draw the page
            return None
        language = get_language_from_request(request)
        return "\n".join((request.path, language, version, settings.EMERGENCY_NUMBER))

    @staticmethod
    def keepable(response) -> KeptPage | None:
        if not getattr(response, "shared_page", False) or response.status_code != 200:
            return None
        if response.streaming or response.has_header("Cache-Control"):
            return None  # a view that says how it may be cached decides for itself
        if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
            return None
        text = _TOKEN_FIELD.sub(rf"\g<1>{READER_MARK}\g<2>", response.content.decode())
        headers = {
            name: value for name, value in response.items() if name.lower() != "content-length"
        }
        return KeptPage(headers, text)

    @staticmethod
    def serve(request, kept: KeptPage) -> HttpResponse:
        request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks for a drawn page
        has_token = READER_MARK in kept.text
        text = kept.text
        if has_token:
            _csrf.process_request(request)  # the reader's CSRF cookie, or a new one
            text = text.replace(READER_MARK, get_token(request))
        response = HttpResponse(text, headers=kept.headers)
        response["Content-Length"] = str(len(response.content))
        if has_token:
            patch_vary_headers(response, ("Cookie",))
            _csrf.process_response(request, response)  # sets the cookie when it is new
        return response


@survives_cache_outage(default=None)
def _content_version() -> str:
    return content_version()


def forget_pages(**kwargs) -> None:
    """Drop every kept page (a setting changed; tests start empty)."""
    _pages.clear()


setting_changed.connect(forget_pages, dispatch_uid="atrophy-site-shared-pages")
