"""The summary PDF is made once and served again, and only a few are drawn at a time, so a
patient pressing "Download PDF" again and again cannot hold every server worker."""

import pytest
from django.core.cache import cache

from intake import summary_views
from intake.pdf_limits import pdf_slot
from intake.tests.factories import typical_sent_submission_with_token
from intake.tokens import resume_link_for
from tests.staff import make_staff_user, sign_in_verified

pytestmark = pytest.mark.django_db

PDF_URL = "/prepare/summary/pdf/"


@pytest.fixture
def drawn(monkeypatch):
    """Counts the PDFs actually drawn (a stand-in for WeasyPrint: fast, and no fonts needed)."""
    calls = []

    def fake_renderer(html, *, base_url):
        calls.append(html)
        return b"%PDF-1.7 fake " + str(len(calls)).encode()

    monkeypatch.setattr(summary_views, "load_pdf_renderer", lambda: fake_renderer)
    return calls


@pytest.fixture
def patient(client):
    submission, token = typical_sent_submission_with_token()
    client.get(resume_link_for(submission, token))
    return submission


def test_pressing_download_again_serves_the_same_file_without_drawing_it_again(
    client, patient, drawn
):
    first = client.get(PDF_URL)
    second = client.get(PDF_URL)

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(drawn) == 1
    assert "no-store" in second["Cache-Control"]


def test_a_change_to_the_form_draws_a_fresh_pdf(client, patient, drawn):
    client.get(PDF_URL)
    patient.staff_note = "Called the patient."
    patient.save()  # any save moves updated_at

    client.get(PDF_URL)

    assert len(drawn) == 2


def test_staff_pdfs_are_always_drawn_fresh(client, drawn):
    submission, _token = typical_sent_submission_with_token()
    sign_in_verified(client, make_staff_user("nurse"))
    url = f"/prepare/staff/summary/{submission.reference}/pdf/"

    client.get(url)
    client.get(url)

    assert len(drawn) == 2


def test_with_every_slot_taken_the_patient_is_asked_to_try_again(client, patient, drawn, settings):
    settings.INTAKE_PDF_AT_ONCE = 1
    with pdf_slot() as mine:  # another worker is drawing a PDF
        assert mine
        busy = client.get(PDF_URL)

    assert busy.status_code == 503
    assert busy["Retry-After"] == "10"
    assert "Many PDF files are being made at this moment" in busy.content.decode()
    assert drawn == []
    assert client.get(PDF_URL).status_code == 200  # the slot is free again


def test_trying_again_while_every_slot_is_taken_does_not_use_up_the_browsers_share(
    client, patient, drawn, settings
):
    """Told "try again in a moment", the patient does, many times: none of it drew a PDF, so
    none of it counts toward INTAKE_PDF_PER_SESSION (bench/pdf_burst.py found the lock-out)."""
    settings.INTAKE_PDF_AT_ONCE = 1
    settings.INTAKE_PDF_PER_SESSION = 2
    with pdf_slot():  # another worker is drawing
        for _ in range(5):
            assert client.get(PDF_URL).status_code == 503

    assert client.get(PDF_URL).status_code == 200
    assert len(drawn) == 1


def test_a_slot_is_released_even_when_drawing_fails(client, patient, monkeypatch, settings):
    settings.INTAKE_PDF_AT_ONCE = 1

    def broken(html, *, base_url):
        raise RuntimeError("WeasyPrint failed")

    monkeypatch.setattr(summary_views, "load_pdf_renderer", lambda: broken)
    with pytest.raises(RuntimeError):
        client.get(PDF_URL)

    with pdf_slot() as free:
        assert free


def test_slots_are_shared_through_the_cache(settings):
    settings.INTAKE_PDF_AT_ONCE = 2
    with pdf_slot() as first, pdf_slot() as second, pdf_slot() as third:
        assert (first, second, third) == (True, True, False)
    assert cache.get("intake:pdf-slot:0") is None


def test_no_pdf_is_kept_in_a_database_cache_whose_expired_rows_linger(
    client, patient, drawn, settings
):
    """The database cache keeps expired rows until culled: a PDF (health data) would outlive the
    retention rules, so none goes there; a sent form's PDF is kept with the form instead."""
    from django.core.management import call_command

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "test_cache_entries",
        }
    }
    call_command("createcachetable", verbosity=0)

    client.get(PDF_URL)

    assert len(drawn) == 1
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM test_cache_entries WHERE cache_key LIKE '%pdf:%'")
        assert cursor.fetchone()[0] == 0
    # It is kept with the form instead (intake/stored_pdfs.py): removed when the form is.
    from intake.models import StoredPdf

    assert StoredPdf.objects.count() == 1
