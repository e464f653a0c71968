"""Urgent-signs triage: which answers need emergency care now, which a call to a doctor today.

Three tiers, after ../shared/reference/urgent-signs.md:

1. emergency now (call the emergency number; do not drive yourself);
2. contact a doctor today (the clinic, a GP or an urgent care service);
3. bring it to the appointment (everything else).

Each rule below is one row of `RULES`: a code, a tier, the source line it rests on, a test on
the answers, and two wordings: the clinician's ("sudden-onset left-sided weakness") for staff and
the summary, and the patient's, in plain words, that never names a diagnosis.

The rules read **structured answers only** (choices and yes/no); free text is shown to the doctor
as typed and never raises or lowers a tier. The answers they read, on a submission or any object
with the same attributes: `onset`, `started_when`, `course`, `spreading`, `walking_change`,
`weakness_map` (the body map; `weakness_side` on forms sent before it), `urgent_symptoms`,
`long_standing_symptoms`, `other_symptoms`, `takes_statin`.

A blank answer is not a "no": where a follow-up is left blank the rule takes the safer reading
(a sign not marked long-standing counts as new).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .body_map import Laterality, sides
from .models import (
    Course,
    Onset,
    OtherSymptom,
    Side,
    StartedWhen,
    UrgencyTier,
    UrgentSymptom,
    WalkingChange,
    YesNoNotSure,
)

# --- Sources (the lines of the reference each rule rests on) -------------------------------------

FAST = "NHS / CDC / American Stroke Association: FAST and BE FAST stroke signs"
MERCK_WEAKNESS = (
    "Merck Manual (Home edition), 'Weakness': weakness starting over a few days or faster, "
    "trouble breathing, swallowing, chewing or talking, or being unable to walk: go now"
)
MERCK_WORSENING = "Merck Manual (Home edition), 'Weakness': worsening weakness, call a doctor"
NINDS_GBS = "NINDS, Guillain-Barré syndrome: weakness rising up both legs over hours to days"
RHABDO = "MedlinePlus 'Rhabdomyolysis'; Mayo Clinic: dark urine with muscle pain is an emergency"
CAUDA_EQUINA = (
    "NHS trust cauda equina cards (Torbay and South Devon; Royal Free); British Association of "
    "Spine Surgeons: new bladder or bowel trouble or saddle numbness, go to A&E now"
)
STATIN = "NHS 'Statins: side effects'; FDA statin labelling: new muscle pain or weakness"
FALL = "urgent-signs reference, tier 2: a fall with an injury, or not able to get up after a fall"
FEVER = "urgent-signs reference, tier 2: fever with new muscle pain and weakness"


class Answers(Protocol):
    onset: str
    started_when: str
    course: str
    spreading: str
    walking_change: str
    weakness_map: dict
    weakness_side: str
    urgent_symptoms: Iterable[str]
    long_standing_symptoms: Iterable[str]
    other_symptoms: Iterable[str]
    takes_statin: str


# --- Small readings of the answers ----------------------------------------------------------------


def _started_long_ago(a: Answers) -> bool:
    """The weakness started months or years ago (so a fast onset then is not an emergency now)."""
    return a.started_when in (StartedWhen.MONTHS, StartedWhen.YEARS)


def came_on_within_hours(a: Answers) -> bool:
    return a.onset == Onset.MINUTES_HOURS and not _started_long_ago(a)


def came_on_over_days(a: Answers) -> bool:
    """Weakness that came on over a few days, or that started in the last few days."""
    return _onset_over_days(a) or _started_in_last_days(a)


def _onset_over_days(a: Answers) -> bool:
    """The patient said it came on over a few days (and not months or years ago)."""
    return a.onset == Onset.DAYS and not _started_long_ago(a)


def _started_in_last_days(a: Answers) -> bool:
    """It started in the last few days, its speed not said to be "over days" (nor "within
    hours", `came_on_within_hours`): left blank, not sure, or an older form's answer."""
    return a.started_when == StartedWhen.DAYS and a.onset not in (Onset.MINUTES_HOURS, Onset.DAYS)


def new_sign(a: Answers, sign: str) -> bool:
    """The sign is ticked and not marked as long-standing, known to a doctor and not worse."""
    return sign in (a.urgent_symptoms or ()) and sign not in (a.long_standing_symptoms or ())


def _has(a: Answers, sign: str) -> bool:
    return sign in (a.urgent_symptoms or ())


def weakness_side(a: Answers) -> str:
    """The side of the weakness, as a `Side` code, or "" when not known.

    From the body map when the patient drew one: every region with a side on the patient's left
    is "left" (regions in the middle, like the face, do not count against it), both sides is
    "both", only middle regions is "". Forms sent before the body map: their "which side" answer.
    """
    body_map = getattr(a, "weakness_map", None) or {}
    if body_map:
        found = sides(body_map)
        if found == {Laterality.LEFT}:
            return Side.LEFT
        if found == {Laterality.RIGHT}:
            return Side.RIGHT
        return Side.BOTH if found else ""
    return a.weakness_side


def _side_words(a: Answers) -> str:
    return {
        Side.LEFT: _("left-sided"),
        Side.RIGHT: _("right-sided"),
        Side.BOTH: _("bilateral"),
        Side.NOT_SURE: _("side unsure"),
    }.get(weakness_side(a), _("side not stated"))


def _with_tingling(a: Answers) -> str:
    if OtherSymptom.NUMBNESS_TINGLING in (a.other_symptoms or ()):
        return " " + _("with numbness or tingling")
    return ""


# --- The rules ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    code: str
    tier: UrgencyTier
    source: str
    applies: Callable[[Answers], bool]
    #: Clinician wording: a lazy string, or a function of the answers for wording with details.
    clinician: Callable[[Answers], str] | Promise
    #: Patient wording: the same, said to them ("you").
    patient: Callable[[Answers], str] | Promise


@dataclass(frozen=True)
class Finding:
    """One rule that fired: what staff read and what the patient reads, and its tier."""

    code: str
    tier: UrgencyTier
    clinician: str
    patient: str
    source: str


RULES: tuple[Rule, ...] = (
    # Tier 1: emergency now.
    Rule(
        "onset_within_hours",
        UrgencyTier.EMERGENCY,
        f"{FAST}; {MERCK_WEAKNESS}",
        came_on_within_hours,
        lambda a: (
            _("Sudden-onset weakness (minutes to hours), %(side)s") % {"side": _side_words(a)}
        ),
        gettext_lazy("Your weakness came on within minutes or hours."),
    ),
    Rule(
        "onset_over_days",
        UrgencyTier.EMERGENCY,
        f"{MERCK_WEAKNESS}; {NINDS_GBS}",
        _onset_over_days,
        lambda a: (
            _("Weakness developing over days, %(side)s") % {"side": _side_words(a)}
            + _with_tingling(a)
        ),
        gettext_lazy("Your weakness came on over a few days."),
    ),
    Rule(
        # Said apart from the one above: the patient gave when it started, not how fast.
        "started_in_last_days",
        UrgencyTier.EMERGENCY,
        f"{MERCK_WEAKNESS}; {NINDS_GBS}",
        _started_in_last_days,
        lambda a: (
            _("Weakness that started in the last few days, speed of onset not given, %(side)s")
            % {"side": _side_words(a)}
            + _with_tingling(a)
        ),
        gettext_lazy("Your weakness started in the last few days."),
    ),
    Rule(
        "spreading",
        UrgencyTier.EMERGENCY,
        f"{MERCK_WEAKNESS}; {NINDS_GBS}",
        lambda a: a.spreading == YesNoNotSure.YES,
        lambda a: (
            _("Weakness spreading over hours to days, %(side)s") % {"side": _side_words(a)}
            + _with_tingling(a)
        ),
        gettext_lazy("Your weakness is spreading quickly to other parts of your body."),
    ),
    Rule(
        "cannot_walk",
        UrgencyTier.EMERGENCY,
        MERCK_WEAKNESS,
        lambda a: a.walking_change == WalkingChange.CANNOT_NOW,
        gettext_lazy("Newly unable to walk or stand (could a month ago)"),
        gettext_lazy("You cannot walk or stand now, but you could a month ago."),
    ),
    Rule(
        "breathing",
        UrgencyTier.EMERGENCY,
        MERCK_WEAKNESS,
        lambda a: new_sign(a, UrgentSymptom.TROUBLE_BREATHING),
        gettext_lazy(
            "Breathing difficulty or orthopnoea with weakness, not known as long-standing"
        ),
        gettext_lazy("You have trouble breathing."),
    ),
    Rule(
        "swallowing",
        UrgencyTier.EMERGENCY,
        MERCK_WEAKNESS,
        lambda a: new_sign(a, UrgentSymptom.TROUBLE_SWALLOWING),
        gettext_lazy("Dysphagia, chewing difficulty or choking, not known as long-standing"),
        gettext_lazy("You have trouble swallowing or chewing, or you choke on food or drink."),
    ),
    Rule(
        "speaking",
        UrgencyTier.EMERGENCY,
        f"{FAST}; {MERCK_WEAKNESS}",
        lambda a: new_sign(a, UrgentSymptom.TROUBLE_SPEAKING),
        gettext_lazy("Dysarthria or speech difficulty, not known as long-standing"),
        gettext_lazy("You have trouble speaking, or your speech is slurred."),
    ),
    Rule(
        "understanding",
        UrgencyTier.EMERGENCY,
        FAST,
        lambda a: new_sign(a, UrgentSymptom.TROUBLE_UNDERSTANDING),
        gettext_lazy("Difficulty understanding speech, not known as long-standing"),
        gettext_lazy("You have trouble understanding what people say to you."),
    ),
    Rule(
        "face_drooping",
        UrgencyTier.EMERGENCY,
        FAST,
        lambda a: new_sign(a, UrgentSymptom.FACE_DROOPING),
        gettext_lazy("Facial droop, not known as long-standing"),
        gettext_lazy("One side of your face droops."),
    ),
    Rule(
        "sudden_weakness",
        UrgencyTier.EMERGENCY,
        FAST,
        lambda a: _has(a, UrgentSymptom.SUDDEN_WEAKNESS),
        gettext_lazy("Sudden weakness of face, arm or leg"),
        gettext_lazy("You have sudden weakness of your face, arm or leg."),
    ),
    Rule(
        "sudden_seeing",
        UrgencyTier.EMERGENCY,
        FAST,
        lambda a: _has(a, UrgentSymptom.SUDDEN_TROUBLE_SEEING),
        gettext_lazy("Sudden visual disturbance"),
        gettext_lazy("You suddenly have trouble seeing."),
    ),
    Rule(
        "sudden_numbness_or_balance",
        UrgencyTier.EMERGENCY,
        FAST,
        lambda a: _has(a, UrgentSymptom.SUDDEN_NUMBNESS_BALANCE),
        gettext_lazy("Sudden numbness of face, arm or leg, or sudden loss of balance"),
        gettext_lazy("You have sudden numbness of your face, arm or leg, or lost your balance."),
    ),
    Rule(
        "head_lifting",
        UrgencyTier.EMERGENCY,
        MERCK_WEAKNESS,
        lambda a: new_sign(a, UrgentSymptom.HEAD_LIFTING),
        gettext_lazy("Neck flexion weakness (cannot lift head when supine), not long-standing"),
        gettext_lazy("You have trouble lifting your head when you lie down."),
    ),
    Rule(
        "seeing_with_fast_onset",
        UrgencyTier.EMERGENCY,
        FAST,
        lambda a: (
            new_sign(a, UrgentSymptom.TROUBLE_SEEING)
            and (came_on_within_hours(a) or came_on_over_days(a))
        ),
        gettext_lazy("Visual disturbance or diplopia with weakness of acute onset"),
        gettext_lazy("You have trouble seeing, and your weakness came on quickly."),
    ),
    Rule(
        "dark_urine",
        UrgencyTier.EMERGENCY,
        RHABDO,
        lambda a: _has(a, UrgentSymptom.DARK_URINE),
        gettext_lazy("Dark (tea or cola coloured) or reduced urine with muscle symptoms"),
        gettext_lazy("Your urine is dark, like tea or cola, or you pass much less urine."),
    ),
    Rule(
        "bladder_bowel_or_saddle",
        UrgencyTier.EMERGENCY,
        CAUDA_EQUINA,
        lambda a: _has(a, UrgentSymptom.BLADDER_BOWEL) or _has(a, UrgentSymptom.SADDLE_NUMBNESS),
        gettext_lazy("New bladder or bowel dysfunction or saddle numbness"),
        gettext_lazy(
            "You have new trouble controlling your bladder or bowels, or new numbness between "
            "your legs or around your bottom."
        ),
    ),
    # Tier 2: contact a doctor today.
    Rule(
        "worse_week_to_week",
        UrgencyTier.TODAY,
        MERCK_WORSENING,
        lambda a: (
            a.course == Course.WORSE_WEEKLY
            or (
                a.course == Course.WORSE and a.started_when in (StartedWhen.DAYS, StartedWhen.WEEKS)
            )
        ),
        gettext_lazy("Weakness worsening week to week"),
        gettext_lazy("Your weakness is getting worse from one week to the next."),
    ),
    Rule(
        "spreading_not_sure",
        UrgencyTier.TODAY,
        MERCK_WORSENING,
        lambda a: a.spreading == YesNoNotSure.NOT_SURE,
        gettext_lazy("Unsure whether the weakness is spreading over hours to days"),
        gettext_lazy("You are not sure whether your weakness is spreading."),
    ),
    Rule(
        "statin",
        UrgencyTier.TODAY,
        STATIN,
        lambda a: a.takes_statin == YesNoNotSure.YES and a.started_when != StartedWhen.YEARS,
        gettext_lazy("Muscle symptoms of recent or unstated onset while taking a statin"),
        # "New" only when they said it started in the last days, weeks or months.
        lambda a: (
            _("You take a statin and your muscle trouble is new.")
            if a.started_when in (StartedWhen.DAYS, StartedWhen.WEEKS, StartedWhen.MONTHS)
            else _("You take a statin, and you did not say when your muscle trouble started.")
        ),
    ),
    Rule(
        "fall_hurt",
        UrgencyTier.TODAY,
        FALL,
        lambda a: _has(a, UrgentSymptom.FALL_HURT),
        gettext_lazy("Fall in the last 2 weeks with injury or unable to get up unaided"),
        gettext_lazy("You fell in the last 2 weeks and were hurt, or could not get up."),
    ),
    Rule(
        "fever",
        UrgencyTier.TODAY,
        FEVER,
        lambda a: _has(a, UrgentSymptom.FEVER),
        gettext_lazy("Fever with muscle symptoms"),
        gettext_lazy("You have a fever as well as your muscle trouble."),
    ),
    Rule(
        "seeing_new",
        UrgencyTier.TODAY,
        MERCK_WORSENING,
        lambda a: (
            new_sign(a, UrgentSymptom.TROUBLE_SEEING)
            and not (came_on_within_hours(a) or came_on_over_days(a))
        ),
        gettext_lazy("Visual disturbance or diplopia, not known as long-standing"),
        gettext_lazy("You have trouble seeing or double vision that is not long-standing."),
    ),
)

RULES_BY_CODE = {rule.code: rule for rule in RULES}


@dataclass(frozen=True)
class Triage:
    tier: UrgencyTier
    findings: tuple[Finding, ...]

    @property
    def emergency(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.tier == UrgencyTier.EMERGENCY)

    @property
    def today(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.tier == UrgencyTier.TODAY)


def _finding(rule: Rule, answers: Answers) -> Finding:
    clinician = rule.clinician(answers) if callable(rule.clinician) else rule.clinician
    patient = rule.patient(answers) if callable(rule.patient) else rule.patient
    return Finding(
        code=rule.code,
        tier=rule.tier,
        clinician=str(clinician),
        patient=str(patient),
        source=rule.source,
    )


def triage(answers: Answers) -> Triage:
    """The tier of these answers and every rule that fired, most urgent first.

    Tier 3 (bring it to the appointment) when no rule fires. Needs no database: works on a
    saved or unsaved submission, or on any object with the attributes listed in `Answers`.
    """
    findings = tuple(_finding(rule, answers) for rule in RULES if rule.applies(answers))
    tier = min((f.tier for f in findings), default=UrgencyTier.ROUTINE)
    return Triage(tier=UrgencyTier(tier), findings=findings)
