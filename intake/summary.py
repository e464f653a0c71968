"""The visit summary: one plain view model built from a stored submission.

`build_summary(submission)` turns an `IntakeSubmission` (with its medicines, injuries and tests)
into a `VisitSummary` made of small frozen dataclasses holding display-ready text. The patient's
summary page, the staff view and any later export all render this one object, so they can never
disagree about what the patient said.

The order follows what a busy doctor needs first: a header (who, when), the key points (urgent
signs, where and how the weakness started, the SARC-F screen, falls, weight loss, injuries,
relevant history and medicines), then every section of the form in the order it was asked, with
"None reported" for an empty section rather than leaving it out.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .answers import Line, answer_lines, is_shown, joined, label_of, reading, staff_label
from .body_map import region_words
from .models import (
    BodyRegion,
    Condition,
    Course,
    FilledBy,
    Injury,
    IntakeSubmission,
    Medicine,
    Onset,
    OtherSymptom,
    Side,
    StartedWhen,
    SuggestedQuestion,
    TestDone,
    UrgencyTier,
    UrgentSymptom,
    WeaknessLimit,
    YesNo,
    YesNoNotSure,
)
from .questions import ABOUT, STEPS, Kind, Step
from .rules import SARC_F_MAX, SARC_F_POSITIVE_FROM, sarc_f_positive, sarc_f_score
from .triage import Triage, triage, weakness_side

# --- The view model -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One answered question: its label and the answer as text, or as a list of choices."""

    label: str
    value: str = ""
    items: tuple[str, ...] = ()
    multiline: bool = False
    #: Show `items` one under another (whole sentences) rather than on one line.
    bulleted: bool = False

    @property
    def wide(self) -> bool:
        """A long answer, printed across the page under the two columns of short answers:
        easier to read, and WeasyPrint's column balancing grows far faster than a long text in
        a column (2,000 characters took 32 s of CPU, past the server's timeout)."""
        return len(self.value) + sum(len(item) for item in self.items) > WIDE_ANSWER_CHARACTERS


#: From how many characters an answer is printed full width (about three lines of a column).
WIDE_ANSWER_CHARACTERS = 160


@dataclass(frozen=True)
class SummaryTable:
    """Repeating rows (medicines, injuries, tests) as a plain table of text cells."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def labelled_rows(self) -> tuple[tuple[tuple[str, str], ...], ...]:
        """Each row as (column, cell) pairs, so a narrow screen can label every cell."""
        return tuple(tuple(zip(self.columns, row, strict=True)) for row in self.rows)


@dataclass(frozen=True)
class SummarySection:
    """One step of the form: its answered questions and, for repeating groups, a table."""

    key: str
    title: str
    answers: tuple[Answer, ...] = ()
    table: SummaryTable | None = None

    @property
    def is_empty(self) -> bool:
        return not self.answers and not (self.table and self.table.rows)


@dataclass(frozen=True)
class KeyPoint:
    """One line of the key points box; `attention` marks what the doctor should not miss."""

    label: str
    text: str
    attention: bool = False
    #: Lines shown one under another after `text` (one injury, one question, each on its own).
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyPoints:
    #: The urgency tier (intake/triage.py) and its findings in clinician wording, most urgent first.
    tier: UrgencyTier
    urgent_signs: tuple[str, ...]
    points: tuple[KeyPoint, ...]
    #: The patient carried on past the emergency page, saying a doctor already knows ("" if not).
    carry_on: str = ""

    @property
    def tier_label(self) -> str:
        return str(self.tier.label)


@dataclass(frozen=True)
class SummaryHeader:
    full_name: str
    date_of_birth: date | None
    age: int | None
    #: True when the age is counted on the appointment date, False when on the day of viewing.
    age_on_appointment: bool
    appointment_date: date | None
    clinician: str
    sent_on: date | None
    reference: str
    status: str
    is_draft: bool
    visit_reason: str
    phone: str = ""
    email: str = ""
    #: "Jane Example (daughter)" when someone helped the patient fill in the form.
    filled_in_by: str = ""
    #: "Spanish" when the patient needs an interpreter ("Yes" when no language was given).
    interpreter: str = ""
    access_needs: str = ""
    #: The language the patient filled the form in, named in the summary's language ("Spanish");
    #: empty when it is the clinic's language (settings.CLINIC_LANGUAGE) or not known.
    patient_language: str = ""
    #: Other answers of the first step, which the header has no place of its own for.
    more: tuple["Answer", ...] = ()


@dataclass(frozen=True)
class VisitSummary:
    header: SummaryHeader
    key_points: KeyPoints
    sections: tuple[SummarySection, ...] = field(default_factory=tuple)
    #: The body map as stored ({region code: how weak}), drawn beside the symptoms; {} if none.
    body_map: dict = field(default_factory=dict)


# --- Small rules --------------------------------------------------------------------------------


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on `day` (a birthday on 29 February counts from 1 March)."""
    return (
        day.year
        - date_of_birth.year
        - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))
    )


#: Medicines that weaken muscles, by generic name (and a few common brand names), lower case.
#: Corticosteroids cause steroid myopathy (hips, thighs, upper arms) at high doses or long use;
#: statins cause muscle aches and, rarely, muscle damage. Sources: our Learn page "Other causes
#: of muscle loss" (/learn/other-causes/), after NHS "Steroids"
#: (https://www.nhs.uk/conditions/steroids/) and Mayo Clinic "Rhabdomyolysis from statins:
#: what's the risk?"; Stroes ES et al., Statin-associated muscle symptoms, Eur Heart J
#: 2015;36(17):1012-1022. A name list cannot be complete; the full medicines table is always shown.
STEROID_NAMES = (
    "prednisone",
    "prednisolone",
    "methylprednisolone",
    "dexamethasone",
    "hydrocortisone",
    "cortisone",
    "betamethasone",
    "triamcinolone",
    "deflazacort",
    "fludrocortisone",
    "budesonide",
    "medrol",
    "deltasone",
)
STATIN_NAMES = (
    "atorvastatin",
    "simvastatin",
    "rosuvastatin",
    "pravastatin",
    "lovastatin",
    "fluvastatin",
    "pitavastatin",
    "lipitor",
    "zocor",
    "crestor",
    "pravachol",
)


def _name_pattern(names: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE)


_STEROID = _name_pattern(STEROID_NAMES)
_STATIN = _name_pattern(STATIN_NAMES)


def medicine_kind(name: str) -> str:
    """ "steroid", "statin" or "" for a medicine name as the patient typed it.

    Matches whole words, so "Prednisolone 5 mg tablets" and "Lipitor (atorvastatin)" are found
    and a spelling the list does not know is simply not flagged.
    """
    if _STEROID.search(name):
        return "steroid"
    if _STATIN.search(name):
        return "statin"
    return ""


def _kind_label(kind: str) -> str:
    return {"steroid": _("Steroid"), "statin": _("Statin")}.get(kind, "")


def summary_link_lifetime() -> timedelta:
    """How long after sending the patient's own summary link works (INTAKE_SUMMARY_DAYS, 30).

    One setting for the private link of a sent form and its summary: see
    intake.tokens.sent_link_lifetime, which reads the same one.
    """
    return timedelta(days=getattr(settings, "INTAKE_SUMMARY_DAYS", 30))


def summary_link_expired(submission: IntakeSubmission, now=None) -> bool:
    """Whether the patient's access to this sent submission's summary has run out.

    Staff access never expires; this only guards the patient's private link and session.
    """
    if submission.sent_at is None:
        return False
    return (now or timezone.now()) >= submission.sent_at + summary_link_lifetime()


# --- Labels -------------------------------------------------------------------------------------


def _choice_list(choices, values: Iterable[str]) -> tuple[str, ...]:
    return tuple(label_of(choices, v) for v in values or ())


def _answers(*candidates: Answer) -> tuple[Answer, ...]:
    """Only the questions the patient answered; a summary is no place for empty lines."""
    return tuple(a for a in candidates if a.value.strip() or a.items)


def sarc_f_reading(score: int | None) -> str:
    """The SARC-F total in words for the doctor: 4 or more is a positive screen.

    Source: Malmstrom TK, Morley JE. J Am Med Dir Assoc. 2013;14(8):531-532 (see intake.rules).
    """
    if score is None:
        return _("Not completed")
    values = {"score": score, "max": SARC_F_MAX, "cutoff": SARC_F_POSITIVE_FROM}
    if sarc_f_positive(score):
        return _("%(score)s out of %(max)s: positive screen for sarcopenia") % values
    return _("%(score)s out of %(max)s: negative screen (below %(cutoff)s)") % values


# --- Key points ---------------------------------------------------------------------------------


def build_key_points(
    submission: IntakeSubmission,
    *,
    medicines: Sequence[Medicine] = (),
    injuries: Sequence[Injury] = (),
) -> KeyPoints:
    """The few facts a doctor reads first, in a fixed order, each with `attention` when notable.

    Works on an unsaved submission with plain lists of rows, so it is tested without a database.
    What is flagged, and why:
    - urgent signs: `intake.rules.urgent_signs` (../shared/reference/urgent-signs.md);
    - weakness on one side only, and sudden onset: asymmetric or sudden weakness points to a
      nerve or brain cause rather than a muscle one (Saguil A. Evaluation of the patient with
      muscle weakness. Am Fam Physician. 2005;71(7):1327-1336);
    - a SARC-F total of 4 or more (Malmstrom & Morley 2013);
    - any fall in the past year and unplanned weight loss (both are SARC-F / EWGSOP2 warning
      signs for sarcopenia, Cruz-Jentoft AJ et al. Age Ageing 2019;48(1):16-31);
    - steroids and statins, which can weaken muscles (see `medicine_kind`).
    """
    none = _("None reported")
    points: list[KeyPoint] = []

    # Where, and which side: the body map, or on older forms the regions and side chosen.
    side_code = weakness_side(submission)
    one_sided = side_code in (Side.LEFT, Side.RIGHT)
    if submission.weakness_map:
        regions = ", ".join(region_words(submission.weakness_map))
        side = label_of(Side, side_code) if one_sided else ""
    else:
        regions = "; ".join(_choice_list(BodyRegion, submission.weakness_regions))
        side = label_of(Side, submission.weakness_side)
    if regions or side:
        if one_sided:
            side = _("%(side)s only") % {"side": side}
        text = " – ".join(part for part in (regions, side) if part)
    else:
        text = none
    points.append(KeyPoint(_("Weakness"), text, attention=one_sided))

    # Onset and course.
    started = label_of(StartedWhen, submission.started_when)
    if submission.started_details:
        started = (
            f"{started} ({submission.started_details})" if started else submission.started_details
        )
    onset = label_of(Onset, submission.onset)
    course = label_of(Course, submission.course)
    text = " · ".join(part for part in (started, onset, course) if part) or _("Not answered")
    fast = submission.onset in (Onset.MINUTES_HOURS, Onset.DAYS) or submission.course in (
        Course.WORSE_WEEKLY,
    )
    points.append(KeyPoint(_("Onset and course"), text, attention=fast))

    points.append(weakness_limit_point(submission))

    score = sarc_f_score(**submission.sarc_f_answers)
    points.append(KeyPoint(_("SARC-F"), sarc_f_reading(score), attention=sarc_f_positive(score)))

    # Falls: the SARC-F falls item counts them; the symptom list may mention them too.
    falls_item = submission.sarc_f_falls
    falls_symptom = OtherSymptom.FALLS in (submission.other_symptoms or ())
    if falls_item in (1, 2):
        text = (
            _("1 to 3 falls in the past year")
            if falls_item == 1
            else _("4 or more falls in the past year")
        )
        if falls_symptom:
            text += "; " + _("falls or tripping listed as a symptom")
    elif falls_symptom:
        text = _("Falls or tripping listed as a symptom")
    elif falls_item == 0:
        text = _("No falls in the past year")
    else:
        text = _("Not answered")
    points.append(KeyPoint(_("Falls"), text, attention=bool(falls_item) or falls_symptom))

    # Unplanned weight loss.
    loss = submission.unplanned_weight_loss
    loss_symptom = OtherSymptom.WEIGHT_LOSS in (submission.other_symptoms or ())
    amount = submission.unplanned_weight_loss_amount
    if loss == YesNoNotSure.YES:
        text = _("Yes") + (f": {amount}" if amount else "")
    elif loss:
        text = label_of(YesNoNotSure, loss)
        if loss_symptom:
            text += "; " + _("weight loss listed as a symptom")
    elif loss_symptom:
        text = _("Weight loss listed as a symptom")
    else:
        text = _("Not answered")
    points.append(
        KeyPoint(
            _("Unplanned weight loss"), text, attention=loss == YesNoNotSure.YES or loss_symptom
        )
    )

    # Injuries: each one in a line (where, when, what happened, what was done), so the doctor
    # reads the injury itself, not a count; the table follows with every detail.
    points.append(
        KeyPoint(
            _("Injuries"),
            "" if injuries else none,
            items=tuple(injury_line(i) for i in injuries),
        )
    )

    # Allergies, as typed: shown first for safety, never read by a rule.
    points.append(KeyPoint(_("Allergies"), submission.allergies or _("None reported")))

    # Signs the patient has had for months, known to a doctor: not a tier, but worth a look.
    ticked = set(submission.urgent_symptoms or ())
    long_standing = _choice_list(
        UrgentSymptom, [c for c in submission.long_standing_symptoms or () if c in ticked]
    )
    if long_standing:
        points.append(
            KeyPoint(
                _("Long-standing signs, known to a doctor"),
                "; ".join(long_standing),
                attention=True,
            )
        )

    # Relevant history: every condition on our checklist is a cause we teach. Family history
    # counts only when the patient answered Yes; what they typed is shown, never read.
    history = list(_conditions(submission))
    if submission.family_history_known == YesNoNotSure.YES:
        history.append(
            joined(_("family history of muscle or nerve disease"), submission.family_history)
        )
    # Attention from ticked boxes and a Yes only: "Something else" is shown as typed.
    flagged = bool(submission.conditions) or submission.family_history_known == YesNoNotSure.YES
    points.append(KeyPoint(_("Relevant history"), "; ".join(history) or none, attention=flagged))

    points.append(_muscle_medicines_point(submission, medicines))

    # The patient's own questions, on the first page where the doctor starts reading.
    asked = [*_choice_list(SuggestedQuestion, submission.suggested_questions)]
    asked += [line.strip() for line in submission.questions.splitlines() if line.strip()]
    points.append(KeyPoint(_("The patient's questions"), "" if asked else none, items=tuple(asked)))

    result = triage(submission)
    return KeyPoints(
        tier=result.tier,
        urgent_signs=tuple(f.clinician for f in result.findings),
        points=tuple(points),
        carry_on=carry_on_wording(submission, result),
    )


def _muscle_medicines_point(submission: IntakeSubmission, medicines: Sequence[Medicine]):
    """Statins and steroids, flagged from the patient's Yes only.

    The medicine names the patient typed are shown beside the answer when our list knows them
    (see `medicine_kind`), as a pointer for the doctor, never as a flag.
    """
    answers = []
    for label, value in (
        (_("Statin"), submission.takes_statin),
        (_("Steroid tablets or injections"), submission.takes_steroid),
    ):
        if value:
            answers.append(f"{label}: {label_of(YesNoNotSure, value).lower()}")
    if submission.takes_statin == YesNoNotSure.YES and submission.statin_started:
        answers[0] += " " + _("(started %(month)s)") % {
            "month": date_format(submission.statin_started, "YEAR_MONTH_FORMAT")
        }
    if statin_started_before_new_weakness(submission):
        answers.append(_("statin started in the last 6 months, and the weakness is new"))
    named = [
        f"{m.name} ({_kind_label(medicine_kind(m.name)).lower()}"
        + (
            ", " + _("started %(month)s") % {"month": date_format(m.started, "YEAR_MONTH_FORMAT")}
            if m.started
            else ""
        )
        + ")"
        for m in medicines
        if medicine_kind(m.name)
    ]
    text = "; ".join(answers) or _("Not answered")
    if named:
        text += " · " + _("named in the medicines list: %(names)s") % {"names": ", ".join(named)}
    return KeyPoint(
        _("Steroids or statins"),
        text,
        attention=YesNoNotSure.YES in (submission.takes_statin, submission.takes_steroid),
    )


#: A statin started this recently, with new weakness, is worth the doctor's first look.
STATIN_RECENT_MONTHS = 6


def statin_started_before_new_weakness(submission: IntakeSubmission, today=None) -> bool:
    """The patient started a statin in the last 6 months and their weakness is new (started
    in the last few days, weeks or months), from the structured answers only.

    Statin muscle symptoms usually begin within weeks to months of starting a statin or raising
    its dose (Stroes ES et al., Statin-associated muscle symptoms, Eur Heart J
    2015;36(17):1012-1022; NHS "Statins: side effects").
    """
    started = submission.statin_started
    if submission.takes_statin != YesNoNotSure.YES or started is None:
        return False
    today = today or timezone.localdate()
    months_ago = (today.year - started.year) * 12 + today.month - started.month
    new_weakness = submission.started_when in (
        StartedWhen.DAYS,
        StartedWhen.WEEKS,
        StartedWhen.MONTHS,
    )
    return 0 <= months_ago <= STATIN_RECENT_MONTHS and new_weakness


def weakness_limit_point(submission: IntakeSubmission) -> KeyPoint:
    """How much the weakness limits the patient; marked when they need help or cannot move the
    weak part. Forms sent before the worded question show their 0 to 10 score instead."""
    if submission.weakness_limit:
        text = label_of(WeaknessLimit, submission.weakness_limit)
    elif submission.weakness_score is not None:
        text = _("%(score)s out of 10 (older form's score)") % {"score": submission.weakness_score}
    else:
        text = _("Not answered")
    severe = submission.weakness_limit in (WeaknessLimit.A_LOT, WeaknessLimit.CANNOT_MOVE)
    return KeyPoint(_("How much it limits"), text, attention=severe)


def filled_in_by(submission: IntakeSubmission) -> str:
    """Who filled in the form, when it was not the patient: "Jane Example (daughter)"."""
    if submission.filled_by != FilledBy.HELPER:
        return ""
    name = submission.helper_name or _("someone helping the patient")
    relationship = submission.helper_relationship
    return f"{name} ({relationship})" if relationship else name


def injury_line(injury: Injury) -> str:
    """One injury in one line: "Right hip (2023): fell and broke it; treated: hip screw; still
    troubling: sometimes"."""
    where = f"{injury.body_part} ({injury.when})" if injury.when else injury.body_part
    parts = [injury.what_happened.strip()]
    if injury.treatment.strip():
        parts.append(_("treated: %(treatment)s") % {"treatment": injury.treatment.strip()})
    if injury.still_troubling:
        parts.append(
            _("still troubling: %(answer)s")
            % {"answer": label_of(Injury.StillTroubling, injury.still_troubling).lower()}
        )
    details = "; ".join(part for part in parts if part)
    return f"{where}: {details}" if details else where


def carry_on_wording(submission: IntakeSubmission, result: Triage | None = None) -> str:
    """The patient's choice on the emergency page, for staff ("" when they never saw it)."""
    if not submission.urgent_carry_on_at:
        return ""
    result = result or triage(submission)
    current = {finding.code: finding.clinician for finding in result.findings}
    signs = [current.get(code, code.replace("_", " ")) for code in submission.urgent_carry_on_signs]
    when = timezone.localtime(submission.urgent_carry_on_at)
    return _(
        "Saw the emergency page and carried on (%(when)s), saying a doctor already knows "
        "about: %(signs)s"
    ) % {"when": when.strftime("%Y-%m-%d %H:%M"), "signs": "; ".join(signs) or "–"}


# --- Sections, generated from the question definition ---------------------------------------

#: The questions of the first step the header shows in its own places (the name as one line,
#: made from its parts on newer forms: the heading a doctor reads).
HEADER_SLUGS = frozenset(
    {
        "full_name",
        "given_names",
        "family_name",
        "date_of_birth",
        "appointment_date",
        "clinician",
        "visit_reason",
        "phone",
        "email",
        "filled_by",
        "helper_name",
        "helper_relationship",
        "interpreter_needed",
        "interpreter_language",
        "access_needs",
    }
)


def _staff_answer(line: Line) -> Answer:
    question = line.question
    if line.is_list:
        return Answer(staff_label(question), items=tuple(line.value), bulleted=question.bulleted)
    return Answer(staff_label(question), line.value, multiline=question.kind == Kind.LONG_TEXT)


def header_extras(submission: IntakeSubmission, step: Step = ABOUT) -> tuple[Answer, ...]:
    """Answers of the header's step that the header has no place of its own for."""
    return _answers(
        *(
            _staff_answer(line)
            for line in answer_lines(step, submission)
            if line.question.slug not in HEADER_SLUGS
        )
    )


def _rows_table(step: Step, rows: Sequence) -> SummaryTable:
    """A repeating step's rows as a table: a column per question asked today, or answered."""
    definition = step.rows
    columns = [
        q
        for q in definition.questions
        if q.asked or any(is_shown(q, row, reading(q, row)) for row in rows)
    ]
    cells = tuple(
        tuple(
            "" if getattr(row, q.slug) in q.unremarkable else str(reading(q, row)) for q in columns
        )
        for row in rows
    )
    return SummaryTable(
        str(definition.caption),
        tuple(staff_label(q, definition.model) for q in columns),
        cells,
    )


def _medicines_table(step: Step, medicines: Sequence[Medicine]) -> SummaryTable:
    """The medicines, with a note beside the ones our list knows affect muscles."""
    table = _rows_table(step, medicines)
    kinds = [medicine_kind(m.name) for m in medicines]
    if not any(kinds):
        return table
    return SummaryTable(
        table.caption,
        (*table.columns, _("Note")),
        tuple((*row, _kind_label(kind)) for row, kind in zip(table.rows, kinds, strict=True)),
    )


def section_for(step: Step, submission: IntakeSubmission, rows: Sequence = ()) -> SummarySection:
    """One step of the form as a summary section: its answered questions, or its rows' table."""
    title = str(step.summary_title or step.title)
    if step.kind == "medicines":
        return SummarySection(step.slug, title, table=_medicines_table(step, rows))
    if step.kind == "tests":
        # Older forms said No for tests not had: a line, not rows of a table.
        not_had = tuple(
            reading(step.rows.question("test_type"), t) for t in rows if t.done == YesNoNotSure.NO
        )
        had = [t for t in rows if t.done != YesNoNotSure.NO]
        return SummarySection(
            step.slug,
            title,
            answers=_answers(Answer(_("Not had"), items=not_had)),
            table=_rows_table(step, had),
        )
    if step.rows:
        return SummarySection(step.slug, title, table=_rows_table(step, rows))
    answers = [_staff_answer(line) for line in answer_lines(step, submission)]
    if step.slug == "strength_check" and any(a.value for a in answers):
        answers.append(
            Answer(_("Total"), sarc_f_reading(sarc_f_score(**submission.sarc_f_answers)))
        )
    return SummarySection(step.slug, title, _answers(*answers))


def _conditions(s: IntakeSubmission) -> tuple[str, ...]:
    """Ticked conditions, with the patient's own words in place of "Something else"."""
    labels = []
    for code in s.conditions or ():
        if code == Condition.OTHER and s.conditions_other:
            continue
        labels.append(label_of(Condition, code))
    if s.conditions_other:
        labels.append(s.conditions_other)
    return tuple(labels)


# --- The whole summary --------------------------------------------------------------------------


def _row_prefetches() -> tuple[Prefetch, ...]:
    return (
        Prefetch("medicines", queryset=Medicine.objects.order_by("position", "pk")),
        Prefetch("injuries", queryset=Injury.objects.order_by("position", "pk")),
        Prefetch("tests_done", queryset=TestDone.objects.order_by("position", "pk")),
    )


def summary_queryset():
    """Submissions with every row the summary shows, in three extra queries whatever the count."""
    return IntakeSubmission.objects.prefetch_related(*_row_prefetches())


def load_summary_rows(submission: IntakeSubmission) -> IntakeSubmission:
    """Fetch an already loaded submission's rows in three queries, whatever their number."""
    prefetch_related_objects([submission], *_row_prefetches())
    return submission


def build_summary(
    submission: IntakeSubmission, *, today: date | None = None, steps=None
) -> VisitSummary:
    """The visit summary of one submission (fetch it with `summary_queryset()` to save queries).

    The age is counted on the appointment date when there is one, otherwise on `today`.
    """
    today = today or timezone.localdate()
    steps = STEPS if steps is None else steps
    medicines = list(submission.medicines.all())
    injuries = list(submission.injuries.all())

    dob = submission.date_of_birth
    age_day = submission.appointment_date or today
    header = SummaryHeader(
        full_name=submission.full_name,
        date_of_birth=dob,
        age=age_on(dob, age_day) if dob and dob <= age_day else None,
        age_on_appointment=submission.appointment_date is not None,
        appointment_date=submission.appointment_date,
        clinician=submission.clinician,
        sent_on=timezone.localdate(submission.sent_at) if submission.sent_at else None,
        reference=submission.reference,
        status=submission.get_status_display(),
        is_draft=submission.is_draft,
        visit_reason=submission.visit_reason,
        phone=str(submission.phone) if submission.phone else "",
        email=submission.email,
        filled_in_by=filled_in_by(submission),
        interpreter=(
            submission.interpreter_language or _("Yes")
            if submission.interpreter_needed == YesNo.YES
            else ""
        ),
        access_needs=submission.access_needs,
        patient_language=(
            submission.get_language_display()
            if submission.language and submission.language != settings.CLINIC_LANGUAGE
            else ""
        ),
        more=header_extras(submission, next(s for s in steps.values() if s.on_summary == "header")),
    )
    return VisitSummary(
        body_map=dict(submission.weakness_map or {}),
        header=header,
        key_points=build_key_points(submission, medicines=medicines, injuries=injuries),
        sections=tuple(
            section_for(
                step,
                submission,
                getattr(submission, step.rows.related_name).all() if step.rows else (),
            )
            for step in steps.values()
            if step.on_summary == "section"
        ),
    )
