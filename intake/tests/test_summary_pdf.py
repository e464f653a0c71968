"""The visit summary as a PDF download: its text and pages, who may have it, and what it fetches.

The PDF's text is read back with pypdf. WeasyPrint needs Pango from the system: without it these
tests are skipped on a developer's machine, but fail under CI=true (like the browser tests).
"""

import io
import os
import socket
import sys
import unicodedata
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from intake.models import IntakeSubmission, StaffAccess
from intake.tests.factories import (
    BlankDraftFactory,
    IntakeSubmissionFactory,
    typical_sent_submission_with_token,
)
from intake.tokens import resume_link_for
from tests.staff import make_staff_user, sign_in_verified

pytestmark = pytest.mark.django_db

PDF_URL = "/prepare/summary/pdf/"


@pytest.fixture
def weasyprint_installed():
    """Skip when WeasyPrint or its system libraries are missing; under CI=true, fail instead."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        message = f"WeasyPrint cannot run here ({error}); see README, PDF"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


needs_weasyprint = pytest.mark.usefixtures("weasyprint_installed")


def typical_sent_submission() -> IntakeSubmission:
    """Sent, with two injuries, four medicines and three tests."""
    submission, _token = typical_sent_submission_with_token()
    return submission


def open_private_link(client, submission):
    return client.get(resume_link_for(submission, submission.raw_token))


def pdf_pages(response) -> list[str]:
    """Each page's text on one line, with ligatures ("ﬀ" in "Jeﬀrey") as the letters typed."""
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return [
        " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
        for page in reader.pages
    ]


def staff_url(name: str, submission) -> str:
    return reverse(name, kwargs={"reference": submission.reference})


@pytest.fixture
def nurse_client(client):
    return sign_in_verified(client, make_staff_user("nurse"))


# --- What the PDF says --------------------------------------------------------------------------


@needs_weasyprint
def test_typical_summary_pdf_has_the_key_points_on_at_most_two_pages(client):
    submission = typical_sent_submission()
    open_private_link(client, submission)

    pages = pdf_pages(client.get(PDF_URL))
    flat = " ".join(pages)

    assert len(pages) <= 2
    for words in (
        "Visit summary",
        submission.reference,
        "2 July 1948 (age 78 at the visit)",
        "Key points",
        "Urgency: tier 3 (bring to the appointment), no urgent signs reported.",
        "Left shoulder (a little), Right shoulder (a little),",
        "Quite a lot: some everyday things are hard",
        "3 out of 10: negative screen (below 4)",
        "Yes: About 4 kg over 6 months",
        "Left knee (2019): Fell on ice; treated: Physiotherapy for 6 weeks;",
        "Statin: yes (started May 2019); Steroid tablets or injections: yes",
        "Prednisolone (steroid), Atorvastatin (statin)",
        "Metformin",
        "Ramipril",
        "Could my cholesterol tablets be part of this?",
        "Not a diagnosis.",
    ):
        assert words in flat, words
    # The running head (name, date of birth) and the page numbers are on every page.
    for number, page in enumerate(pages, start=1):
        assert submission.full_name in page
        assert "Born 2 Jul 1948" in page
        assert f"Page {number} of {len(pages)}" in page


#: Typed into every free-text answer of the largest form a patient can send.
SENTENCE = "Why do my legs feel weak when I climb the stairs at home and at work? "


@needs_weasyprint
def test_the_largest_form_a_patient_can_send_still_prints_every_answer(client):
    """Every free-text answer at its limit (2,000 characters for the long ones): answers longer
    than a page must break across pages, not stop the PDF (WeasyPrint cannot split an
    inline block, which the short answers' rows are)."""
    submission = typical_sent_submission()
    skipped = {"staff_note", "reference", "token_hash", "status", "language", "mrn"}
    for field in IntakeSubmission._meta.get_fields():
        typed = field.get_internal_type() in ("TextField", "CharField")
        if typed and field.name not in skipped and field.max_length and not field.choices:
            setattr(submission, field.name, (SENTENCE * 100)[: field.max_length])
    submission.save()
    open_private_link(client, submission)

    pages = pdf_pages(client.get(PDF_URL))

    assert len(pages) > 2
    flat = " ".join(pages)
    assert flat.count("climb the stairs at home") > 100
    assert "Not a diagnosis." in pages[-1]


@needs_weasyprint
def test_pdf_leaves_out_the_screen_buttons_and_navigation(client):
    submission = typical_sent_submission()
    open_private_link(client, submission)

    flat = " ".join(pdf_pages(client.get(PDF_URL)))

    for screen_only in ("Download PDF", "Print this summary", "Learn about muscle loss", "Español"):
        assert screen_only not in flat


@needs_weasyprint
def test_pdf_is_tagged_for_screen_readers_with_its_language_and_title(client):
    submission = typical_sent_submission()
    open_private_link(client, submission)

    reader = PdfReader(io.BytesIO(client.get(PDF_URL).content))
    catalog = reader.trailer["/Root"]

    assert catalog["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en"
    assert reader.metadata.title.startswith(f"Visit summary: {submission.full_name}")


@needs_weasyprint
def test_urgent_signs_head_the_key_points_in_the_pdf(client):
    submission = IntakeSubmissionFactory(
        sent=True, urgent=True, sarc_f_positive=True, full_name="Jeffrey Huffington"
    )
    open_private_link(client, submission)

    pages = pdf_pages(client.get(PDF_URL))
    first = pages[0]

    assert "Jeffrey Huffington" in first  # "ff" comes out of the PDF as one ligature
    assert first.index("Urgency: tier 1") < first.index("How much it limits")
    assert "Facial droop, not known as long-standing" in first
    assert "6 out of 10: positive screen for sarcopenia" in first


@needs_weasyprint
def test_pdf_is_a_private_attachment_named_after_the_reference(client):
    submission = typical_sent_submission()
    open_private_link(client, submission)

    response = client.get(PDF_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == (
        f'attachment; filename="visit-summary-{submission.reference}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert reverse("intake:summary_pdf") == PDF_URL


@needs_weasyprint
def test_patient_pdf_queries_do_not_grow_with_rows(client, django_assert_max_num_queries):
    submission = typical_sent_submission()
    open_private_link(client, submission)

    # Session, submission, then medicines, injuries and tests: as for the summary page; then
    # the lookup of a kept PDF, and keeping this one (intake/stored_pdfs.py).
    with django_assert_max_num_queries(15):
        assert client.get(PDF_URL).status_code == 200
    # The second download is the kept one, not drawn: the page's own queries and its lookup.
    with django_assert_max_num_queries(6):
        assert client.get(PDF_URL).status_code == 200


# --- Who may have it: the patient ---------------------------------------------------------------


def test_patient_pdf_without_an_open_form_asks_for_the_private_link(client):
    response = client.get(PDF_URL)

    assert response.status_code == 404
    assert "Open your private link to see your summary" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_patient_pdf_of_a_draft_goes_back_to_the_form(client):
    draft = IntakeSubmissionFactory()
    open_private_link(client, draft)

    response = client.get(PDF_URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("intake:continue")


def test_patient_pdf_closes_when_the_link_expires(client, settings):
    settings.INTAKE_SUMMARY_DAYS = 5
    submission = typical_sent_submission()
    open_private_link(client, submission)
    IntakeSubmission.objects.filter(pk=submission.pk).update(
        sent_at=timezone.now() - timedelta(days=6)
    )

    response = client.get(PDF_URL)

    # As the summary page: the expired page (410), or the "open your private link" page (404)
    # once the session has let the form go; either way no PDF and no name, and "ask your clinic".
    assert response.status_code in (404, 410)
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert submission.full_name not in page
    assert "ask your clinic" in page


def test_patient_pdf_is_not_opened_by_an_expired_private_link(client, settings):
    settings.INTAKE_SUMMARY_DAYS = 5
    submission = typical_sent_submission()
    IntakeSubmission.objects.filter(pk=submission.pk).update(
        sent_at=timezone.now() - timedelta(days=6)
    )

    assert "This link has expired" in open_private_link(client, submission).content.decode()
    assert client.get(PDF_URL).status_code == 404


# --- Who may have it: staff ---------------------------------------------------------------------


@needs_weasyprint
def test_staff_download_the_pdf_by_reference_and_the_download_is_logged(nurse_client):
    submission = typical_sent_submission()
    response = nurse_client.get(staff_url("intake:staff_summary_pdf", submission))

    assert response.status_code == 200
    assert submission.full_name in pdf_pages(response)[0]
    assert response["Content-Disposition"] == (
        f'attachment; filename="visit-summary-{submission.reference}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert list(StaffAccess.objects.values_list("username", "references")) == [
        ("nurse", submission.reference)
    ]


@needs_weasyprint
def test_staff_pdf_does_not_expire_with_the_patients_link(nurse_client, settings):
    settings.INTAKE_SUMMARY_DAYS = 5
    submission = typical_sent_submission()
    IntakeSubmission.objects.filter(pk=submission.pk).update(
        sent_at=timezone.now() - timedelta(days=400)
    )

    response = nurse_client.get(staff_url("intake:staff_summary_pdf", submission))

    assert response.status_code == 200


def test_staff_without_the_view_permission_cannot_download_the_pdf(client):
    submission = typical_sent_submission()
    sign_in_verified(client, make_staff_user("porter", clinic_staff=False))

    response = client.get(staff_url("intake:staff_summary_pdf", submission))

    assert response.status_code == 403
    assert not StaffAccess.objects.exists()


def test_signed_out_visitors_are_sent_to_the_staff_sign_in_for_the_pdf(client):
    submission = typical_sent_submission()

    response = client.get(staff_url("intake:staff_summary_pdf", submission))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_signed_in_without_the_second_factor_cannot_download_the_pdf(client, settings):
    settings.ADMIN_REQUIRE_2FA = True
    submission = typical_sent_submission()
    client.force_login(make_staff_user("nurse"))  # a password session, not verified by a device

    response = client.get(staff_url("intake:staff_summary_pdf", submission))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_cannot_download_a_draft_or_an_unknown_reference(nurse_client):
    draft = BlankDraftFactory(full_name="Not Sent Yet")

    assert nurse_client.get(staff_url("intake:staff_summary_pdf", draft)).status_code == 404
    unknown = reverse("intake:staff_summary_pdf", kwargs={"reference": "ZZZZ-ZZZZ"})
    assert nurse_client.get(unknown).status_code == 404


# --- Links to it --------------------------------------------------------------------------------


def test_patient_summary_and_confirmation_page_link_to_the_pdf(client):
    submission = typical_sent_submission()
    open_private_link(client, submission)

    summary = client.get(reverse("intake:summary")).content.decode()
    confirmation = client.get(reverse("intake:sent")).content.decode()

    assert f'href="{PDF_URL}"' in summary
    assert "Download PDF" in summary
    assert f'href="{PDF_URL}"' in confirmation
    assert "Download your summary (PDF)" in confirmation


def test_staff_summary_and_admin_form_link_to_the_staff_pdf(nurse_client):
    submission = typical_sent_submission()
    pdf_url = staff_url("intake:staff_summary_pdf", submission)

    summary = nurse_client.get(staff_url("intake:staff_summary", submission)).content.decode()
    admin_page = nurse_client.get(
        reverse("admin:intake_intakesubmission_change", args=[submission.pk])
    ).content.decode()

    assert f'href="{pdf_url}"' in summary
    assert f'href="{pdf_url}"' in admin_page
    assert pdf_url == f"/prepare/staff/summary/{submission.reference}/pdf/"


# --- Without WeasyPrint -------------------------------------------------------------------------


def without_weasyprint(monkeypatch):
    """As if WeasyPrint were not installed: `import weasyprint` fails, and so does our module."""
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    monkeypatch.delitem(sys.modules, "intake.summary_pdf", raising=False)


def test_without_weasyprint_the_pdf_link_answers_503_with_a_way_to_print(client, monkeypatch):
    without_weasyprint(monkeypatch)
    submission = typical_sent_submission()
    open_private_link(client, submission)

    response = client.get(PDF_URL)

    assert response.status_code == 503
    page = response.content.decode()
    assert "The PDF cannot be made just now" in page
    assert f'href="{reverse("intake:summary")}"' in page
    assert submission.full_name not in page
    assert "no-store" in response["Cache-Control"]
    # The rest of the site is unaffected.
    assert client.get(reverse("intake:summary")).status_code == 200


def test_without_weasyprint_staff_get_the_503_page_too(nurse_client, monkeypatch):
    without_weasyprint(monkeypatch)
    submission = typical_sent_submission()

    response = nurse_client.get(staff_url("intake:staff_summary_pdf", submission))

    assert response.status_code == 503
    assert f'href="{staff_url("intake:staff_summary", submission)}"' in response.content.decode()


# --- What WeasyPrint may fetch: our static files, nothing else ----------------------------------

BASE = "http://testserver/"


@needs_weasyprint
@pytest.mark.parametrize(
    "url, name",
    [
        ("http://testserver/static/css/summary.css", "css/summary.css"),
        ("http://testserver/static/css/summary.0123abcd.css?v=1#x", "css/summary.0123abcd.css"),
        ("https://example.com/static/css/summary.css", None),
        ("https://testserver/static/css/summary.css", None),
        ("http://testserver.example.com/static/css/summary.css", None),
        ("http://testserver/media/photo.png", None),
        ("http://testserver/static/../manage.py", None),
        ("http://testserver/static/css/%2e%2e/%2e%2e/manage.py", None),
        ("http://testserver/static//etc/passwd", None),
        ("http://testserver/static/", None),
        ("file:///etc/passwd", None),
        ("data:text/css,body{}", None),
    ],
)
def test_only_urls_under_our_static_url_name_a_static_file(url, name):
    from intake.summary_pdf import static_name_for_url

    assert static_name_for_url(url, base_url=BASE) == name


@needs_weasyprint
def test_the_url_fetcher_serves_the_collected_stylesheet_by_its_hashed_name():
    from django.contrib.staticfiles.storage import staticfiles_storage

    from intake.summary_pdf import StaticFilesFetcher

    hashed = staticfiles_storage.stored_name("css/summary.css")
    response = StaticFilesFetcher(base_url=BASE).fetch(BASE + "static/" + hashed)

    assert hashed != "css/summary.css"
    assert response.content_type == "text/css"
    assert b"summary-running-head" in response.read()


@needs_weasyprint
def test_in_debug_the_url_fetcher_reads_the_stylesheet_being_edited(settings):
    from intake.summary_pdf import StaticFilesFetcher

    settings.DEBUG = True  # as the development server: source files, not a stale collected copy
    source = settings.BASE_DIR / "static" / "css" / "summary.css"

    response = StaticFilesFetcher(base_url=BASE).fetch(BASE + "static/css/summary.css")

    assert response.read() == source.read_bytes()


@needs_weasyprint
@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/tracker.css",
        "http://127.0.0.1:8000/static/css/summary.css",
        "file:///etc/passwd",
        "http://testserver/static/css/no-such-file.css",
        "http://testserver/static/../atrophy_site/settings.py",
    ],
)
def test_the_url_fetcher_refuses_anything_else(url):
    from intake.summary_pdf import StaticFilesFetcher

    with pytest.raises(ValueError, match="Refused"):
        StaticFilesFetcher(base_url=BASE).fetch(url)


@needs_weasyprint
def test_rendering_never_opens_a_network_connection(monkeypatch):
    from intake.summary_pdf import render_summary_pdf

    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    html = (
        '<html><head><link rel="stylesheet" href="https://example.com/x.css">'
        '<link rel="stylesheet" href="/static/css/summary.css"></head>'
        '<body><p>Ann</p><img src="https://example.com/pixel.png" alt="">'
        '<img src="file:///etc/hostname" alt=""></body></html>'
    )

    pdf = render_summary_pdf(html, base_url=BASE)

    assert pdf.startswith(b"%PDF-")
    assert attempts == []
