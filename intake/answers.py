"""A submission's answers as labelled, human-readable text, grouped by step.

Used by the "Check your answers" page; plain data, so the visit summary can reuse it.
"""

from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import (
    ActivityLevel,
    Appetite,
    BodyRegion,
    Condition,
    Course,
    FilledBy,
    HardActivity,
    Injury,
    IntakeSubmission,
    Onset,
    OtherSymptom,
    Side,
    StartedWhen,
    SuggestedQuestion,
    TestDone,
    UrgentSymptom,
    WalkingChange,
    WeaknessLimit,
    YesNo,
    YesNoNotSure,
)
from .rules import SARC_F_POSITIVE_FROM, sarc_f_positive, sarc_f_score
from .steps import STEPS


@dataclass
class Answer:
    label: str
    value: str | list[str]  # "" or [] when not answered

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)


@dataclass
class Group:
    """A repeating row (one medicine, one injury, one test) and its answers."""

    title: str
    answers: list[Answer]


@dataclass
class StepAnswers:
    number: int
    title: str
    completed: bool
    answers: list[Answer] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    empty_groups_text: str = ""


def label_of(choices, code: str) -> str:
    """The label of a stored choice code, or the code itself if it is no longer offered."""
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def picked(choices, code: str, *details: str) -> str:
    """An answered choice's label, then any details typed with it: "Yes, a cast for 6 weeks"."""
    return ", ".join(part for part in (label_of(choices, code) if code else "", *details) if part)


def labels_of(choices, codes) -> list[str]:
    return [label_of(choices, code) for code in codes or ()]


def _date(value) -> str:
    return date_format(value) if value else ""  # DATE_FORMAT: "3 April 1950", "3 de abril de 1950"


def _number(value) -> str:
    return "" if value is None else str(value)


def _sarc_f_answer(value: int | None, answers: list[str]) -> str:
    return "" if value is None else f"{answers[value]} ({value})"


def sign_labels(s: IntakeSubmission, long_standing_wording: str) -> list[str]:
    """The signs ticked, each marked with `long_standing_wording` ("%(sign)s (...)") where the
    patient said they have had it for months, a doctor knows, and it is not getting worse."""
    long_standing = set(s.long_standing_symptoms or ())
    return [
        long_standing_wording % {"sign": label_of(UrgentSymptom, code)}
        if code in long_standing
        else label_of(UrgentSymptom, code)
        for code in s.urgent_symptoms or ()
    ]


def answers_by_step(submission: IntakeSubmission) -> list[StepAnswers]:
    """Every answer of steps 1 to 9, labelled as the patient saw the questions."""
    s = submission
    done = set(s.steps_completed)

    def step(number, answers=None, groups=None, empty_groups_text=""):
        return StepAnswers(
            number=number,
            title=str(STEPS[number].title),
            completed=number in done,
            answers=answers or [],
            groups=groups or [],
            empty_groups_text=empty_groups_text,
        )

    none_some_lot = [_("None"), _("Some"), _("A lot, or unable")]
    score = sarc_f_score(**s.sarc_f_answers)
    if score is None:
        total = ""
    elif sarc_f_positive(score):
        total = _(
            "%(score)s out of 10. A total of %(limit)s or more suggests the doctor checks your "
            "muscle strength and size. It is not a diagnosis."
        ) % {"score": score, "limit": SARC_F_POSITIVE_FROM}
    else:
        total = _("%(score)s out of 10.") % {"score": score}

    medicines = list(s.medicines.all())
    injuries = list(s.injuries.all())
    tests = list(s.tests_done.all())

    return [
        step(
            1,
            [
                Answer(
                    _("Who is filling in"),
                    picked(FilledBy, s.filled_by, s.helper_name, s.helper_relationship),
                ),
                Answer(_("Full name"), s.full_name),
                Answer(_("Date of birth"), _date(s.date_of_birth)),
                Answer(_("Phone number"), str(s.phone) if s.phone else ""),
                Answer(_("Email address"), s.email),
                Answer(_("Appointment date"), _date(s.appointment_date)),
                Answer(_("Doctor or clinician"), s.clinician),
                Answer(_("Main reason for your visit"), s.visit_reason),
                Answer(
                    _("Interpreter"),
                    picked(YesNo, s.interpreter_needed, s.interpreter_language),
                ),
                Answer(_("Help at the visit"), s.access_needs),
            ],
        ),
        step(
            2,
            [
                Answer(_("Where"), labels_of(BodyRegion, s.weakness_regions)),
                Answer(_("Which side"), picked(Side, s.weakness_side)),
                Answer(
                    _("When it started"),
                    picked(StartedWhen, s.started_when, s.started_details),
                ),
                Answer(_("How quickly it came on"), picked(Onset, s.onset)),
                Answer(_("Getting worse or better"), picked(Course, s.course)),
                Answer(
                    _("Spreading over hours or days"),
                    picked(YesNoNotSure, s.spreading),
                ),
                Answer(
                    _("Walking and standing"),
                    picked(WalkingChange, s.walking_change),
                ),
                Answer(_("How much it limits you"), picked(WeaknessLimit, s.weakness_limit)),
                Answer(
                    _("Signs you have now"),
                    sign_labels(s, _("%(sign)s (for months, a doctor knows)")),
                ),
                Answer(_("Other symptoms"), labels_of(OtherSymptom, s.other_symptoms)),
                Answer(_("Hard daily activities"), labels_of(HardActivity, s.hard_activities)),
            ],
        ),
        step(
            3,
            [
                Answer(
                    _("Lifting and carrying 10 pounds (4.5 kg)"),
                    _sarc_f_answer(s.sarc_f_strength, none_some_lot),
                ),
                Answer(
                    _("Walking across a room"),
                    _sarc_f_answer(
                        s.sarc_f_walking, [_("None"), _("Some"), _("A lot, use aids, or unable")]
                    ),
                ),
                Answer(
                    _("Moving from a chair or bed"),
                    _sarc_f_answer(
                        s.sarc_f_chair, [_("None"), _("Some"), _("A lot, or unable without help")]
                    ),
                ),
                Answer(
                    _("Climbing a flight of 10 stairs"),
                    _sarc_f_answer(s.sarc_f_stairs, none_some_lot),
                ),
                Answer(
                    _("Falls in the past year"),
                    _sarc_f_answer(
                        s.sarc_f_falls, [_("None"), _("1 to 3 falls"), _("4 or more falls")]
                    ),
                ),
                Answer(_("Total"), total),
            ],
        ),
        step(
            4,
            [
                Answer(
                    _("Conditions"),
                    [
                        f"{label_of(Condition, code)}: {s.conditions_other}"
                        if code == Condition.OTHER and s.conditions_other
                        else label_of(Condition, code)
                        for code in s.conditions
                    ],
                ),
                Answer(
                    _("Family history of muscle or nerve disease"),
                    picked(YesNoNotSure, s.family_history_known, s.family_history),
                ),
                Answer(
                    _("Takes a statin"),
                    picked(
                        YesNoNotSure,
                        s.takes_statin,
                        _("started %(month)s")
                        % {"month": date_format(s.statin_started, "YEAR_MONTH_FORMAT")}
                        if s.statin_started
                        else "",
                    ),
                ),
                Answer(
                    _("Takes steroid tablets or injections"),
                    picked(YesNoNotSure, s.takes_steroid),
                ),
                Answer(_("Operations"), s.surgeries),
                Answer(_("Allergies"), s.allergies),
            ],
        ),
        step(
            5,
            groups=[
                Group(
                    m.name,
                    [Answer(_("Dose"), m.dose), Answer(_("How often"), m.frequency)],
                )
                for m in medicines
            ],
            empty_groups_text=_("No medicines listed."),
        ),
        step(
            6,
            groups=[
                Group(
                    i.body_part,
                    [
                        Answer(_("When"), i.when),
                        Answer(_("What happened"), i.what_happened),
                        Answer(_("Treatment"), i.treatment),
                        Answer(
                            _("Still troubling you"),
                            label_of(Injury.StillTroubling, i.still_troubling)
                            if i.still_troubling
                            else "",
                        ),
                    ],
                )
                for i in injuries
            ],
            empty_groups_text=_("No injuries listed."),
        ),
        step(
            7,
            [
                Answer(
                    _("Activity"),
                    picked(ActivityLevel, s.activity_level),
                ),
                Answer(_("Hours sitting or lying down a day"), _number(s.sitting_hours)),
                Answer(_("Days a week you exercise"), _number(s.exercise_days_per_week)),
                Answer(
                    _("Bed rest, cast or brace in the last 6 months"),
                    picked(YesNo, s.recent_immobilisation, s.recent_immobilisation_details),
                ),
                Answer(_("Alcoholic drinks a week"), _number(s.alcohol_drinks_per_week)),
                Answer(_("Appetite"), picked(Appetite, s.appetite)),
                Answer(
                    _("Weight loss without trying"),
                    picked(YesNoNotSure, s.unplanned_weight_loss, s.unplanned_weight_loss_amount),
                ),
            ],
        ),
        step(
            8,
            groups=[
                Group(
                    label_of(TestDone.TestType, t.test_type),
                    [
                        Answer(
                            _("Had this test"), label_of(YesNoNotSure, t.done) if t.done else ""
                        ),
                        Answer(_("When"), t.when),
                        Answer(_("Where"), t.where),
                    ],
                )
                for t in tests
            ],
            empty_groups_text=_("No tests listed."),
        ),
        step(
            9,
            [
                Answer(
                    _("Questions you ticked"),
                    labels_of(SuggestedQuestion, s.suggested_questions),
                ),
                Answer(_("Your own questions"), s.questions),
            ],
        ),
    ]
