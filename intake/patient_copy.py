"""The patient's own copy: a short page of what they told the clinic, in their own language.

The visit summary is the doctor's document, always in the clinic's language (intake/languages.py).
A patient who filled in the form in Spanish could not read it, so she also gets her own copy: the
reference, the dates, her answers worded as she read the questions (the "Check your answers"
machinery of intake/answers.py), what happens next and when to get help. It leaves out what is
only for the doctor: the key points, the urgency tier in clinician wording and the examiner's
findings.

`build_patient_copy(submission, language=...)` reads every label, choice and date under
`translation.override(language)`, so the copy needs nothing but a template; the page and its PDF
(intake/summary_views.py) render that template under the same override, so the page around the
copy (header, footer, urgent signs) is in that language too. The language is the one the form was
filled in (`IntakeSubmission.language`, set as it is saved and sent), unless the reader asks for
another of the site's languages (`copy_language`).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .answers import Line, answer_lines, row_lines, sarc_f_total_for_patient
from .models import IntakeSubmission
from .questions import STEPS, Kind, Step
from .summary import WIDE_ANSWER_CHARACTERS, summary_link_lifetime
from .triage import Triage, triage

#: Questions of the first step that the copy's heading already shows.
HEADING_SLUGS = frozenset(
    {"full_name", "given_names", "family_name", "appointment_date", "clinician"}
)


@dataclass(frozen=True)
class CopyAnswer:
    """One answer as the patient reads it: the question's short label and the answer."""

    label: str
    value: str = ""
    items: tuple[str, ...] = ()
    multiline: bool = False

    @property
    def wide(self) -> bool:
        """A long answer, printed across the page under the two columns of short ones (as on
        the summary: WeasyPrint's column balancing is slow with long texts)."""
        return len(self.value) + sum(map(len, self.items)) > WIDE_ANSWER_CHARACTERS


@dataclass(frozen=True)
class CopyRow:
    """One medicine, injury or test: its name, then its other answers."""

    title: str
    answers: tuple[CopyAnswer, ...] = ()


@dataclass(frozen=True)
class CopySection:
    """One page of the form and what the patient answered on it."""

    key: str
    title: str
    answers: tuple[CopyAnswer, ...] = ()
    rows: tuple[CopyRow, ...] = ()
    #: Said when nothing was answered ("No medicines listed.").
    empty_text: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.answers and not self.rows


@dataclass(frozen=True)
class PatientCopy:
    language: str
    reference: str
    full_name: str
    sent_on: date | None
    appointment_date: date | None
    clinician: str
    #: The last day the private link opens the summary and this copy (INTAKE_SUMMARY_DAYS).
    link_until: date | None
    link_days: int
    sections: tuple[CopySection, ...]
    #: The urgent signs in the patient's own wording, for the box the sent page shows too.
    triage: Triage


def copy_language(submission: IntakeSubmission, requested: str = "") -> str:
    """The copy's language: `requested` when it is one of the site's, else the form's language,
    else the language of the current request."""
    languages = dict(settings.LANGUAGES)
    for code in (requested, submission.language):
        if code in languages:
            return code
    return translation.get_language() or settings.LANGUAGE_CODE


def _answer(line: Line) -> CopyAnswer | None:
    """A line of the form as a copy answer; None when it says nothing (not answered)."""
    label = str(line.question.check_label)
    if line.is_list:
        items = tuple(str(item) for item in line.value)
        return CopyAnswer(label, items=items) if items else None
    value = str(line.value).strip()
    if not value:
        return None
    return CopyAnswer(label, value, multiline=line.question.kind == Kind.LONG_TEXT)


def _answers(lines) -> tuple[CopyAnswer, ...]:
    return tuple(answer for answer in map(_answer, lines) if answer is not None)


def copy_section(step: Step, submission: IntakeSubmission) -> CopySection:
    """One step of the form in the patient's words (labels as on their "Check your answers")."""
    if step.rows:
        rows = []
        for row in getattr(submission, step.rows.related_name).all():
            title, *rest = row_lines(step, row) or [None]
            rows.append(
                CopyRow(str(title.value) if title else "", _answers(rest)),
            )
        return CopySection(
            step.slug, str(step.title), rows=tuple(rows), empty_text=str(step.rows.empty_text)
        )
    lines = [
        line for line in answer_lines(step, submission) if line.question.slug not in HEADING_SLUGS
    ]
    answers = _answers(lines)
    if step.slug == "strength_check" and answers:
        total = sarc_f_total_for_patient(submission)
        if total:
            answers += (CopyAnswer(_("Total"), total),)
    return CopySection(step.slug, str(step.title), answers=answers)


def build_patient_copy(submission: IntakeSubmission, *, language: str, steps=None) -> PatientCopy:
    """The patient's copy of a sent submission, every text in `language` (fetch the submission
    with `summary_queryset()` or `load_summary_rows` so its rows cost three queries)."""
    steps = STEPS if steps is None else steps
    lifetime = summary_link_lifetime()
    sent_at = submission.sent_at
    with translation.override(language):
        return PatientCopy(
            language=language,
            reference=submission.reference,
            full_name=submission.full_name,
            sent_on=timezone.localdate(sent_at) if sent_at else None,
            appointment_date=submission.appointment_date,
            clinician=submission.clinician,
            # The last whole day it still opens: it stops at the same time of day it was sent.
            link_until=timezone.localdate(sent_at + lifetime) if sent_at else None,
            link_days=lifetime.days,
            sections=tuple(
                copy_section(step, submission) for step in steps.values() if step.kind != "check"
            ),
            triage=triage(submission),
        )
