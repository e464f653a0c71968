"""The SARC-F score and the urgent-signs rule, over their edge cases (no database, no browser)."""

import pytest

from intake.models import IntakeSubmission
from intake.rules import sarc_f_positive, sarc_f_score

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
