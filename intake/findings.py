"""The examiner's findings as plain rows: what each measure means, its units and its cut-off.

Plain functions on an `Examination` (intake/models.py) and on the numbers in it: no request, no
template, and no database access beyond `patient_examinations`, which reads a patient's
examinations in one query. The admin (intake/examination_admin.py), the staff summary and the
FHIR export (intake/fhir/observations.py) all read the findings from here.

Sources:
- Muscle power: Medical Research Council, Aids to the examination of the peripheral nervous
  system, Memorandum no. 45 (HMSO, London, 1976). Grades 0 to 5; grade 4 is commonly split into
  4-, 4 and 4+ for movement against slight, moderate and strong resistance.
- Cut-offs: Cruz-Jentoft AJ et al., Sarcopenia: revised European consensus on definition and
  diagnosis (EWGSOP2), Age Ageing 2019;48(1):16-31, Table 3.

A cut-off is a reference point for the clinician, not a diagnosis: the wording says only that a
value is below (or slower than) the EWGSOP2 cut-off, never what the patient has.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import (
    BODY_SIDES,
    MRC_GRADES,
    MUSCLE_GROUPS,
    Examination,
    IntakeSubmission,
    ReferenceSex,
    mrc_field_name,
)
from .staff_review import same_name

# --- The MRC scale ------------------------------------------------------------------------------

#: What each MRC grade means (Memorandum no. 45, 1976; 4-, 4 and 4+ as the usual subdivision).
MRC_SCALE = {
    "0": gettext_lazy("no contraction"),
    "1": gettext_lazy("flicker or trace of contraction"),
    "2": gettext_lazy("active movement with gravity eliminated"),
    "3": gettext_lazy("active movement against gravity"),
    "4-": gettext_lazy("active movement against gravity and slight resistance"),
    "4": gettext_lazy("active movement against gravity and moderate resistance"),
    "4+": gettext_lazy("active movement against gravity and strong resistance"),
    "5": gettext_lazy("normal power"),
}


def mrc_description(grade: str) -> str:
    """The words for an MRC grade ("4+" -> "active movement against gravity and strong
    resistance"); an empty string for a grade not tested."""
    return str(MRC_SCALE.get(grade, ""))


# --- Computed measures --------------------------------------------------------------------------

#: The distance of the gait speed test (EWGSOP2: 4 m at usual pace).
WALK_DISTANCE_M = 4


def bmi(weight_kg, height_cm) -> Decimal | None:
    """Body mass index, kg/m², to one decimal: weight / height in metres squared.

    None unless both are given (and the height is more than zero).
    """
    if weight_kg is None or not height_cm:
        return None
    metres = Decimal(height_cm) / 100
    return (Decimal(weight_kg) / (metres * metres)).quantize(Decimal("0.1"))


def gait_speed(walk_seconds, distance=WALK_DISTANCE_M) -> Decimal | None:
    """Gait speed in m/s: the distance walked (4 m) over the time taken. Not rounded, so a cut-off
    compares the exact value (4 m in 5.0 s is exactly 0.8 m/s); None without a time."""
    if not walk_seconds:
        return None
    return Decimal(distance) / Decimal(walk_seconds)


# --- EWGSOP2 cut-offs (Cruz-Jentoft et al. 2019, Table 3) ---------------------------------------

#: Low grip strength: below these (kg), by sex. Compared with the stronger hand.
GRIP_CUT_OFF_KG = {ReferenceSex.MALE: Decimal(27), ReferenceSex.FEMALE: Decimal(16)}
#: Low strength on the chair stand: more than 15 s for five rises.
CHAIR_STAND_CUT_OFF_SECONDS = Decimal(15)
#: Low physical performance: gait speed of 0.8 m/s or less ("≤0.8 m/s").
GAIT_SPEED_CUT_OFF = Decimal("0.8")
# EWGSOP2 gives no cut-off for the number of chair stands in 30 seconds, nor for calf
# circumference (it mentions calf circumference only as a rough guide when nothing else is
# available), so none is applied to either.


@dataclass(frozen=True)
class CutOff:
    """What a cut-off says about a value: `below` is True when it fires; `text` says it in words."""

    below: bool
    text: str


def grip_cut_off(grip_left_kg, grip_right_kg, reference_sex) -> CutOff | None:
    """EWGSOP2 low grip strength: the stronger hand below 27 kg (men) or 16 kg (women).

    Not applied without a sex to read it for: the text then says the cut-off depends on sex.
    None when neither hand was measured.
    """
    measured = [Decimal(v) for v in (grip_left_kg, grip_right_kg) if v is not None]
    if not measured:
        return None
    if reference_sex not in GRIP_CUT_OFF_KG:
        return CutOff(
            False,
            _(
                "EWGSOP2 cut-off not applied: it depends on sex (27 kg for men, 16 kg for "
                "women), which is not recorded"
            ),
        )
    below = max(measured) < GRIP_CUT_OFF_KG[reference_sex]
    # "The stronger hand" only when both were measured: with one it would claim a comparison.
    key = (len(measured) == 2, reference_sex == ReferenceSex.MALE, below)
    return CutOff(below, str(_GRIP_WORDS[key]))


#: (both hands measured, male, below the cut-off) -> what the cut-off says.
_GRIP_WORDS = {
    (True, True, True): gettext_lazy("stronger hand below the EWGSOP2 cut-off (27 kg for men)"),
    (True, True, False): gettext_lazy(
        "stronger hand not below the EWGSOP2 cut-off (27 kg for men)"
    ),
    (True, False, True): gettext_lazy("stronger hand below the EWGSOP2 cut-off (16 kg for women)"),
    (True, False, False): gettext_lazy(
        "stronger hand not below the EWGSOP2 cut-off (16 kg for women)"
    ),
    (False, True, True): gettext_lazy(
        "the one hand measured is below the EWGSOP2 cut-off (27 kg for men)"
    ),
    (False, True, False): gettext_lazy(
        "the one hand measured is not below the EWGSOP2 cut-off (27 kg for men)"
    ),
    (False, False, True): gettext_lazy(
        "the one hand measured is below the EWGSOP2 cut-off (16 kg for women)"
    ),
    (False, False, False): gettext_lazy(
        "the one hand measured is not below the EWGSOP2 cut-off (16 kg for women)"
    ),
}


def chair_stand_cut_off(five_sit_to_stand_seconds) -> CutOff | None:
    """EWGSOP2 low strength: more than 15 s for five rises from a chair. None without a time."""
    if five_sit_to_stand_seconds is None:
        return None
    if Decimal(five_sit_to_stand_seconds) > CHAIR_STAND_CUT_OFF_SECONDS:
        return CutOff(True, _("slower than the EWGSOP2 cut-off (15 s for five rises)"))
    return CutOff(False, _("not slower than the EWGSOP2 cut-off (15 s for five rises)"))


def gait_speed_cut_off(speed) -> CutOff | None:
    """EWGSOP2 low physical performance: gait speed of 0.8 m/s or less. None without a speed."""
    if speed is None:
        return None
    if Decimal(speed) <= GAIT_SPEED_CUT_OFF:
        return CutOff(True, _("at or slower than the EWGSOP2 cut-off (0.8 m/s)"))
    return CutOff(False, _("faster than the EWGSOP2 cut-off (0.8 m/s)"))


# --- The findings as rows -----------------------------------------------------------------------


@dataclass(frozen=True)
class FindingRow:
    """One line of findings: what was measured, the value with its unit, and a note (a cut-off
    or what an MRC grade means). `flagged` is True when an EWGSOP2 cut-off fires."""

    label: str
    value: str
    note: str = ""
    flagged: bool = False


def _number(value, places: int = 1) -> str:
    """A measurement to its precision: 26.9, 0.80 (no locale grouping: the values are small)."""
    return f"{Decimal(value):.{places}f}"


def _with_unit(value, unit: str, places: int = 1) -> str:
    return f"{_number(value, places)} {unit}"


def _mrc_row(examination: Examination, group: str, label) -> FindingRow | None:
    grades = {side: getattr(examination, mrc_field_name(group, side)) for side, _s in BODY_SIDES}
    if not any(grades.values()):
        return None
    left, right = grades["left"] or _("not tested"), grades["right"] or _("not tested")
    notes = [
        f"{grade}: {mrc_description(grade)}"
        for grade in MRC_GRADES
        if grade in grades.values() and grade != "5"
    ]
    return FindingRow(
        label=str(label),
        value=_("left %(left)s, right %(right)s") % {"left": left, "right": right},
        note="; ".join(notes),
    )


def findings_for(examination: Examination) -> list[FindingRow]:
    """Every finding recorded in `examination`, in the order of the admin's form; what was not
    measured is left out. Values carry their units; cut-offs are in the notes."""
    rows = [
        row
        for group, label in MUSCLE_GROUPS
        if (row := _mrc_row(examination, group, label)) is not None
    ]
    grip = grip_cut_off(
        examination.grip_left_kg, examination.grip_right_kg, examination.reference_sex
    )
    if grip is not None:
        sides = []
        if examination.grip_left_kg is not None:
            sides.append(_("left %(kg)s") % {"kg": _with_unit(examination.grip_left_kg, "kg")})
        if examination.grip_right_kg is not None:
            sides.append(_("right %(kg)s") % {"kg": _with_unit(examination.grip_right_kg, "kg")})
        value = ", ".join(sides)
        if examination.dynamometer:
            value = f"{value} ({examination.dynamometer})"
        rows.append(FindingRow(_("Grip strength"), value, grip.text, grip.below))
    chair = chair_stand_cut_off(examination.five_sit_to_stand_seconds)
    if chair is not None:
        rows.append(
            FindingRow(
                _("Five sit-to-stands"),
                _with_unit(examination.five_sit_to_stand_seconds, "s"),
                chair.text,
                chair.below,
            )
        )
    if examination.chair_stand_30s_count is not None:
        # No EWGSOP2 cut-off for the 30-second count (see above): no note.
        rows.append(
            FindingRow(
                _("Chair stands in 30 seconds"),
                ngettext("%(count)d rise", "%(count)d rises", examination.chair_stand_30s_count)
                % {"count": examination.chair_stand_30s_count},
            )
        )
    speed = gait_speed(examination.walk_4m_seconds)
    if speed is not None:
        gait = gait_speed_cut_off(speed)
        rows.append(
            FindingRow(
                _("Gait speed (4 m, usual pace)"),
                _("%(speed)s (4 m in %(time)s)")
                % {
                    "speed": _with_unit(speed, "m/s", places=2),
                    "time": _with_unit(examination.walk_4m_seconds, "s"),
                },
                gait.text,
                gait.below,
            )
        )
    for label, value, unit in (
        (_("Calf circumference"), examination.calf_circumference_cm, "cm"),
        (_("Weight"), examination.weight_kg, "kg"),
        (_("Height"), examination.height_cm, "cm"),
        (_("Body mass index"), bmi(examination.weight_kg, examination.height_cm), "kg/m²"),
    ):
        if value is not None:
            rows.append(FindingRow(label, _with_unit(value, unit)))
    if examination.notes:
        rows.append(FindingRow(_("Notes"), examination.notes))
    return rows


# --- Change over time ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A finding that can be compared between examinations: how to read it and write it."""

    label: str
    unit: str  # "" for an MRC grade, compared as "4 → 4+"
    places: int
    read: object  # Callable[[Examination], Decimal | str | None]


def _field(name: str):
    return lambda examination: getattr(examination, name)


def comparable_measures() -> list[Measure]:
    """The findings compared over time, in the order of the form (MRC grades side by side)."""
    measures = [
        Measure(
            _("%(muscle)s, %(side)s (MRC)") % {"muscle": label, "side": side_label},
            "",
            0,
            _field(mrc_field_name(group, side)),
        )
        for group, label in MUSCLE_GROUPS
        for side, side_label in BODY_SIDES
    ]
    measures += [
        Measure(_("Grip strength, left"), "kg", 1, _field("grip_left_kg")),
        Measure(_("Grip strength, right"), "kg", 1, _field("grip_right_kg")),
        Measure(_("Five sit-to-stands"), "s", 1, _field("five_sit_to_stand_seconds")),
        Measure(_("Chair stands in 30 seconds"), "", 0, _field("chair_stand_30s_count")),
        Measure(
            _("Gait speed (4 m, usual pace)"),
            "m/s",
            2,
            lambda examination: gait_speed(examination.walk_4m_seconds),
        ),
        Measure(_("Calf circumference"), "cm", 1, _field("calf_circumference_cm")),
        Measure(_("Weight"), "kg", 1, _field("weight_kg")),
        Measure(
            _("Body mass index"),
            "kg/m²",
            1,
            lambda examination: bmi(examination.weight_kg, examination.height_cm),
        ),
    ]
    return measures


@dataclass(frozen=True)
class Change:
    """One finding measured at the first and at the latest examination, and the change."""

    label: str
    first_value: str
    first_date: date
    latest_value: str
    latest_date: date
    change: str


def _written(measure: Measure, value) -> str:
    if isinstance(value, str):
        return value
    text = _number(value, measure.places)
    return f"{text} {measure.unit}" if measure.unit else text


def _difference(measure: Measure, first, latest) -> str:
    """ "+2.5 kg", "−0.10 m/s", "no change"; for MRC grades "4 → 4+"."""
    if isinstance(first, str):
        return _("no change") if first == latest else f"{first} → {latest}"
    places = Decimal(1).scaleb(-measure.places)
    difference = (Decimal(latest) - Decimal(first)).quantize(places)
    if not difference:
        return _("no change")
    sign = "+" if difference > 0 else "−"  # a real minus sign, as printed
    text = f"{sign}{abs(difference):.{measure.places}f}"
    return f"{text} {measure.unit}" if measure.unit else text


def change_since_first(examinations) -> list[Change]:
    """The findings measured at both the first and the latest of `examinations` (in date order),
    with the change between them. Empty with fewer than two examinations."""
    examinations = list(examinations)
    if len(examinations) < 2:
        return []
    first, latest = examinations[0], examinations[-1]
    changes = []
    for measure in comparable_measures():
        before, after = measure.read(first), measure.read(latest)
        if before in (None, "") or after in (None, ""):
            continue
        changes.append(
            Change(
                label=measure.label,
                first_value=_written(measure, before),
                first_date=first.examined_on,
                latest_value=_written(measure, after),
                latest_date=latest.examined_on,
                change=_difference(measure, before, after),
            )
        )
    return changes


# --- A patient's examinations over time ---------------------------------------------------------


def patient_examinations(submission: IntakeSubmission) -> list[Examination]:
    """The patient's examinations over time, oldest first, in one query.

    The patient is matched by full name (case and spaces ignored) and date of birth on every
    sent submission: a patient has no account, so each visit has its own form. Without a name
    or a date of birth, only this submission's own examinations.
    """
    examinations = Examination.objects.select_related("submission").order_by("examined_on", "pk")
    if not (submission.full_name and submission.date_of_birth):
        return list(examinations.filter(submission=submission))
    # Same date of birth in the database (few rows); the name compared here, where case folding
    # works for every alphabet (SQLite's lower() folds ASCII only).
    candidates = examinations.filter(submission__date_of_birth=submission.date_of_birth).exclude(
        submission__status=IntakeSubmission.Status.DRAFT
    )
    return [
        examination
        for examination in candidates
        if examination.submission_id == submission.pk
        or same_name(examination.submission.full_name, submission.full_name)
    ]


# --- The staff summary's section ----------------------------------------------------------------


@dataclass(frozen=True)
class ExaminationSection:
    """What the staff summary shows of the examinations: the latest, and the change since the
    first. Never given to a patient's page."""

    examined_on: date
    examiner_name: str
    findings: list[FindingRow]
    changes: list[Change]
    count: int


def examination_section(submission: IntakeSubmission) -> ExaminationSection | None:
    """The latest of the patient's examinations and the change since the first; None when the
    clinic has recorded none. One query."""
    examinations = patient_examinations(submission)
    if not examinations:
        return None
    latest = examinations[-1]
    return ExaminationSection(
        examined_on=latest.examined_on,
        examiner_name=latest.examiner_name,
        findings=findings_for(latest),
        changes=change_since_first(examinations),
        count=len(examinations),
    )
