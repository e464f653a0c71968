"""factory_boy factories for intake data, shared with the summary and admin tests.

`IntakeSubmissionFactory()` builds a complete draft (steps 1 to 9 answered) with two medicines,
two injuries and three tests, always the same ones (COMPLETE_MEDICINES, COMPLETE_INJURIES);
`IntakeSubmissionFactory(sent=True)` is a sent one. The raw private token is kept on the object
as `raw_token` (it is never stored), so a test can open
`resume_link_for(submission, submission.raw_token)`.

    IntakeSubmissionFactory(urgent=True)            # sudden weakness on one side: tier 1
    IntakeSubmissionFactory(call_today=True)        # worse week to week: tier 2
    IntakeSubmissionFactory(sarc_f_positive=True)   # SARC-F total 6
    BlankDraftFactory()                             # a draft with nothing but step 1's name

The name is in its parts (given names, family name), as the form asks it, and the full name is
made from them when the submission is saved. Pass `full_name` alone for a form from before the
parts were asked, which holds the name only on one line:

    IntakeSubmissionFactory(given_names="Ada", family_name="Lovelace")  # full_name "Ada Lovelace"
    IntakeSubmissionFactory(full_name="ADA  lovelace")                  # an older form, as typed
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from intake.models import (
    ActivityLevel,
    Appetite,
    Condition,
    Course,
    Examination,
    HardActivity,
    Injury,
    IntakeSubmission,
    Medicine,
    Onset,
    OtherSymptom,
    ReferenceSex,
    StartedWhen,
    SuggestedQuestion,
    TestDone,
    UrgentSymptom,
    WalkingChange,
    WeaknessLimit,
    YesNo,
    YesNoNotSure,
    full_name_from_parts,
)
from intake.tokens import hash_token, new_reference, new_token


class _WithToken(DjangoModelFactory):
    """Gives each submission a real token and remembers it as `raw_token`."""

    class Meta:
        abstract = True

    token = factory.LazyFunction(new_token)
    reference = factory.LazyFunction(new_reference)
    token_hash = factory.LazyAttribute(lambda o: hash_token(o.token))

    @classmethod
    def _create(cls, model_class, *args, token, **kwargs):
        submission = super()._create(model_class, *args, **kwargs)
        submission.raw_token = token
        return submission

    @classmethod
    def _build(cls, model_class, *args, token, **kwargs):
        submission = super()._build(model_class, *args, **kwargs)
        submission.raw_token = token
        # Saving makes the full name from the parts (IntakeSubmission.save); a built one is not
        # saved, so make it here.
        submission.full_name = submission.full_name or full_name_from_parts(
            submission.given_names, submission.family_name
        )
        return submission


#: The patient's name in its parts, unless the factory is given `full_name` alone: then the form
#: is one from before the parts were asked, its name only on one line.
FULL_NAME = ""
GIVEN_NAMES = factory.Maybe("full_name", "", factory.Faker("first_name"))
FAMILY_NAME = factory.Maybe("full_name", "", factory.Faker("last_name"))


class BlankDraftFactory(_WithToken):
    class Meta:
        model = IntakeSubmission

    full_name = FULL_NAME
    given_names = GIVEN_NAMES
    family_name = FAMILY_NAME
    date_of_birth = datetime.date(1950, 3, 14)
    steps_completed = factory.LazyFunction(lambda: [1])


class MedicineFactory(DjangoModelFactory):
    class Meta:
        model = Medicine

    submission = factory.SubFactory(BlankDraftFactory)
    position = factory.Sequence(int)
    name = factory.Iterator(["Prednisolone", "Atorvastatin", "Metformin"])
    started = datetime.date(2025, 3, 1)
    dose = factory.Iterator(["5 mg", "20 mg", "500 mg"])
    frequency = factory.Iterator(["Once a day, morning", "Once a day, evening", "Twice a day"])


class InjuryFactory(DjangoModelFactory):
    class Meta:
        model = Injury

    submission = factory.SubFactory(BlankDraftFactory)
    position = factory.Sequence(int)
    body_part = factory.Iterator(["Left knee", "Lower back"])
    when = factory.Iterator(["2019", "Last winter"])
    what_happened = factory.Iterator(["Fell on ice", "Lifted a heavy box"])
    treatment = factory.Iterator(["Physiotherapy for 6 weeks", "Rest and painkillers"])
    still_troubling = factory.Iterator([Injury.StillTroubling.SOMETIMES, Injury.StillTroubling.YES])


class TestDoneFactory(DjangoModelFactory):
    class Meta:
        model = TestDone

    __test__ = False  # not a pytest test class

    submission = factory.SubFactory(BlankDraftFactory)
    test_type = TestDone.TestType.BLOOD
    position = 0
    done = YesNoNotSure.YES
    when = "March 2024"
    where = "City Hospital"


#: The rows of a complete submission (fixed, so tests can name them whatever ran before).
COMPLETE_MEDICINES = (
    ("Prednisolone", "5 mg", "Once a day, morning", None),
    ("Atorvastatin", "20 mg", "Once a day, evening", datetime.date(2025, 3, 1)),
)
COMPLETE_INJURIES = (
    {
        "body_part": "Left knee",
        "when": "2019",
        "what_happened": "Fell on ice",
        "treatment": "Physiotherapy for 6 weeks",
        "still_troubling": Injury.StillTroubling.SOMETIMES,
    },
    {
        "body_part": "Lower back",
        "when": "Last winter",
        "what_happened": "Lifted a heavy box",
        "treatment": "Rest and painkillers",
        "still_troubling": Injury.StillTroubling.YES,
    },
)


class IntakeSubmissionFactory(_WithToken):
    """A complete draft: every step up to 9 answered, with rows."""

    class Meta:
        model = IntakeSubmission
        skip_postgeneration_save = True  # the hook below saves rows, not the submission

    class Params:
        sent = factory.Trait(
            status=IntakeSubmission.Status.SENT,
            sent_at=factory.LazyFunction(timezone.now),
            consent_given_at=factory.LazyFunction(timezone.now),
            steps_completed=list(range(1, 12)),
        )
        urgent = factory.Trait(
            onset=Onset.MINUTES_HOURS,
            started_when=StartedWhen.DAYS,
            weakness_map={
                "face": "little",
                "left_upper_arm": "quite_a_lot",
                "left_hand": "cannot_move",
                "left_hip_thigh": "quite_a_lot",
            },
            urgent_symptoms=[UrgentSymptom.FACE_DROOPING, UrgentSymptom.TROUBLE_SPEAKING],
            long_standing_symptoms=[],
        )
        call_today = factory.Trait(course=Course.WORSE_WEEKLY, started_when=StartedWhen.WEEKS)
        sarc_f_positive = factory.Trait(
            sarc_f_strength=2, sarc_f_walking=1, sarc_f_chair=1, sarc_f_stairs=2, sarc_f_falls=0
        )

    steps_completed = factory.LazyFunction(lambda: list(range(1, 11)))
    # Step 1
    full_name = FULL_NAME
    given_names = GIVEN_NAMES
    family_name = FAMILY_NAME
    date_of_birth = datetime.date(1948, 7, 2)
    appointment_date = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=14)
    )
    filled_by = "helper"
    helper_name = "Sam Carer"
    helper_relationship = "son"
    interpreter_needed = YesNo.YES
    interpreter_language = "Portuguese"
    access_needs = "Wheelchair access, please."
    phone = "+12015550123"
    email = "patient@example.org"
    clinician = "Dr Okafor"
    visit_reason = "My legs have got weaker over the last year and I struggle with stairs."
    # Step 2
    weakness_map = factory.LazyFunction(
        lambda: {
            "left_shoulder": "little",
            "right_shoulder": "little",
            "left_hip_thigh": "quite_a_lot",
            "right_hip_thigh": "quite_a_lot",
        }
    )
    started_when = StartedWhen.YEARS
    started_details = "Spring 2024"
    onset = Onset.MONTHS
    course = Course.WORSE_SLOWLY
    spreading = YesNoNotSure.NO
    walking_change = WalkingChange.LESS_WELL
    weakness_limit = WeaknessLimit.QUITE_A_LOT
    # Breathless for years, known to a doctor: shown to the doctor, not an emergency.
    urgent_symptoms = factory.LazyFunction(lambda: [UrgentSymptom.TROUBLE_BREATHING])
    long_standing_symptoms = factory.LazyFunction(lambda: [UrgentSymptom.TROUBLE_BREATHING])
    other_symptoms = factory.LazyFunction(
        lambda: [OtherSymptom.CRAMPS_TWITCHING, OtherSymptom.TIREDNESS]
    )
    hard_activities = factory.LazyFunction(lambda: [HardActivity.GRIPPING, HardActivity.DRESSING])
    # Step 4: total 3 (negative screen) unless sarc_f_positive
    sarc_f_strength = 1
    sarc_f_walking = 0
    sarc_f_chair = 1
    sarc_f_stairs = 1
    sarc_f_falls = 0
    # Step 5
    conditions = factory.LazyFunction(lambda: [Condition.DIABETES, Condition.OTHER])
    conditions_other = "High blood pressure"
    family_history_known = YesNoNotSure.YES
    family_history = "My mother had muscle weakness in her 60s."
    takes_statin = YesNoNotSure.YES
    statin_started = datetime.date(2019, 5, 1)
    takes_steroid = YesNoNotSure.YES
    surgeries = "Hip replacement, 2015"
    allergies = "Penicillin (rash)"
    # Step 8
    activity_level = ActivityLevel.LIGHT
    sitting_hours = 8
    exercise_days_per_week = 1
    recent_immobilisation = YesNo.NO
    alcohol_drinks_per_week = 4
    appetite = Appetite.LESS
    unplanned_weight_loss = YesNoNotSure.YES
    unplanned_weight_loss_amount = "About 4 kg over 6 months"
    # Step 10
    questions = "Could my cholesterol tablets be part of this?"
    suggested_questions = factory.LazyFunction(
        lambda: [SuggestedQuestion.CAUSE, SuggestedQuestion.MEDICINES]
    )

    @factory.post_generation
    def medicines(submission, create, extracted, **kwargs):
        """Two medicines, always the same; `medicines=[(name, dose, frequency[, started]), ...]`
        to choose."""
        if not create:
            return
        rows = COMPLETE_MEDICINES if extracted is None else extracted
        for position, (name, dose, frequency, *started) in enumerate(rows):
            Medicine.objects.create(
                submission=submission,
                position=position,
                name=name,
                dose=dose,
                frequency=frequency,
                started=started[0] if started else None,
            )

    @factory.post_generation
    def injuries(submission, create, extracted, **kwargs):
        """Two injuries, always the same; `injuries=[{...field values...}, ...]` to choose."""
        if not create:
            return
        rows = COMPLETE_INJURIES if extracted is None else extracted
        for position, values in enumerate(rows):
            Injury.objects.create(submission=submission, position=position, **values)

    @factory.post_generation
    def tests_done(submission, create, extracted, **kwargs):
        if not create:
            return
        answers = [
            (TestDone.TestType.BLOOD, YesNoNotSure.YES, "March 2024", "GP surgery"),
            (TestDone.TestType.MRI, YesNoNotSure.YES, "2023", "City Hospital"),
            (TestDone.TestType.EMG, YesNoNotSure.NOT_SURE, "", ""),
        ]
        order = list(TestDone.TestType.values)
        for test_type, done, when, where in answers:
            TestDone.objects.create(
                submission=submission,
                test_type=test_type,
                position=order.index(test_type),
                done=done,
                when=when,
                where=where,
            )


#: The medicines of the "typical" submission the visit summary must print on two pages.
TYPICAL_MEDICINES = (
    ("Prednisolone", "5 mg", "Once a day, morning"),
    ("Atorvastatin", "20 mg", "Once a day, evening"),
    ("Metformin", "500 mg", "Twice a day"),
    ("Ramipril", "5 mg", "Once a day"),
)


def typical_sent_submission_with_token() -> tuple[IntakeSubmission, str]:
    """A sent submission with two injuries, four medicines and three tests, and its raw token.

    The typical case of the visit summary issue (it must print on two pages); also used by
    bench/benchmark.py. A form sent today: the lifestyle numbers only older forms were asked
    (hours sitting, exercise days) are blank.
    """
    submission = IntakeSubmissionFactory(
        sent=True, medicines=TYPICAL_MEDICINES, sitting_hours=None, exercise_days_per_week=None
    )
    return submission, submission.raw_token


class ExaminationFactory(DjangoModelFactory):
    """An examination recorded at a sent visit: a woman with weak hips and a slow walk.

    ExaminationFactory(submission=visit, examined_on=date, grip_left_kg=Decimal("20.0"))
    """

    class Meta:
        model = Examination

    submission = factory.SubFactory(IntakeSubmissionFactory, sent=True)
    examined_on = factory.LazyFunction(timezone.localdate)
    examiner_name = "Dr Okafor"
    reference_sex = ReferenceSex.FEMALE
    mrc_hip_flexion_left = "4"
    mrc_hip_flexion_right = "4+"
    grip_left_kg = Decimal("14.5")
    grip_right_kg = Decimal("15.5")
    dynamometer = "Jamar hydraulic"
    five_sit_to_stand_seconds = Decimal("16.2")
    walk_4m_seconds = Decimal("5.5")
    weight_kg = Decimal("61.0")
    height_cm = Decimal("162.0")
