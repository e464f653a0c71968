"""The urgent-signs triage (intake/triage.py) over clinical vignettes: no database, no browser.

Every row of `VIGNETTES` is one patient: what they answered, the tier they must get, the exact
set of rules that must fire, the line of ../shared/reference/urgent-signs.md it rests on, and
the rules it is a near miss for (answers close to a rule's pattern that must NOT fire it).
`test_every_rule_has_a_case_that_fires_it_and_a_near_miss` reads the table, so a rule added to
`triage.RULES` without both kinds of case fails.
"""

import re
from types import SimpleNamespace

import pytest
from django.utils import translation

from intake import triage as triage_module
from intake.models import (
    LONG_STANDING_ALLOWED,
    Course,
    Injury,
    IntakeSubmission,
    Medicine,
    Onset,
    OtherSymptom,
    Side,
    StartedWhen,
    UrgencyTier,
    UrgentSymptom,
    WalkingChange,
    YesNoNotSure,
)
from intake.summary import build_key_points
from intake.triage import RULES, triage

EMERGENCY = UrgencyTier.EMERGENCY
TODAY = UrgencyTier.TODAY
ROUTINE = UrgencyTier.ROUTINE

#: The answers the rules read, with a blank default: "" for a choice, [] for a list.
BLANK_ANSWERS = {
    "onset": "",
    "started_when": "",
    "course": "",
    "spreading": "",
    "walking_change": "",
    "weakness_map": {},
    "weakness_side": "",
    "urgent_symptoms": [],
    "long_standing_symptoms": [],
    "other_symptoms": [],
    "takes_statin": "",
}


def answers(**overrides) -> SimpleNamespace:
    """Structured answers as triage reads them: every attribute blank unless given."""
    unknown = set(overrides) - set(BLANK_ANSWERS)
    assert not unknown, f"not an answer triage reads: {sorted(unknown)}"
    return SimpleNamespace(**{**BLANK_ANSWERS, **overrides})


def codes_of(result) -> set[str]:
    return {f.code for f in result.findings}


# --- The lines of the reference the vignettes rest on ---------------------------------------------

STROKE = "Tier 1 stroke signs (FAST): sudden weakness of face, arm or leg, especially one side"
STROKE_FACE_SPEECH = "Tier 1 stroke signs (FAST): a face that droops; sudden trouble speaking"
STROKE_SEEING = "Tier 1 stroke signs (BE FAST): sudden trouble seeing"
STROKE_UNDERSTANDING = "Tier 1 stroke signs (FAST): sudden trouble speaking or understanding"
FAST_ONSET = "Tier 1 (Merck): weakness that came on over hours or a few days, or is spreading"
BOTH_SIDES = "Tier 1: one side or both; sudden weakness of both legs can be the spinal cord"
GBS = "Tier 1 (NINDS): weakness rising up both legs over hours to days, often with tingling"
SPREADING = "Tier 1 (Merck): weakness that ... is spreading"
BULBAR = "Tier 1 (Merck): trouble breathing, swallowing, chewing or talking with the weakness"
HEAD = "Tier 1 (Merck): trouble raising the head while lying down"
CANNOT_WALK = "Tier 1 (Merck): being unable to walk or stand when you could before"
DARK_URINE = "Tier 1 (MedlinePlus, Mayo): dark urine with muscle pain or weakness, anyone"
DARK_URINE_FALL = "Tier 1 dark urine: matters after a long lie on the floor after a fall"
STATIN_DARK = "Tier 2 statin line: without dark urine tier 2; with dark urine it is tier 1"
CAUDA = "Tier 1 (NHS cauda equina cards): new bladder or bowel loss, or saddle numbness"
WORSE_WEEKLY = "Tier 2 (Merck): weakness clearly getting worse from one week to the next"
STATIN = "Tier 2 (NHS, FDA): new unexplained muscle pain or weakness while taking a statin"
FALL = "Tier 2: a fall with an injury, or not able to get up without help after a fall"
FEVER = "Tier 2: fever with new muscle pain and weakness"
SEEING_SLOW = "Tier 1 names only sudden trouble seeing; new, not sudden: call a doctor today"
TIER_3 = "Tier 3: everything else: slow weakness over months, thinner muscles, cramps, tiredness"
NEW_ONLY = "Tier 1 signs are new ones ('when you could before', 'new loss'); else tier 3"
FREE_TEXT = "Every tier-1 and tier-2 rule reads explicit, structured answers, never free text"


def case(case_id, description, a, tier, codes, source, near_miss=()):
    """One vignette row: (description, answers, tier, codes, source, near-miss codes)."""
    return pytest.param(description, a, tier, set(codes), source, set(near_miss), id=case_id)


U = UrgentSymptom

VIGNETTES = [
    # --- Tier 1: emergency now ------------------------------------------------------------------
    case(
        "be-fast-sudden-numbness-arm",
        "Left arm went numb and clumsy an hour ago, weakness for months",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.MONTHS,
            urgent_symptoms=[U.SUDDEN_NUMBNESS_BALANCE],
        ),
        EMERGENCY,
        {"sudden_numbness_or_balance"},
        "Tier 1 stroke signs (BE FAST): sudden numbness of face, arm or leg; loss of balance",
    ),
    case(
        "tingling-for-years-not-sudden",
        "Numb, tingling feet for years with diabetes, weakness slowly over years",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.YEARS,
            other_symptoms=[OtherSymptom.NUMBNESS_TINGLING],
        ),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"sudden_numbness_or_balance"},
    ),
    case(
        "stroke-right-sided-sudden",
        "Right arm and leg went weak within an hour this morning",
        answers(onset=Onset.MINUTES_HOURS, started_when=StartedWhen.DAYS, weakness_side=Side.RIGHT),
        EMERGENCY,
        {"onset_within_hours"},
        STROKE,
        near_miss={"onset_over_days"},
    ),
    case(
        "stroke-left-sided-face-and-speech",
        "Sudden left-sided weakness with a drooping face and slurred speech",
        answers(
            onset=Onset.MINUTES_HOURS,
            started_when=StartedWhen.DAYS,
            weakness_side=Side.LEFT,
            urgent_symptoms=[U.FACE_DROOPING, U.TROUBLE_SPEAKING],
        ),
        EMERGENCY,
        {"onset_within_hours", "speaking", "face_drooping"},
        STROKE_FACE_SPEECH,
    ),
    case(
        "sudden-both-legs",
        "Both legs gave way over a couple of hours yesterday",
        answers(onset=Onset.MINUTES_HOURS, started_when=StartedWhen.DAYS, weakness_side=Side.BOTH),
        EMERGENCY,
        {"onset_within_hours"},
        BOTH_SIDES,
    ),
    case(
        "sudden-side-not-sure-start-blank",
        "Weakness came on within minutes; not sure which side; did not say when it started",
        answers(onset=Onset.MINUTES_HOURS, weakness_side=Side.NOT_SURE),
        EMERGENCY,
        {"onset_within_hours"},
        STROKE,
    ),
    case(
        "sudden-onset-start-not-sure",
        "Sudden weakness, but not sure when it began",
        answers(onset=Onset.MINUTES_HOURS, started_when=StartedWhen.NOT_SURE),
        EMERGENCY,
        {"onset_within_hours"},
        STROKE,
    ),
    case(
        "sudden-onset-weeks-ago",
        "Left leg went weak suddenly a few weeks ago and has not been seen by anyone",
        answers(
            onset=Onset.MINUTES_HOURS,
            started_when=StartedWhen.WEEKS,
            weakness_side=Side.LEFT,
            course=Course.SAME,
        ),
        EMERGENCY,
        {"onset_within_hours"},
        STROKE,
    ),
    case(
        "gbs-rising-both-legs-with-tingling",
        "Tingling feet, then both legs weaker over a few days, spreading up, worse every day",
        answers(
            onset=Onset.DAYS,
            started_when=StartedWhen.DAYS,
            weakness_side=Side.BOTH,
            course=Course.WORSE_WEEKLY,
            spreading=YesNoNotSure.YES,
            other_symptoms=[OtherSymptom.NUMBNESS_TINGLING],
        ),
        EMERGENCY,
        {"onset_over_days", "spreading", "worse_week_to_week"},
        GBS,
        near_miss={"onset_within_hours", "spreading_not_sure", "started_in_last_days"},
    ),
    case(
        "gbs-over-days-started-weeks",
        "Both legs weakened over a few days, starting a couple of weeks ago, with tingling",
        answers(
            onset=Onset.DAYS,
            started_when=StartedWhen.WEEKS,
            weakness_side=Side.BOTH,
            other_symptoms=[OtherSymptom.NUMBNESS_TINGLING],
        ),
        EMERGENCY,
        {"onset_over_days"},
        GBS,
    ),
    case(
        "over-days-start-blank",
        "Weakness came on over a few days; when it started left blank",
        answers(onset=Onset.DAYS),
        EMERGENCY,
        {"onset_over_days"},
        FAST_ONSET,
    ),
    case(
        "started-last-few-days-onset-not-sure",
        "Weakness started in the last few days; not sure how fast",
        answers(started_when=StartedWhen.DAYS, onset=Onset.NOT_SURE),
        EMERGENCY,
        {"started_in_last_days"},
        FAST_ONSET,
        near_miss={"onset_over_days"},
    ),
    case(
        "started-last-few-days-onset-blank",
        "Weakness started in the last few days; speed left blank",
        answers(started_when=StartedWhen.DAYS),
        EMERGENCY,
        {"started_in_last_days"},
        FAST_ONSET,
        near_miss={"onset_within_hours", "onset_over_days"},
    ),
    case(
        "started-last-few-days-legacy-gradual",
        "Older form: started in the last few days, 'slowly, over days, weeks or longer'",
        answers(started_when=StartedWhen.DAYS, onset=Onset.GRADUAL),
        EMERGENCY,
        {"started_in_last_days"},
        FAST_ONSET,
        near_miss={"onset_over_days"},
    ),
    case(
        "spreading-yes-slow-onset",
        "Weakness for months, now spreading to the arms over hours to days",
        answers(onset=Onset.MONTHS, started_when=StartedWhen.MONTHS, spreading=YesNoNotSure.YES),
        EMERGENCY,
        {"spreading"},
        SPREADING,
        near_miss={"spreading_not_sure"},
    ),
    case(
        "newly-cannot-walk",
        "Could walk a month ago, cannot stand now",
        answers(
            onset=Onset.WEEKS,
            started_when=StartedWhen.WEEKS,
            walking_change=WalkingChange.CANNOT_NOW,
        ),
        EMERGENCY,
        {"cannot_walk"},
        CANNOT_WALK,
    ),
    case(
        "new-breathing-trouble",
        "Slow weakness for months, now short of breath lying flat (new)",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.MONTHS,
            urgent_symptoms=[U.TROUBLE_BREATHING],
        ),
        EMERGENCY,
        {"breathing"},
        BULBAR,
    ),
    case(
        "new-swallowing-trouble",
        "Chokes on drinks since last week",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.MONTHS,
            urgent_symptoms=[U.TROUBLE_SWALLOWING],
        ),
        EMERGENCY,
        {"swallowing"},
        BULBAR,
    ),
    case(
        "new-breathing-and-swallowing",
        "Breathless and choking, both new",
        answers(
            onset=Onset.WEEKS,
            started_when=StartedWhen.WEEKS,
            urgent_symptoms=[U.TROUBLE_BREATHING, U.TROUBLE_SWALLOWING],
        ),
        EMERGENCY,
        {"breathing", "swallowing"},
        BULBAR,
    ),
    case(
        "new-slurred-speech",
        "Speech has become slurred, weakness slow over months",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.MONTHS,
            urgent_symptoms=[U.TROUBLE_SPEAKING],
        ),
        EMERGENCY,
        {"speaking"},
        BULBAR,
    ),
    case(
        "new-face-droop",
        "One side of the face droops, not marked long-standing",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.YEARS,
            urgent_symptoms=[U.FACE_DROOPING],
        ),
        EMERGENCY,
        {"face_drooping"},
        STROKE_FACE_SPEECH,
    ),
    case(
        "new-head-lifting",
        "Cannot lift the head off the pillow, new",
        answers(
            onset=Onset.WEEKS,
            started_when=StartedWhen.MONTHS,
            urgent_symptoms=[U.HEAD_LIFTING],
        ),
        EMERGENCY,
        {"head_lifting"},
        HEAD,
    ),
    case(
        "seeing-with-onset-in-hours",
        "Double vision and weakness that came on within hours",
        answers(
            onset=Onset.MINUTES_HOURS,
            started_when=StartedWhen.DAYS,
            urgent_symptoms=[U.TROUBLE_SEEING],
        ),
        EMERGENCY,
        {"onset_within_hours", "seeing_with_fast_onset"},
        STROKE_SEEING,
        near_miss={"seeing_new"},
    ),
    case(
        "seeing-with-onset-over-days",
        "Double vision with weakness that came on over a few days",
        answers(
            onset=Onset.DAYS,
            started_when=StartedWhen.WEEKS,
            urgent_symptoms=[U.TROUBLE_SEEING],
        ),
        EMERGENCY,
        {"onset_over_days", "seeing_with_fast_onset"},
        STROKE_SEEING,
        near_miss={"seeing_new"},
    ),
    case(
        "sudden-seeing-on-slow-weakness",
        "Legs weak for months; an hour ago she lost the sight of one eye",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.MONTHS,
            urgent_symptoms=[U.SUDDEN_TROUBLE_SEEING],
        ),
        EMERGENCY,
        {"sudden_seeing"},
        STROKE_SEEING,
        near_miss={"seeing_new", "seeing_with_fast_onset"},
    ),
    case(
        "sudden-weakness-on-old-weakness",
        "Legs weak for years; this morning his right arm went weak all at once",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.YEARS,
            urgent_symptoms=[U.SUDDEN_WEAKNESS],
        ),
        EMERGENCY,
        {"sudden_weakness"},
        STROKE,
        near_miss={"onset_within_hours", "onset_over_days"},
    ),
    case(
        "understanding-new",
        "Weak for months; since today cannot follow what her family says",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.MONTHS,
            urgent_symptoms=[U.TROUBLE_UNDERSTANDING],
        ),
        EMERGENCY,
        {"understanding"},
        STROKE_UNDERSTANDING,
        near_miss={"speaking"},
    ),
    case(
        "dark-urine-alone",
        "Aching weak legs after a marathon, urine like cola, no statin",
        answers(
            onset=Onset.WEEKS,
            started_when=StartedWhen.WEEKS,
            urgent_symptoms=[U.DARK_URINE],
            other_symptoms=[OtherSymptom.PAIN],
            takes_statin=YesNoNotSure.NO,
        ),
        EMERGENCY,
        {"dark_urine"},
        DARK_URINE,
        near_miss={"statin"},
    ),
    case(
        "dark-urine-with-statin",
        "On a statin, new muscle pain and dark urine",
        answers(
            onset=Onset.WEEKS,
            started_when=StartedWhen.WEEKS,
            urgent_symptoms=[U.DARK_URINE],
            other_symptoms=[OtherSymptom.PAIN],
            takes_statin=YesNoNotSure.YES,
        ),
        EMERGENCY,
        {"dark_urine", "statin"},
        STATIN_DARK,
    ),
    case(
        "dark-urine-after-long-lie",
        "Fell, lay on the floor overnight, now dark urine",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.MONTHS,
            urgent_symptoms=[U.FALL_HURT, U.DARK_URINE],
        ),
        EMERGENCY,
        {"dark_urine", "fall_hurt"},
        DARK_URINE_FALL,
    ),
    case(
        "bladder-bowel-loss",
        "Leg weakness and back pain, new trouble holding urine",
        answers(
            onset=Onset.WEEKS,
            started_when=StartedWhen.WEEKS,
            urgent_symptoms=[U.BLADDER_BOWEL],
            other_symptoms=[OtherSymptom.PAIN],
        ),
        EMERGENCY,
        {"bladder_bowel_or_saddle"},
        CAUDA,
    ),
    case(
        "saddle-numbness",
        "Back pain with new numbness between the legs",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.MONTHS,
            urgent_symptoms=[U.SADDLE_NUMBNESS],
        ),
        EMERGENCY,
        {"bladder_bowel_or_saddle"},
        CAUDA,
    ),
    case(
        "one-long-standing-one-new-bulbar-sign",
        "Long-standing breathlessness known to a doctor, but the choking is new",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.YEARS,
            urgent_symptoms=[U.TROUBLE_BREATHING, U.TROUBLE_SWALLOWING],
            long_standing_symptoms=[U.TROUBLE_BREATHING],
        ),
        EMERGENCY,
        {"swallowing"},
        NEW_ONLY,
        near_miss={"breathing"},
    ),
    case(
        "seeing-long-standing-with-sudden-weakness",
        "Known old double vision; this week's weakness came on within hours",
        answers(
            onset=Onset.MINUTES_HOURS,
            started_when=StartedWhen.DAYS,
            urgent_symptoms=[U.TROUBLE_SEEING],
            long_standing_symptoms=[U.TROUBLE_SEEING],
        ),
        EMERGENCY,
        {"onset_within_hours"},
        STROKE,
        near_miss={"seeing_with_fast_onset", "seeing_new"},
    ),
    # --- Tier 2: contact a doctor today ---------------------------------------------------------
    case(
        "worse-week-to-week",
        "Weakness over a few weeks, clearly worse each week",
        answers(onset=Onset.WEEKS, started_when=StartedWhen.WEEKS, course=Course.WORSE_WEEKLY),
        TODAY,
        {"worse_week_to_week"},
        WORSE_WEEKLY,
        near_miss={"onset_over_days"},
    ),
    case(
        "worse-week-to-week-in-old-weakness",
        "Weak for years, now worse week to week",
        answers(onset=Onset.MONTHS, started_when=StartedWhen.YEARS, course=Course.WORSE_WEEKLY),
        TODAY,
        {"worse_week_to_week"},
        WORSE_WEEKLY,
    ),
    case(
        "legacy-worse-started-weeks",
        "Older form: 'getting worse', started in the last few weeks",
        answers(onset=Onset.GRADUAL, started_when=StartedWhen.WEEKS, course=Course.WORSE),
        TODAY,
        {"worse_week_to_week"},
        WORSE_WEEKLY,
    ),
    case(
        "spreading-not-sure",
        "Slow weakness; not sure whether it is spreading",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.MONTHS,
            spreading=YesNoNotSure.NOT_SURE,
        ),
        TODAY,
        {"spreading_not_sure"},
        SPREADING,
        near_miss={"spreading"},
    ),
    case(
        "statin-weakness-started-months",
        "On a statin, thigh aches and weakness for a few months",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.MONTHS,
            takes_statin=YesNoNotSure.YES,
            other_symptoms=[OtherSymptom.PAIN],
        ),
        TODAY,
        {"statin"},
        STATIN,
        near_miss={"dark_urine"},
    ),
    case(
        "statin-weakness-started-weeks",
        "On a statin, weakness over the last few weeks",
        answers(onset=Onset.WEEKS, started_when=StartedWhen.WEEKS, takes_statin=YesNoNotSure.YES),
        TODAY,
        {"statin"},
        STATIN,
    ),
    case(
        "statin-start-blank",
        "On a statin, did not say when the weakness started",
        answers(takes_statin=YesNoNotSure.YES),
        TODAY,
        {"statin"},
        STATIN,
    ),
    case(
        "statin-start-not-sure",
        "On a statin, not sure when the weakness started",
        answers(
            onset=Onset.NOT_SURE,
            started_when=StartedWhen.NOT_SURE,
            takes_statin=YesNoNotSure.YES,
        ),
        TODAY,
        {"statin"},
        STATIN,
    ),
    case(
        "fall-where-hurt",
        "Fell last week, hurt a wrist, could not get up alone",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.YEARS,
            urgent_symptoms=[U.FALL_HURT],
            other_symptoms=[OtherSymptom.FALLS],
        ),
        TODAY,
        {"fall_hurt"},
        FALL,
    ),
    case(
        "fever",
        "Fever with aching, weak muscles",
        answers(
            onset=Onset.WEEKS,
            started_when=StartedWhen.WEEKS,
            urgent_symptoms=[U.FEVER],
            other_symptoms=[OtherSymptom.PAIN],
        ),
        TODAY,
        {"fever"},
        FEVER,
    ),
    case(
        "fever-and-statin",
        "On a statin, new aches, and a fever",
        answers(
            onset=Onset.WEEKS,
            started_when=StartedWhen.WEEKS,
            urgent_symptoms=[U.FEVER],
            takes_statin=YesNoNotSure.YES,
        ),
        TODAY,
        {"statin", "fever"},
        STATIN,
    ),
    case(
        "new-seeing-slow-onset",
        "New double vision, weakness slow over months",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.MONTHS,
            urgent_symptoms=[U.TROUBLE_SEEING],
        ),
        TODAY,
        {"seeing_new"},
        SEEING_SLOW,
        near_miss={"seeing_with_fast_onset", "sudden_seeing"},
    ),
    case(
        "new-seeing-onset-blank",
        "New trouble seeing, nothing said about the weakness's speed",
        answers(urgent_symptoms=[U.TROUBLE_SEEING]),
        TODAY,
        {"seeing_new"},
        SEEING_SLOW,
        near_miss={"seeing_with_fast_onset"},
    ),
    # --- Tier 3 and near misses that must not fire ----------------------------------------------
    case(
        "long-standing-breathlessness",
        "Short of breath lying flat for years, known to the doctor, not worse",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.YEARS,
            course=Course.SAME,
            urgent_symptoms=[U.TROUBLE_BREATHING],
            long_standing_symptoms=[U.TROUBLE_BREATHING],
        ),
        ROUTINE,
        set(),
        NEW_ONLY,
        near_miss={"breathing"},
    ),
    case(
        "old-stroke",
        "Stroke years ago: came on in minutes then, same since, face droop and speech known",
        answers(
            onset=Onset.MINUTES_HOURS,
            started_when=StartedWhen.YEARS,
            course=Course.SAME,
            weakness_side=Side.LEFT,
            urgent_symptoms=[U.FACE_DROOPING, U.TROUBLE_SPEAKING],
            long_standing_symptoms=[U.FACE_DROOPING, U.TROUBLE_SPEAKING],
        ),
        ROUTINE,
        set(),
        NEW_ONLY,
        near_miss={"onset_within_hours", "face_drooping", "speaking"},
    ),
    case(
        "sudden-onset-months-ago",
        "Weakness came on in hours some months ago, now better",
        answers(
            onset=Onset.MINUTES_HOURS,
            started_when=StartedWhen.MONTHS,
            course=Course.BETTER,
            weakness_side=Side.RIGHT,
        ),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"onset_within_hours"},
    ),
    case(
        "old-gbs",
        "Guillain-Barre years ago: weak over days then, better since, some tingling left",
        answers(
            onset=Onset.DAYS,
            started_when=StartedWhen.YEARS,
            course=Course.BETTER,
            weakness_side=Side.BOTH,
            other_symptoms=[OtherSymptom.NUMBNESS_TINGLING],
        ),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"onset_over_days"},
    ),
    case(
        "over-days-months-ago",
        "Weakness came on over a few days, a few months ago, same since",
        answers(onset=Onset.DAYS, started_when=StartedWhen.MONTHS, course=Course.SAME),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"onset_over_days"},
    ),
    case(
        "over-weeks-started-weeks",
        "Weakness crept in over a few weeks, staying the same",
        answers(onset=Onset.WEEKS, started_when=StartedWhen.WEEKS, course=Course.SAME),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"onset_over_days", "worse_week_to_week"},
    ),
    case(
        "slow-over-months-worse-slowly",
        "Thighs weaker over months, getting worse slowly",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.MONTHS,
            course=Course.WORSE_SLOWLY,
            weakness_side=Side.BOTH,
        ),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"worse_week_to_week"},
    ),
    case(
        "statin-weakness-years",
        "On a statin, weakness for years, unchanged",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.YEARS,
            course=Course.SAME,
            takes_statin=YesNoNotSure.YES,
        ),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"statin"},
    ),
    case(
        "no-statin",
        "Not on a statin, weakness over a few weeks",
        answers(onset=Onset.WEEKS, started_when=StartedWhen.WEEKS, takes_statin=YesNoNotSure.NO),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"statin"},
    ),
    case(
        "spreading-no",
        "Weakness for months, not spreading",
        answers(onset=Onset.MONTHS, started_when=StartedWhen.MONTHS, spreading=YesNoNotSure.NO),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"spreading", "spreading_not_sure"},
    ),
    case(
        "could-not-walk-a-month-ago-either",
        "Uses a wheelchair; could not walk a month ago either",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.YEARS,
            walking_change=WalkingChange.COULD_NOT_BEFORE,
        ),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"cannot_walk"},
    ),
    case(
        "walking-less-well",
        "Walks less well than before, but still walks",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.MONTHS,
            walking_change=WalkingChange.LESS_WELL,
        ),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"cannot_walk"},
    ),
    case(
        "legacy-gradual-started-months",
        "Older form: 'slowly', started months ago, 'getting worse'",
        answers(onset=Onset.GRADUAL, started_when=StartedWhen.MONTHS, course=Course.WORSE),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"onset_over_days", "worse_week_to_week"},
    ),
    case(
        "legacy-worse-started-years",
        "Older form: 'getting worse', started more than a year ago",
        answers(onset=Onset.GRADUAL, started_when=StartedWhen.YEARS, course=Course.WORSE),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"worse_week_to_week"},
    ),
    case(
        "seeing-long-standing",
        "Double vision for years, known to the eye doctor, weakness slow",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.YEARS,
            urgent_symptoms=[U.TROUBLE_SEEING],
            long_standing_symptoms=[U.TROUBLE_SEEING],
        ),
        ROUTINE,
        set(),
        NEW_ONLY,
        near_miss={"seeing_new", "seeing_with_fast_onset"},
    ),
    case(
        "understanding-long-standing",
        "Has struggled to follow speech since a stroke years ago, known, not worse",
        answers(
            onset=Onset.MINUTES_HOURS,
            started_when=StartedWhen.YEARS,
            urgent_symptoms=[U.TROUBLE_UNDERSTANDING],
            long_standing_symptoms=[U.TROUBLE_UNDERSTANDING],
        ),
        ROUTINE,
        set(),
        NEW_ONLY,
        near_miss={"understanding", "onset_within_hours"},
    ),
    case(
        "weakness-sudden-years-ago",
        "Arm went weak suddenly three years ago, slowly better since; no sign ticked now",
        answers(onset=Onset.MINUTES_HOURS, started_when=StartedWhen.YEARS),
        ROUTINE,
        set(),
        NEW_ONLY,
        near_miss={"sudden_weakness", "onset_within_hours"},
    ),
    case(
        "swallowing-long-standing",
        "Swallowing trouble since an old stroke, known, not worse",
        answers(
            onset=Onset.MINUTES_HOURS,
            started_when=StartedWhen.YEARS,
            urgent_symptoms=[U.TROUBLE_SWALLOWING],
            long_standing_symptoms=[U.TROUBLE_SWALLOWING],
        ),
        ROUTINE,
        set(),
        NEW_ONLY,
        near_miss={"swallowing", "onset_within_hours"},
    ),
    case(
        "head-lifting-long-standing",
        "Known muscle disease: cannot lift the head for years, not worse",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.YEARS,
            urgent_symptoms=[U.HEAD_LIFTING],
            long_standing_symptoms=[U.HEAD_LIFTING],
        ),
        ROUTINE,
        set(),
        NEW_ONLY,
        near_miss={"head_lifting"},
    ),
    case(
        "falls-only-as-a-symptom",
        "Trips and falls now and then, no fall with an injury ticked",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.YEARS,
            other_symptoms=[OtherSymptom.FALLS],
        ),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"fall_hurt"},
    ),
    case(
        "pain-and-tiredness",
        "Aching and tired, no fever ticked",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.MONTHS,
            other_symptoms=[OtherSymptom.PAIN, OtherSymptom.TIREDNESS],
        ),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"fever"},
    ),
    case(
        "tingling-and-back-pain-not-saddle",
        "Tingling feet and back pain, no bladder, bowel or saddle sign ticked",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.MONTHS,
            other_symptoms=[OtherSymptom.NUMBNESS_TINGLING, OtherSymptom.PAIN],
        ),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"bladder_bowel_or_saddle"},
    ),
    case(
        "thinner-muscles-and-cramps",
        "Muscles look thinner, cramps and twitching, slow over years",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.YEARS,
            course=Course.WORSE_SLOWLY,
            other_symptoms=[OtherSymptom.VISIBLE_SHRINKING, OtherSymptom.CRAMPS_TWITCHING],
        ),
        ROUTINE,
        set(),
        TIER_3,
    ),
    case(
        "comes-and-goes",
        "Weakness comes and goes over months",
        answers(
            onset=Onset.NOT_SURE, started_when=StartedWhen.MONTHS, course=Course.COMES_AND_GOES
        ),
        ROUTINE,
        set(),
        TIER_3,
    ),
    case(
        "empty-form",
        "Nothing answered yet",
        answers(),
        ROUTINE,
        set(),
        TIER_3,
        near_miss={"onset_within_hours", "onset_over_days", "started_in_last_days", "statin"},
    ),
    case(
        "long-standing-box-for-unticked-sign",
        "Long-standing box for breathing, but no sign ticked",
        answers(
            onset=Onset.MONTHS,
            started_when=StartedWhen.YEARS,
            long_standing_symptoms=[U.TROUBLE_BREATHING],
        ),
        ROUTINE,
        set(),
        NEW_ONLY,
        near_miss={"breathing"},
    ),
]


@pytest.mark.parametrize(
    ("description", "a", "expected_tier", "expected_codes", "source", "near_miss"), VIGNETTES
)
def test_vignette(description, a, expected_tier, expected_codes, source, near_miss):
    assert description and source
    assert not expected_codes & near_miss, "a near miss must be a rule that does not fire"
    result = triage(a)
    assert codes_of(result) == expected_codes
    assert result.tier == expected_tier


def _tier_of(values) -> UrgencyTier:
    return values[2]


def test_the_table_has_enough_cases_in_every_tier():
    tiers = [_tier_of(p.values) for p in VIGNETTES]
    assert len(VIGNETTES) >= 45
    assert len({p.id for p in VIGNETTES}) == len(VIGNETTES)
    for tier in UrgencyTier:
        assert tiers.count(tier) >= 10, tier


def test_every_rule_has_a_case_that_fires_it_and_a_near_miss():
    fired = set().union(*(p.values[3] for p in VIGNETTES))
    missed = set().union(*(p.values[5] for p in VIGNETTES))
    codes = {rule.code for rule in RULES}
    assert codes - fired == set(), "rules no vignette fires"
    assert codes - missed == set(), "rules no vignette is a near miss for"
    assert fired | missed <= codes, "vignettes name codes that are not rules"


# --- Behaviour ------------------------------------------------------------------------------------


def test_findings_are_listed_most_urgent_first_in_rule_order():
    a = answers(
        onset=Onset.MINUTES_HOURS,
        started_when=StartedWhen.DAYS,
        course=Course.WORSE_WEEKLY,
        spreading=YesNoNotSure.YES,
        walking_change=WalkingChange.CANNOT_NOW,
        weakness_side=Side.LEFT,
        urgent_symptoms=list(UrgentSymptom),
        takes_statin=YesNoNotSure.YES,
    )
    result = triage(a)
    codes = [f.code for f in result.findings]
    assert codes == [rule.code for rule in RULES if rule.code in codes]
    tiers = [f.tier for f in result.findings]
    assert tiers == sorted(tiers)
    assert tiers[0] == EMERGENCY and tiers[-1] == TODAY
    assert result.tier == EMERGENCY
    assert [f.code for f in result.emergency] + [f.code for f in result.today] == codes
    # The rule table itself lists every emergency rule before every call-today rule.
    assert [r.tier for r in RULES] == sorted(r.tier for r in RULES)


def test_no_finding_means_bring_it_to_the_appointment():
    result = triage(answers())
    assert result.tier == ROUTINE
    assert result.findings == result.emergency == result.today == ()


def test_every_rule_cites_a_source():
    named = ("NHS", "CDC", "Merck", "NINDS", "MedlinePlus", "Mayo", "FDA", "urgent-signs reference")
    assert len({rule.code for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.tier in (EMERGENCY, TODAY), rule.code
        assert any(name in rule.source for name in named), rule.code
    result = triage(
        answers(onset=Onset.DAYS, urgent_symptoms=[U.FEVER], takes_statin=YesNoNotSure.YES)
    )
    assert result.findings
    for finding in result.findings:
        assert finding.source == triage_module.RULES_BY_CODE[finding.code].source


# English and Spanish names of the diagnoses the patient is never told about.
DIAGNOSIS = re.compile(
    r"stroke|guillain|\bALS\b|rhabdomyolysis|cauda|sarcopenia|myopath|"
    r"ictus|accidente cerebrovascular|\bELA\b|rabdomi|cola de caballo|miopat",
    re.IGNORECASE,
)


@pytest.mark.parametrize("language", ["en", "es"])
def test_patient_wording_never_names_a_diagnosis(language):
    with translation.override(language):
        for rule in RULES:
            for patient in _patient_wordings(rule):
                assert patient, rule.code
                # \bALS\b and \bELA\b ignore case here: no patient wording needs "als" or "ela".
                assert not DIAGNOSIS.search(patient), (rule.code, patient)


#: Answers that take a wording written as a function of them down each of its branches.
WORDING_ANSWERS = [
    answers(started_when=started_when)
    for started_when in ("", *(choice.value for choice in StartedWhen))
]


def _patient_wordings(rule) -> set[str]:
    """Every patient wording of `rule`: the one text, or each a function of the answers gives."""
    if not callable(rule.patient):
        return {str(rule.patient)}
    return {str(rule.patient(a)) for a in WORDING_ANSWERS}


def _clinician(rule, a) -> str:
    return str(rule.clinician(a) if callable(rule.clinician) else rule.clinician)


def test_clinician_wording_is_not_the_patients_you_wording():
    a = answers(weakness_side=Side.RIGHT, other_symptoms=[OtherSymptom.NUMBNESS_TINGLING])
    with translation.override("en"):
        for rule in RULES:
            text = _clinician(rule, a)
            assert text and not re.search(r"\byour?\b", text, re.IGNORECASE), (rule.code, text)
            for patient in _patient_wordings(rule):
                assert re.search(r"\byour?\b", patient, re.IGNORECASE), (rule.code, patient)


@pytest.mark.parametrize(
    ("side", "words"),
    [
        (Side.LEFT, "left-sided"),
        (Side.RIGHT, "right-sided"),
        (Side.BOTH, "bilateral"),
        (Side.NOT_SURE, "side unsure"),
        ("", "side not stated"),
    ],
)
@pytest.mark.parametrize(
    ("code", "pattern"),
    [
        ("onset_within_hours", {"onset": Onset.MINUTES_HOURS}),
        ("onset_over_days", {"onset": Onset.DAYS}),
        ("spreading", {"spreading": YesNoNotSure.YES}),
    ],
)
def test_clinician_wording_says_the_side(code, pattern, side, words):
    with translation.override("en"):
        result = triage(answers(weakness_side=side, **pattern))
        finding = next(f for f in result.findings if f.code == code)
    assert words in finding.clinician
    assert "tingling" not in finding.clinician


@pytest.mark.parametrize("code", ["onset_over_days", "spreading"])
def test_clinician_wording_adds_tingling_to_the_rising_weakness_pattern(code):
    a = answers(
        onset=Onset.DAYS,
        spreading=YesNoNotSure.YES,
        weakness_side=Side.BOTH,
        other_symptoms=[OtherSymptom.NUMBNESS_TINGLING],
    )
    with translation.override("en"):
        finding = next(f for f in triage(a).findings if f.code == code)
    assert "bilateral" in finding.clinician
    assert finding.clinician.endswith("with numbness or tingling")


#: The rule each sign that may be long-standing fires when it is new (slow or blank onset).
NEW_SIGN_RULE = {
    U.TROUBLE_BREATHING: ("breathing", EMERGENCY),
    U.TROUBLE_SWALLOWING: ("swallowing", EMERGENCY),
    U.TROUBLE_SPEAKING: ("speaking", EMERGENCY),
    U.TROUBLE_UNDERSTANDING: ("understanding", EMERGENCY),
    U.FACE_DROOPING: ("face_drooping", EMERGENCY),
    U.HEAD_LIFTING: ("head_lifting", EMERGENCY),
    # Trouble seeing is tier 1 only with a fast onset ("sudden trouble seeing", FAST).
    U.TROUBLE_SEEING: ("seeing_new", TODAY),
}


def test_every_long_standing_allowed_sign_has_a_new_sign_rule():
    assert set(NEW_SIGN_RULE) == set(LONG_STANDING_ALLOWED)


@pytest.mark.parametrize("sign", LONG_STANDING_ALLOWED)
@pytest.mark.parametrize("long_standing", [[], [U.DARK_URINE]], ids=["none", "other-box"])
def test_blank_follow_up_counts_as_new(sign, long_standing):
    code, tier = NEW_SIGN_RULE[sign]
    result = triage(answers(urgent_symptoms=[sign], long_standing_symptoms=long_standing))
    assert codes_of(result) == {code}
    assert result.tier == tier
    if sign != U.TROUBLE_SEEING:
        assert tier == EMERGENCY
    # With a fast onset, a new sign of any of them is an emergency.
    fast = triage(
        answers(
            onset=Onset.DAYS,
            started_when=StartedWhen.WEEKS,
            urgent_symptoms=[sign],
            long_standing_symptoms=long_standing,
        )
    )
    assert fast.tier == EMERGENCY


@pytest.mark.parametrize("sign", LONG_STANDING_ALLOWED)
def test_long_standing_only_applies_to_ticked_signs(sign):
    code, _tier = NEW_SIGN_RULE[sign]
    slow = {"onset": Onset.MONTHS, "started_when": StartedWhen.YEARS}
    # Marked long-standing and ticked: not a finding.
    assert triage(answers(urgent_symptoms=[sign], long_standing_symptoms=[sign], **slow)).tier == (
        ROUTINE
    )
    # Marked long-standing but not ticked: nothing to count, and nothing else is excused.
    assert triage(answers(long_standing_symptoms=[sign], **slow)).findings == ()
    others = [s for s in LONG_STANDING_ALLOWED if s != sign]
    result = triage(answers(urgent_symptoms=others, long_standing_symptoms=[sign], **slow))
    assert code not in codes_of(result)
    assert codes_of(result) == {NEW_SIGN_RULE[s][0] for s in others}


@pytest.mark.parametrize(
    ("sign", "code"),
    [
        (U.SUDDEN_WEAKNESS, "sudden_weakness"),
        (U.SUDDEN_TROUBLE_SEEING, "sudden_seeing"),
        (U.DARK_URINE, "dark_urine"),
        (U.BLADDER_BOWEL, "bladder_bowel_or_saddle"),
        (U.SADDLE_NUMBNESS, "bladder_bowel_or_saddle"),
        (U.FALL_HURT, "fall_hurt"),
        (U.FEVER, "fever"),
    ],
)
def test_long_standing_box_cannot_excuse_a_sign_that_is_new_by_its_wording(sign, code):
    assert sign not in LONG_STANDING_ALLOWED
    result = triage(answers(urgent_symptoms=[sign], long_standing_symptoms=[sign]))
    assert codes_of(result) == {code}


def test_triage_reads_an_unsaved_submission():
    submission = IntakeSubmission(
        onset=Onset.MINUTES_HOURS,
        started_when=StartedWhen.DAYS,
        weakness_side=Side.RIGHT,
        urgent_symptoms=[U.FACE_DROOPING],
    )
    result = triage(submission)
    assert result.tier == EMERGENCY
    assert codes_of(result) == {"onset_within_hours", "face_drooping"}


# --- Free text never raises a flag or a tier ------------------------------------------------------

FREE_TEXTS = [
    "no",
    "none",
    "None.",
    "not that I know of",
    "No one that I know of.",
    "n/a",
    "nada",
    "ninguno",
    "no que yo sepa",
    "nadie en mi familia",
    "sudden weakness, can't breathe, dark urine",
    "stroke",
    "atorvastatin",
]

SUBMISSION_TEXT_FIELDS = [
    "visit_reason",
    "started_details",
    "conditions_other",
    "family_history",
    "surgeries",
    "allergies",
    "recent_immobilisation_details",
    "unplanned_weight_loss_amount",
    "questions",
]


def calm_submission(**free_text) -> IntakeSubmission:
    """Structured answers that raise nothing: slow, old, same, both sides, nothing ticked."""
    return IntakeSubmission(
        onset=Onset.MONTHS,
        started_when=StartedWhen.YEARS,
        course=Course.SAME,
        spreading=YesNoNotSure.NO,
        walking_change=WalkingChange.AS_BEFORE,
        weakness_side=Side.BOTH,
        family_history_known="",
        takes_statin=YesNoNotSure.NO,
        takes_steroid=YesNoNotSure.NO,
        unplanned_weight_loss=YesNoNotSure.NO,
        recent_immobilisation="",
        **free_text,
    )


def _flags(submission, medicines=(), injuries=()) -> list[str]:
    key_points = build_key_points(submission, medicines=list(medicines), injuries=list(injuries))
    flagged = [f"{p.label}: {p.text}" for p in key_points.points if p.attention]
    if key_points.tier != ROUTINE or key_points.urgent_signs:
        flagged.append(f"tier {key_points.tier}: {key_points.urgent_signs}")
    return flagged


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_calm_submission_raises_nothing(language):
    with translation.override(language):
        submission = calm_submission()
        assert triage(submission).tier == ROUTINE
        assert triage(submission).findings == ()
        assert _flags(submission) == []


def _with_text(where: str, text: str):
    """A calm submission and its rows with `text` typed into one free-text place."""
    if where == "medicine name":
        return calm_submission(), [Medicine(name=text)], []
    if where == "injury texts":
        injury = Injury(body_part=text, when=text, what_happened=text, treatment=text)
        return calm_submission(), [], [injury]
    return calm_submission(**{where: text}), [], []


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "where",
    [*SUBMISSION_TEXT_FIELDS, "medicine name", "injury texts"],
)
def test_free_text_never_raises_a_flag_or_a_tier(where, language):
    problems = []
    with translation.override(language):
        for text in FREE_TEXTS:
            submission, medicines, injuries = _with_text(where, text)
            result = triage(submission)
            if result.tier != ROUTINE or result.findings:
                problems.append(f"{text!r}: triage {result.tier} {codes_of(result)}")
            problems += [f"{text!r}: {flag}" for flag in _flags(submission, medicines, injuries)]
    assert problems == []


# --- The body map gives the side ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body_map", "words"),
    [
        ({"left_hand": "little", "left_hip_thigh": "quite_a_lot"}, "left-sided"),
        ({"face": "little", "right_upper_arm": "cannot_move"}, "right-sided"),  # face: middle
        ({"left_hand": "little", "right_foot": "little"}, "bilateral"),
        ({"back": "quite_a_lot"}, "side not stated"),
    ],
)
def test_the_body_map_gives_the_side_of_sudden_weakness(body_map, words):
    with translation.override("en"):
        result = triage(answers(onset=Onset.MINUTES_HOURS, weakness_map=body_map))
        finding = next(f for f in result.findings if f.code == "onset_within_hours")
    assert result.tier == EMERGENCY
    assert words in finding.clinician


def test_the_body_map_outranks_the_older_side_answer():
    a = answers(onset=Onset.MINUTES_HOURS, weakness_map={"left_forearm": ""}, weakness_side="right")
    with translation.override("en"):
        finding = next(f for f in triage(a).findings if f.code == "onset_within_hours")
    assert "left-sided" in finding.clinician


def test_one_sided_regions_without_a_sudden_onset_raise_no_tier():
    a = answers(onset=Onset.MONTHS, weakness_map={"left_hand": "cannot_move"})
    assert triage(a).tier == ROUTINE


@pytest.mark.parametrize(
    ("started_when", "words"),
    [
        (StartedWhen.MONTHS, "You take a statin and your muscle trouble is new."),
        (StartedWhen.WEEKS, "You take a statin and your muscle trouble is new."),
        ("", "You take a statin, and you did not say when your muscle trouble started."),
        (
            StartedWhen.NOT_SURE,
            "You take a statin, and you did not say when your muscle trouble started.",
        ),
    ],
)
def test_the_statin_finding_calls_the_trouble_new_only_when_the_patient_said_so(
    started_when, words
):
    with translation.override("en"):
        result = triage(answers(takes_statin=YesNoNotSure.YES, started_when=started_when))
    assert [f.patient for f in result.findings] == [words]
