"""Reading our FHIR back: a QuestionnaireResponse (alone or in a Bundle) as the answers it holds.

The reverse of resources.py, for whoever receives our documents and for the round-trip tests:
every answer comes back as the value the app stores (the choice's stored value, the SARC-F
score, a date), by linkId through the same definition (definition.py). Codes are recognised by
meaning, not by server: HL7's yes / no / not sure, and our own code systems under any base URL
(forms exported before the base was fixed carry the server's host name in them).

Nothing here writes to the database.
"""

import datetime
from dataclasses import dataclass, field

from ..body_map import Severity
from .definition import Question, sections, value_of_coding
from .resources import SEVERITY_SYSTEM


class UnreadableAnswer(ValueError):
    """An answer that is not one the Questionnaire allows (an unknown code, a wrong type)."""


@dataclass
class ReadResponse:
    #: Answers stored on the submission itself, by field name.
    answers: dict = field(default_factory=dict)
    #: Each repeating section's rows (by the submission's related name), each a dict by field.
    rows: dict[str, list[dict]] = field(default_factory=dict)
    #: The patient as the contained (or referenced) Patient gives them.
    patient: dict = field(default_factory=dict)


def _slug(system: str) -> str:
    return system.rstrip("/").rsplit("/", 1)[-1]


def _coded_value(question: Question, coding: dict, slug: str | None = None) -> str:
    value = value_of_coding(slug or question.system, coding.get("system", ""), coding["code"])
    if value is None:
        raise UnreadableAnswer(
            f"{question.link_id}: {coding.get('system')}|{coding.get('code')} is not an answer"
        )
    return value


def _body_map(question: Question, answers: list[dict]) -> dict:
    regions = {}
    for answer in answers:
        region = _coded_value(question, answer["valueCoding"])
        severity = ""
        for nested in answer.get("item", ()):
            if nested["linkId"] == f"{question.link_id}.how_weak":
                severity = value_of_coding(
                    SEVERITY_SYSTEM,
                    nested["answer"][0]["valueCoding"].get("system", ""),
                    nested["answer"][0]["valueCoding"]["code"],
                )
                if severity not in Severity.values:
                    raise UnreadableAnswer(f"{question.link_id}.how_weak: {severity!r}")
        regions[region] = severity
    return regions


def answer_value(question: Question, answers: list[dict]):
    """The stored value of one item's answers."""
    if question.body_map:
        return _body_map(question, answers)
    if question.type == "choice":
        values = [_coded_value(question, answer["valueCoding"]) for answer in answers]
        if question.scored:
            return int(values[0])
        return values if question.repeats else values[0]
    (answer,) = answers
    if question.type == "boolean":
        return answer["valueBoolean"]
    if question.type == "integer":
        return answer["valueInteger"]
    if question.type == "date":
        return datetime.date.fromisoformat(answer["valueDate"])
    return answer["valueString"]


def _read_items(questions: dict[str, Question], items: list[dict]) -> dict:
    values = {}
    for item in items:
        question = questions.get(item["linkId"])
        if question is None:
            raise UnreadableAnswer(f"{item['linkId']} is not a question of this Questionnaire")
        values[question.name] = answer_value(question, item.get("answer", []))
    return values


def _patient(resource: dict) -> dict:
    patient = {}
    name = (resource.get("name") or [{}])[0]
    for key, value in (
        ("full_name", name.get("text", "")),
        ("family_name", name.get("family", "")),
        ("given_names", " ".join(name.get("given", ()))),
        ("date_of_birth", resource.get("birthDate", "")),
    ):
        if value:
            patient[key] = value
    for telecom in resource.get("telecom", ()):
        patient[telecom["system"]] = telecom["value"]
    if "date_of_birth" in patient:
        patient["date_of_birth"] = datetime.date.fromisoformat(patient["date_of_birth"])
    languages = resource.get("communication", ())
    if languages:
        patient["language"] = languages[0]["language"]["coding"][0]["code"]
    identifiers = resource.get("identifier", ())
    if identifiers:
        patient["identifiers"] = [(i["system"], i["value"]) for i in identifiers]
    return patient


def read_response(response: dict, patient: dict | None = None) -> ReadResponse:
    """The answers of a QuestionnaireResponse; its patient from the contained Patient, or the
    `patient` resource given (a transaction Bundle's, see `read_bundle`)."""
    read = ReadResponse()
    by_section = {section.link_id: section for section in sections()}
    for group in response.get("item", ()):
        section = by_section.get(group["linkId"])
        if section is None:
            raise UnreadableAnswer(f"{group['linkId']} is not a section of this Questionnaire")
        questions = {question.link_id: question for question in section.questions}
        values = _read_items(questions, group.get("item", ()))
        if section.rows:
            read.rows.setdefault(section.rows, []).append(values)
        else:
            read.answers.update(values)
    contained = {f"#{r['id']}": r for r in response.get("contained", ()) if "id" in r}
    subject = contained.get(response.get("subject", {}).get("reference", ""), patient)
    if subject:
        read.patient = _patient(subject)
    return read


def read_bundle(bundle: dict) -> list[ReadResponse]:
    """Every QuestionnaireResponse of a Bundle (transaction or collection), with its patient:
    contained, or the Bundle's entry its subject's urn:uuid names."""
    by_url = {entry.get("fullUrl"): entry["resource"] for entry in bundle.get("entry", ())}
    return [
        read_response(
            entry["resource"],
            by_url.get(entry["resource"].get("subject", {}).get("reference", "")),
        )
        for entry in bundle.get("entry", ())
        if entry["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
