"""The body map's rules: its regions, words, sides, and how the summary, CSV and FHIR read it."""

import pytest
from django.utils import translation

from intake import body_map
from intake.answers import reading
from intake.body_map import REGIONS, one_side, region_words, sides
from intake.export import header_row, submission_row
from intake.fhir.resources import questionnaire, questionnaire_response
from intake.questions import STEP_BY_SLUG
from intake.summary import build_key_points
from intake.tests.factories import IntakeSubmissionFactory

THREE = {"left_hip_thigh": "quite_a_lot", "right_hand": "little", "left_lower_leg": "cannot_move"}


def test_there_are_twenty_regions_with_unique_codes_and_paired_sides():
    codes = [region.code for region in REGIONS]
    assert len(codes) == 20 == len(set(codes))
    left = {r.code.removeprefix("left_") for r in REGIONS if r.side == "left"}
    right = {r.code.removeprefix("right_") for r in REGIONS if r.side == "right"}
    assert left == right == {"shoulder", "upper_arm", "forearm", "hand", "hip_thigh", "knee",
                             "lower_leg", "foot"}  # fmt: skip
    assert {r.code for r in REGIONS if not r.side} == {"face", "neck", "chest_belly", "back"}


def test_regions_read_in_words_head_to_feet_with_how_weak():
    with translation.override("en"):
        words = region_words(THREE)
    assert words == [
        "Right hand (a little)",
        "Left hip or thigh (quite a lot)",
        "Left lower leg (cannot move it)",
    ]


def test_a_region_without_a_strength_reads_as_its_name_alone_and_unknown_codes_are_skipped():
    with translation.override("en"):
        assert region_words({"neck": "", "elbow_of_doom": "little"}) == ["Neck"]


@pytest.mark.parametrize(
    ("chosen", "expected_sides", "single"),
    [
        ({}, set(), ""),
        ({"face": "little", "back": ""}, set(), ""),
        ({"face": "little", "left_hand": "little"}, {"left"}, "left"),
        ({"right_knee": "little"}, {"right"}, "right"),
        (THREE, {"left", "right"}, ""),
    ],
)
def test_sides_count_only_regions_with_a_side(chosen, expected_sides, single):
    assert sides(chosen) == expected_sides
    assert one_side(chosen) == single


@pytest.mark.django_db
def test_one_sided_regions_are_a_key_point_for_the_doctor():
    one_sided = IntakeSubmissionFactory(
        sent=True, weakness_map={"left_hand": "quite_a_lot", "left_foot": "little"}
    )
    both = IntakeSubmissionFactory(sent=True, weakness_map=THREE)
    with translation.override("en"):
        weakness = build_key_points(one_sided).points[0]
        assert (
            weakness.text
            == "Left hand (quite a lot), Left foot or ankle (a little) – Left side only"
        )
        assert weakness.attention
        weakness = build_key_points(both).points[0]
    assert "only" not in weakness.text
    assert not weakness.attention


@pytest.mark.django_db
def test_older_forms_still_show_their_regions_and_side():
    older = IntakeSubmissionFactory(
        sent=True, weakness_map={}, weakness_regions=["hips_thighs"], weakness_side="left"
    )
    with translation.override("en"):
        weakness = build_key_points(older).points[0]
    assert weakness.text == "Hips or thighs – Left side only"


@pytest.mark.django_db
def test_the_check_page_summary_and_csv_read_the_map_as_words():
    submission = IntakeSubmissionFactory(sent=True, weakness_map=THREE)
    question = next(q for q in STEP_BY_SLUG["symptoms"].questions if q.slug == "weakness_map")
    with translation.override("en"):
        assert reading(question, submission)[0] == "Right hand (a little)"
        row = dict(zip(header_row(), submission_row(submission), strict=True))
    cell = next(value for name, value in row.items() if "how weak" in name.lower())
    assert cell == (
        "Right hand (a little); Left hip or thigh (quite a lot); Left lower leg (cannot move it)"
    )


@pytest.mark.django_db
def test_fhir_answers_carry_each_region_with_how_weak_and_its_snomed_side():
    submission = IntakeSubmissionFactory(sent=True, weakness_map=THREE)
    with translation.override("en"):
        response = questionnaire_response(submission)
    items = [i for section in response["item"] for i in section.get("item", [])]
    weakness = next(i for i in items if i["linkId"] == "symptoms.weakness_map")
    by_code = {a["valueCoding"]["code"]: a for a in weakness["answer"]}
    assert set(by_code) == set(THREE)
    hand = {i["linkId"]: i["answer"][0]["valueCoding"] for i in by_code["right_hand"]["item"]}
    assert hand["symptoms.weakness_map.how_weak"]["code"] == "little"
    assert hand["symptoms.weakness_map.side"] == {
        "system": body_map.SNOMED,
        "code": "24028007",
        "display": "Right",
    }
    assert by_code["left_hip_thigh"]["item"][1]["answer"][0]["valueCoding"]["code"] == "7771000"


@pytest.mark.django_db
def test_the_questionnaire_offers_every_region_and_asks_how_weak_under_each():
    items = [i for section in questionnaire()["item"] for i in section.get("item", [])]
    weakness = next(i for i in items if i["linkId"] == "symptoms.weakness_map")
    assert weakness["repeats"] is True
    assert [o["valueCoding"]["code"] for o in weakness["answerOption"]] == [r.code for r in REGIONS]
    children = [child["linkId"] for child in weakness["item"]]
    assert "symptoms.weakness_map.how_weak" in children
    assert "symptoms.weakness_map.side" in children
