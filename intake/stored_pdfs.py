"""A sent form's PDFs are drawn once and then served from the database in milliseconds.

Drawing a PDF costs a second or more of CPU (bench/pdf.py). A sent form's answers never change,
so when a patient sends, the background worker draws the visit summary (in the clinic's
language) and the patient's copy (in theirs) and keeps them in `StoredPdf`; the download views
serve those and draw only when none is kept or it is stale. Stale means the form changed after
it was drawn (`fingerprint`, its last change: a staff change of status or note), and the next
request draws it again and keeps the new one. Staff PDFs, which show the clinic's latest
findings, are never kept. A kept PDF goes with its form when the form is purged.

The worker has no request: `worker_request` makes one for the page's URL on PUBLIC_BASE_URL, as
the templates need one (the header's links, the language switch's CSRF field).
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import resolve, reverse

from .models import IntakeSubmission, StoredPdf
from .pdf_limits import pdf_cache_key

logger = logging.getLogger(__name__)


def fingerprint(submission: IntakeSubmission, language: str) -> str:
    """What a kept PDF must match to be served: the form's last change and the language."""
    return pdf_cache_key(submission, language=language)


def stored_pdf(submission: IntakeSubmission, kind: str, language: str) -> bytes | None:
    """The kept PDF of this kind and language, when it is still current; else None."""
    pdf = (
        StoredPdf.objects.filter(
            submission=submission,
            kind=kind,
            language=language,
            fingerprint=fingerprint(submission, language),
        )
        .values_list("pdf", flat=True)
        .first()
    )
    return bytes(pdf) if pdf is not None else None


def store_pdf(submission: IntakeSubmission, kind: str, language: str, pdf: bytes) -> None:
    """Keep `pdf` for a sent form (replacing a stale one); drafts are never kept."""
    if submission.is_draft:
        return
    values = {"fingerprint": fingerprint(submission, language), "pdf": pdf}
    try:
        with transaction.atomic():
            StoredPdf.objects.update_or_create(
                submission=submission, kind=kind, language=language, defaults=values
            )
    except IntegrityError:  # two requests drew it at once: the other one's is as good
        pass


class _WorkerRequest(HttpRequest):
    def __init__(self, path: str):
        super().__init__()
        base = urlsplit(settings.PUBLIC_BASE_URL or "http://127.0.0.1:8000")
        self._base_scheme = base.scheme or "http"
        self.method = "GET"
        self.path = self.path_info = path
        self.META = {
            "HTTP_HOST": base.netloc,
            "SERVER_NAME": base.hostname or "127.0.0.1",
            "SERVER_PORT": str(base.port or (443 if self._base_scheme == "https" else 80)),
        }
        self.user = AnonymousUser()
        self.resolver_match = resolve(path)

    def _get_scheme(self):
        return self._base_scheme


def worker_request(path: str) -> HttpRequest:
    """A GET request for `path` on PUBLIC_BASE_URL, for rendering pages outside a request."""
    return _WorkerRequest(path)


def draw_sent_pdfs(submission_id: int) -> int:
    """Draw and keep a sent form's summary and patient's copy; return how many were drawn."""
    from .patient_copy import copy_language
    from .summary import load_summary_rows
    from .summary_views import draw_summary_pdf, draw_your_copy_pdf, load_pdf_renderer

    submission = IntakeSubmission.objects.filter(pk=submission_id).first()
    render_pdf = load_pdf_renderer()
    if submission is None or submission.is_draft or render_pdf is None:
        return 0
    submission = load_summary_rows(submission)
    drawn = 0
    clinic = settings.CLINIC_LANGUAGE
    if stored_pdf(submission, StoredPdf.Kind.SUMMARY, clinic) is None:
        request = worker_request(reverse("intake:summary_pdf"))
        pdf = draw_summary_pdf(request, submission, staff_view=False, render_pdf=render_pdf)
        store_pdf(submission, StoredPdf.Kind.SUMMARY, clinic, pdf)
        drawn += 1
    language = copy_language(submission, "")
    if stored_pdf(submission, StoredPdf.Kind.YOUR_COPY, language) is None:
        request = worker_request(reverse("intake:your_copy_pdf"))
        pdf = draw_your_copy_pdf(request, submission, language=language, render_pdf=render_pdf)
        store_pdf(submission, StoredPdf.Kind.YOUR_COPY, language, pdf)
        drawn += 1
    logger.info("intake sent form's PDFs drawn count=%d", drawn)
    return drawn
