"""The intake's questions as data: sections (one per step) and questions, with stable linkIds.

Read from the question definition (intake/questions.py), like the step forms, so the
Questionnaire's wording, help text, required flags and choices are exactly what patients see.
What has to stay stable whatever the wording is fixed here:

- each step's linkId (its slug in intake/questions.py) and each question's, "<step>.<slug>";
- the code system of each set of choices: HL7's own codes for yes / no / not sure
  (`STANDARD_CODES`), else ours (`VALUE_SETS`: a slug per `TextChoices`, not the Python class
  name, so renaming a class changes no code) under `code_system_base()`, which is the same in
  every deployment (answers exported by one clinic's server load into the Questionnaire another
  serves);
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
QUESTIONNAIRE_VERSION = "2.1.0"
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
    #: How a choice is shown, as the app shows it (SDC itemControl): "radio-button", "check-box".
    control: str = ""
    #: A follow-up: (the linkId of the question it follows, the answers that reveal it). Shown
    #: when any of them is given, as the HTML form does (SDC enableWhen, behaviour "any").
    enable_when: tuple[str, tuple[str, ...]] | None = None
    #: A computed item's FHIRPath expression (SDC calculatedExpression).
    calculated: str = ""


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


#: Where our own code systems' canonical URLs start when FHIR_CODE_SYSTEM_BASE is not set. A
#: canonical URL is a name, not a server address: it must be the same on every server that ever
#: exports an answer, so it is fixed here rather than taken from the host name. Its path is the
#: path the app serves the code systems at (/prepare/fhir/CodeSystem/<slug>), so any deployment
#: resolves the same path. (".example.org" is reserved: nobody else can publish other codes
#: under it.)
DEFAULT_CODE_SYSTEM_BASE = "https://visit-preparation.example.org/prepare/fhir"


def code_system_base() -> str:
    return (getattr(settings, "FHIR_CODE_SYSTEM_BASE", "") or DEFAULT_CODE_SYSTEM_BASE).rstrip("/")


def code_system_url(slug: str) -> str:
    """The canonical URL of one of our code systems: the same whatever server exports it."""
    return f"{code_system_base()}/CodeSystem/{slug}"


#: HL7's tables, for the answers they have a code for (terminology.hl7.org, FHIR R4).
HL7_YES_NO = "http://terminology.hl7.org/CodeSystem/v2-0136"
HL7_NULL_FLAVOR = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"

#: Sets of choices coded with HL7's codes, not ours: our stored value -> (system, code). "Not
#: sure" is the null flavor ASKU, "asked but unknown": the patient was asked and does not know.
STANDARD_CODES = {
    "yes-no": {YesNo.YES: (HL7_YES_NO, "Y"), YesNo.NO: (HL7_YES_NO, "N")},
    "yes-no-not-sure": {
        YesNoNotSure.YES: (HL7_YES_NO, "Y"),
        YesNoNotSure.NO: (HL7_YES_NO, "N"),
        YesNoNotSure.NOT_SURE: (HL7_NULL_FLAVOR, "ASKU"),
    },
}


def system_and_code(slug: str, value: str) -> tuple[str, str]:
    """The FHIR system and code of one stored answer of the set of choices `slug`."""
    standard = STANDARD_CODES.get(slug, {})
    if value in standard:
        return standard[value]
    return code_system_url(slug), value


def value_of_coding(slug: str, system: str, code: str) -> str | None:
    """The stored answer a coding means (the reverse of `system_and_code`), or None.

    Our own codes are recognised by the code system's slug at the end of its URL, whatever the
    base: forms exported before the base was fixed (under the server's host name) still read.
    """
    for value, standard in STANDARD_CODES.get(slug, {}).items():
        if standard == (system, code):
            return str(value)
    if slug not in STANDARD_CODES and system.rstrip("/").endswith(f"/CodeSystem/{slug}"):
        return code
    return None


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


def _enable_when(link_id: str, question: questions.Question):
    """What reveals a follow-up, in linkIds and stored answers (None for a question always shown).

    `shown_when`: one answer of an earlier question; `nested_in`: any of this question's own
    options ticked in the question it sits under (the long-standing signs under "have now").
    """
    step = link_id.rsplit(".", 1)[0]
    if question.shown_when:
        parent, value = question.shown_when
        return (f"{step}.{parent}", (str(value),))
    if question.nested_in:
        return (
            f"{step}.{question.nested_in}",
            tuple(str(value) for value, _label in question.offered_choices()),
        )
    return None


def _question(link_id: str, question: questions.Question, model, *, required=None) -> Question:
    """The FHIR item of one defined question, typed by its kind."""
    common = {
        "link_id": link_id,
        "name": question.slug,
        "text": question.label,
        "required": question.required if required is None else required,
        "help_text": question.hint or "",
        "enable_when": _enable_when(link_id, question),
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
            control="radio-button",
            **common,
        )
    if kind in (Kind.CHOICE, Kind.CHOICES):
        offered = question.offered_choices()
        return Question(
            type="choice",
            repeats=kind == Kind.CHOICES,
            control="check-box" if kind == Kind.CHOICES else "radio-button",
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
            control="check-box",
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


def sarc_f_total_expression(link_ids: list[str]) -> str:
    """FHIRPath for the SARC-F total, as `rules.sarc_f_score` computes it: the sum of the five
    answers' scores (each answer's code is its score, "0" to "2"), and nothing until all five
    are answered (a partial total would understate the screen).

    Plain FHIRPath 2.0 (no `sum()` or `ordinal()`, which not every engine has). `%resource` is
    the QuestionnaireResponse being filled in, as SDC defines it.
    """
    names = " | ".join(f"'{link_id}'" for link_id in link_ids)
    answers = f"%resource.repeat(item).where(linkId in ({names})).answer"
    scores = f"{answers}.value.select(code.toInteger())"
    return f"iif({scores}.count() = {len(link_ids)}, {scores}.aggregate($this + $total, 0), {{}})"


def _sarc_f_total_question(scored: list[Question]) -> Question:
    """The SARC-F total (0 to 10) the clinic's queue shows: computed, so read-only."""
    total = IntakeSubmission._meta.get_field("sarc_f_total")
    return Question(
        calculated=sarc_f_total_expression([question.link_id for question in scored]),
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
        # Nothing in a row is required in FHIR: the row's group is optional (no medicines is an
        # answer), and a required item in it would make an empty form invalid. The form asks
        # for the row's main question only once the row is there.
        return [
            _question(f"{step.slug}.{q.slug}", q, step.rows.model, required=False)
            for q in step.rows.questions
        ]
    items = [_question(f"{step.slug}.{q.slug}", q, IntakeSubmission) for q in step.asked]
    if step.slug == "strength_check":
        items.append(_sarc_f_total_question([item for item in items if item.scored]))
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
