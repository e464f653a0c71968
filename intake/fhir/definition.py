"""The intake's questions as data: sections (one per step) and questions, with stable linkIds.

Read from the step forms (intake/forms.py) and the step list (intake/steps.py), so the
Questionnaire's wording, help text, required flags and choices are exactly what patients see.
What has to stay stable whatever the wording is fixed here:

- each step's linkId (`SECTION_LINK_IDS`) and each question's, "<step>.<field name>";
- the code system URL of each set of choices (`VALUE_SETS`: a slug per `TextChoices`, not the
  Python class name, so renaming a class changes no code);
- `QUESTIONNAIRE_VERSION`: bump it whenever a linkId, type or answer code changes (the test
  `test_questionnaire_structure_matches_its_version` fails until you do).

LOINC: the brief asked for LOINC codes where a standard one exists, e.g. the SARC-F items. We
could not verify a LOINC code for SARC-F or its five items from any source we could reach, so no
item carries a `code`: a wrong code would be worse than none. Add them here (as `code` on the
five SARC-F questions) once checked against loinc.org.
"""

from dataclasses import dataclass, field
from functools import cache

from django import forms as django_forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from .. import forms
from ..models import (
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
from ..steps import STEPS

QUESTIONNAIRE_ID = "visit-preparation"
QUESTIONNAIRE_NAME = "VisitPreparation"
#: The version of the questions' structure (linkIds, types, answer codes), not of their wording.
QUESTIONNAIRE_VERSION = "1.1.0"
QUESTIONNAIRE_DATE = "2026-11-30"

#: The linkId of each step's group, by step number. Never change one: records refer to them.
SECTION_LINK_IDS = {
    1: "about",
    2: "symptoms",
    3: "strength_check",
    4: "medical_history",
    5: "medicines",
    6: "injuries",
    7: "lifestyle",
    8: "tests",
    9: "questions",
    10: "send",
}

#: One code system per set of choices, by the stable slug in its URL.
VALUE_SETS = {
    "yes-no": YesNo,
    "yes-no-not-sure": YesNoNotSure,
    "filled-by": FilledBy,
    "body-region": BodyRegion,
    "side": Side,
    "started-when": StartedWhen,
    "onset": Onset,
    "course": Course,
    "walking-change": WalkingChange,
    "weakness-limit": WeaknessLimit,
    "urgent-symptom": UrgentSymptom,
    "other-symptom": OtherSymptom,
    "hard-activity": HardActivity,
    "condition": Condition,
    "activity-level": ActivityLevel,
    "appetite": Appetite,
    "suggested-question": SuggestedQuestion,
    "still-troubling": Injury.StillTroubling,
    "test-type": TestDone.TestType,
}

#: The rows of each repeating step: (the submission's related name, the row form, main fields).
#: The main fields are the ones a row cannot be saved without (intake/forms.py `main_field`).
ROW_STEPS = {
    "medicines": ("medicines", forms.MedicineForm, ("name",)),
    "injuries": ("injuries", forms.InjuryForm, ("body_part",)),
    "tests": ("tests_done", forms.TestDoneForm, ("test_type",)),
}


@dataclass(frozen=True)
class Question:
    """One answerable item: a field of the submission (or of a row) and how FHIR types it."""

    link_id: str
    name: str  # the model field (on the submission, or on the row for repeating sections)
    text: str
    type: str  # FHIR item type: string, text, date, integer, choice, boolean
    required: bool = False
    repeats: bool = False
    read_only: bool = False
    help_text: str = ""
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    #: For choice items: the code system slug and (code, label) pairs, labels lazy.
    system: str = ""
    options: tuple[tuple[str, str], ...] = ()
    #: SARC-F answers carry their score (0, 1 or 2) as an ordinal value.
    scored: bool = False


@dataclass(frozen=True)
class Section:
    """One step of the form: a group item, repeating for medicines, injuries and tests."""

    number: int
    link_id: str
    title: str
    intro: str = ""
    questions: tuple[Question, ...] = field(default_factory=tuple)
    #: For repeating sections: the submission's related name for its rows.
    rows: str = ""

    @property
    def repeats(self) -> bool:
        return bool(self.rows)


# --- Canonical URLs -----------------------------------------------------------------------------


def canonical_base() -> str:
    """Where our FHIR canonical URLs start, e.g. "https://clinic.example.org/prepare/fhir".

    `FHIR_CANONICAL_BASE` when set; otherwise the site's first real host name (ALLOWED_HOSTS) and
    the path of the public Questionnaire, so the Questionnaire's canonical URL is also where it
    is served. Not taken from the request: a canonical URL must not change with the address
    someone happened to use.
    """
    configured = getattr(settings, "FHIR_CANONICAL_BASE", "")
    if configured:
        return configured.rstrip("/")
    host = next(
        (h for h in settings.ALLOWED_HOSTS if h and not h.startswith((".", "*"))), "localhost"
    )
    questionnaire_path = reverse("intake:fhir_questionnaire")
    return f"https://{host}{questionnaire_path.removesuffix(f'/Questionnaire/{QUESTIONNAIRE_ID}')}"


def questionnaire_url() -> str:
    return f"{canonical_base()}/Questionnaire/{QUESTIONNAIRE_ID}"


def code_system_url(slug: str) -> str:
    return f"{canonical_base()}/CodeSystem/{slug}"


def reference_code_system() -> str:
    """The identifier system of our reference codes (K7QP-3MXD)."""
    return f"{canonical_base()}/sid/reference-code"


# --- Reading the forms --------------------------------------------------------------------------


def _value_set_slug(choices) -> str:
    """The slug of the `TextChoices` whose codes are exactly `choices`, or failing that the first
    one that holds them all, in order (a form may offer fewer: not the answers only older forms
    have, or only the signs that can be long-standing)."""
    values = [str(value) for value, _label in choices]
    for slug, text_choices in VALUE_SETS.items():
        if values == list(text_choices.values):
            return slug
    for slug, text_choices in VALUE_SETS.items():
        if values == [value for value in text_choices.values if value in values]:
            return slug
    raise ImproperlyConfigured(
        f"No FHIR value set for the choices {values}: add their TextChoices to VALUE_SETS."
    )


def _question(link_id: str, name: str, form_field, *, required: bool | None = None) -> Question:
    """A Question for one form field, typed by the kind of field and its widget."""
    common = {
        "link_id": link_id,
        "name": name,
        "text": form_field.label,
        "required": form_field.required if required is None else required,
        "help_text": form_field.help_text or "",
    }
    if isinstance(form_field, forms.MemorableDateField):
        return Question(type="date", **common)
    if isinstance(form_field, django_forms.BooleanField):
        return Question(type="boolean", **common)
    if isinstance(form_field, django_forms.IntegerField):
        return Question(
            type="integer",
            min_value=form_field.min_value,
            max_value=form_field.max_value,
            **common,
        )
    if isinstance(form_field, django_forms.TypedChoiceField):
        # Scores: 0 to 10 written as numbers is a number; worded answers (SARC-F) are coded.
        values = [value for value, _label in form_field.choices]
        if all(str(label) == str(value) for value, label in form_field.choices):
            return Question(type="integer", min_value=min(values), max_value=max(values), **common)
        return Question(
            type="choice",
            system=name.replace("_", "-"),
            options=tuple((str(value), label) for value, label in form_field.choices),
            scored=True,
            **common,
        )
    if isinstance(form_field, django_forms.MultipleChoiceField | django_forms.ChoiceField):
        return Question(
            type="choice",
            repeats=isinstance(form_field, django_forms.MultipleChoiceField),
            system=_value_set_slug(form_field.choices),
            options=tuple((str(value), label) for value, label in form_field.choices),
            **common,
        )
    if isinstance(form_field, django_forms.CharField):
        multiline = isinstance(form_field.widget, django_forms.Textarea)
        return Question(
            type="text" if multiline else "string", max_length=form_field.max_length, **common
        )
    raise ImproperlyConfigured(f"No FHIR item type for the form field {name!r} ({form_field!r}).")


def _form_questions(section_id: str, form_class, main_fields=()) -> list[Question]:
    """The form's fields as questions; `main_fields` are required whatever the form says."""
    return [
        _question(
            f"{section_id}.{name}",
            name,
            form_field,
            required=True if name in main_fields else None,
        )
        for name, form_field in form_class.base_fields.items()
    ]


def _test_type_question() -> Question:
    """Which test a row of step 8 is about (the page shows one block per kind of test)."""
    test_type = TestDone._meta.get_field("test_type")
    return Question(
        link_id="tests.test_type",
        name="test_type",
        text=test_type.verbose_name,
        type="choice",
        required=True,
        system="test-type",
        options=tuple((value, label) for value, label in TestDone.TestType.choices),
    )


def _sarc_f_total_question() -> Question:
    """The SARC-F total (0 to 10) the clinic's queue shows: computed, so read-only."""
    total = IntakeSubmission._meta.get_field("sarc_f_total")
    return Question(
        link_id="strength_check.sarc_f_total",
        name="sarc_f_total",
        text=total.verbose_name,
        help_text=total.help_text,
        type="integer",
        read_only=True,
        min_value=0,
        max_value=10,
    )


def _send_questions() -> list[Question]:
    """Step 10: the consent the patient gives when sending (stored as when it was given)."""
    consent = forms.SendForm.base_fields["consent"]
    return [_question("send.consent", "consent_given_at", consent)]


@cache
def sections() -> tuple[Section, ...]:
    """Every step as a Section, in the order of the form (built once; texts stay lazy)."""
    built = []
    for number, step in STEPS.items():
        link_id = SECTION_LINK_IDS[number]
        if step.kind == "fields":
            questions = _form_questions(link_id, step.form_class)
            if link_id == "strength_check":
                questions.append(_sarc_f_total_question())
            rows = ""
        elif step.kind == "review":
            questions, rows = _send_questions(), ""
        else:
            rows, row_form, main_fields = ROW_STEPS[link_id]
            questions = _form_questions(link_id, row_form, main_fields)
            if link_id == "tests":
                questions.insert(0, _test_type_question())
        built.append(
            Section(
                number=number,
                link_id=link_id,
                title=step.title,
                intro=step.intro,
                questions=tuple(questions),
                rows=rows,
            )
        )
    return tuple(built)
