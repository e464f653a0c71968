"""FHIR R4 documents: the Questionnaire, a sent submission's QuestionnaireResponse and a Bundle.

Each document is validated with `fhir.resources` (its R4B models, the package's closest to R4);
the round trip walks the models' fields, so a new answer field without a FHIR mapping fails here.
"""

import datetime
import hashlib
import json

import pytest
from django.db.models import ForeignKey
from django.utils import timezone, translation
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from intake.body_map import SNOMED, chosen_regions
from intake.fhir.definition import (
    HL7_NULL_FLAVOR,
    HL7_YES_NO,
    QUESTIONNAIRE_VERSION,
    STANDARD_CODES,
    VALUE_SETS,
    code_system_url,
    questionnaire_url,
    sections,
)
from intake.fhir.resources import bundle, bundle_json, questionnaire, questionnaire_response
from intake.models import (
    Examination,
    IntakeSubmission,
    Invitation,
    OtherSymptom,
    PrivateLink,
    StaffAccess,
    StoredPdf,
    TestDone,
    YesNo,
    offered_choices,
)
from intake.questions import STEPS
from intake.tests.factories import (
    BlankDraftFactory,
    InjuryFactory,
    IntakeSubmissionFactory,
    MedicineFactory,
    TestDoneFactory,
)

pytestmark = pytest.mark.django_db

#: Submission fields that are not the patient's answers, and where each goes instead (if at all).
NOT_ANSWERS = {
    "id": "internal key",
    "reference": "QuestionnaireResponse.id and .identifier",
    "token_hash": "a secret, never exported",
    "keep_until": "bookkeeping: an invited form stays open until after the appointment",
    "status": "the clinic's workflow",
    "created_at": "bookkeeping",
    "updated_at": "bookkeeping",
    "sent_at": "QuestionnaireResponse.authored",
    "steps_completed": "bookkeeping",
    "unsaved_input": "bookkeeping: typed input with errors, not an answer yet",
    "urgency_tier": "computed tier for the queue",
    "urgent_carry_on_at": "the clinic's record of the emergency page",
    "urgent_carry_on_signs": "the clinic's record of the emergency page",
    "reviewed_by": "the clinic's workflow",
    "reviewed_at": "the clinic's workflow",
    "archived_at": "the clinic's workflow",
    "staff_note": "for the clinic team only",
    "language": "the contained Patient's communication language",
    "mrn": "the Patient's identifier, when FHIR_MRN_SYSTEM is set (test_fhir_interop.py)",
}
#: Questions only older forms hold (intake/questions.py `asked=False`): no longer in the
#: Questionnaire; their answers still show on those forms' summary, CSV and admin page.
OLDER_FORMS_ONLY = {
    question.slug for step in STEPS.values() for question in step.questions if not question.asked
}
#: Row fields that are not answers: the order of the repeats says the position.
ROW_NOT_ANSWERS = {"id", "submission", "position"}
#: Related models that are not rows of answers.
# Examination: the clinic's, exported as Observations; the rest: bookkeeping.
NOT_ROWS = {StaffAccess, Examination, Invitation, PrivateLink, StoredPdf}

#: FHIR R4 item types and the answer value each takes.
ANSWER_KEYS = {
    "string": "valueString",
    "text": "valueString",
    "date": "valueDate",
    "integer": "valueInteger",
    "choice": "valueCoding",
    "boolean": "valueBoolean",
}


# --- Helpers ------------------------------------------------------------------------------------


def walk(items, parent=None):
    """Every item of a Questionnaire or QuestionnaireResponse, depth first, with its parent."""
    for item in items or ():
        yield item, parent
        yield from walk(item.get("item"), item)
        for answer in item.get("answer", ()):
            yield from walk(answer.get("item"), item)


def questionnaire_items() -> dict[str, dict]:
    return {item["linkId"]: item for item, _parent in walk(questionnaire()["item"])}


def groups(response, link_id) -> list[dict]:
    return [item for item in response["item"] if item["linkId"] == link_id]


def answers_of(group, link_id) -> list[dict]:
    return next((item["answer"] for item in group["item"] if item["linkId"] == link_id), [])


#: HL7's codes for yes / no / not sure, back to the values the app stores.
HL7_VALUES = {
    standard: str(value) for table in STANDARD_CODES.values() for value, standard in table.items()
}


def answer_values(answers) -> list:
    """The plain value of each answer: a coding's code (HL7's as the stored value), or the value
    itself."""
    values = []
    for answer in answers:
        # The value, without the items nested under it (the body map's strength and side).
        ((key, value),) = [(k, v) for k, v in answer.items() if k != "item"]
        if key == "valueCoding":
            value = HL7_VALUES.get((value["system"], value["code"]), value["code"])
        values.append(value)
    return values


def expected_values(value) -> list:
    """How a stored value reads back from its FHIR answers."""
    if isinstance(value, dict):  # the body map: its regions, head to feet
        return [region.code for region, _severity in chosen_regions(value)]
    if isinstance(value, list):
        return [str(code) for code in value]
    if isinstance(value, datetime.datetime):
        return [True]  # consent: when it was given says that it was
    if isinstance(value, datetime.date):
        return [value.isoformat()]
    return [value]


def same(answers: list, expected: list) -> bool:
    """Equal as text: SARC-F scores are stored as numbers and answered as codes ("0" to "2")."""
    return [str(v) for v in answers] == [str(v) for v in expected]


def is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def mapped_question(field_name: str, *, rows: str = "") -> tuple[str, str]:
    """(section linkId, question linkId) of the question that holds this model field.

    `rows` names the repeating section for a row's field. Fails for a field with no question.
    """
    for section in sections():
        if section.rows != rows:
            continue
        for question in section.questions:
            if question.name == field_name:
                return section.link_id, question.link_id
    owner = rows or "IntakeSubmission"
    raise AssertionError(f"{owner}.{field_name} has no question in the Questionnaire")


@pytest.fixture
def complete_submission():
    """A sent submission with every answer field filled in, and rows of every kind."""
    submission = IntakeSubmissionFactory(
        sent=True,
        given_names="Zoë",
        family_name="Ångström-Núñez",
        recent_immobilisation=YesNo.YES,
        recent_immobilisation_details="Leg in a cast for 6 weeks",
        sarc_f_walking=0,  # a zero is an answer
        exercise_days_per_week=0,
        medicines=[],
        injuries=[],
    )
    MedicineFactory(submission=submission, name="Prednisolone", dose="5 mg", frequency="Daily")
    MedicineFactory(submission=submission, name="Atorvastatin", dose="20 mg", frequency="Night")
    InjuryFactory(submission=submission, body_part="Left knee")
    InjuryFactory(submission=submission, body_part="Lower back")
    TestDoneFactory(
        submission=submission, test_type=TestDone.TestType.CT, position=1, done=YesNo.NO
    )
    return IntakeSubmission.objects.prefetch_related("medicines", "injuries", "tests_done").get(
        pk=submission.pk
    )


# --- The Questionnaire --------------------------------------------------------------------------


def test_questionnaire_validates_as_fhir_r4():
    document = questionnaire()
    Questionnaire.model_validate(document)
    assert document["status"] == "active"
    assert document["url"] == questionnaire_url()
    assert document["url"].endswith("/fhir/Questionnaire/visit-preparation")
    assert document["version"] == QUESTIONNAIRE_VERSION


def test_questionnaire_has_one_group_per_step_in_order():
    document = questionnaire()
    assert [item["linkId"] for item in document["item"]] == [s.slug for s in STEPS.values()]
    assert [item["type"] for item in document["item"]] == ["group"] * len(STEPS)
    assert [item["text"] for item in document["item"]] == [str(s.title) for s in STEPS.values()]
    repeating = {item["linkId"] for item in document["item"] if item.get("repeats")}
    assert repeating == {"medicines", "injuries", "tests"}


def test_questionnaire_link_ids_are_unique_and_named_after_step_and_field():
    link_ids = [item["linkId"] for item, _parent in walk(questionnaire()["item"])]
    assert len(link_ids) == len(set(link_ids))
    for link_id in ("about.family_name", "symptoms.weakness_map", "medicines.name"):
        assert link_id in link_ids
    for link_id in ("strength_check.sarc_f_falls", "tests.test_type", "send.consent"):
        assert link_id in link_ids


def test_questionnaire_types_each_answer_by_its_kind():
    items = questionnaire_items()
    assert items["about.family_name"]["type"] == "string"
    assert "about.full_name" not in items  # made from the two parts; older forms' only box
    assert items["about.visit_reason"]["type"] == "text"
    assert items["about.date_of_birth"]["type"] == "date"
    assert items["lifestyle.alcohol_drinks_per_week"]["type"] == "integer"
    assert items["medicines.started"]["type"] == "date"
    assert "lifestyle.sitting_hours" not in items  # older forms only
    assert items["effects.weakness_limit"]["type"] == "choice"
    assert "symptoms.weakness_score" not in items  # older forms' score: no longer asked
    assert items["symptoms.onset"]["type"] == "choice"
    assert items["symptoms.weakness_map"]["repeats"] is True
    assert items["send.consent"]["type"] == "boolean"
    assert items["strength_check.sarc_f_total"]["readOnly"] is True


def test_questionnaire_keeps_the_forms_wording_required_flags_and_limits():
    items = questionnaire_items()
    assert items["about.family_name"]["required"] is True
    assert "required" not in items["about.given_names"]  # some people have one name
    assert items["about.date_of_birth"]["required"] is True
    assert "required" not in items["about.visit_reason"]
    assert items["about.visit_reason"]["maxLength"] == 2000
    assert (
        items["about.family_name.help"]["text"]
        == "The patient's surname. If they have only one name, write it here."
    )
    # Not required in FHIR: an empty optional repeating group would make the form invalid.
    assert "required" not in items["medicines.name"]
    limits = {
        e["url"].rsplit("/", 1)[1]: e["valueInteger"]
        for e in items["lifestyle.alcohol_drinks_per_week"]["extension"]
    }
    assert limits == {"minValue": 0, "maxValue": 200}


def test_answer_options_are_the_text_choices_with_a_code_system_each():
    coded = 0
    for link_id, item in questionnaire_items().items():
        if item["type"] != "choice" or link_id.startswith("strength_check."):
            continue
        systems = {option["valueCoding"]["system"] for option in item["answerOption"]}
        if systems <= {SNOMED, HL7_YES_NO, HL7_NULL_FLAVOR}:
            # Standard codes: the body map's side (SNOMED CT laterality), yes / no / not sure
            # (HL7; test_fhir_interop.py).
            continue
        assert len(systems) == 1, link_id
        (slug,) = [s for s in VALUE_SETS if code_system_url(s) in systems]
        pairs = [
            (o["valueCoding"]["code"], o["valueCoding"]["display"]) for o in item["answerOption"]
        ]
        # The codes the form offers today, in the code system's order (older forms' answers and,
        # for the long-standing follow-up, the signs that cannot be long-standing are left out).
        offered = [(value, str(label)) for value, label in VALUE_SETS[slug].choices]
        assert pairs == [pair for pair in offered if pair[0] in {code for code, _ in pairs}]
        still_asked = {(value, str(label)) for value, label in offered_choices(VALUE_SETS[slug])}
        assert set(pairs) == still_asked or link_id == "effects.long_standing_symptoms", link_id
        coded += 1
    assert coded == 17  # choices asked today with our own codes, and the body map's "how weak"


def test_sarc_f_answers_are_coded_with_their_scores():
    item = questionnaire_items()["strength_check.sarc_f_strength"]
    options = item["answerOption"]
    assert [o["valueCoding"]["code"] for o in options] == ["0", "1", "2"]
    assert [o["valueCoding"]["display"] for o in options] == ["None", "Some", "A lot, or unable"]
    assert [o["extension"][0]["valueDecimal"] for o in options] == [0, 1, 2]
    assert options[0]["valueCoding"]["system"] == code_system_url("sarc-f-strength")
    # No LOINC code could be verified for SARC-F (see intake/fhir/definition.py): none invented.
    assert all("code" not in item for item in questionnaire_items().values())


def test_questionnaire_structure_matches_its_version():
    """Changed a linkId, a type or an answer code? Bump QUESTIONNAIRE_VERSION, then this hash.

    Records refer to the questions by canonical URL and version, so the same version must always
    mean the same questions. Wording is left out: it is translated and may be polished freely.
    """
    structure = [
        (
            item["linkId"],
            item["type"],
            item.get("required", False),
            item.get("repeats", False),
            [o["valueCoding"]["code"] for o in item.get("answerOption", ())],
        )
        for item, _parent in walk(questionnaire()["item"])
    ]
    fingerprint = hashlib.sha256(json.dumps(structure).encode()).hexdigest()[:16]
    assert (QUESTIONNAIRE_VERSION, fingerprint) == ("2.1.0", "a682fbdb78af657c")


# --- A QuestionnaireResponse --------------------------------------------------------------------


def test_response_for_a_complete_submission_validates_as_fhir_r4(complete_submission):
    document = questionnaire_response(complete_submission)
    QuestionnaireResponse.model_validate(document)
    assert document["status"] == "completed"
    assert document["questionnaire"] == f"{questionnaire_url()}|{QUESTIONNAIRE_VERSION}"
    assert document["identifier"]["value"] == complete_submission.reference
    assert document["id"] == complete_submission.reference


def test_response_names_the_patient_in_a_contained_patient(complete_submission):
    document = questionnaire_response(complete_submission)
    assert document["subject"] == {"reference": "#patient"}
    (patient,) = document["contained"]
    assert patient == {
        "resourceType": "Patient",
        "id": "patient",
        "name": [
            {
                "use": "usual",
                "text": "Zoë Ångström-Núñez",
                "family": "Ångström-Núñez",
                "given": ["Zoë"],
            }
        ],
        "birthDate": "1948-07-02",
        "telecom": [
            {"system": "phone", "value": "+12015550123"},
            {"system": "email", "value": "patient@example.org"},
        ],
    }


def test_the_contained_patient_says_the_language_they_filled_the_form_in(complete_submission):
    complete_submission.language = "es"
    document = questionnaire_response(complete_submission)
    QuestionnaireResponse.model_validate(document)
    (patient,) = document["contained"]
    assert patient["communication"] == [
        {
            "language": {
                "coding": [{"system": "urn:ietf:bcp:47", "code": "es", "display": "Spanish"}],
                "text": "Spanish",
            },
            "preferred": True,
        }
    ]


def test_response_is_authored_when_the_form_was_sent(complete_submission):
    complete_submission.sent_at = datetime.datetime(
        2026, 3, 14, 9, 30, tzinfo=datetime.timezone.utc
    )
    authored = questionnaire_response(complete_submission)["authored"]
    assert datetime.datetime.fromisoformat(authored) == complete_submission.sent_at


def test_round_trip_every_answer_the_submission_holds_is_in_the_response(complete_submission):
    response = questionnaire_response(complete_submission)
    checked = 0
    for model_field in IntakeSubmission._meta.concrete_fields:
        if model_field.name in NOT_ANSWERS or model_field.name in OLDER_FORMS_ONLY:
            continue
        value = getattr(complete_submission, model_field.name)
        # The test submission must hold every answer, or the round trip would prove little.
        assert not is_empty(value), f"the test submission leaves {model_field.name} empty"
        section, link_id = mapped_question(model_field.name)
        (group,) = groups(response, section)
        answers = answers_of(group, link_id)
        assert same(answer_values(answers), expected_values(value)), model_field.name
        checked += 1
    assert checked > 30


def test_round_trip_every_row_value_is_in_its_repeat(complete_submission):
    response = questionnaire_response(complete_submission)
    row_relations = [
        relation
        for relation in IntakeSubmission._meta.related_objects
        if relation.related_model not in NOT_ROWS
        and not relation.many_to_many
        and isinstance(relation.remote_field, ForeignKey)
    ]
    by_rows = {section.rows: section.link_id for section in sections() if section.rows}
    assert {relation.get_accessor_name() for relation in row_relations} == set(by_rows)
    checked = 0
    for relation in row_relations:
        accessor = relation.get_accessor_name()
        rows = list(getattr(complete_submission, accessor).all())
        repeats = groups(response, by_rows[accessor])
        assert len(repeats) == len(rows) > 0
        for row, repeat in zip(rows, repeats, strict=True):
            for model_field in relation.related_model._meta.concrete_fields:
                if model_field.name in ROW_NOT_ANSWERS:
                    continue
                value = getattr(row, model_field.name)
                _section, link_id = mapped_question(model_field.name, rows=accessor)
                answers = answers_of(repeat, link_id)
                if is_empty(value):
                    assert answers == []
                else:
                    assert same(answer_values(answers), expected_values(value)), model_field.name
                    checked += 1
    assert checked > 0


def test_every_link_id_in_the_response_is_in_the_questionnaire_with_its_type(complete_submission):
    definitions = questionnaire_items()
    response = questionnaire_response(complete_submission)
    for item, parent in walk(response["item"]):
        definition = definitions[item["linkId"]]  # KeyError: a linkId the Questionnaire lacks
        assert item["text"] == definition["text"]
        if parent is not None:
            assert item["linkId"].startswith(parent["linkId"] + ".")
        if definition["type"] == "group":
            assert "answer" not in item and item["item"]
            continue
        assert item["answer"], item["linkId"]
        if len(item["answer"]) > 1:
            assert definition.get("repeats"), item["linkId"]
        for answer in item["answer"]:
            value_keys = [key for key in answer if key != "item"]  # items nested under a region
            assert value_keys == [ANSWER_KEYS[definition["type"]]], item["linkId"]
        if definition["type"] == "choice":
            allowed = [option["valueCoding"] for option in definition["answerOption"]]
            for answer in item["answer"]:
                assert answer["valueCoding"] in allowed, item["linkId"]


def test_response_is_in_the_clinics_language_whatever_the_patient_used(
    complete_submission, settings
):
    settings.CLINIC_LANGUAGE = "en"
    with translation.override("es"):  # the patient's language, active on their request
        response = questionnaire_response(complete_submission)
    assert response["language"] == "en"
    (effects,) = groups(response, "effects")
    codings = [a["valueCoding"] for a in answers_of(effects, "effects.other_symptoms")]
    assert codings[0] == {
        "system": code_system_url("other-symptom"),
        "code": OtherSymptom.CRAMPS_TWITCHING.value,
        "display": "Cramps or twitching",
    }


def test_empty_answers_and_unanswered_steps_are_left_out():
    submission = BlankDraftFactory(
        status=IntakeSubmission.Status.SENT,
        sent_at=timezone.now(),
        given_names="Ann",
        family_name="Example",
    )
    response = questionnaire_response(submission)
    QuestionnaireResponse.model_validate(response)
    assert [group["linkId"] for group in response["item"]] == ["about"]
    (about,) = response["item"]
    assert [item["linkId"] for item in about["item"]] == [
        "about.given_names",
        "about.family_name",
        "about.date_of_birth",
    ]


def test_drafts_have_no_response():
    with pytest.raises(ValueError, match="not been sent"):
        questionnaire_response(IntakeSubmissionFactory())


def test_response_reads_the_submission_and_its_rows_in_four_queries(
    complete_submission, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        submission = IntakeSubmission.objects.prefetch_related(
            "medicines", "injuries", "tests_done"
        ).get(pk=complete_submission.pk)
        questionnaire_response(submission)


# --- A Bundle of responses ----------------------------------------------------------------------


def test_bundle_validates_and_holds_one_response_per_sent_submission():
    first = IntakeSubmissionFactory(sent=True, urgent=True)
    second = IntakeSubmissionFactory(sent=True, sarc_f_positive=True)
    IntakeSubmissionFactory()  # a draft: never exported

    document = bundle(IntakeSubmission.objects.order_by("pk"))

    Bundle.model_validate(document)
    assert document["type"] == "collection"
    resources = [entry["resource"] for entry in document["entry"]]
    assert [r["identifier"]["value"] for r in resources] == [first.reference, second.reference]
    for resource, entry in zip(resources, document["entry"], strict=True):
        QuestionnaireResponse.model_validate(resource)
        assert entry["fullUrl"].endswith(f"/QuestionnaireResponse/{resource['id']}")


def test_an_empty_bundle_has_no_entry_list():
    document = bundle(IntakeSubmission.objects.none())
    Bundle.model_validate(document)
    assert "entry" not in document


def test_bundle_reads_the_database_a_chunk_at_a_time(django_assert_max_num_queries):
    for _ in range(5):
        IntakeSubmissionFactory(sent=True)
    pieces = bundle_json(IntakeSubmission.objects.order_by("pk"), chunk_size=2)
    # Three chunks of at most two submissions: one query for each and three for their rows.
    with django_assert_max_num_queries(12):
        text = "".join(pieces)
    assert len(json.loads(text)["entry"]) == 5


def test_bundle_queries_do_not_grow_with_the_number_of_submissions(
    django_assert_max_num_queries,
):
    for _ in range(12):
        IntakeSubmissionFactory(sent=True)
    with django_assert_max_num_queries(4):
        document = bundle(IntakeSubmission.objects.all())
    assert len(document["entry"]) == 12
