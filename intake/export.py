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
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .models import (
    BodyRegion,
    Condition,
    HardActivity,
    IntakeSubmission,
    OtherSymptom,
    SuggestedQuestion,
    UrgentSymptom,
)
from .triage import triage

logger = logging.getLogger(__name__)

#: Submissions fetched (with their rows) per database round trip.
EXPORT_CHUNK_SIZE = 200

#: The JSON list fields and the choices their codes come from.
LIST_FIELD_CHOICES = {
    "weakness_regions": BodyRegion,
    "urgent_symptoms": UrgentSymptom,
    "long_standing_symptoms": UrgentSymptom,
    "other_symptoms": OtherSymptom,
    "hard_activities": HardActivity,
    "conditions": Condition,
    "suggested_questions": SuggestedQuestion,
}

#: What the clinic recorded, first; then the patient's answers in the order of the form.
STAFF_COLUMNS = (
    "reference",
    "status",
    "sent_at",
    "urgency_tier",
    "urgent_carry_on_at",
    "sarc_f_total",
)
ANSWER_COLUMNS = (
    "filled_by",
    "helper_name",
    "helper_relationship",
    "full_name",
    "date_of_birth",
    "phone",
    "email",
    "appointment_date",
    "clinician",
    "visit_reason",
    "interpreter_needed",
    "interpreter_language",
    "access_needs",
    "weakness_regions",
    "weakness_side",
    "started_when",
    "started_details",
    "onset",
    "course",
    "spreading",
    "walking_change",
    "weakness_limit",
    "weakness_score",
    "urgent_symptoms",
    "long_standing_symptoms",
    "other_symptoms",
    "hard_activities",
    "sarc_f_strength",
    "sarc_f_walking",
    "sarc_f_chair",
    "sarc_f_stairs",
    "sarc_f_falls",
    "conditions",
    "conditions_other",
    "family_history_known",
    "family_history",
    "takes_statin",
    "statin_started",
    "takes_steroid",
    "surgeries",
    "allergies",
    "activity_level",
    "sitting_hours",
    "exercise_days_per_week",
    "recent_immobilisation",
    "recent_immobilisation_details",
    "alcohol_drinks_per_week",
    "appetite",
    "unplanned_weight_loss",
    "unplanned_weight_loss_amount",
    "questions",
    "suggested_questions",
)
REVIEW_COLUMNS = ("reviewed_by", "reviewed_at", "staff_note")

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """`value` made inert for spreadsheets: a leading apostrophe if it could start a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def choice_labels(choices, codes: Iterable[str]) -> list[str]:
    """Labels for stored choice codes, in the given order; unknown codes are kept as they are."""
    labels = dict(choices.choices)
    return [str(labels.get(code, code)) for code in codes or ()]


def _field_label(name: str) -> str:
    return capfirst(str(IntakeSubmission._meta.get_field(name).verbose_name))


def header_row() -> list[str]:
    return [
        *(_field_label(name) for name in STAFF_COLUMNS),
        _("Urgent signs"),
        *(_field_label(name) for name in ANSWER_COLUMNS),
        _("Medicines"),
        _("Injuries"),
        _("Tests done"),
        *(_field_label(name) for name in REVIEW_COLUMNS),
    ]


def _cell(submission: IntakeSubmission, name: str) -> str:
    value = getattr(submission, name)
    if name in LIST_FIELD_CHOICES:
        return "; ".join(choice_labels(LIST_FIELD_CHOICES[name], value))
    if name == "reviewed_by":
        return value.get_username() if value else ""
    field = IntakeSubmission._meta.get_field(name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if hasattr(value, "tzinfo"):  # a datetime: the clinic's local time, to the minute
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _join(*parts: str) -> str:
    return ", ".join(part for part in parts if part)


def medicines_cell(submission: IntakeSubmission) -> str:
    return " | ".join(
        _join(medicine.name, medicine.dose, medicine.frequency)
        for medicine in submission.medicines.all()
    )


def injuries_cell(submission: IntakeSubmission) -> str:
    summaries = []
    for injury in submission.injuries.all():
        still = injury.get_still_troubling_display() if injury.still_troubling else ""
        summaries.append(
            _join(
                f"{injury.body_part} ({injury.when})" if injury.when else injury.body_part,
                injury.what_happened,
                _("treatment: %(treatment)s") % {"treatment": injury.treatment}
                if injury.treatment
                else "",
                _("still troubling: %(answer)s") % {"answer": still} if still else "",
            )
        )
    return " | ".join(summaries)


def tests_cell(submission: IntakeSubmission) -> str:
    """Only the tests the patient has had (or is not sure about); "no" rows say nothing new."""
    summaries = []
    for test in submission.tests_done.all():
        if not test.done or test.done == "no":
            continue
        summaries.append(
            _join(
                f"{test.get_test_type_display()}: {test.get_done_display()}",
                test.when,
                test.where,
            )
        )
    return " | ".join(summaries)


def submission_row(submission: IntakeSubmission) -> list[str]:
    """One CSV row for a submission (its rows prefetched), every cell made spreadsheet-safe."""
    cells = [
        *(_cell(submission, name) for name in STAFF_COLUMNS),
        "; ".join(finding.clinician for finding in triage(submission).findings),
        *(_cell(submission, name) for name in ANSWER_COLUMNS),
        medicines_cell(submission),
        injuries_cell(submission),
        tests_cell(submission),
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
    queryset: QuerySet, *, exported_by=None, chunk_size: int = EXPORT_CHUNK_SIZE
) -> Iterator[str]:
    """The export as CSV text, line by line; nothing is queried until the first line is read.

    Starts with a UTF-8 byte-order mark so spreadsheet programs read accented names correctly.
    Logs who exported how many rows (never what they contained).
    """
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header_row())
    count = 0
    for submission in export_queryset(queryset).iterator(chunk_size=chunk_size):
        count += 1
        yield writer.writerow(submission_row(submission))
    logger.info(
        "intake.csv_export user_id=%s rows=%d",
        getattr(exported_by, "pk", None),
        count,
    )
