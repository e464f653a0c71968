"""The key points a doctor reads first, built from unsaved submissions: no database, no browser."""

from datetime import date

import pytest

from intake.models import (
    BodyRegion,
    Condition,
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
    YesNoNotSure,
)
from intake.summary import (
    age_on,
    build_key_points,
    medicine_kind,
    sarc_f_reading,
    statin_started_before_new_weakness,
)


def _points(submission, **rows) -> dict[str, tuple[str, bool]]:
    key_points = build_key_points(submission, **rows)
    return {p.label: (p.text, p.attention) for p in key_points.points}


def _sarc_f(total_items: tuple[int, int, int, int, int]) -> dict[str, int]:
    names = ("sarc_f_strength", "sarc_f_walking", "sarc_f_chair", "sarc_f_stairs", "sarc_f_falls")
    return dict(zip(names, total_items, strict=True))


def test_no_symptoms_gives_no_urgent_signs_and_says_none_reported():
    key_points = build_key_points(IntakeSubmission())
    points = {p.label: p for p in key_points.points}

    assert key_points.urgent_signs == ()
    assert key_points.tier == UrgencyTier.ROUTINE
    assert points["Weakness"].text == "None reported"
    assert points["Onset and course"].text == "Not answered"
    assert points["SARC-F"].text == "Not completed"
    assert points["Injuries"].text == "None reported"
    assert points["Relevant history"].text == "None reported"
    assert points["Steroids or statins"].text == "Not answered"
    assert not any(p.attention for p in key_points.points)


def test_key_points_come_in_a_fixed_order():
    labels = [p.label for p in build_key_points(IntakeSubmission()).points]
    assert labels == [
        "Weakness",
        "Onset and course",
        "How much it limits",
        "SARC-F",
        "Falls",
        "Unplanned weight loss",
        "Injuries",
        "Allergies",
        "Relevant history",
        "Steroids or statins",
        "The patient's questions",
    ]


def test_sudden_weakness_on_one_side_is_listed_in_clinician_words_with_its_tier():
    submission = IntakeSubmission(
        onset=Onset.MINUTES_HOURS,
        weakness_side=Side.RIGHT,
        weakness_regions=[BodyRegion.FOREARMS_HANDS],
        urgent_symptoms=[UrgentSymptom.TROUBLE_SPEAKING],
    )
    key_points = build_key_points(submission)
    points = _points(submission)

    assert key_points.tier == UrgencyTier.EMERGENCY
    assert key_points.urgent_signs == (
        "Sudden-onset weakness (minutes to hours), right-sided",
        "Dysarthria or speech difficulty, not known as long-standing",
    )
    assert points["Onset and course"] == ("Within minutes or hours", True)


def test_new_trouble_breathing_is_an_emergency_whatever_the_onset():
    submission = IntakeSubmission(
        onset=Onset.GRADUAL, urgent_symptoms=[UrgentSymptom.TROUBLE_BREATHING]
    )
    key_points = build_key_points(submission)
    assert key_points.tier == UrgencyTier.EMERGENCY
    assert key_points.urgent_signs == (
        "Breathing difficulty or orthopnoea with weakness, not known as long-standing",
    )


def test_long_standing_breathlessness_known_to_a_doctor_is_a_key_point_not_a_tier():
    submission = IntakeSubmission(
        urgent_symptoms=[UrgentSymptom.TROUBLE_BREATHING],
        long_standing_symptoms=[UrgentSymptom.TROUBLE_BREATHING],
    )
    key_points = build_key_points(submission)
    assert key_points.tier == UrgencyTier.ROUTINE
    assert _points(submission)["Long-standing signs, known to a doctor"] == (
        "Trouble breathing, or short of breath lying flat",
        True,
    )


def test_sarc_f_total_of_3_is_a_negative_screen():
    submission = IntakeSubmission(**_sarc_f((1, 0, 1, 1, 0)))
    assert _points(submission)["SARC-F"] == ("3 out of 10: negative screen (below 4)", False)


def test_sarc_f_total_of_4_is_a_positive_screen_for_sarcopenia():
    submission = IntakeSubmission(**_sarc_f((1, 1, 1, 1, 0)))
    text, attention = _points(submission)["SARC-F"]
    assert text == "4 out of 10: positive screen for sarcopenia"
    assert attention


def test_sarc_f_with_an_unanswered_question_is_not_completed():
    submission = IntakeSubmission(sarc_f_strength=2, sarc_f_walking=2, sarc_f_chair=2)
    assert _points(submission)["SARC-F"] == ("Not completed", False)


def test_weakness_on_one_side_says_which_side_only_and_is_flagged():
    submission = IntakeSubmission(
        weakness_regions=[BodyRegion.HIPS_THIGHS], weakness_side=Side.LEFT
    )
    assert _points(submission)["Weakness"] == ("Hips or thighs – Left side only", True)


def test_weakness_on_both_sides_is_not_flagged():
    submission = IntakeSubmission(
        weakness_regions=[BodyRegion.HIPS_THIGHS, BodyRegion.SHOULDERS_UPPER_ARMS],
        weakness_side=Side.BOTH,
    )
    assert _points(submission)["Weakness"] == (
        "Hips or thighs; Shoulders or upper arms – Both sides",
        False,
    )


def test_onset_and_course_read_together():
    submission = IntakeSubmission(
        started_when="months",
        started_details="after the flu",
        onset=Onset.MONTHS,
        course="worse_slowly",
    )
    text, attention = _points(submission)["Onset and course"]
    assert text == (
        "In the last few months (after the flu) · Over months or longer · "
        "Getting worse slowly, over months"
    )
    assert not attention


def test_an_older_forms_onset_reads_as_it_was_asked():
    submission = IntakeSubmission(started_when=StartedWhen.YEARS, onset=Onset.GRADUAL)
    text, attention = _points(submission)["Onset and course"]
    assert text == (
        "More than a year ago · Slowly, over days, weeks or longer (asked on older forms)"
    )
    assert not attention


def test_an_older_forms_weakness_score_still_reads_out_of_ten():
    points = _points(IntakeSubmission(weakness_score=7))
    assert points["How much it limits"] == ("7 out of 10 (older form's score)", False)


@pytest.mark.parametrize(
    ("limit", "attention"),
    [("not_at_all", False), ("a_little", False), ("quite_a_lot", False), ("a_lot", True)]
    + [("cannot_move", True)],
)
def test_how_much_the_weakness_limits_is_marked_when_help_is_needed(limit, attention):
    _text, marked = _points(IntakeSubmission(weakness_limit=limit))["How much it limits"]
    assert marked is attention


@pytest.mark.parametrize(
    ("falls_item", "symptoms", "expected"),
    [
        (0, [], ("No falls in the past year", False)),
        (1, [], ("1 to 3 falls in the past year", True)),
        (2, [], ("4 or more falls in the past year", True)),
        (0, [OtherSymptom.FALLS], ("Falls or tripping listed as a symptom", True)),
        (None, [], ("Not answered", False)),
    ],
)
def test_falls_come_from_the_sarc_f_item_and_the_symptom_list(falls_item, symptoms, expected):
    submission = IntakeSubmission(sarc_f_falls=falls_item, other_symptoms=symptoms)
    assert _points(submission)["Falls"] == expected


def test_unplanned_weight_loss_with_its_amount_is_flagged():
    submission = IntakeSubmission(
        unplanned_weight_loss=YesNoNotSure.YES, unplanned_weight_loss_amount="4 kg in 6 months"
    )
    assert _points(submission)["Unplanned weight loss"] == ("Yes: 4 kg in 6 months", True)


def test_no_unplanned_weight_loss_is_not_flagged():
    submission = IntakeSubmission(unplanned_weight_loss=YesNoNotSure.NO)
    assert _points(submission)["Unplanned weight loss"] == ("No", False)


def test_each_injury_is_one_line_of_the_key_points():
    injuries = [
        Injury(body_part="Knee", still_troubling=Injury.StillTroubling.YES),
        Injury(body_part="Back", still_troubling=Injury.StillTroubling.NO),
    ]
    point = {p.label: p for p in build_key_points(IntakeSubmission(), injuries=injuries).points}
    assert point["Injuries"].items == (
        "Knee: still troubling: yes",
        "Back: still troubling: no",
    )


def test_relevant_history_names_conditions_and_family_history():
    submission = IntakeSubmission(
        conditions=[Condition.STROKE, Condition.RHEUMATOID_ARTHRITIS, Condition.OTHER],
        conditions_other="Myasthenia gravis",
        family_history_known=YesNoNotSure.YES,
        family_history="Father had muscular dystrophy",
    )
    text, attention = _points(submission)["Relevant history"]
    assert text == (
        "Stroke; Rheumatoid arthritis; Myasthenia gravis; family history of muscle or nerve "
        "disease (Father had muscular dystrophy)"
    )
    assert attention


@pytest.mark.parametrize("answer", ["", YesNoNotSure.NO, YesNoNotSure.NOT_SURE])
def test_family_history_is_flagged_only_after_yes_whatever_was_typed(answer):
    submission = IntakeSubmission(
        family_history_known=answer, family_history="No one that I know of."
    )
    assert _points(submission)["Relevant history"] == ("None reported", False)


def test_steroids_and_statins_are_flagged_from_the_patients_yes():
    submission = IntakeSubmission(takes_statin=YesNoNotSure.YES, takes_steroid=YesNoNotSure.NO)
    assert _points(submission)["Steroids or statins"] == (
        "Statin: yes; Steroid tablets or injections: no",
        True,
    )


def test_medicine_names_are_pointed_out_but_never_flag():
    medicines = [
        Medicine(name="Prednisolone 5 mg tablets"),
        Medicine(name="Lipitor (atorvastatin)"),
        Medicine(name="Metformin"),
    ]
    text, attention = _points(IntakeSubmission(), medicines=medicines)["Steroids or statins"]
    assert text == (
        "Not answered · named in the medicines list: Prednisolone 5 mg tablets (steroid), "
        "Lipitor (atorvastatin) (statin)"
    )
    assert not attention


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("prednisone", "steroid"),
        ("METHYLPREDNISOLONE", "steroid"),
        ("Dexamethasone 4mg", "steroid"),
        ("hydrocortisone cream", "steroid"),
        ("Simvastatin", "statin"),
        ("rosuvastatin 10 mg", "statin"),
        ("Pravastatin", "statin"),
        ("Metformin", ""),
        ("Paracetamol", ""),
        ("Prednisolonex", ""),  # whole words only
    ],
)
def test_medicine_kind_recognises_common_steroids_and_statins(name, kind):
    assert medicine_kind(name) == kind


def test_sarc_f_reading_says_positive_from_four():
    assert sarc_f_reading(3).endswith("negative screen (below 4)")
    assert sarc_f_reading(4).endswith("positive screen for sarcopenia")
    assert sarc_f_reading(10) == "10 out of 10: positive screen for sarcopenia"


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(1948, 7, 2), date(2026, 7, 1), 77),
        (date(1948, 7, 2), date(2026, 7, 2), 78),
        (date(1952, 2, 29), date(2026, 2, 28), 73),
        (date(1952, 2, 29), date(2026, 3, 1), 74),
    ],
)
def test_age_counts_whole_years_up_to_the_day(born, day, age):
    assert age_on(born, day) == age


def test_an_injury_line_says_where_when_what_happened_and_what_was_done():
    injury = Injury(
        body_part="Left hip",
        when="Jan 2026",
        what_happened="Fracture after a fall",
        treatment="Hip screw",
        still_troubling=Injury.StillTroubling.SOMETIMES,
    )
    point = {p.label: p for p in build_key_points(IntakeSubmission(), injuries=[injury]).points}
    assert point["Injuries"].items == (
        "Left hip (Jan 2026): Fracture after a fall; treated: Hip screw; "
        "still troubling: sometimes",
    )


def test_allergies_and_the_patients_questions_are_key_points_never_flags():
    submission = IntakeSubmission(
        allergies="Penicillin (rash)",
        suggested_questions=["cause"],
        questions="Can I still drive?\n\nIs it safe to use weights?",
    )
    point = {p.label: p for p in build_key_points(submission).points}
    assert (point["Allergies"].text, point["Allergies"].attention) == ("Penicillin (rash)", False)
    assert point["The patient's questions"].items == (
        "What could be causing my weakness?",
        "Can I still drive?",
        "Is it safe to use weights?",
    )
    assert not point["The patient's questions"].attention


@pytest.mark.parametrize(
    ("started", "started_when", "flagged"),
    [
        (date(2026, 9, 1), StartedWhen.WEEKS, True),  # 2 months before new weakness
        (date(2026, 6, 1), StartedWhen.MONTHS, True),  # 5 months
        (date(2026, 11, 1), StartedWhen.DAYS, True),  # this month
        (date(2025, 11, 1), StartedWhen.MONTHS, False),  # a year ago: not recent
        (date(2026, 9, 1), StartedWhen.YEARS, False),  # weakness older than the statin
        (None, StartedWhen.WEEKS, False),  # not known when it started
    ],
)
def test_a_statin_started_in_the_last_6_months_with_new_weakness_is_pointed_out(
    started, started_when, flagged
):
    submission = IntakeSubmission(
        takes_statin=YesNoNotSure.YES, statin_started=started, started_when=started_when
    )
    today = date(2026, 11, 30)
    assert statin_started_before_new_weakness(submission, today=today) is flagged


def test_the_statin_start_month_is_shown_with_the_answer():
    submission = IntakeSubmission(
        takes_statin=YesNoNotSure.YES,
        statin_started=date(2019, 5, 1),
        started_when=StartedWhen.YEARS,
    )
    text, attention = _points(submission)["Steroids or statins"]
    assert text == "Statin: yes (started May 2019)"
    assert attention


# --- Each flag of a key point: an answer that raises it, and a near one that must not ---------


@pytest.mark.parametrize(
    ("answers", "attention"),
    [
        ({"onset": Onset.MINUTES_HOURS}, True),
        ({"onset": Onset.DAYS}, True),
        ({"onset": Onset.WEEKS, "course": Course.WORSE_WEEKLY}, True),
        ({"onset": Onset.WEEKS, "course": Course.SAME}, False),
        ({"onset": Onset.MONTHS, "course": Course.WORSE_SLOWLY}, False),
        ({"onset": Onset.NOT_SURE}, False),
    ],
)
def test_onset_and_course_are_flagged_for_a_fast_onset_or_weekly_worsening(answers, attention):
    assert _points(IntakeSubmission(**answers))["Onset and course"][1] is attention


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"other_symptoms": [OtherSymptom.WEIGHT_LOSS]}, ("Weight loss listed as a symptom", True)),
        (
            {
                "unplanned_weight_loss": YesNoNotSure.NO,
                "other_symptoms": [OtherSymptom.WEIGHT_LOSS],
            },
            ("No; weight loss listed as a symptom", True),
        ),
        ({"unplanned_weight_loss": YesNoNotSure.NOT_SURE}, ("Not sure", False)),
        ({"other_symptoms": [OtherSymptom.FALLS]}, ("Not answered", False)),
    ],
)
def test_weight_loss_is_flagged_from_yes_or_the_symptom_list_only(answers, expected):
    assert _points(IntakeSubmission(**answers))["Unplanned weight loss"] == expected


@pytest.mark.parametrize(
    ("statin", "steroid", "attention"),
    [
        (YesNoNotSure.NO, YesNoNotSure.YES, True),
        (YesNoNotSure.NOT_SURE, YesNoNotSure.NO, False),
        (YesNoNotSure.NO, YesNoNotSure.NOT_SURE, False),
        ("", "", False),
    ],
)
def test_steroids_and_statins_are_flagged_from_a_yes_never_from_not_sure(
    statin, steroid, attention
):
    submission = IntakeSubmission(takes_statin=statin, takes_steroid=steroid)
    assert _points(submission)["Steroids or statins"][1] is attention


def test_a_long_standing_box_without_its_sign_ticked_adds_no_key_point():
    submission = IntakeSubmission(
        urgent_symptoms=[UrgentSymptom.FEVER],
        long_standing_symptoms=[UrgentSymptom.TROUBLE_BREATHING],
    )
    assert "Long-standing signs, known to a doctor" not in _points(submission)
