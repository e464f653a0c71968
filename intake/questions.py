"""Every question of "Prepare for your visit", once, in the order the patient meets them.

This module is the one list of questions. Everything else is generated from it:

- the step forms and their layout (intake/forms.py `form_for`, rendered with crispy-forms),
- the patient's "check your answers" page (intake/answers.py),
- the visit summary's sections and the header's extra lines (intake/summary.py),
- the CSV columns (intake/export.py),
- the staff admin's fieldsets and read-only answers (intake/admin.py),
- the FHIR Questionnaire and its responses (intake/fhir/definition.py).

To add a question: add a model field (and its migration), add one `Question` to its step here,
and translate its label. `intake/tests/test_questions.py` proves the new entry appears in every
view above, and that every answer column of the model is defined here.

What a question says about itself:

- `slug`: the model field that stores the answer; with the step's slug it is the FHIR linkId
  ("symptoms.onset"), so never rename one.
- `label`, `hint`: as the patient reads them on the form; `short`: on their check page, when the
  label is too long to repeat. Staff (summary, admin, CSV) read the model field's verbose name,
  so the doctor's wording lives in one place too.
- `required`: needed to *send* the form. Saving for later never asks for it.
- `shown_when`: a follow-up, revealed under one answer of an earlier question (without
  JavaScript); its answer is read on the same line as that question's ("Yes, Spanish").
  `completes` does the same for a question that is always shown ("Months ago, after my fall").
- `asked`: False for a question only older forms hold; it still shows wherever it was answered.
- `derived_from`: a stored answer made from other questions' answers (the full name, from the
  given names and family name): it is shown only on forms that hold it without them.

Clinical conclusions (tiers, key points) are not defined here: they are plain functions in
intake/triage.py and intake/summary.py that read the answers by slug.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import (
    LONG_STANDING_ALLOWED,
    STEP_COUNT,
    ActivityLevel,
    Appetite,
    BodyRegion,
    Condition,
    Course,
    FilledBy,
    HardActivity,
    Injury,
    Medicine,
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
    offered_choices,
)

Text = str | Promise

EARLIEST_YEAR = 1900


class Kind(StrEnum):
    """What sort of answer a question takes; decides its form field, reading and FHIR type."""

    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # a few lines
    DATE = "date"  # day, month and year boxes
    MONTH_YEAR = "month_year"  # month and year boxes, stored as the first of the month
    NUMBER = "number"  # a whole number between `low` and `high`
    CHOICE = "choice"  # one of `choices` (radios)
    CHOICES = "choices"  # any of `choices` (checkboxes)
    SCORED = "scored"  # one of `scored_answers`, scored 0, 1, 2 (SARC-F)
    PHONE = "phone"
    EMAIL = "email"
    BODY_MAP = "body_map"  # regions of the body with how weak each is (intake/body_map.py)


def today() -> datetime.date:
    return timezone.localdate()


@dataclass(frozen=True)
class DateLimits:
    """The dates a DATE or MONTH_YEAR question accepts; callables, so "today" is per request."""

    earliest: Callable[[], datetime.date]
    latest: Callable[[], datetime.date]
    too_early: Text
    too_late: Text


def since_1900() -> datetime.date:
    return datetime.date(EARLIEST_YEAR, 1, 1)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Question:
    slug: str
    label: Text
    kind: Kind
    hint: Text = ""
    short: Text = ""
    choices: type | None = None
    #: For SCORED questions: the answers in the questionnaire's own words, scored 0, 1 and 2.
    scored_answers: tuple[Text, ...] = ()
    required: bool = False
    #: The message when a required question is not answered ("Enter your family name").
    missing: Text = ""
    shown_when: tuple[str, str] | None = None
    completes: str = ""
    #: A CHOICES question whose options each sit under the same option of this one.
    nested_in: str = ""
    asked: bool = True
    inline: bool = False
    low: int | None = None
    high: int | None = None
    lines: int = 0
    width: int | None = None
    dates: DateLimits | None = None
    attrs: dict = field(default_factory=dict)
    validators: tuple = ()
    #: Lists of whole sentences read one under another (the questions the patient ticked).
    bulleted: bool = False
    #: Options offered for a CHOICES question, when not all of `choices` (a nested list).
    offered: tuple | None = None
    #: Stored answers that say nothing worth a line on the check page and summary.
    unremarkable: tuple = ()
    #: Questions of the same step this answer is made from when they are answered (the full
    #: name from the name's parts): then it gets no line of its own beside them; a form that
    #: holds it without them (an older one) shows it in their place.
    derived_from: tuple[str, ...] = ()

    def offered_choices(self) -> list[tuple[str, Text]]:
        """The choices the form offers today: `offered`, or all but those only older forms
        hold (models.LEGACY_CHOICES)."""
        if self.offered is not None:
            return [(choice.value, choice.label) for choice in self.offered]
        return offered_choices(self.choices)

    @property
    def check_label(self) -> Text:
        return self.short or self.label

    @property
    def is_follow_up(self) -> bool:
        return self.shown_when is not None or bool(self.nested_in)

    @property
    def parent(self) -> str:
        """The question whose answer line this one's answer completes ("" for none)."""
        if self.shown_when:
            return self.shown_when[0]
        return self.completes or self.nested_in


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Rows:
    """A repeating step's rows (medicines, injuries, tests): one model row per item."""

    related_name: str
    model: type
    questions: tuple[Question, ...]
    #: The question a row cannot be saved without; it titles the row on the check page.
    main: str
    empty_text: Text
    caption: Text

    def question(self, slug: str) -> Question:
        return next(q for q in self.questions if q.slug == slug)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Step:
    slug: str  # stable: the FHIR section linkId
    title: Text
    kind: str  # "fields", "medicines", "injuries", "tests" or "check" (the page it is)
    intro: Text = ""
    questions: tuple[Question, ...] = ()
    rows: Rows | None = None
    #: Where the visit summary shows this step: "section", or "header" (who and when).
    on_summary: str = "section"
    #: The summary section's title, when not the step's ("Quick strength check (SARC-F)").
    summary_title: Text = ""
    number: int = 0  # set from the step's place in STEPS

    @property
    def is_first(self) -> bool:
        return self.number == 1

    @property
    def asked(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.asked)

    def question(self, slug: str) -> Question:
        return next(q for q in self.questions if q.slug == slug)


def _numbered(steps: list[Step]) -> dict[int, Step]:
    numbered = {}
    for number, step in enumerate(steps, start=1):
        object.__setattr__(step, "number", number)
        numbered[number] = step
    return numbered


#: When a medicine was started: a month and year from 1900 to this month.
STARTED_MONTH = DateLimits(
    since_1900,
    today,
    _("The date you started it must be after 1900"),
    _("The date you started it must be this month or in the past"),
)


# --- The steps ----------------------------------------------------------------------------------

ABOUT = Step(
    "about",
    _("About you and your visit"),
    "fields",
    summary_title=_("About the patient and the visit"),
    intro=_("So the clinic can match your answers to your records."),
    on_summary="header",
    questions=(
        Question(
            "filled_by",
            _("Who is filling in this form?"),
            Kind.CHOICE,
            choices=FilledBy,
            short=_("Who is filling in"),
        ),
        Question(
            "helper_name",
            _("Your name"),
            Kind.TEXT,
            shown_when=("filled_by", FilledBy.HELPER),
            attrs={"spellcheck": "false"},
        ),
        Question(
            "helper_relationship",
            _("How do you know the patient?"),
            Kind.TEXT,
            short=_("How you know the patient"),
            hint=_("For example: daughter, husband, carer, friend."),
            shown_when=("filled_by", FilledBy.HELPER),
        ),
        # The name on one line: asked until the name was asked in two parts (below), and made
        # from them since (IntakeSubmission.save). Older forms show it; newer ones show the parts.
        Question(
            "full_name",
            _("Full name"),
            Kind.TEXT,
            hint=_("The patient's name, as the clinic has it on record."),
            asked=False,
            derived_from=("given_names", "family_name"),
        ),
        # The GOV.UK name pattern: separate boxes, no "first" and "last" (not every name has
        # its family name last), and only the family name needed (some people have one name).
        Question(
            "given_names",
            _("Given names"),
            Kind.TEXT,
            hint=_("The patient's first name and any middle names."),
            attrs={"autocomplete": "given-name", "spellcheck": "false"},
        ),
        Question(
            "family_name",
            _("Family name"),
            Kind.TEXT,
            hint=_("The patient's surname. If they have only one name, write it here."),
            required=True,
            missing=_("Enter your family name"),
            attrs={"autocomplete": "family-name", "spellcheck": "false"},
        ),
        Question(
            "date_of_birth",
            _("Date of birth"),
            Kind.DATE,
            hint=_("For example, 27 3 1956"),
            required=True,
            missing=_("Enter your date of birth"),
            dates=DateLimits(
                since_1900,
                today,
                _("Date of birth must be after 1900"),
                _("Date of birth must be today or in the past"),
            ),
        ),
        Question(
            "phone",
            _("Phone number"),
            Kind.PHONE,
            hint=_("So the clinic can call you if your answers need it."),
            attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"},
        ),
        Question(
            "email",
            _("Email address"),
            Kind.EMAIL,
            attrs={"autocomplete": "email", "spellcheck": "false", "type": "email"},
        ),
        Question(
            "appointment_date",
            _("Appointment date"),
            Kind.DATE,
            hint=_("If you know it. For example, 14 5 2026"),
            dates=DateLimits(
                lambda: today() - datetime.timedelta(days=365),
                lambda: today() + datetime.timedelta(days=2 * 365),
                _("Appointment date must be within the last year or in the future"),
                _("Appointment date must be within the next 2 years"),
            ),
        ),
        # No longer asked: the clinic knows who the appointment is with.
        Question("clinician", _("Doctor or clinician you will see"), Kind.TEXT, asked=False),
        Question(
            "visit_reason",
            _("What is the main reason for your visit?"),
            Kind.LONG_TEXT,
            hint=_("In your own words. For example: my legs feel weak and I fall more often."),
            short=_("Main reason for your visit"),
            lines=4,
        ),
        Question(
            "interpreter_needed",
            _("Do you need an interpreter at the visit?"),
            Kind.CHOICE,
            choices=YesNo,
            inline=True,
            short=_("Interpreter"),
        ),
        Question(
            "interpreter_language",
            _("Which language?"),
            Kind.TEXT,
            short=_("The language"),
            shown_when=("interpreter_needed", YesNo.YES),
        ),
        Question(
            "access_needs",
            _("Is there anything that would help you at the visit?"),
            Kind.LONG_TEXT,
            hint=_(
                "For example: wheelchair access, a hearing loop, large print, or someone to "
                "help with forms."
            ),
            short=_("Help at the visit"),
            lines=2,
        ),
    ),
)

SYMPTOMS = Step(
    "symptoms",
    _("Your symptoms"),
    "fields",
    summary_title=_("Symptoms"),
    intro=_("Tell us about the weakness or muscle loss. Answer what you can."),
    questions=(
        Question(
            "weakness_map",
            _("Where do you have weakness or muscle loss?"),
            Kind.BODY_MAP,
            hint=_(
                "Choose each place, then how weak it is. Left and right mean your own left and "
                "right."
            ),
            short=_("Where, and how weak"),
        ),
        # The two below were asked before the body map; older forms still show them.
        Question(
            "weakness_regions",
            _("Where do you have weakness or muscle loss?"),
            Kind.CHOICES,
            hint=_("Tick all that apply."),
            choices=BodyRegion,
            short=_("Where"),
            asked=False,
        ),
        Question(
            "weakness_side",
            _("Which side of your body?"),
            Kind.CHOICE,
            choices=Side,
            short=_("Which side"),
            asked=False,
        ),
        Question(
            "started_when",
            _("When did it start?"),
            Kind.CHOICE,
            choices=StartedWhen,
            short=_("When it started"),
        ),
        Question(
            "started_details",
            _("When did it start, as best you know?"),
            Kind.TEXT,
            short=_("When it started, in your words"),
            hint=_("A rough date or a description. For example: March 2024, after my fall."),
            completes="started_when",
            # No longer asked: the choice above and the reason in their own words (step 1) say
            # it; older forms still show it.
            asked=False,
        ),
        Question(
            "onset",
            _("How quickly did the weakness come on?"),
            Kind.CHOICE,
            choices=Onset,
            short=_("How quickly it came on"),
        ),
        Question(
            "course",
            _("Is it getting worse, staying the same or getting better?"),
            Kind.CHOICE,
            choices=Course,
            short=_("Getting worse or better"),
        ),
        Question(
            "spreading",
            _("Is the weakness spreading to other parts of your body over hours or days?"),
            Kind.CHOICE,
            hint=_("For example, moving up from your feet to your legs."),
            choices=YesNoNotSure,
            inline=True,
            short=_("Spreading over hours or days"),
        ),
    ),
)

EFFECTS = Step(
    "effects",
    _("How it affects you"),
    "fields",
    intro=_(
        "What the weakness makes hard, and other signs to tell the doctor. Answer what you can."
    ),
    summary_title=_("How it affects the patient"),
    questions=(
        Question(
            "walking_change",
            _("Can you walk and stand as well as you could a month ago?"),
            Kind.CHOICE,
            choices=WalkingChange,
            short=_("Walking and standing"),
        ),
        Question(
            "weakness_limit",
            _("How much does the weakness limit you?"),
            Kind.CHOICE,
            choices=WeaknessLimit,
            short=_("How much it limits you"),
        ),
        # Forms sent before the worded question above held a 0 to 10 score.
        Question(
            "weakness_score",
            _("How strong is the weakness, from 0 to 10?"),
            Kind.NUMBER,
            low=0,
            high=10,
            asked=False,
        ),
        Question(
            "urgent_symptoms",
            _("Do you have any of these now?"),
            Kind.CHOICES,
            hint=_("Tick all that apply, even if a doctor already knows about them."),
            choices=UrgentSymptom,
            short=_("Signs you have now"),
        ),
        Question(
            "long_standing_symptoms",
            _("I have had this for months, a doctor knows, and it is not getting worse"),
            Kind.CHOICES,
            choices=UrgentSymptom,
            offered=tuple(LONG_STANDING_ALLOWED),
            nested_in="urgent_symptoms",
            short=_("for months, known to a doctor"),
        ),
        Question(
            "other_symptoms",
            _("Do you have any of these as well?"),
            Kind.CHOICES,
            hint=_("Tick all that apply."),
            choices=OtherSymptom,
            short=_("Other symptoms"),
        ),
        Question(
            "hard_activities",
            _("Which daily activities are hard for you?"),
            Kind.CHOICES,
            hint=_("Tick all that apply."),
            choices=HardActivity,
            short=_("Hard daily activities"),
            # No longer asked: where the weakness is, how much it limits and the strength check
            # say it; older forms still show it.
            asked=False,
        ),
    ),
)


def _sarc_f(slug, label, answers, missing, short):
    """One SARC-F question in its published wording, scored 0, 1, 2 (Malmstrom & Morley 2013;
    ../shared/reference/sarc-f.md). Required to send, so the screen can be scored."""
    return Question(
        slug,
        label,
        Kind.SCORED,
        scored_answers=answers,
        required=True,
        missing=missing,
        short=short,
    )


_NONE, _SOME, _A_LOT = _("None"), _("Some"), _("A lot, or unable")

STRENGTH_CHECK = Step(
    "strength_check",
    _("Quick strength check"),
    "fields",
    intro=_(
        "Five short questions that doctors use to check for muscle loss with age "
        "(called SARC-F). Answer all five. It is a quick check, not a diagnosis."
    ),
    summary_title=_("Quick strength check (SARC-F)"),
    questions=(
        _sarc_f(
            "sarc_f_strength",
            _("How much difficulty do you have lifting and carrying 10 pounds (about 4.5 kg)?"),
            (_NONE, _SOME, _A_LOT),
            _("Select how much difficulty you have lifting and carrying"),
            _("Lifting and carrying 10 pounds (4.5 kg)"),
        ),
        _sarc_f(
            "sarc_f_walking",
            _("How much difficulty do you have walking across a room?"),
            (_NONE, _SOME, _("A lot, use aids, or unable")),
            _("Select how much difficulty you have walking across a room"),
            _("Walking across a room"),
        ),
        _sarc_f(
            "sarc_f_chair",
            _("How much difficulty do you have moving from a chair or bed?"),
            (_NONE, _SOME, _("A lot, or unable without help")),
            _("Select how much difficulty you have moving from a chair or bed"),
            _("Moving from a chair or bed"),
        ),
        _sarc_f(
            "sarc_f_stairs",
            _("How much difficulty do you have climbing a flight of 10 stairs?"),
            (_NONE, _SOME, _A_LOT),
            _("Select how much difficulty you have climbing stairs"),
            _("Climbing a flight of 10 stairs"),
        ),
        _sarc_f(
            "sarc_f_falls",
            _("How many times have you fallen in the past year?"),
            (_NONE, _("1 to 3 falls"), _("4 or more falls")),
            _("Select how many times you have fallen in the past year"),
            _("Falls in the past year"),
        ),
    ),
)

HISTORY = Step(
    "medical_history",
    _("Your medical history"),
    "fields",
    summary_title=_("Medical history"),
    questions=(
        Question(
            "conditions",
            _("Have you ever been told you have any of these?"),
            Kind.CHOICES,
            hint=_("Tick all that apply."),
            choices=Condition,
            short=_("Conditions"),
        ),
        Question(
            "conditions_other",
            _("If you ticked something else, what is it?"),
            Kind.TEXT,
            short=_("The other condition"),
            shown_when=("conditions", Condition.OTHER),
        ),
        Question(
            "family_history_known",
            _("Has anyone in your family had a muscle or nerve disease?"),
            Kind.CHOICE,
            choices=YesNoNotSure,
            inline=True,
            short=_("Family history of muscle or nerve disease"),
        ),
        Question(
            "family_history",
            _("Who, and what did they have?"),
            Kind.LONG_TEXT,
            short=_("Who, and what they had"),
            hint=_("If you know."),
            lines=3,
            shown_when=("family_history_known", YesNoNotSure.YES),
        ),
        Question(
            "takes_statin",
            _("Do you take a statin?"),
            Kind.CHOICE,
            hint=_(
                "A medicine to lower cholesterol, such as atorvastatin, simvastatin or "
                "rosuvastatin."
            ),
            choices=YesNoNotSure,
            inline=True,
            short=_("Takes a statin"),
        ),
        Question(
            "statin_started",
            _("When did you start it?"),
            Kind.MONTH_YEAR,
            hint=_("If you know. For example, 3 2025"),
            shown_when=("takes_statin", YesNoNotSure.YES),
            dates=STARTED_MONTH,
        ),
        Question(
            "takes_steroid",
            _("Do you take steroid tablets or injections?"),
            Kind.CHOICE,
            hint=_("Such as prednisolone, prednisone or dexamethasone. Not creams or inhalers."),
            choices=YesNoNotSure,
            inline=True,
            short=_("Takes steroid tablets or injections"),
        ),
        Question(
            "surgeries",
            _("Operations you have had"),
            Kind.LONG_TEXT,
            hint=_("What, and roughly when. For example: hip replacement, 2015."),
            lines=3,
        ),
        Question(
            "allergies",
            _("Allergies"),
            Kind.LONG_TEXT,
            hint=_("To medicines, foods or anything else, and what happens."),
            lines=2,
        ),
    ),
)


_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")


def not_future_year(text: str) -> None:
    """Refuse a free-text 'when' that names a year in the future or before 1900."""
    for match in _YEAR.finditer(text or ""):
        year = int(match.group(1))
        if year > today().year:
            raise ValidationError(_("The year cannot be in the future"), code="future")
        if year < EARLIEST_YEAR:
            raise ValidationError(_("The year must be after 1900"), code="too_early")


MEDICINES = Step(
    "medicines",
    _("Your medicines"),
    "medicines",
    summary_title=_("Medicines"),
    intro=_(
        "List every medicine you take, including ones from a shop, vitamins and "
        "supplements. Some medicines, such as steroids and statins, can affect muscles."
    ),
    rows=Rows(
        "medicines",
        Medicine,
        questions=(
            Question(
                "name",
                _("Name of the medicine"),
                Kind.TEXT,
                hint=_("As it says on the box or label."),
                missing=_("Enter the name of the medicine, or remove this one"),
            ),
            Question(
                "dose",
                _("Dose"),
                Kind.TEXT,
                hint=_("For example: 20 mg, or 1 tablet."),
                width=10,
            ),
            Question(
                "frequency",
                _("How often"),
                Kind.TEXT,
                hint=_("For example: twice a day, or when needed."),
            ),
            Question(
                "started",
                _("When did you start it?"),
                Kind.MONTH_YEAR,
                hint=_("If you know. For example, 3 2025. Leave it empty if you are not sure."),
                short=_("Started"),
                dates=STARTED_MONTH,
            ),
        ),
        main="name",
        empty_text=_("No medicines listed."),
        caption=_("Medicines the patient takes"),
    ),
)

INJURIES = Step(
    "injuries",
    _("Your injuries"),
    "injuries",
    summary_title=_("Injuries"),
    intro=_(
        "List any injuries, old or new, even if they seem small. "
        "The doctor needs to hear about every one."
    ),
    rows=Rows(
        "injuries",
        Injury,
        questions=(
            Question(
                "body_part",
                _("Part of the body"),
                Kind.TEXT,
                hint=_("For example: left knee, lower back."),
                missing=_("Enter the part of the body that was hurt, or remove this injury"),
            ),
            Question(
                "when",
                _("When did it happen?"),
                Kind.TEXT,
                hint=_("Roughly. For example: 2019, or last month."),
                short=_("When"),
                width=20,
                validators=(not_future_year,),
            ),
            Question(
                "what_happened",
                _("What happened?"),
                Kind.LONG_TEXT,
                lines=2,
                short=_("What happened"),
            ),
            Question(
                "treatment",
                _("What treatment did you have?"),
                Kind.LONG_TEXT,
                lines=2,
                short=_("Treatment"),
            ),
            Question(
                "still_troubling",
                _("Does it still trouble you?"),
                Kind.CHOICE,
                choices=Injury.StillTroubling,
                short=_("Still troubling you"),
            ),
        ),
        main="body_part",
        empty_text=_("No injuries listed."),
        caption=_("Injuries, old and new"),
    ),
)

LIFESTYLE = Step(
    "lifestyle",
    _("Your daily life"),
    "fields",
    summary_title=_("Lifestyle"),
    questions=(
        Question(
            "activity_level",
            _("How active are you on a usual day?"),
            Kind.CHOICE,
            choices=ActivityLevel,
            short=_("Activity"),
        ),
        # No longer asked (the question above covers them): older forms still show them.
        Question(
            "sitting_hours",
            _("Hours sitting or lying down a day"),
            Kind.NUMBER,
            low=0,
            high=24,
            asked=False,
        ),
        Question(
            "exercise_days_per_week",
            _("Days a week you exercise"),
            Kind.NUMBER,
            low=0,
            high=7,
            asked=False,
        ),
        Question(
            "recent_immobilisation",
            _("In the last 6 months, have you spent a week or more in bed, in a cast or a brace?"),
            Kind.CHOICE,
            choices=YesNo,
            inline=True,
            short=_("Bed rest, cast or brace in the last 6 months"),
        ),
        Question(
            "recent_immobilisation_details",
            _("If yes, what happened and for how long?"),
            Kind.TEXT,
            short=_("What happened, and for how long"),
            shown_when=("recent_immobilisation", YesNo.YES),
        ),
        Question(
            "alcohol_drinks_per_week",
            _("Alcoholic drinks a week"),
            Kind.NUMBER,
            hint=_(
                "A drink is a small glass of wine, a bottle of beer or a single measure of spirits."
            ),
            low=0,
            high=200,
        ),
        Question("appetite", _("How is your appetite?"), Kind.CHOICE, choices=Appetite),
        Question(
            "unplanned_weight_loss",
            _("Have you lost weight without trying in the last 6 months?"),
            Kind.CHOICE,
            choices=YesNoNotSure,
            inline=True,
            short=_("Weight loss without trying"),
        ),
        Question(
            "unplanned_weight_loss_amount",
            _("If yes, about how much, and over how long?"),
            Kind.TEXT,
            short=_("How much weight, over how long"),
            hint=_("For example: about 4 kg (9 pounds) over 3 months."),
            shown_when=("unplanned_weight_loss", YesNoNotSure.YES),
        ),
    ),
)

TESTS = Step(
    "tests",
    _("Tests you have had"),
    "tests",
    intro=_("Tell us about tests for your muscles or nerves. Answer what you can."),
    summary_title=_("Tests already done"),
    rows=Rows(
        "tests_done",
        TestDone,
        questions=(
            Question(
                "test_type",
                _("Which of these tests have you had?"),
                Kind.CHOICE,
                hint=_("Tick any you have had. Leave the others empty."),
                choices=TestDone.TestType,
            ),
            # Older forms asked Yes, No or Not sure for every test; today a ticked test is Yes.
            Question(
                "done",
                _("Have you had this test?"),
                Kind.CHOICE,
                choices=YesNoNotSure,
                asked=False,
                short=_("Had this test"),
                unremarkable=(YesNoNotSure.YES,),
            ),
            Question(
                "when",
                _("Roughly when?"),
                Kind.TEXT,
                short=_("When"),
                width=20,
                validators=(not_future_year,),
            ),
            Question(
                "where",
                _("Where?"),
                Kind.TEXT,
                hint=_("The hospital, clinic or surgery."),
                short=_("Where"),
            ),
        ),
        main="test_type",
        empty_text=_("No tests listed."),
        caption=_("Tests the patient has had"),
    ),
)

QUESTIONS = Step(
    "questions",
    _("Questions for your doctor"),
    "fields",
    summary_title=_("The patient's questions"),
    questions=(
        Question(
            "suggested_questions",
            _("Questions other people ask. Tick any you want to ask too."),
            Kind.CHOICES,
            choices=SuggestedQuestion,
            short=_("Questions you ticked"),
            bulleted=True,
        ),
        Question(
            "questions",
            _("Your own questions"),
            Kind.LONG_TEXT,
            hint=_("Write each one on its own line."),
            lines=5,
        ),
    ),
)

CHECK = Step("send", _("Check your answers and send"), "check", on_summary="")

#: The steps in order, by number (the page addresses: /prepare/step/<number>/).
STEPS: dict[int, Step] = _numbered(
    [
        ABOUT,
        SYMPTOMS,
        EFFECTS,
        STRENGTH_CHECK,
        HISTORY,
        MEDICINES,
        INJURIES,
        LIFESTYLE,
        TESTS,
        QUESTIONS,
        CHECK,
    ]
)
if len(STEPS) != STEP_COUNT:  # an if, not an assert: python -O would drop the check
    raise ImproperlyConfigured(f"intake.questions defines {len(STEPS)} steps, not {STEP_COUNT}")
STEP_BY_SLUG: dict[str, Step] = {step.slug: step for step in STEPS.values()}
CHECK_STEP = CHECK.number


def submission_questions(steps=None) -> list[tuple[Step, Question]]:
    """Every question stored on the submission itself, with its step, in the form's order."""
    steps = STEPS if steps is None else steps
    return [(step, q) for step in steps.values() for q in step.questions]


def row_steps(steps=None) -> list[Step]:
    steps = STEPS if steps is None else steps
    return [step for step in steps.values() if step.rows]
