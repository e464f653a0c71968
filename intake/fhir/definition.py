"""The intake's questions as data: sections (one per step) and questions, with stable linkIds.

Read from the question definition (intake/questions.py), like the step forms, so the
Questionnaire's wording, help text, required flags and choices are exactly what patients see.
What has to stay stable whatever the wording is fixed here:

- each step's linkId (its slug in intake/questions.py) and each question's, "<step>.<slug>";
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

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from .. import forms, questions
from ..body_map import BodyMapRegion, Severity
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
from ..questions import Kind

QUESTIONNAIRE_ID = "visit-preparation"
QUESTIONNAIRE_NAME = "VisitPreparation"
#: The version of the questions' structure (linkIds, types, answer codes), not of their wording.
QUESTIONNAIRE_VERSION = "1.3.0"
QUESTIONNAIRE_DATE = "2026-11-30"

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
    "body-map-region": BodyMapRegion,
    "weakness-severity": Severity,
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
    #: The body map: each region answered carries how weak it is and its side as child items.
    body_map: bool = False


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


# --- Reading the question definition ----------------------------------------------------------


def _value_set_slug(values: list[str]) -> str:
    """The slug of the `TextChoices` whose codes are exactly `values`, or failing that the first
    one that holds them all, in order (a question may offer fewer: not the answers only older
    forms have, or only the signs that can be long-standing)."""
    for slug, text_choices in VALUE_SETS.items():
        if values == list(text_choices.values):
            return slug
    for slug, text_choices in VALUE_SETS.items():
        if values == [value for value in text_choices.values if value in values]:
            return slug
    raise ImproperlyConfigured(
        f"No FHIR value set for the choices {values}: add their TextChoices to VALUE_SETS."
    )


def _question(link_id: str, question: questions.Question, model, *, required=None) -> Question:
    """The FHIR item of one defined question, typed by its kind."""
    common = {
        "link_id": link_id,
        "name": question.slug,
        "text": question.label,
        "required": question.required if required is None else required,
        "help_text": question.hint or "",
    }
    kind = question.kind
    if kind in (Kind.DATE, Kind.MONTH_YEAR):
        return Question(type="date", **common)
    if kind == Kind.NUMBER:
        return Question(type="integer", min_value=question.low, max_value=question.high, **common)
    if kind == Kind.SCORED:
        return Question(
            type="choice",
            system=question.slug.replace("_", "-"),
            options=tuple(
                (str(score), label) for score, label in enumerate(question.scored_answers)
            ),
            scored=True,
            **common,
        )
    if kind in (Kind.CHOICE, Kind.CHOICES):
        offered = question.offered_choices()
        return Question(
            type="choice",
            repeats=kind == Kind.CHOICES,
            system=_value_set_slug([str(value) for value, _label in offered]),
            options=tuple((str(value), label) for value, label in offered),
            **common,
        )
    if kind == Kind.BODY_MAP:
        return Question(
            type="choice",
            repeats=True,
            system="body-map-region",
            options=tuple((code, label) for code, label in BodyMapRegion.choices),
            body_map=True,
            **common,
        )
    if kind == Kind.PHONE:
        return Question(type="string", **common)
    if kind in (Kind.TEXT, Kind.LONG_TEXT, Kind.EMAIL):
        return Question(
            type="text" if kind == Kind.LONG_TEXT else "string",
            max_length=model._meta.get_field(question.slug).max_length,
            **common,
        )
    raise ImproperlyConfigured(f"No FHIR item type for the question {question.slug!r} ({kind}).")


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
    """The check step: the consent the patient gives when sending (stored as when it was given)."""
    consent = forms.SendForm.base_fields["consent"]
    return [
        Question(
            link_id="send.consent",
            name="consent_given_at",
            text=consent.label,
            type="boolean",
            required=True,
        )
    ]


def section_questions(step: questions.Step) -> list[Question]:
    """A step's items: the questions asked today on the submission; every column of a row."""
    if step.kind == "check":
        return _send_questions()
    if step.rows:
        rows = step.rows
        # A row is answered as a whole; its main question cannot be left empty.
        return [
            _question(f"{step.slug}.{q.slug}", q, rows.model, required=q.slug == rows.main)
            for q in rows.questions
        ]
    items = [_question(f"{step.slug}.{q.slug}", q, IntakeSubmission) for q in step.asked]
    if step.slug == "strength_check":
        items.append(_sarc_f_total_question())
    return items


@cache
def sections() -> tuple[Section, ...]:
    """Every step as a Section, in the order of the form (built once; texts stay lazy)."""
    return tuple(
        Section(
            number=step.number,
            link_id=step.slug,
            title=step.title,
            intro=step.intro,
            questions=tuple(section_questions(step)),
            rows=step.rows.related_name if step.rows else "",
        )
        for step in questions.STEPS.values()
    )
