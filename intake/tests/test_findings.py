"""The examiner's findings as rules (intake/findings.py): MRC words, BMI, gait speed, the
EWGSOP2 cut-offs at and around their boundaries, the change table, matching a patient's
examinations, and the model's validation messages."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from intake.findings import (
    MRC_SCALE,
    bmi,
    chair_stand_cut_off,
    change_since_first,
    examination_section,
    findings_for,
    gait_speed,
    gait_speed_cut_off,
    grip_cut_off,
    patient_examinations,
)
from intake.models import MRC_FIELD_NAMES, MRC_GRADES, Examination, ReferenceSex
from intake.staff_review import same_name
from intake.tests.factories import ExaminationFactory, IntakeSubmissionFactory

MALE, FEMALE, NOT_RECORDED = ReferenceSex.MALE, ReferenceSex.FEMALE, ReferenceSex.NOT_RECORDED
D = Decimal


# --- The MRC scale and computed measures -------------------------------------------------------


def test_the_mrc_scale_describes_every_grade_the_form_offers():
    assert tuple(MRC_SCALE) == MRC_GRADES
    assert "slight resistance" in str(MRC_SCALE["4-"])
    assert "moderate resistance" in str(MRC_SCALE["4"])
    assert "strong resistance" in str(MRC_SCALE["4+"])


def test_sixteen_mrc_fields_eight_muscle_groups_left_and_right():
    assert len(MRC_FIELD_NAMES) == 16
    assert "mrc_hip_flexion_left" in MRC_FIELD_NAMES
    assert "mrc_ankle_dorsiflexion_right" in MRC_FIELD_NAMES


def test_bmi_is_weight_over_height_in_metres_squared():
    assert bmi(D("70.0"), D("175.0")) == D("22.9")
    assert bmi(D("61"), D("162")) == D("23.2")


def test_bmi_needs_both_weight_and_height():
    assert bmi(None, D("170")) is None
    assert bmi(D("70"), None) is None


def test_gait_speed_is_four_metres_over_the_time():
    assert gait_speed(D("5.0")) == D("0.8")
    assert gait_speed(D("4.0")) == 1
    assert gait_speed(D("10"), distance=6) == D("0.6")
    assert gait_speed(None) is None


# --- EWGSOP2 cut-offs ---------------------------------------------------------------------------


def test_grip_below_27_kg_in_a_man_is_below_the_cut_off():
    result = grip_cut_off(D("26.9"), D("20.0"), MALE)
    assert result.below
    assert "below the EWGSOP2 cut-off (27 kg for men)" in result.text


def test_grip_of_exactly_27_kg_in_a_man_is_not_below_the_cut_off():
    result = grip_cut_off(D("27.0"), None, MALE)
    assert not result.below
    assert "not below the EWGSOP2 cut-off (27 kg for men)" in result.text


def test_grip_compares_the_stronger_hand():
    assert not grip_cut_off(D("10.0"), D("28.0"), MALE).below
    assert grip_cut_off(D("10.0"), D("15.9"), FEMALE).below


def test_grip_cut_off_for_women_is_16_kg():
    assert grip_cut_off(D("15.9"), None, FEMALE).below
    assert "16 kg for women" in grip_cut_off(D("15.9"), None, FEMALE).text
    assert not grip_cut_off(D("16.0"), None, FEMALE).below
    assert not grip_cut_off(D("20.0"), None, FEMALE).below  # would be low for a man


@pytest.mark.parametrize(
    ("left", "right", "sex", "text"),
    [
        (
            D("26.9"),
            None,
            MALE,
            "the one hand measured is below the EWGSOP2 cut-off (27 kg for men)",
        ),
        (None, D("30.0"), MALE, "the one hand measured is not below the EWGSOP2 cut-off (27 kg"),
        (None, D("15.0"), FEMALE, "the one hand measured is below the EWGSOP2 cut-off (16 kg"),
        (D("26.0"), D("25.0"), MALE, "stronger hand below the EWGSOP2 cut-off (27 kg for men)"),
    ],
)
def test_grip_of_one_hand_only_is_not_called_the_stronger_hand(left, right, sex, text):
    assert grip_cut_off(left, right, sex).text.startswith(text)


def test_grip_cut_off_is_not_applied_without_a_sex():
    result = grip_cut_off(D("10.0"), D("12.0"), NOT_RECORDED)
    assert not result.below
    assert "depends on sex" in result.text


def test_no_grip_measured_no_cut_off():
    assert grip_cut_off(None, None, MALE) is None


def test_five_sit_to_stands_over_15_seconds_is_slower_than_the_cut_off():
    result = chair_stand_cut_off(D("15.1"))
    assert result.below
    assert "slower than the EWGSOP2 cut-off" in result.text


def test_five_sit_to_stands_in_exactly_15_seconds_is_not_slower():
    result = chair_stand_cut_off(D("15.0"))
    assert not result.below
    assert result.text.startswith("not slower")


def test_gait_speed_of_exactly_0_8_counts_as_at_or_below_the_cut_off():
    # EWGSOP2: "≤0.8 m/s"; 4 m in 5.0 s is exactly 0.8 m/s.
    assert gait_speed_cut_off(gait_speed(D("5.0"))).below
    assert gait_speed_cut_off(D("0.7")).below


def test_gait_speed_above_0_8_is_faster_than_the_cut_off():
    result = gait_speed_cut_off(gait_speed(D("4.9")))  # 0.816 m/s
    assert not result.below
    assert "faster than the EWGSOP2 cut-off" in result.text


def test_no_cut_off_wording_ever_names_a_diagnosis():
    texts = [
        grip_cut_off(D("10"), None, MALE).text,
        grip_cut_off(D("10"), None, FEMALE).text,
        grip_cut_off(D("10"), None, NOT_RECORDED).text,
        chair_stand_cut_off(D("30")).text,
        gait_speed_cut_off(D("0.5")).text,
    ]
    for text in texts:
        assert "sarcopenia" not in text.lower()


# --- The findings as rows -----------------------------------------------------------------------


def _examination(**values) -> Examination:
    """An unsaved examination holding only `values`."""
    return Examination(examined_on=datetime.date(2025, 3, 12), **values)


def test_findings_have_units_and_cut_off_notes():
    rows = {
        row.label: row
        for row in findings_for(
            _examination(
                reference_sex=MALE,
                mrc_hip_flexion_left="4",
                mrc_hip_flexion_right="4+",
                grip_left_kg=D("26.9"),
                grip_right_kg=D("25.0"),
                dynamometer="Jamar hydraulic",
                five_sit_to_stand_seconds=D("12.0"),
                chair_stand_30s_count=9,
                walk_4m_seconds=D("5.0"),
                calf_circumference_cm=D("33.5"),
                weight_kg=D("70.0"),
                height_cm=D("175.0"),
            )
        )
    }
    assert rows["Hip flexion"].value == "left 4, right 4+"
    assert "moderate resistance" in rows["Hip flexion"].note
    assert rows["Grip strength"].value == "left 26.9 kg, right 25.0 kg (Jamar hydraulic)"
    assert rows["Grip strength"].flagged
    assert "below the EWGSOP2 cut-off (27 kg for men)" in rows["Grip strength"].note
    assert rows["Five sit-to-stands"].value == "12.0 s"
    assert not rows["Five sit-to-stands"].flagged
    assert rows["Chair stands in 30 seconds"].value == "9 rises"
    assert rows["Chair stands in 30 seconds"].note == ""  # EWGSOP2 gives no cut-off
    assert rows["Gait speed (4 m, usual pace)"].value == "0.80 m/s (4 m in 5.0 s)"
    assert rows["Gait speed (4 m, usual pace)"].flagged
    assert rows["Calf circumference"].value == "33.5 cm"
    assert rows["Calf circumference"].note == ""  # no cut-off applied
    assert rows["Body mass index"].value == "22.9 kg/m²"


def test_what_was_not_measured_is_left_out():
    rows = findings_for(_examination(weight_kg=D("70.0")))
    assert [row.label for row in rows] == ["Weight"]


def test_one_side_tested_says_the_other_was_not():
    (row,) = findings_for(_examination(mrc_knee_extension_right="3"))
    assert row.value == "left not tested, right 3"


# --- Change since the first examination ---------------------------------------------------------


def test_change_since_first_compares_first_and_latest_with_sign_and_unit():
    first = _examination(grip_left_kg=D("20.0"), mrc_hip_flexion_left="4", walk_4m_seconds=D("4.0"))
    middle = _examination(grip_left_kg=D("30.0"))
    latest = _examination(
        grip_left_kg=D("22.5"),
        mrc_hip_flexion_left="4+",
        walk_4m_seconds=D("5.0"),
        weight_kg=D("70.0"),  # measured only at the latest: not compared
    )
    latest.examined_on = datetime.date(2025, 9, 1)
    changes = {row.label: row for row in change_since_first([first, middle, latest])}
    assert set(changes) == {
        "Hip flexion, left (MRC)",
        "Grip strength, left",
        "Gait speed (4 m, usual pace)",
    }
    grip = changes["Grip strength, left"]
    assert (grip.first_value, grip.latest_value, grip.change) == ("20.0 kg", "22.5 kg", "+2.5 kg")
    assert (grip.first_date, grip.latest_date) == (
        datetime.date(2025, 3, 12),
        datetime.date(2025, 9, 1),
    )
    assert changes["Hip flexion, left (MRC)"].change == "4 → 4+"
    assert changes["Gait speed (4 m, usual pace)"].change == "−0.20 m/s"


def test_no_change_is_said_in_words():
    first, latest = _examination(weight_kg=D("70.0")), _examination(weight_kg=D("70.0"))
    assert change_since_first([first, latest])[0].change == "no change"


def test_one_examination_has_no_change_table():
    assert change_since_first([_examination(weight_kg=D("70.0"))]) == []
    assert change_since_first([]) == []


# --- A patient's examinations over time ---------------------------------------------------------


def test_same_name_ignores_case_and_spaces():
    assert same_name("Ada Lovelace", "  ada   LOVELACE ")
    assert not same_name("Ada Lovelace", "Ada Byron")
    assert not same_name("", "")


@pytest.mark.django_db
def test_patient_examinations_are_on_every_sent_form_with_the_same_name_and_birth_date(
    django_assert_num_queries,
):
    born = datetime.date(1948, 7, 2)
    today = IntakeSubmissionFactory(sent=True, full_name="Ada Lovelace", date_of_birth=born)
    last_year = IntakeSubmissionFactory(sent=True, full_name="ADA  lovelace", date_of_birth=born)
    other_birthday = IntakeSubmissionFactory(
        sent=True, full_name="Ada Lovelace", date_of_birth=datetime.date(1950, 1, 1)
    )
    other_name = IntakeSubmissionFactory(sent=True, full_name="Ada Byron", date_of_birth=born)
    earlier = ExaminationFactory(submission=last_year, examined_on=datetime.date(2024, 5, 1))
    latest = ExaminationFactory(submission=today, examined_on=datetime.date(2025, 5, 1))
    ExaminationFactory(submission=other_birthday)
    ExaminationFactory(submission=other_name)

    with django_assert_num_queries(1):
        found = patient_examinations(today)
        assert [e.submission.reference for e in found] == [last_year.reference, today.reference]
    assert found == [earlier, latest]


@pytest.mark.django_db
def test_examination_section_is_the_latest_and_the_change():
    visit = IntakeSubmissionFactory(sent=True)
    ExaminationFactory(submission=visit, examined_on=datetime.date(2025, 1, 1))
    ExaminationFactory(
        submission=visit, examined_on=datetime.date(2025, 6, 1), grip_right_kg=D("17.0")
    )
    section = examination_section(visit)
    assert section.examined_on == datetime.date(2025, 6, 1)
    assert section.count == 2
    grip = {c.label: c for c in section.changes}["Grip strength, right"]
    assert grip.change == "+1.5 kg"


@pytest.mark.django_db
def test_no_examination_no_section():
    assert examination_section(IntakeSubmissionFactory(sent=True)) is None


# --- Validation ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("grip_left_kg", D("100.1"), "Enter a grip strength between 0 and 100 kg."),
        ("grip_right_kg", D("-1"), "Enter a grip strength between 0 and 100 kg."),
        ("chair_stand_30s_count", 61, "Enter a number of chair stands between 0 and 60."),
        (
            "five_sit_to_stand_seconds",
            D("120.5"),
            "Enter a time for five sit-to-stands between 0 and 120 seconds.",
        ),
        ("walk_4m_seconds", D("0.5"), "Enter a 4-metre walk time between 1 and 120 seconds."),
        ("calf_circumference_cm", D("14.9"), "Enter a calf circumference between 15 and 70 cm."),
        ("weight_kg", D("301"), "Enter a weight between 20 and 300 kg."),
        ("height_cm", D("99"), "Enter a height between 100 and 230 cm."),
    ],
)
def test_out_of_range_values_say_the_range_and_unit(field, value, message):
    examination = ExaminationFactory.build(
        submission=IntakeSubmissionFactory(sent=True), **{field: value}
    )
    with pytest.raises(ValidationError) as error:
        examination.full_clean()
    assert error.value.message_dict[field] == [message]


@pytest.mark.django_db
def test_an_empty_examination_is_refused():
    examination = Examination(submission=IntakeSubmissionFactory(sent=True))
    with pytest.raises(ValidationError) as error:
        examination.full_clean()
    assert error.value.messages == ["Enter at least one finding."]


@pytest.mark.django_db
def test_one_finding_is_enough():
    examination = Examination(submission=IntakeSubmissionFactory(sent=True), weight_kg=D("70"))
    examination.full_clean()
