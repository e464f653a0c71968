"""Clinical rules on a patient's answers: the SARC-F screen (the urgent-signs tiers: triage.py).

Plain functions with no request and no database, shared by the form (intake), the visit summary
and the staff admin. Each one cites where its rule comes from (see ../shared/reference/).
"""

#: SARC-F totals at or above this are a positive screen (Malmstrom & Morley 2013).
SARC_F_POSITIVE_FROM = 4
SARC_F_MAX = 10


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
