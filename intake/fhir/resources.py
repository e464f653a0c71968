"""FHIR R4 documents as plain dicts (JSON-ready): the Questionnaire, responses and a Bundle.

Texts are written in the clinic's language (settings.CLINIC_LANGUAGE), whatever language the
patient used, as the printed summary is. Empty answers are left out (FHIR forbids empty values
and empty lists); a zero is an answer and is kept.

Sources: FHIR R4 (4.0.1) Questionnaire, QuestionnaireResponse, Patient and Bundle; the core
extensions minValue, maxValue, ordinalValue and questionnaire-itemControl ("help") for hints.
A visit the clinic has examined the patient at also has Observations (observations.py): in a
Bundle, after its response.
"""

import json
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import cache
from itertools import islice
from urllib.parse import quote

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..body_map import SNOMED, SNOMED_LATERALITY, Severity, chosen_regions
from ..models import Examination, IntakeSubmission
from .definition import (
    QUESTIONNAIRE_DATE,
    QUESTIONNAIRE_ID,
    QUESTIONNAIRE_NAME,
    QUESTIONNAIRE_VERSION,
    STANDARD_CODES,
    VALUE_SETS,
    Question,
    Section,
    canonical_base,
    code_system_url,
    questionnaire_url,
    reference_code_system,
    sections,
    system_and_code,
)
from .observations import latest_examination, latest_examination_id, observation_url, observations

logger = logging.getLogger(__name__)

#: The code system of how weak a region of the body map is.
SEVERITY_SYSTEM = "weakness-severity"

#: Submissions fetched (with their rows) per database round trip in a bulk Bundle.
BUNDLE_CHUNK_SIZE = 200

EXTENSION = "http://hl7.org/fhir/StructureDefinition/"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
#: Structured Data Capture (SDC) 3.0.0, the FHIR R4 implementation guide for forms.
SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
SDC_EXTENSION = SDC
SDC_VERSION = "3.0.0"


def _language() -> str:
    """The clinic's language (CLINIC_LANGUAGE, else the site's default): the record's language."""
    return getattr(settings, "CLINIC_LANGUAGE", settings.LANGUAGE_CODE)


# --- The Questionnaire --------------------------------------------------------------------------


def _help_item(link_id: str, text: str) -> dict:
    """A hint shown under its question: a display item with item control "help" (SDC)."""
    return {
        "linkId": f"{link_id}.help",
        "text": str(text),
        "type": "display",
        "extension": [
            {
                "url": f"{EXTENSION}questionnaire-itemControl",
                "valueCodeableConcept": {
                    "coding": [{"system": ITEM_CONTROL_SYSTEM, "code": "help", "display": "Help"}]
                },
            }
        ],
    }


def _coding(question: Question, value: str) -> dict:
    """The coding of one stored answer: HL7's code where there is one, else ours. The display is
    the answer as the patient read it (in the clinic's language)."""
    # The code system's own label where the form no longer offers the code (older forms).
    labels = dict(question.options)
    if question.system in VALUE_SETS:
        labels = {**dict(VALUE_SETS[question.system].choices), **labels}
    system, code = system_and_code(question.system, value)
    return {"system": system, "code": code, "display": str(labels.get(value, value))}


def _item_control(code: str) -> dict:
    return {
        "url": f"{EXTENSION}questionnaire-itemControl",
        "valueCodeableConcept": {"coding": [{"system": ITEM_CONTROL_SYSTEM, "code": code}]},
    }


@cache
def _questions_by_link_id() -> dict[str, Question]:
    return {question.link_id: question for s in sections() for question in s.questions}


def _enable_when(question: Question) -> dict:
    """enableWhen for a follow-up: shown when the question it follows has any of its answers."""
    parent_link_id, values = question.enable_when
    parent = _questions_by_link_id()[parent_link_id]
    conditions = [
        {"question": parent_link_id, "operator": "=", "answerCoding": _coding(parent, value)}
        for value in values
    ]
    item = {"enableWhen": conditions}
    if len(conditions) > 1:
        item["enableBehavior"] = "any"
    return item


def _question_item(question: Question) -> dict:
    item = {"linkId": question.link_id, "text": str(question.text), "type": question.type}
    if question.required:
        item["required"] = True
    if question.repeats:
        item["repeats"] = True
    if question.read_only:
        item["readOnly"] = True
    if question.max_length:
        item["maxLength"] = question.max_length
    if question.enable_when:
        item.update(_enable_when(question))
    extensions = [
        {"url": f"{EXTENSION}{name}", "valueInteger": value}
        for name, value in (("minValue", question.min_value), ("maxValue", question.max_value))
        if value is not None
    ]
    if question.control:
        extensions.append(_item_control(question.control))
    if question.calculated:
        extensions.append(
            {
                "url": f"{SDC_EXTENSION}sdc-questionnaire-calculatedExpression",
                "valueExpression": {
                    "description": "SARC-F total: the five scores summed, once all are answered",
                    "language": "text/fhirpath",
                    "expression": question.calculated,
                },
            }
        )
    if extensions:
        item["extension"] = extensions
    if question.options:
        item["answerOption"] = []
        for code, _label in question.options:
            option = {"valueCoding": _coding(question, code)}
            if question.scored:
                option["extension"] = [
                    {"url": f"{EXTENSION}ordinalValue", "valueDecimal": int(code)}
                ]
            item["answerOption"].append(option)
    if question.help_text:
        item["item"] = [_help_item(question.link_id, question.help_text)]
    if question.body_map:
        item.setdefault("item", []).extend(_body_map_child_items(question))
    return item


def _body_map_child_items(question: Question) -> list[dict]:
    """Under each region answered: how weak it is (the app's codes) and its side (SNOMED CT)."""
    return [
        {
            "linkId": f"{question.link_id}.how_weak",
            "text": str(_("How weak is it?")),
            "type": "choice",
            "answerOption": [
                {"valueCoding": _severity_coding(code)} for code, _label in Severity.choices
            ],
        },
        {
            "linkId": f"{question.link_id}.side",
            "text": str(_("Side (the patient's own)")),
            "type": "choice",
            "readOnly": True,
            "answerOption": [
                {"valueCoding": {"system": SNOMED, "code": code, "display": display}}
                for code, display in SNOMED_LATERALITY.values()
            ],
        },
    ]


def _severity_coding(code: str) -> dict:
    return {
        "system": code_system_url(SEVERITY_SYSTEM),
        "code": code,
        "display": str(Severity(code).label),
    }


def _body_map_answers(question: Question, body_map: dict) -> list[dict]:
    """One answer per region chosen, with how weak (when said) and its side nested under it."""
    answers = []
    for region, severity in chosen_regions(body_map):
        nested = []
        if severity in Severity.values:
            nested.append(
                {
                    "linkId": f"{question.link_id}.how_weak",
                    "text": str(_("How weak is it?")),
                    "answer": [{"valueCoding": _severity_coding(severity)}],
                }
            )
        if region.side in SNOMED_LATERALITY:
            code, display = SNOMED_LATERALITY[region.side]
            nested.append(
                {
                    "linkId": f"{question.link_id}.side",
                    "text": str(_("Side (the patient's own)")),
                    "answer": [
                        {"valueCoding": {"system": SNOMED, "code": code, "display": display}}
                    ],
                }
            )
        answer = {"valueCoding": _coding(question, region.code)}
        if nested:
            answer["item"] = nested
        answers.append(answer)
    return answers


def _section_item(section: Section) -> dict:
    children = []
    if section.intro:
        children.append(
            {"linkId": f"{section.link_id}.intro", "text": str(section.intro), "type": "display"}
        )
    children.extend(_question_item(question) for question in section.questions)
    item = {"linkId": section.link_id, "text": str(section.title), "type": "group"}
    if section.repeats:
        item["repeats"] = True
    item["item"] = children
    return item


def questionnaire() -> dict:
    """The intake's questions as a FHIR R4 Questionnaire. Holds no personal data."""
    with translation.override(_language()):
        return {
            "resourceType": "Questionnaire",
            "id": QUESTIONNAIRE_ID,
            "meta": {
                "profile": [
                    # SDC's base form profile, and its "advanced behavior" one for enableWhen
                    # follow-ups and the calculated SARC-F total.
                    f"{SDC}sdc-questionnaire|{SDC_VERSION}",
                    f"{SDC}sdc-questionnaire-behave|{SDC_VERSION}",
                ]
            },
            "language": _language(),
            "url": questionnaire_url(),
            "version": QUESTIONNAIRE_VERSION,
            "name": QUESTIONNAIRE_NAME,
            "title": _("Prepare for your visit"),
            "status": "active",
            "subjectType": ["Patient"],
            "date": QUESTIONNAIRE_DATE,
            "description": _(
                "What a patient with muscle weakness or muscle loss tells the clinic before a "
                "visit: symptoms, the SARC-F screen, medical history, medicines, injuries, daily "
                "life, tests and questions for the doctor."
            ),
            "item": [_section_item(section) for section in sections()],
        }


# --- Our code systems -------------------------------------------------------------------------


def _our_code_systems() -> dict[str, list[tuple[str, str]]]:
    """Each of our code systems (slug -> every code with its label), those HL7 codes for left
    out: the sets of choices (with the codes only older forms hold, so their exports resolve),
    the SARC-F answers (code = score) and how weak a region of the body map is."""
    systems = {
        slug: [(str(value), label) for value, label in text_choices.choices]
        for slug, text_choices in VALUE_SETS.items()
        if slug not in STANDARD_CODES
    }
    for section in sections():
        for question in section.questions:
            if question.scored:
                systems[question.system] = list(question.options)
    return systems


def code_system_slugs() -> list[str]:
    return list(_our_code_systems())


def code_system(slug: str) -> dict:
    """One of our code systems as a FHIR R4 CodeSystem; KeyError for a slug we do not have."""
    concepts = _our_code_systems()[slug]
    with translation.override(_language()):
        return {
            "resourceType": "CodeSystem",
            "id": slug,
            "language": _language(),
            "url": code_system_url(slug),
            "version": QUESTIONNAIRE_VERSION,
            "name": "".join(part.capitalize() for part in slug.split("-")),
            "title": slug.replace("-", " ").capitalize().replace("Sarc f", "SARC-F"),
            "status": "active",
            "date": QUESTIONNAIRE_DATE,
            "description": _(
                "Answer codes of the visit preparation form. The codes never change; the "
                "displays are the answers as the patient read them."
            ),
            "caseSensitive": True,
            "content": "complete",
            "count": len(concepts),
            "concept": [{"code": code, "display": str(label)} for code, label in concepts],
        }


# --- A QuestionnaireResponse --------------------------------------------------------------------


def _answers(question: Question, value) -> list[dict]:
    """The FHIR answers for a stored value; an empty list when there is nothing to say."""
    if value is None or value == "" or value == [] or value == {}:
        return []
    if question.body_map:
        return _body_map_answers(question, value)
    if question.type == "choice":
        codes = value if isinstance(value, list) else [value]
        return [{"valueCoding": _coding(question, str(code))} for code in codes]
    if question.type == "boolean":
        return [{"valueBoolean": bool(value)}]
    if question.type == "integer":
        return [{"valueInteger": int(value)}]
    if question.type == "date":
        return [{"valueDate": value.isoformat()}]
    return [{"valueString": str(value)}]


def _answered_items(questions, source) -> list[dict]:
    items = []
    for question in questions:
        answers = _answers(question, getattr(source, question.name))
        if answers:
            items.append(
                {"linkId": question.link_id, "text": str(question.text), "answer": answers}
            )
    return items


def _section_items(section: Section, submission: IntakeSubmission) -> list[dict]:
    """The section's group item, once per row for a repeating section; none when unanswered."""
    sources = getattr(submission, section.rows).all() if section.rows else [submission]
    groups = []
    for source in sources:
        answered = _answered_items(section.questions, source)
        if answered:
            groups.append({"linkId": section.link_id, "text": str(section.title), "item": answered})
    return groups


def _name(submission: IntakeSubmission) -> dict:
    """The patient's name: family and given names as they typed them in their boxes, with the
    whole name as text. Older forms asked one "Full name" box: text only (no guessed split)."""
    name = {"use": "usual"}
    if submission.full_name:
        name["text"] = submission.full_name
    family = getattr(submission, "family_name", "")
    if family:
        name["family"] = family
    given = getattr(submission, "given_names", "").split()
    if given:
        name["given"] = given
    return name


def patient_identifiers(submission: IntakeSubmission) -> list[dict]:
    """The clinic's own patient number (MRN) when staff have added one, under the system set
    in FHIR_MRN_SYSTEM; else none (the reference code names the form, not the person)."""
    mrn = getattr(submission, "mrn", "")
    system = getattr(settings, "FHIR_MRN_SYSTEM", "")
    if not (mrn and system):
        return []
    return [
        {
            "use": "usual",
            "type": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                        "code": "MR",
                        "display": "Medical record number",
                    }
                ]
            },
            "system": system,
            "value": mrn,
        }
    ]


def _patient(submission: IntakeSubmission) -> dict:
    patient = {"resourceType": "Patient", "id": "patient"}
    identifiers = patient_identifiers(submission)
    if identifiers:
        patient["identifier"] = identifiers
    name = _name(submission)
    if len(name) > 1:
        patient["name"] = [name]
    if submission.date_of_birth:
        patient["birthDate"] = submission.date_of_birth.isoformat()
    telecom = []
    if submission.phone:
        telecom.append({"system": "phone", "value": submission.phone.as_e164})
    if submission.email:
        telecom.append({"system": "email", "value": submission.email})
    if telecom:
        patient["telecom"] = telecom
    if submission.language:
        # The language the patient filled the form in: the one to speak with them in
        # (Patient.communication, coded in BCP 47 as FHIR's "all languages" value set asks).
        with translation.override(_language()):
            display = str(submission.get_language_display())
        patient["communication"] = [
            {
                "language": {
                    "coding": [
                        {
                            "system": "urn:ietf:bcp:47",
                            "code": submission.language,
                            "display": display,
                        }
                    ],
                    "text": display,
                },
                "preferred": True,
            }
        ]
    return patient


def _instant(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def questionnaire_response(submission: IntakeSubmission) -> dict:
    """A sent submission as a FHIR R4 QuestionnaireResponse, with every answer it holds.

    The patient (name and date of birth) is a contained Patient; the reference code is the
    identifier and the id. Fetch the submission with `fhir_queryset()` to read its rows in
    three queries. Raises ValueError for a draft: only what the patient sent is exported.
    """
    if submission.is_draft or submission.sent_at is None:
        raise ValueError(f"{submission.reference} has not been sent")
    with translation.override(_language()):
        items = [group for section in sections() for group in _section_items(section, submission)]
    return {
        "resourceType": "QuestionnaireResponse",
        "id": submission.reference,
        "meta": {"profile": [f"{SDC}sdc-questionnaireresponse|{SDC_VERSION}"]},
        "language": _language(),
        "contained": [_patient(submission)],
        "identifier": {"system": reference_code_system(), "value": submission.reference},
        "questionnaire": f"{questionnaire_url()}|{QUESTIONNAIRE_VERSION}",
        "status": "completed",
        "subject": {"reference": "#patient"},
        "authored": _instant(submission.sent_at),
        "item": items,
    }


def response_url(submission: IntakeSubmission) -> str:
    return f"{canonical_base()}/QuestionnaireResponse/{submission.reference}"


# --- Many responses: a Bundle -------------------------------------------------------------------


def fhir_queryset(queryset: QuerySet) -> QuerySet:
    """Sent submissions only, each with the rows its response needs (three queries in all) and
    the pk of its latest examination (`latest_examination_id`, no query of its own)."""
    return (
        queryset.sent()
        .prefetch_related("medicines", "injuries", "tests_done")
        .annotate(latest_examination_id=latest_examination_id())
    )


def examination_observations(submission: IntakeSubmission, examination=None) -> list[dict]:
    """The Observations of the latest examination at this visit; none without one.

    Pass the examination when it has been read already; otherwise it is read (one query).
    """
    if examination is None:
        examination = latest_examination(submission)
    if examination is None:
        return []
    examination.submission = submission
    return observations(examination, _patient(submission), language=_language())


def _entries(submission: IntakeSubmission, examination) -> Iterator[dict]:
    yield {"fullUrl": response_url(submission), "resource": questionnaire_response(submission)}
    if examination is not None:
        for observation in examination_observations(submission, examination):
            yield {"fullUrl": observation_url(observation), "resource": observation}


def _chunks(submissions, size: int) -> Iterator[list]:
    submissions = iter(submissions)
    while chunk := list(islice(submissions, size)):
        yield chunk


def bundle_json(
    queryset: QuerySet,
    *,
    exported_by=None,
    chunk_size: int = BUNDLE_CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """A Bundle (type collection) of responses for the sent submissions, as JSON text in pieces.

    Streamed: submissions are read `chunk_size` at a time (four queries per chunk, whatever
    their rows), so a large export needs neither every submission nor the whole file in memory.
    Nothing is queried until the first piece is read. Logs who exported how many responses
    (never what they contained).
    """
    counted = [0]

    def count(responses: int) -> None:
        counted[0] = responses
        if progress is not None:
            progress(responses)  # responses so far (the background export shows it)

    yield from bundle_around(bundle_entries(queryset, chunk_size=chunk_size, progress=count))
    logger.info(
        "intake.fhir_export user_id=%s responses=%d", getattr(exported_by, "pk", None), counted[0]
    )


def bundle_entries(
    queryset: QuerySet,
    *,
    chunk_size: int = BUNDLE_CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """Each entry of the Bundle (responses, then each one's Observations) as JSON text, four
    queries per chunk of `chunk_size` submissions; `progress(responses so far)` after each."""
    count = 0
    submissions = fhir_queryset(queryset).iterator(chunk_size=chunk_size)
    for chunk in _chunks(submissions, chunk_size):
        # The chunk's examinations in one query, and only when it has some.
        wanted = [s.latest_examination_id for s in chunk if s.latest_examination_id]
        examinations = Examination.objects.in_bulk(wanted) if wanted else {}
        for submission in chunk:
            for entry in _entries(submission, examinations.get(submission.latest_examination_id)):
                yield json.dumps(entry, ensure_ascii=False)
            count += 1
        if progress is not None:
            progress(count)


def bundle_around(entries: Iterable[str]) -> Iterator[str]:
    """A collection Bundle's JSON text around entries already written as JSON text."""
    head = json.dumps(
        {"resourceType": "Bundle", "type": "collection", "timestamp": _instant(timezone.now())},
        ensure_ascii=False,
    )
    written = 0
    for entry in entries:
        yield (f'{head[:-1]}, "entry": [' if written == 0 else ", ") + entry
        written += 1
    # FHIR forbids an empty list: a Bundle with no entries has no "entry" at all.
    yield "]}" if written else head


def bundle(queryset: QuerySet) -> dict:
    """The whole Bundle as a dict (for tests and small sets; the download streams it)."""
    return json.loads("".join(bundle_json(queryset)))


# --- A transaction Bundle: ready to POST to a FHIR server ---------------------------------------

#: Namespace of the urn:uuid fullUrls of transaction Bundles (uuid5 of the reference code, so the
#: same form always gives the same Bundle).
_URN_NAMESPACE = uuid.UUID("4f5d2b8e-0c1a-5d7e-9b3f-6a2c8e1d7f40")


def _urn(submission: IntakeSubmission, what: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_URN_NAMESPACE, f'{submission.reference}/{what}')}"


def _form_patient_identifier(submission: IntakeSubmission) -> dict:
    """Without an MRN: the patient as "the person who sent form K7QP-3MXD", so posting the same
    Bundle twice creates one Patient; the clinic links it to its record by name, birth date and
    phone (or adds the MRN first)."""
    return {
        "use": "temp",
        "system": f"{reference_code_system()}/patient",
        "value": submission.reference,
    }


def _if_none_exist(identifier: dict) -> str:
    return (
        f"identifier={quote(identifier['system'], safe=':/')}|{quote(identifier['value'], safe='')}"
    )


def transaction_bundle(submission: IntakeSubmission, examination=None) -> dict:
    """One sent form as a FHIR transaction: its Patient (created only if no Patient has its
    identifier: the MRN, or failing that the form's), its QuestionnaireResponse (created only
    once per reference code) and the latest examination's Observations, which refer to each
    other by urn:uuid. POST it to the FHIR server's base URL.

    Pass the examination when it has been read already (else it is read: one query).
    """
    patient = _patient(submission)
    del patient["id"]
    patient.setdefault("identifier", [_form_patient_identifier(submission)])
    patient_urn = _urn(submission, "Patient")
    subject = {"reference": patient_urn}

    response = questionnaire_response(submission)
    del response["id"], response["contained"]
    response["subject"] = subject
    entries = [
        {
            "fullUrl": patient_urn,
            "resource": patient,
            "request": {
                "method": "POST",
                "url": "Patient",
                "ifNoneExist": _if_none_exist(patient["identifier"][0]),
            },
        },
        {
            "fullUrl": _urn(submission, "QuestionnaireResponse"),
            "resource": response,
            "request": {
                "method": "POST",
                "url": "QuestionnaireResponse",
                "ifNoneExist": _if_none_exist(response["identifier"]),
            },
        },
    ]
    for observation in examination_observations(submission, examination):
        observation = {**observation, "subject": subject}
        del observation["contained"]
        urn = _urn(submission, f"Observation/{observation.pop('id')}")
        entries.append(
            {
                "fullUrl": urn,
                "resource": observation,
                "request": {"method": "POST", "url": "Observation"},
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "timestamp": _instant(timezone.now()),
        "entry": entries,
    }
