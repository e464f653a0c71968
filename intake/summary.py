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
from django.dispatch import Signal
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .answers import sign_labels
from .models import (
    ActivityLevel,
    Appetite,
    BodyRegion,
    Condition,
    Course,
    FilledBy,
    HardActivity,
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
    WalkingChange,
    WeaknessLimit,
    YesNo,
    YesNoNotSure,
)
from .rules import SARC_F_MAX, SARC_F_POSITIVE_FROM, sarc_f_positive, sarc_f_score
from .triage import Triage, triage

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


@dataclass(frozen=True)
class VisitSummary:
    header: SummaryHeader
    key_points: KeyPoints
    sections: tuple[SummarySection, ...] = field(default_factory=tuple)


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


def _choice(choices, value: str) -> str:
    """The human label of a stored choice code ('' stays '', an unknown code shows as is)."""
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _choice_list(choices, values: Iterable[str]) -> tuple[str, ...]:
    return tuple(_choice(choices, v) for v in values or ())


def _out_of_ten(value: int | None) -> str:
    return "" if value is None else _("%(score)s out of 10") % {"score": value}


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _joined(*parts: str) -> str:
    """Parts of one answer on one line ("Yes (a cast for 6 weeks)"), skipping empty ones."""
    first, *rest = [p for p in parts if p] or [""]
    return f"{first} ({', '.join(rest)})" if rest else first


def _answers(*candidates: Answer) -> tuple[Answer, ...]:
    """Only the questions the patient answered; a summary is no place for empty lines."""
    return tuple(a for a in candidates if a.value.strip() or a.items)


#: The SARC-F questions, shortened for the doctor, and their answers in the questionnaire's own
#: words by score (Malmstrom & Morley 2013; ../shared/reference/sarc-f.md).
_NONE, _SOME = gettext_lazy("None"), gettext_lazy("Some")
SARC_F_QUESTIONS = (
    (
        "strength",
        gettext_lazy("Lifting 10 lb (4.5 kg)"),
        (_NONE, _SOME, gettext_lazy("A lot or unable")),
    ),
    (
        "walking",
        gettext_lazy("Walking across a room"),
        (_NONE, _SOME, gettext_lazy("A lot, use aids, or unable")),
    ),
    (
        "chair",
        gettext_lazy("Rising from a chair or bed"),
        (_NONE, _SOME, gettext_lazy("A lot or unable without help")),
    ),
    ("stairs", gettext_lazy("Climbing 10 stairs"), (_NONE, _SOME, gettext_lazy("A lot or unable"))),
    (
        "falls",
        gettext_lazy("Falls in the past year"),
        (_NONE, gettext_lazy("1 to 3 falls"), gettext_lazy("4 or more falls")),
    ),
)


def _sarc_f_answer(label: str, words: Sequence[str], score: int | None) -> Answer:
    if score is None:
        return Answer(str(label))
    return Answer(str(label), f"{words[score]} ({score})")


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

    # Where, and which side.
    regions = "; ".join(_choice_list(BodyRegion, submission.weakness_regions))
    side = _choice(Side, submission.weakness_side)
    one_sided = submission.weakness_side in (Side.LEFT, Side.RIGHT)
    if regions or side:
        if one_sided:
            side = _("%(side)s only") % {"side": side}
        text = " – ".join(part for part in (regions, side) if part)
    else:
        text = none
    points.append(KeyPoint(_("Weakness"), text, attention=one_sided))

    # Onset and course.
    started = _choice(StartedWhen, submission.started_when)
    if submission.started_details:
        started = (
            f"{started} ({submission.started_details})" if started else submission.started_details
        )
    onset = _choice(Onset, submission.onset)
    course = _choice(Course, submission.course)
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
        text = _choice(YesNoNotSure, loss)
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
            _joined(_("family history of muscle or nerve disease"), submission.family_history)
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
            answers.append(f"{label}: {_choice(YesNoNotSure, value).lower()}")
    if submission.takes_statin == YesNoNotSure.YES and submission.statin_started:
        answers[0] += " " + _("(started %(month)s)") % {
            "month": date_format(submission.statin_started, "YEAR_MONTH_FORMAT")
        }
    if statin_started_before_new_weakness(submission):
        answers.append(_("statin started in the last 6 months, and the weakness is new"))
    named = [
        f"{m.name} ({_kind_label(medicine_kind(m.name)).lower()})"
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
        text = _choice(WeaknessLimit, submission.weakness_limit)
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
            % {"answer": _choice(Injury.StillTroubling, injury.still_troubling).lower()}
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


# --- Sections -----------------------------------------------------------------------------------


def _symptoms_section(s: IntakeSubmission) -> SummarySection:
    return SummarySection(
        "symptoms",
        _("Symptoms"),
        _answers(
            Answer(_("Where"), items=_choice_list(BodyRegion, s.weakness_regions)),
            Answer(_("Side"), _choice(Side, s.weakness_side)),
            Answer(_("Started"), _joined(_choice(StartedWhen, s.started_when), s.started_details)),
            Answer(_("Onset"), _choice(Onset, s.onset)),
            Answer(_("Course"), _choice(Course, s.course)),
            Answer(_("Spreading over hours or days"), _choice(YesNoNotSure, s.spreading)),
            Answer(_("Walking and standing"), _choice(WalkingChange, s.walking_change)),
            Answer(_("How much it limits"), _choice(WeaknessLimit, s.weakness_limit)),
            Answer(_("Weakness score (older form)"), _out_of_ten(s.weakness_score)),
            Answer(_("Signs that can be urgent"), items=_urgent_symptoms(s)),
            Answer(_("Other symptoms"), items=_choice_list(OtherSymptom, s.other_symptoms)),
            Answer(_("Hard daily activities"), items=_choice_list(HardActivity, s.hard_activities)),
        ),
    )


def _urgent_symptoms(s: IntakeSubmission) -> tuple[str, ...]:
    return tuple(sign_labels(s, _("%(sign)s (long-standing, known to a doctor)")))


def _sarc_f_section(s: IntakeSubmission) -> SummarySection:
    answers = s.sarc_f_answers
    items = [_sarc_f_answer(label, words, answers[key]) for key, label, words in SARC_F_QUESTIONS]
    if any(a.value for a in items):
        items.append(Answer(_("Total"), sarc_f_reading(sarc_f_score(**answers))))
    return SummarySection("sarc-f", _("Quick strength check (SARC-F)"), _answers(*items))


def _conditions(s: IntakeSubmission) -> tuple[str, ...]:
    """Ticked conditions, with the patient's own words in place of "Something else"."""
    labels = []
    for code in s.conditions or ():
        if code == Condition.OTHER and s.conditions_other:
            continue
        labels.append(_choice(Condition, code))
    if s.conditions_other:
        labels.append(s.conditions_other)
    return tuple(labels)


def _history_section(s: IntakeSubmission) -> SummarySection:
    return SummarySection(
        "history",
        _("Medical history"),
        _answers(
            Answer(_("Conditions"), items=_conditions(s)),
            Answer(
                _("Family history"),
                _joined(_choice(YesNoNotSure, s.family_history_known), s.family_history),
                multiline=True,
            ),
            Answer(
                _("Takes a statin"),
                _joined(
                    _choice(YesNoNotSure, s.takes_statin),
                    _("started %(month)s")
                    % {"month": date_format(s.statin_started, "YEAR_MONTH_FORMAT")}
                    if s.statin_started
                    else "",
                ),
            ),
            Answer(
                _("Takes steroid tablets or injections"), _choice(YesNoNotSure, s.takes_steroid)
            ),
            Answer(_("Operations"), s.surgeries, multiline=True),
            Answer(_("Allergies"), s.allergies, multiline=True),
        ),
    )


def _medicines_section(medicines: Sequence[Medicine]) -> SummarySection:
    kinds = [medicine_kind(m.name) for m in medicines]
    columns = [_("Medicine"), _("Dose"), _("How often")]
    if any(kinds):
        columns.append(_("Note"))
    rows = []
    for medicine, kind in zip(medicines, kinds, strict=True):
        row = [medicine.name, medicine.dose, medicine.frequency]
        if any(kinds):
            row.append(_kind_label(kind))
        rows.append(tuple(row))
    return SummarySection(
        "medicines",
        _("Medicines"),
        table=SummaryTable(_("Medicines the patient takes"), tuple(columns), tuple(rows)),
    )


def _injuries_section(injuries: Sequence[Injury]) -> SummarySection:
    rows = tuple(
        (
            i.body_part,
            i.when,
            i.what_happened,
            i.treatment,
            _choice(Injury.StillTroubling, i.still_troubling),
        )
        for i in injuries
    )
    columns = (
        _("Part of the body"),
        _("When"),
        _("What happened"),
        _("Treatment"),
        _("Still troubling"),
    )
    return SummarySection(
        "injuries", _("Injuries"), table=SummaryTable(_("Injuries, old and new"), columns, rows)
    )


def _lifestyle_section(s: IntakeSubmission) -> SummarySection:
    return SummarySection(
        "lifestyle",
        _("Lifestyle"),
        _answers(
            Answer(_("Activity"), _choice(ActivityLevel, s.activity_level)),
            Answer(_("Hours sitting a day"), _number(s.sitting_hours)),
            Answer(_("Exercise days a week"), _number(s.exercise_days_per_week)),
            Answer(
                _("Recent bed rest, cast or immobilisation"),
                _joined(_choice(YesNo, s.recent_immobilisation), s.recent_immobilisation_details),
            ),
            Answer(_("Alcoholic drinks a week"), _number(s.alcohol_drinks_per_week)),
            Answer(_("Appetite"), _choice(Appetite, s.appetite)),
            Answer(
                _("Unplanned weight loss"),
                _joined(
                    _choice(YesNoNotSure, s.unplanned_weight_loss), s.unplanned_weight_loss_amount
                ),
            ),
        ),
    )


def _tests_section(tests: Sequence[TestDone]) -> SummarySection:
    """Tests the patient has had (or is not sure about) as a table; the ones not had on a line."""
    had = [
        t
        for t in tests
        if t.done in (YesNoNotSure.YES, YesNoNotSure.NOT_SURE)
        or (not t.done and (t.when or t.where))
    ]
    not_had = tuple(t.get_test_type_display() for t in tests if t.done == YesNoNotSure.NO)
    rows = tuple(
        (t.get_test_type_display(), _choice(YesNoNotSure, t.done), t.when, t.where) for t in had
    )
    columns = (_("Test"), _("Had it"), _("When"), _("Where"))
    return SummarySection(
        "tests",
        _("Tests already done"),
        answers=_answers(Answer(_("Not had"), items=not_had)),
        table=SummaryTable(_("Tests the patient has had"), columns, rows),
    )


def _questions_section(s: IntakeSubmission) -> SummarySection:
    return SummarySection(
        "questions",
        _("The patient's questions"),
        _answers(
            Answer(
                _("Ticked from our list"),
                items=_choice_list(SuggestedQuestion, s.suggested_questions),
                bulleted=True,
            ),
            Answer(_("In their own words"), s.questions, multiline=True),
        ),
    )


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


def build_summary(submission: IntakeSubmission, *, today: date | None = None) -> VisitSummary:
    """The visit summary of one submission (fetch it with `summary_queryset()` to save queries).

    The age is counted on the appointment date when there is one, otherwise on `today`.
    """
    today = today or timezone.localdate()
    medicines = list(submission.medicines.all())
    injuries = list(submission.injuries.all())
    tests = list(submission.tests_done.all())

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
    )
    return VisitSummary(
        header=header,
        key_points=build_key_points(submission, medicines=medicines, injuries=injuries),
        sections=(
            _symptoms_section(submission),
            _sarc_f_section(submission),
            _history_section(submission),
            _medicines_section(medicines),
            _injuries_section(injuries),
            _lifestyle_section(submission),
            _tests_section(tests),
            _questions_section(submission),
        ),
    )


# --- Audit hook ---------------------------------------------------------------------------------

#: Sent each time a member of staff opens a summary: `summary_viewed.send(sender=IntakeSubmission,
#: user=..., submission=...)`. The staff review work (audit log) connects a receiver to it.
summary_viewed = Signal()


def record_summary_view(*, user, submission: IntakeSubmission) -> None:
    """Note that `user` (staff) opened `submission`'s summary. Does nothing but signal, for now.

    The hook for the audit log of staff views: connect to `summary_viewed`, or replace this body.
    """
    summary_viewed.send(sender=IntakeSubmission, user=user, submission=submission)
