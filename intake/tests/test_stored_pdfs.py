"""A sent form's PDFs are drawn once by the worker and then served from the database."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from intake.models import IntakeSubmission, StoredPdf
from intake.stored_pdfs import store_pdf, stored_pdf
from intake.tests.factories import IntakeSubmissionFactory
from intake.tokens import resume_link_for

pytestmark = pytest.mark.django_db

SUMMARY_PDF = reverse("intake:summary_pdf")
COPY_PDF = reverse("intake:your_copy_pdf")


def open_link(client, submission):
    client.get(resume_link_for(submission, submission.raw_token))
    return client


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def no_drawing(monkeypatch):
    """Any attempt to draw a PDF fails the test: it must come from the store."""

    def refuse(*args, **kwargs):
        raise AssertionError("a PDF was drawn")

    monkeypatch.setattr("intake.summary_views.load_pdf_renderer", lambda: refuse)


@pytest.fixture
def fake_drawing(monkeypatch):
    """Drawing returns a tiny stand-in, and counts how often it ran."""
    drawn = []

    def draw(html, base_url):
        drawn.append(base_url)
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr("intake.summary_views.load_pdf_renderer", lambda: draw)
    return drawn


def test_sending_has_the_worker_draw_the_summary_and_the_patients_copy(client, run_tasks):
    draft = IntakeSubmissionFactory(language="es")
    open_link(client, draft)
    client.post(
        reverse("intake:check_answers"), {"form_reference": draft.reference, "consent": "on"}
    )
    assert not StoredPdf.objects.exists()  # not inside the patient's request
    run_tasks()
    kept = {(pdf.kind, pdf.language) for pdf in StoredPdf.objects.all()}
    submission = IntakeSubmission.objects.get()
    assert kept == {("summary", "en"), ("your_copy", submission.language)}
    summary = stored_pdf(submission, StoredPdf.Kind.SUMMARY, "en")
    assert submission.reference in pdf_text(summary)


def test_a_kept_pdf_is_served_without_drawing(no_drawing, django_assert_max_num_queries):
    submission = IntakeSubmissionFactory(sent=True)
    store_pdf(submission, StoredPdf.Kind.SUMMARY, "en", b"%PDF-1.7 kept")
    client = open_link(Client(), submission)
    with django_assert_max_num_queries(8):
        response = client.get(SUMMARY_PDF)
    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 kept"
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]


def test_a_staff_change_makes_the_kept_pdf_stale_and_it_is_drawn_again(fake_drawing):
    submission = IntakeSubmissionFactory(sent=True)
    store_pdf(submission, StoredPdf.Kind.SUMMARY, "en", b"%PDF-1.7 old")
    client = open_link(Client(), submission)
    submission.status = IntakeSubmission.Status.REVIEWED
    submission.save()
    response = client.get(SUMMARY_PDF)
    assert response.content == b"%PDF-1.7 stand-in" and len(fake_drawing) == 1
    assert client.get(SUMMARY_PDF).content == b"%PDF-1.7 stand-in"
    assert len(fake_drawing) == 1  # kept again: the second download is not drawn
    assert StoredPdf.objects.count() == 1


def test_a_draft_never_keeps_a_pdf():
    draft = IntakeSubmissionFactory()
    store_pdf(draft, StoredPdf.Kind.SUMMARY, "en", b"%PDF-1.7")
    assert not StoredPdf.objects.exists()


def test_one_browser_cannot_keep_drawing_pdfs(fake_drawing, settings):
    settings.INTAKE_PDF_PER_SESSION = 2
    submission = IntakeSubmissionFactory(sent=True)
    client = open_link(Client(), submission)
    for _ in range(2):
        StoredPdf.objects.all().delete()
        assert client.get(COPY_PDF).status_code == 200
    StoredPdf.objects.all().delete()
    refused = client.get(COPY_PDF)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(settings.INTAKE_PDF_SESSION_WINDOW_SECONDS)
    assert "print" in refused.content.decode().lower()
    assert len(fake_drawing) == 2
    # Another patient's browser is not held back.
    other = IntakeSubmissionFactory(sent=True)
    assert open_link(Client(), other).get(COPY_PDF).status_code == 200


def test_kept_pdfs_go_with_their_form():
    submission = IntakeSubmissionFactory(sent=True)
    store_pdf(submission, StoredPdf.Kind.SUMMARY, "en", b"%PDF-1.7")
    submission.delete()
    assert not StoredPdf.objects.exists()
