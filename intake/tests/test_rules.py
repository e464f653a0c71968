"""The SARC-F score and the urgent-signs rule, over their edge cases (no database, no browser)."""

from types import SimpleNamespace

import pytest

from intake.models import IntakeSubmission, Onset, OtherSymptom, Side
from intake.rules import sarc_f_positive, sarc_f_score, urgent_signs

ALL_ZERO = {"strength": 0, "walking": 0, "chair": 0, "stairs": 0, "falls": 0}


def test_sarc_f_total_adds_the_five_items():
    answers = {"strength": 2, "walking": 1, "chair": 0, "stairs": 2, "falls": 1}
    assert sarc_f_score(**answers) == 6


def test_sarc_f_ranges_from_zero_to_ten():
    assert sarc_f_score(**ALL_ZERO) == 0
    assert sarc_f_score(**dict.fromkeys(ALL_ZERO, 2)) == 10


@pytest.mark.parametrize("missing", sorted(ALL_ZERO))
def test_sarc_f_has_no_total_until_all_five_are_answered(missing):
    answers = {**dict.fromkeys(ALL_ZERO, 2), missing: None}
    assert sarc_f_score(**answers) is None


@pytest.mark.parametrize("bad", [3, -1, True, "1", 1.5])
def test_sarc_f_refuses_an_item_outside_zero_to_two(bad):
    with pytest.raises(ValueError):
        sarc_f_score(**{**ALL_ZERO, "falls": bad})


@pytest.mark.parametrize(
    ("score", "positive"),
    [(None, False), (0, False), (3, False), (4, True), (5, True), (10, True)],
)
def test_sarc_f_four_or_more_is_positive(score, positive):
    assert sarc_f_positive(score) is positive


def test_sarc_f_reads_a_submission_through_its_answers():
    submission = IntakeSubmission(
        sarc_f_strength=1, sarc_f_walking=1, sarc_f_chair=1, sarc_f_stairs=1, sarc_f_falls=0
    )
    assert sarc_f_positive(sarc_f_score(**submission.sarc_f_answers))


def answers(onset="", side="", symptoms=()):
    return SimpleNamespace(onset=onset, weakness_side=side, other_symptoms=list(symptoms))


def test_no_urgent_signs_for_an_empty_or_calm_answer():
    assert urgent_signs(answers()) == []
    calm = answers(Onset.GRADUAL, Side.BOTH, [OtherSymptom.CRAMPS_TWITCHING, OtherSymptom.PAIN])
    assert urgent_signs(calm) == []


@pytest.mark.parametrize("side", [Side.LEFT, Side.RIGHT])
def test_sudden_weakness_on_one_side_is_urgent(side):
    reasons = urgent_signs(answers(Onset.SUDDEN, side))
    assert reasons == ["Your weakness started suddenly on one side of your body."]


@pytest.mark.parametrize(
    ("onset", "side"),
    [
        (Onset.SUDDEN, Side.BOTH),
        (Onset.SUDDEN, Side.NOT_SURE),
        (Onset.SUDDEN, ""),
        (Onset.GRADUAL, Side.LEFT),
        (Onset.NOT_SURE, Side.RIGHT),
        ("", Side.LEFT),
    ],
)
def test_one_sided_or_sudden_alone_is_not_urgent(onset, side):
    assert urgent_signs(answers(onset, side)) == []


@pytest.mark.parametrize(
    ("symptom", "reason"),
    [
        (OtherSymptom.FACE_DROOPING, "One side of your face droops."),
        (OtherSymptom.TROUBLE_SPEAKING, "You have trouble speaking."),
        (OtherSymptom.TROUBLE_SWALLOWING, "You have trouble swallowing."),
        (OtherSymptom.TROUBLE_BREATHING, "You have trouble breathing."),
        (OtherSymptom.SPREADING_QUICKLY, "Your weakness is spreading quickly."),
    ],
)
def test_these_symptoms_are_urgent_whatever_the_onset(symptom, reason):
    for onset in (Onset.GRADUAL, Onset.NOT_SURE, ""):
        assert urgent_signs(answers(onset, Side.BOTH, [symptom])) == [reason]


def test_trouble_seeing_is_urgent_only_with_sudden_onset():
    assert urgent_signs(answers(Onset.GRADUAL, "", [OtherSymptom.TROUBLE_SEEING])) == []
    assert urgent_signs(answers(Onset.SUDDEN, Side.BOTH, [OtherSymptom.TROUBLE_SEEING])) == [
        "Your trouble seeing came on with sudden weakness."
    ]


def test_every_urgent_reason_is_listed_once_in_a_fixed_order():
    everything = answers(
        Onset.SUDDEN,
        Side.LEFT,
        [
            OtherSymptom.SPREADING_QUICKLY,
            OtherSymptom.TROUBLE_BREATHING,
            OtherSymptom.TROUBLE_SWALLOWING,
            OtherSymptom.TROUBLE_SEEING,
            OtherSymptom.TROUBLE_SPEAKING,
            OtherSymptom.FACE_DROOPING,
            OtherSymptom.FACE_DROOPING,
        ],
    )
    assert urgent_signs(everything) == [
        "Your weakness started suddenly on one side of your body.",
        "One side of your face droops.",
        "You have trouble speaking.",
        "Your trouble seeing came on with sudden weakness.",
        "You have trouble swallowing.",
        "You have trouble breathing.",
        "Your weakness is spreading quickly.",
    ]


def test_urgent_reasons_never_name_a_diagnosis():
    everything = answers(Onset.SUDDEN, Side.RIGHT, OtherSymptom.values)
    text = " ".join(urgent_signs(everything)).lower()
    assert "stroke" not in text and "guillain" not in text


def test_urgent_signs_read_an_unsaved_submission():
    submission = IntakeSubmission(onset=Onset.SUDDEN, weakness_side=Side.RIGHT, other_symptoms=[])
    assert len(urgent_signs(submission)) == 1
