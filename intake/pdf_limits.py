"""The summary PDF: made once and served again, and only a few made at a time.

Drawing a PDF costs a second or more of CPU (bench/pdf.py); a patient pressing "Download PDF"
ten times, or a few patients at once, could otherwise hold every server worker and leave the
site unanswered (issue 14). Two rules, both in the shared cache:

- A patient's PDF is kept for `INTAKE_PDF_CACHE_SECONDS` (10 minutes by default) under a key
  made of the form's reference, its last change and the language, so pressing again, or
  reloading, serves the same file without drawing it again. A sent form's answers cannot
  change; a staff change (status, note) makes a new key. Staff PDFs (which show the clinic's
  latest findings) are always drawn fresh. Not with the database cache (production without
  Redis): its table keeps expired rows until it is culled, and a PDF is health data that the
  retention rules must be able to remove with its form.
- At most `INTAKE_PDF_AT_ONCE` PDFs are drawn at the same time across all servers (slots in the
  cache, each released when its PDF is done and expiring after `PDF_SLOT_SECONDS` if a worker
  dies). Past that, the request gets "try again in a moment" (503 with Retry-After) at once,
  instead of queueing behind the others. With the local-memory cache of a laptop the limit is
  per process.

- One browser (session) draws at most `INTAKE_PDF_PER_SESSION` PDFs in
  `INTAKE_PDF_SESSION_WINDOW_SECONDS` (429 with Retry-After past that): enough for the summary
  and the copy in each language, too few to keep the slots busy on purpose. Kept PDFs
  (intake/stored_pdfs.py) and cached ones do not count: only drawing does.

With the cache down, PDFs are drawn every time and not limited (atrophy_site/cache_outage.py).
"""

import hashlib
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.db import DatabaseCache

from atrophy_site.cache_outage import CACHE_DOWN, count_in_window, survives_cache_outage

#: A slot left by a worker that died is free again after this long.
PDF_SLOT_SECONDS = 120


def pdf_cache_key(submission, *, language: str) -> str:
    changed = int(submission.updated_at.timestamp() * 1000) if submission.updated_at else 0
    return f"intake:pdf:{submission.reference}:{changed}:{language}"


@survives_cache_outage(default=None)
def cached_pdf(key: str) -> bytes | None:
    return cache.get(key)


@survives_cache_outage()
def keep_pdf(key: str, pdf: bytes) -> None:
    if isinstance(caches[DEFAULT_CACHE_ALIAS], DatabaseCache):
        return  # expired rows would stay in the table (see above)
    cache.set(key, pdf, timeout=settings.INTAKE_PDF_CACHE_SECONDS)


@survives_cache_outage(default=True)
def session_may_draw(request) -> bool:
    """Count one PDF drawn for this browser; False once it has drawn its share in the window."""
    session_key = request.session.session_key or ""
    key = "intake:pdf-drawn:" + hashlib.sha256(session_key.encode()).hexdigest()[:32]
    window = settings.INTAKE_PDF_SESSION_WINDOW_SECONDS
    return count_in_window(key, window) <= settings.INTAKE_PDF_PER_SESSION


@contextmanager
def pdf_slot():
    """True while this request holds one of the INTAKE_PDF_AT_ONCE slots (released after);
    False when every slot is taken. True, unlimited, when the cache is down."""
    taken = None
    try:
        for number in range(settings.INTAKE_PDF_AT_ONCE):
            key = f"intake:pdf-slot:{number}"
            if cache.add(key, 1, timeout=PDF_SLOT_SECONDS):
                taken = key
                break
        else:
            yield False
            return
    except CACHE_DOWN:
        yield True
        return
    try:
        yield True
    finally:
        _release(taken)


@survives_cache_outage()
def _release(key: str) -> None:
    cache.delete(key)
