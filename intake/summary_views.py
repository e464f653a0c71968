"""Views of the visit summary: the patient's (through their private link) and the staff's.

The patient's page has no token in its URL: the private link (`intake:resume`) binds the
submission to the browser's session and redirects here. It shows sent submissions only (a draft
goes back to its form) and stops working `INTAKE_SUMMARY_DAYS` after sending, with a page that
says so. Staff open any submission by its reference code, signed in to the staff admin (with
its second factor) and holding the `intake.view_intakesubmission` permission; their access
never expires. The summary itself is always in the clinic's language (CLINIC_LANGUAGE,
intake/languages.py), whatever language the patient used; the rest of the page, and the pages
that refuse a summary, are in the reader's language. A PDF is wholly in the clinic's language.

Each summary can also be downloaded as a PDF (`patient_summary_pdf`, `staff_summary_pdf`), with
the same access rules: the same template and view model, drawn by WeasyPrint
(intake/summary_pdf.py). WeasyPrint is imported only then, so the site runs without it; the PDF
link then answers 503 with a page that says how to print instead.

Beside the doctor's summary, the patient has their own shorter copy (`your_copy`,
`your_copy_pdf`; intake/patient_copy.py), opened through the same session: what they told the
clinic, what happens next and when to get help, in the language they filled the form in, the
whole page in that language. Staff print it at the desk (`staff_your_copy`), logged as the
patient's copy.
"""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET

from atrophy_site.languages import language_name_in_a_sentence
from atrophy_site.privacy import private_page

from .audit import Action, record_access
from .findings import examination_section
from .languages import (
    clinic_language,
    clinic_language_context,
    examination_in_clinic_language,
    in_clinic_language,
    summary_in_clinic_language,
)
from .models import IntakeSubmission, StoredPdf
from .patient_copy import build_patient_copy, copy_language
from .pdf_limits import cached_pdf, keep_pdf, pdf_cache_key, pdf_slot, session_may_draw
from .session import IntakeSession
from .stored_pdfs import store_pdf, stored_pdf
from .summary import (
    build_summary,
    load_summary_rows,
    summary_link_expired,
    summary_link_lifetime,
    summary_queryset,
)
from .tokens import normalise_reference, submission_for_token

logger = logging.getLogger(__name__)


def sent_link_has_expired(token: str) -> bool:
    """Whether `token` is the private link of a sent form whose summary has expired.

    Lets the private-link view say "this link has expired, please ask the clinic" instead of its
    usual 404. Telling this apart reveals nothing useful: only someone who holds a real 256-bit
    token can see the difference. Archived forms still get the usual 404.
    """
    submission = submission_for_token(
        token,
        IntakeSubmission.objects.exclude(
            status__in=[IntakeSubmission.Status.DRAFT, IntakeSubmission.Status.ARCHIVED]
        ).only("pk", "status", "sent_at"),
    )
    return submission is not None and summary_link_expired(submission)


def summary_expired_response(request):
    """The "this link has expired, please ask the clinic" page (HTTP 410 Gone).

    Also for the private-link view to use when a sent submission's link has run out.
    """
    context = {"summary_days": summary_link_lifetime().days}
    return render(request, "intake/summary_expired.html", context, status=410)


def _patient_submission(request):
    """(the sent submission this browser has open, None), or (None, the response saying why not).

    No open form: 404 asking for the private link. A draft: back to its form. A sent form past
    INTAKE_SUMMARY_DAYS: the expired page (410).
    """
    bound = IntakeSession(request).submission()
    if bound is None:
        return None, render(request, "intake/summary_not_open.html", status=404)
    if bound.is_draft:
        return None, redirect("intake:continue")  # back to the first unfinished step
    if summary_link_expired(bound):
        return None, summary_expired_response(request)
    return load_summary_rows(bound), None


@private_page
@require_GET
def patient_summary(request):
    """The summary of the submission this browser has open, for the patient to print or show."""
    submission, refusal = _patient_submission(request)
    if refusal:
        return refusal
    context = {
        "summary": summary_in_clinic_language(submission),  # the doctor's document
        "staff_view": False,
        "print_on_load": request.GET.get("print") == "1",
        "your_copy_language_name": your_copy_language_name(submission),
        **clinic_language_context(),
    }
    return render(request, "intake/summary.html", context)


@private_page
@require_GET
def patient_summary_pdf(request):
    """The patient's summary as a PDF file to download, under the same rules as the page."""
    submission, refusal = _patient_submission(request)
    if refusal:
        return refusal
    return _summary_pdf_response(
        request, submission, staff_view=False, summary_url=reverse("intake:summary")
    )


def _staff_submission(request, reference: str, *, action: str) -> IntakeSubmission:
    """The sent submission staff asked for, once they are allowed to see it; logged as `action`
    in the staff access log."""
    if not request.user.has_perm("intake.view_intakesubmission"):
        raise PermissionDenied
    # Drafts are the patient's until sent: staff see only what was sent, as in the admin queue.
    submission = get_object_or_404(
        summary_queryset().sent(), reference=normalise_reference(reference)
    )
    record_access(user=request.user, action=action, submission=submission)
    return submission


def _staff_summary(request, reference: str):
    submission = _staff_submission(request, reference, action=Action.SUMMARY)
    context = {
        "summary": summary_in_clinic_language(submission),
        "examination": examination_in_clinic_language(submission),  # staff only
        "staff_view": True,
        "print_on_load": False,
        "admin_url": reverse("admin:intake_intakesubmission_change", args=[submission.pk]),
        **clinic_language_context(),
    }
    return render(request, "intake/summary.html", context)


def _staff_patient_copy(request, reference: str):
    """The patient's own copy, printed by staff at the desk: the summary as the patient sees it,
    without what only the clinic sees (the examiner's findings), the print dialog opened."""
    submission = _staff_submission(request, reference, action=Action.PATIENT_COPY)
    context = {
        "summary": summary_in_clinic_language(submission),
        "staff_view": False,
        "patient_copy": True,
        "print_on_load": True,
        "your_copy_language_name": your_copy_language_name(submission),
        "admin_url": reverse("admin:intake_intakesubmission_change", args=[submission.pk]),
        **clinic_language_context(),
    }
    return render(request, "intake/summary.html", context)


def _staff_summary_pdf(request, reference: str):
    submission = _staff_submission(request, reference, action=Action.SUMMARY_PDF)
    summary_url = reverse("intake:staff_summary", kwargs={"reference": submission.reference})
    return _summary_pdf_response(request, submission, staff_view=True, summary_url=summary_url)


#: The same summary for clinic staff, by reference code, whatever the link's expiry. The admin
#: site's own gate (`admin_view`: active staff, signed in with the second factor when
#: ADMIN_REQUIRE_2FA is on; others go to the admin sign-in page) then the permission to view
#: submissions (403 without it).
staff_summary = private_page(admin.site.admin_view(require_GET(_staff_summary)))

#: The patient's copy for staff to print at the desk, behind the same gate, logged as such.
staff_patient_copy = private_page(admin.site.admin_view(require_GET(_staff_patient_copy)))

#: The staff summary as a PDF file, behind the same gate and logged as a view in the same way.
staff_summary_pdf = private_page(admin.site.admin_view(require_GET(_staff_summary_pdf)))


# --- The patient's own copy, in their language (intake/patient_copy.py) -----------------------


def _your_copy_context(submission, *, language: str, page_url: str, **extra) -> dict:
    copy = build_patient_copy(submission, language=language)
    return {
        "copy": copy,
        "submission": submission,
        # The urgent signs in the patient's words, as on the sent page (urgent_answers.html).
        "triage": copy.triage,
        "urgent_box_list": True,
        "other_languages": [(code, name) for code, name in settings.LANGUAGES if code != language],
        "page_url": page_url,
        **clinic_language_context(),
        **extra,
    }


def _render_your_copy(request, submission, *, language: str, page_url: str, **extra):
    """The copy's page, wholly in `language`: the site's header and footer too."""
    context = _your_copy_context(submission, language=language, page_url=page_url, **extra)
    with translation.override(language):
        response = render(request, "intake/your_copy.html", context)
    response["Content-Language"] = language  # LocaleMiddleware would name the reader's
    return response


@private_page
@require_GET
def your_copy(request):
    """The patient's own shorter copy, in the language of their form (or `?language=`), under
    the same rules as their summary."""
    submission, refusal = _patient_submission(request)
    if refusal:
        return refusal
    return _render_your_copy(
        request,
        submission,
        language=copy_language(submission, request.GET.get("language", "")),
        page_url=reverse("intake:your_copy"),
        print_on_load=request.GET.get("print") == "1",
    )


@private_page
@require_GET
def your_copy_pdf(request):
    """The patient's copy as a PDF file, in the same language as the page it was asked from."""
    submission, refusal = _patient_submission(request)
    if refusal:
        return refusal
    language = copy_language(submission, request.GET.get("language", ""))
    page_url = reverse("intake:your_copy")

    response = _pdf_response(
        request,
        # Not the summary's key: in the clinic's language both would have the same one.
        key=pdf_cache_key(submission, language=language) + ":your-copy",
        filename=f"your-copy-{submission.reference}.pdf",
        draw=lambda render_pdf: draw_your_copy_pdf(
            request, submission, language=language, render_pdf=render_pdf
        ),
        stored=(submission, StoredPdf.Kind.YOUR_COPY, language),
        unavailable={
            "summary_url": f"{page_url}?{urlencode({'language': language})}",
            "your_copy": True,
        },
    )
    if response.status_code == 200:
        response["Content-Language"] = language
    return response


def draw_your_copy_pdf(request, submission, *, language: str, render_pdf) -> bytes:
    """The patient's copy as a PDF, wholly in `language` (also drawn by the worker)."""
    page_url = reverse("intake:your_copy")
    context = _your_copy_context(submission, language=language, page_url=page_url, pdf=True)
    with translation.override(language):
        html = render_to_string("intake/your_copy.html", context, request=request)
    return render_pdf(html, base_url=request.build_absolute_uri("/"))


def _staff_your_copy(request, reference: str):
    """The patient's shorter copy in their language, printed by staff at the desk; its toolbar
    in the staff's language."""
    submission = _staff_submission(request, reference, action=Action.PATIENT_COPY)
    return _render_your_copy(
        request,
        submission,
        language=copy_language(submission, request.GET.get("language", "")),
        page_url=reverse("intake:staff_your_copy", kwargs={"reference": submission.reference}),
        staff_view=True,
        print_on_load=True,
        reader_language=translation.get_language(),
        admin_url=reverse("admin:intake_intakesubmission_change", args=[submission.pk]),
    )


#: The patient's shorter copy for staff to print, behind the staff gate, logged as the patient's
#: copy.
staff_your_copy = private_page(admin.site.admin_view(require_GET(_staff_your_copy)))


def your_copy_language_name(submission: IntakeSubmission):
    """The language of the patient's copy, named in the reader's language inside a sentence."""
    return language_name_in_a_sentence(copy_language(submission))


# --- PDF ----------------------------------------------------------------------------------------


def pdf_filename(submission: IntakeSubmission) -> str:
    """The download's file name: "visit-summary-K7QP-3MXD.pdf" (no name or date of birth in it)."""
    return f"visit-summary-{submission.reference}.pdf"


def load_pdf_renderer():
    """`summary_pdf.render_summary_pdf`, or None when WeasyPrint or its libraries are missing."""
    try:
        from .summary_pdf import render_summary_pdf
    except (ImportError, OSError) as error:  # OSError: Pango or HarfBuzz not installed
        logger.error("intake.summary_pdf unavailable, WeasyPrint did not load: %s", error)
        return None
    return render_summary_pdf


def _summary_pdf_response(request, submission, *, staff_view: bool, summary_url: str):
    """The summary's PDF file: the patient's served from the cache when it was just made."""
    language = settings.CLINIC_LANGUAGE
    response = _pdf_response(
        request,
        key=None if staff_view else pdf_cache_key(submission, language=language),
        filename=pdf_filename(submission),
        draw=lambda render_pdf: draw_summary_pdf(
            request, submission, staff_view=staff_view, render_pdf=render_pdf
        ),
        stored=None if staff_view else (submission, StoredPdf.Kind.SUMMARY, language),
        unavailable={"summary_url": summary_url},
    )
    return in_clinic_language(response) if response.status_code == 200 else response


def _pdf_response(request, *, key: str | None, filename: str, draw, unavailable: dict, stored=None):
    """A PDF file to download: a sent form's kept PDF (`stored`: submission, kind, language;
    intake/stored_pdfs.py), else the one in the cache under `key` when it was just made, else
    drawn by `draw(render_pdf)` when a slot is free and this browser has not drawn too many
    (intake/pdf_limits.py); otherwise a page saying to try again, or to print instead
    (`unavailable` is that page's context)."""
    pdf = stored_pdf(*stored) if stored else None
    if pdf is not None:
        return _pdf_file(pdf, filename)
    render_pdf = load_pdf_renderer()
    if render_pdf is None:
        return render(request, "intake/summary_pdf_unavailable.html", unavailable, status=503)
    pdf = cached_pdf(key) if key else None
    if pdf is None:
        with pdf_slot() as free:
            if not free:
                context = {**unavailable, "busy": True}
                response = render(
                    request, "intake/summary_pdf_unavailable.html", context, status=503
                )
                response["Retry-After"] = "10"
                return response
            # Counted only once a slot is free: a patient told "try again in a moment" who
            # does, again and again, has drawn nothing and must not be shut out for it.
            if stored and not session_may_draw(request):
                context = {**unavailable, "busy": True}
                response = render(
                    request, "intake/summary_pdf_unavailable.html", context, status=429
                )
                response["Retry-After"] = str(settings.INTAKE_PDF_SESSION_WINDOW_SECONDS)
                return response
            pdf = draw(render_pdf)
        if stored:
            store_pdf(*stored, pdf)
        elif key:
            keep_pdf(key, pdf)
    return _pdf_file(pdf, filename)


def _pdf_file(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Marked private (no-store, noindex) by the views' private_page.
    return response


def draw_summary_pdf(request, submission, *, staff_view: bool, render_pdf) -> bytes:
    """The visit summary as a PDF, in the clinic's language (the patient's is also drawn by the
    worker when the form is sent, intake/stored_pdfs.py)."""
    with clinic_language():  # the whole file is the doctor's document
        html = render_to_string(
            "intake/summary.html",
            {
                "summary": build_summary(submission),
                "examination": examination_section(submission) if staff_view else None,
                "staff_view": staff_view,
                "pdf": True,
                **clinic_language_context(),
            },
            request=request,
        )
    return render_pdf(html, base_url=request.build_absolute_uri("/"))
