"""A cache of rendered topic pages, so reading a topic costs about as much as the home page.

A topic page takes five queries and renders a long template; its text changes only when staff
edit content. The rendered article is kept in Django's cache under a key made of the content
version, the language and the slug. Any save or delete of an education model (admin, loader,
shell) bumps the version, so the next reader gets a fresh page.

The version lives in the same cache, and each process remembers it for
EDUCATION_VERSION_CHECK_SECONDS (5), so a page read costs one cache round trip (the page), not
two (version, then page): with Redis every 2-millisecond round trip counts (bench/RESULTS.md).
Each process also keeps its own copy of the pages it has read (`_copies`, the most read 128, for
EDUCATION_PAGE_CACHE_SECONDS like the shared entries): their keys hold the version, so a copy is
never of older content than the version the process knows, and a page read again costs no round
trip at all. A
bump shows at once in the process that made it and within those seconds on every other server
sharing the cache; with the per-process local-memory cache of a laptop, other processes catch up
when their entries expire (EDUCATION_PAGE_CACHE_SECONDS). The Learn index is cached the same
way. Only the article is cached here, not the page around it, which carries each reader's CSRF
token; for readers without a session the whole page is also kept, per process, with the token
put in per reader (atrophy_site/shared_pages.py). With the cache down,
pages are rendered every time (atrophy_site/cache_outage.py).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from atrophy_site.cache_outage import survives_cache_outage

VERSION_KEY = "education:content-version"


#: This process's copy of the version and when it was read (time.monotonic()).
_remembered = {"version": None, "at": 0.0}


def content_version() -> str:
    now = time.monotonic()
    check_every = getattr(settings, "EDUCATION_VERSION_CHECK_SECONDS", 5)
    if _remembered["version"] is not None and now - _remembered["at"] < check_every:
        return _remembered["version"]
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        # add() keeps a version another process set in the meantime.
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY) or version
    _remembered.update(version=version, at=now)
    return version


def forget_remembered_version() -> None:
    """Read the version from the cache next time, and drop this process's copies of pages (after
    the cache is cleared, in tests)."""
    _remembered.update(version=None, at=0.0)
    _copies.clear()


class ProcessCopies:
    """This process's copies of cached pages, by their cache key: the `size` most recently read,
    each for `seconds` (threads of one process share it). Not Django's local-memory cache, which
    pickles every value on the way in and out: a copy here is read as it is."""

    def __init__(self, size: int = 128):
        self.size = size
        self._items: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if time.monotonic() >= item[0]:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: str, value, seconds: float) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + seconds, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_copies = ProcessCopies()


def _read(key: str):
    """A page from this process's copies, else from the shared cache (and copied)."""
    page = _copies.get(key)
    if page is None:
        page = cache.get(key)
        if page is not None:
            _copies.put(key, page, settings.EDUCATION_PAGE_CACHE_SECONDS)
    return page


def _write(key: str, page) -> None:
    cache.set(key, page, timeout=settings.EDUCATION_PAGE_CACHE_SECONDS)
    _copies.put(key, page, settings.EDUCATION_PAGE_CACHE_SECONDS)


@survives_cache_outage()  # a save still works; pages may be stale until their entries expire
def bump_content_version(**kwargs) -> None:
    version = uuid.uuid4().hex
    _remembered.update(version=version, at=time.monotonic())
    cache.set(VERSION_KEY, version, timeout=None)


def _page_key(kind: str, *parts: str) -> str:
    """The key of a cached page: the content version, and the emergency number the page shows
    (EMERGENCY_NUMBER), so a changed number is never served from pages cached before."""
    return ":".join(("education", kind, content_version(), settings.EMERGENCY_NUMBER, *parts))


def topic_cache_key(*, slug: str, language: str) -> str:
    return _page_key("topic", language, slug)


def index_cache_key(*, language: str) -> str:
    return _page_key("index", language)


@survives_cache_outage(default=None)  # the cache down: render the page again
def get_cached_topic(*, slug: str, language: str) -> dict | None:
    return _read(topic_cache_key(slug=slug, language=language))


@survives_cache_outage(default=None)
def get_cached_index(*, language: str) -> str | None:
    return _read(index_cache_key(language=language))


@survives_cache_outage()
def cache_index(*, language: str, body: str) -> None:
    _write(index_cache_key(language=language), body)


@survives_cache_outage()
def cache_topic(*, slug: str, language: str, page: dict) -> None:
    _write(topic_cache_key(slug=slug, language=language), page)


def _education_model_changed(sender, **kwargs) -> None:
    if getattr(getattr(sender, "_meta", None), "app_label", None) == "education":
        bump_content_version()


def connect_signals() -> None:
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_education_model_changed, dispatch_uid=f"education-page-cache-{signal!r}")
