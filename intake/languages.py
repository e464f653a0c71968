"""The visit summary is the doctor's document: it is always in the clinic's language.

A patient may fill in the form in Spanish, but the summary (on screen, printed and as a PDF, for
the patient to bring and for staff) is built and rendered in settings.CLINIC_LANGUAGE (English by
default), so the doctor can read every answer; what the patient typed is shown as typed. Around
it, the page stays in the reader's language (header, buttons, a note saying why the summary is
in another language), like every other page of theirs, the confirmation page included.

- `summary_in_clinic_language(submission)`: the `VisitSummary`, its labels in the clinic's
  language; `examination_in_clinic_language(submission)` the same for the staff summary's
  examination findings;
- `clinic_language_context()`: what the summary template needs to render its part in it
  (`{% language clinic_language %}` around the summary, with a matching `lang` attribute);
- `clinic_language()`: the clinic's language for a whole render (the PDF, a document of its own).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation

from atrophy_site.languages import language_name_in_a_sentence

from .findings import ExaminationSection, examination_section
from .models import IntakeSubmission
from .summary import VisitSummary, build_summary


@contextmanager
def clinic_language() -> Iterator[str]:
    """Inside this block the clinic's language is active (for a whole document, the PDF)."""
    with translation.override(settings.CLINIC_LANGUAGE):
        yield settings.CLINIC_LANGUAGE


def summary_in_clinic_language(submission: IntakeSubmission) -> VisitSummary:
    """`build_summary(submission)` with every label and answer choice in the clinic's language."""
    with clinic_language():
        return build_summary(submission)


def examination_in_clinic_language(submission: IntakeSubmission) -> ExaminationSection | None:
    """`examination_section(submission)` (staff only) with its labels in the clinic's language."""
    with clinic_language():
        return examination_section(submission)


def clinic_language_context() -> dict:
    """Context for intake/summary.html: the clinic's language code and its name (lazy, so it is
    written in the reader's language where the page names it)."""
    return {
        "clinic_language": settings.CLINIC_LANGUAGE,
        "clinic_language_name": language_name_in_a_sentence(settings.CLINIC_LANGUAGE),
    }


def in_clinic_language(response: HttpResponse) -> HttpResponse:
    """Say in the headers that a whole document is in the clinic's language (LocaleMiddleware
    would otherwise name the reader's)."""
    response["Content-Language"] = settings.CLINIC_LANGUAGE
    return response
