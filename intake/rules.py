"""Clinical rules on a patient's answers: the SARC-F screen and the urgent-signs check.

Plain functions with no request and no database, shared by the form (intake), the visit summary
and the staff admin. Each one cites where its rule comes from (see ../shared/reference/).
"""

from collections.abc import Iterable
from typing import Protocol

from django.utils.translation import gettext as _

from .models import Onset, OtherSymptom, Side

#: SARC-F totals at or above this are a positive screen (Malmstrom & Morley 2013).
SARC_F_POSITIVE_FROM = 4
SARC_F_MAX = 10
SARC_F_COMPONENTS = ("strength", "walking", "chair", "stairs", "falls")


def sarc_f_score(
    *,
    strength: int | None,
    walking: int | None,
    chair: int | None,
    stairs: int | None,
    falls: int | None,
) -> int | None:
    """Total SARC-F score, 0 to 10, or None while any of the five questions is unanswered.

    SARC-F (Malmstrom TK, Morley JE. "SARC-F: a simple questionnaire to rapidly diagnose
    sarcopenia." J Am Med Dir Assoc. 2013;14(8):531-532): five components (strength, assistance
    in walking, rise from a chair, climb stairs, falls), each scored 0, 1 or 2 and summed.
    A partial total would understate the screen, so it is not computed.

    Takes the item scores by keyword: `sarc_f_score(**submission.sarc_f_answers)`.
    Raises ValueError for an item outside 0 to 2.
    """
    items = {
        "strength": strength,
        "walking": walking,
        "chair": chair,
        "stairs": stairs,
        "falls": falls,
    }
    for name, value in items.items():
        if value is not None and (isinstance(value, bool) or value not in (0, 1, 2)):
            raise ValueError(f"SARC-F {name} must be 0, 1 or 2, not {value!r}")
    if any(value is None for value in items.values()):
        return None
    return sum(items.values())


def sarc_f_positive(score: int | None) -> bool:
    """True when a SARC-F total is a positive screen for sarcopenia (4 or more out of 10).

    Source: Malmstrom TK, Morley JE. J Am Med Dir Assoc. 2013;14(8):531-532; validated in
    Malmstrom TK et al., J Cachexia Sarcopenia Muscle 2016;7(1):28-36, and recommended for case
    finding by EWGSOP2 (Cruz-Jentoft AJ et al., Age Ageing 2019;48(1):16-31). A positive screen
    suggests the clinician assess strength and muscle mass; it is not a diagnosis.
    An incomplete questionnaire (None) is not positive.
    """
    return score is not None and score >= SARC_F_POSITIVE_FROM


class _Symptoms(Protocol):
    onset: str
    weakness_side: str
    other_symptoms: Iterable[str]


def urgent_signs(submission: _Symptoms) -> list[str]:
    """Plain-language reasons why these answers need emergency care now; empty when none.

    Source: ../shared/reference/urgent-signs.md, after the public FAST / BE FAST stroke teaching
    (balance, eyes, face, arm, speech, time) and the emergency signs of Guillain-Barré syndrome
    and of weakness with trouble breathing or swallowing. The rule flags:

    - weakness that started suddenly on one side of the body (sudden onset with one-sided
      weakness; "both sides" or "not sure" do not count as one-sided);
    - a face that droops on one side;
    - trouble speaking, swallowing or breathing, whatever the onset (the issue's rule);
    - trouble seeing only together with sudden onset, because BE FAST names *sudden* trouble
      seeing and long-standing poor eyesight is common;
    - weakness that is spreading quickly.

    Works on anything with `onset`, `weakness_side` and `other_symptoms` (a saved or unsaved
    IntakeSubmission, or a test double). The reasons never name a diagnosis.
    """
    symptoms = set(submission.other_symptoms or ())
    sudden = submission.onset == Onset.SUDDEN
    reasons = []
    if sudden and submission.weakness_side in (Side.LEFT, Side.RIGHT):
        reasons.append(_("Your weakness started suddenly on one side of your body."))
    if OtherSymptom.FACE_DROOPING in symptoms:
        reasons.append(_("One side of your face droops."))
    if OtherSymptom.TROUBLE_SPEAKING in symptoms:
        reasons.append(_("You have trouble speaking."))
    if sudden and OtherSymptom.TROUBLE_SEEING in symptoms:
        reasons.append(_("Your trouble seeing came on with sudden weakness."))
    if OtherSymptom.TROUBLE_SWALLOWING in symptoms:
        reasons.append(_("You have trouble swallowing."))
    if OtherSymptom.TROUBLE_BREATHING in symptoms:
        reasons.append(_("You have trouble breathing."))
    if OtherSymptom.SPREADING_QUICKLY in symptoms:
        reasons.append(_("Your weakness is spreading quickly."))
    return reasons
