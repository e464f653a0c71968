"""CSV export of sent submissions for clinic staff: one row per submission, streamed.

Repeating groups (medicines, injuries, tests) are summarised in one cell each, rows separated by
" | ". The file is built while it downloads (a generator over `iterator(chunk_size=...)` with the
rows prefetched per chunk), so a large export needs neither the whole file nor every submission
in memory.

Cells that a spreadsheet would run as a formula are made inert (OWASP "CSV Injection"): a cell
that begins with =, +, -, @, a tab or a carriage return gets a leading apostrophe. Patients type
free text, so this matters.
"""

import csv
import logging
from collections.abc import Callable, Iterator

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .answers import reading, row_lines, staff_label
from .models import IntakeSubmission
from .questions import Kind, Question, Step, row_steps, submission_questions
from .triage import triage

logger = logging.getLogger(__name__)

#: Submissions fetched (with their rows) per database round trip.
EXPORT_CHUNK_SIZE = 200

#: What the clinic recorded, first; then the patient's answers in the order of the form.
STAFF_COLUMNS = (
    "reference",
    "status",
    "sent_at",
    "urgency_tier",
    "urgent_carry_on_at",
    "sarc_f_total",
)
REVIEW_COLUMNS = ("reviewed_by", "reviewed_at", "staff_note")

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """`value` made inert for spreadsheets: a leading apostrophe if it could start a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _field_label(name: str) -> str:
    return capfirst(str(IntakeSubmission._meta.get_field(name).verbose_name))


def answer_columns(steps=None) -> list[Question]:
    """Every question stored on the submission, asked today or by older forms, in form order.

    A column means the same on every row, so a derived answer keeps its own: "Full name" is
    filled for every form (older ones have nothing else), beside "Given names" and "Family
    name", which only newer forms hold; a spreadsheet sorts and matches names on that one column.
    """
    return [question for _step, question in submission_questions(steps)]


def header_row(steps=None) -> list[str]:
    return [
        *(_field_label(name) for name in STAFF_COLUMNS),
        _("Urgent signs"),
        *(staff_label(question) for question in answer_columns(steps)),
        *(str(step.summary_title or step.title) for step in row_steps(steps)),
        *(_field_label(name) for name in REVIEW_COLUMNS),
    ]


def _cell(submission: IntakeSubmission, name: str) -> str:
    """A column the clinic recorded (not an answer)."""
    value = getattr(submission, name)
    if name == "reviewed_by":
        return value.get_username() if value else ""
    field = IntakeSubmission._meta.get_field(name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "tzinfo"):  # a datetime: the clinic's local time, to the minute
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def answer_cell(question: Question, record) -> str:
    """An answer for a spreadsheet: dates as 2026-03-14 (a month as 2026-03), lists separated
    by "; "."""
    value = getattr(record, question.slug)
    if question.kind == Kind.DATE and value:
        return value.isoformat()
    if question.kind == Kind.MONTH_YEAR and value:
        return value.strftime("%Y-%m")
    if question.kind == Kind.NUMBER:
        return "" if value is None else str(value)
    text = reading(question, record)
    return "; ".join(text) if isinstance(text, list) else text


def rows_cell(step: Step, submission: IntakeSubmission) -> str:
    """A repeating step's rows in one cell, " | " between rows: "Atorvastatin, dose: 20 mg"."""
    summaries = []
    for row in getattr(submission, step.rows.related_name).all():
        parts = []
        for line in row_lines(step, row):
            text = answer_cell(line.question, row)
            if line.question.slug == step.rows.main:
                parts.append(text)
            elif text:
                parts.append(f"{staff_label(line.question, step.rows.model).lower()}: {text}")
        summaries.append(", ".join(parts))
    return " | ".join(summaries)


def submission_row(submission: IntakeSubmission, steps=None) -> list[str]:
    """One CSV row for a submission (its rows prefetched), every cell made spreadsheet-safe."""
    cells = [
        *(_cell(submission, name) for name in STAFF_COLUMNS),
        "; ".join(finding.clinician for finding in triage(submission).findings),
        *(answer_cell(question, submission) for question in answer_columns(steps)),
        *(rows_cell(step, submission) for step in row_steps(steps)),
        *(_cell(submission, name) for name in REVIEW_COLUMNS),
    ]
    return [csv_safe(cell) for cell in cells]


def export_queryset(queryset: QuerySet) -> QuerySet:
    """The queryset with what each row needs, fetched a chunk at a time."""
    return queryset.select_related("reviewed_by").prefetch_related(
        "medicines", "injuries", "tests_done"
    )


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    queryset: QuerySet,
    *,
    exported_by=None,
    chunk_size: int = EXPORT_CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """The export as CSV text, line by line; nothing is queried until the first line is read.

    Starts with a UTF-8 byte-order mark so spreadsheet programs read accented names correctly.
    Logs who exported how many rows (never what they contained). `progress(rows so far)` is
    called after each chunk (the background export shows it, intake/export_jobs.py).
    """
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header_row())
    count = 0
    for submission in export_queryset(queryset).iterator(chunk_size=chunk_size):
        count += 1
        yield writer.writerow(submission_row(submission))
        if progress is not None and count % chunk_size == 0:
            progress(count)
    if progress is not None:
        progress(count)
    logger.info(
        "intake.csv_export user_id=%s rows=%d",
        getattr(exported_by, "pk", None),
        count,
    )
