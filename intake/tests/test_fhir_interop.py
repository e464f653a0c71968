"""FHIR a clinic can import: stable and standard codes, SDC logic and scoring, the transaction.

Checked with tools that did not build the documents: the `fhirclient` R4 models (strict) as a
second validator beside `fhir.resources`, and the `fhirpathpy` FHIRPath engine, which evaluates
the Questionnaire's own expressions against the app's own rules.
"""

import itertools
import json
import uuid
from urllib.parse import urlparse

import fhirpathpy
import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle as R4BBundle
from fhir.resources.R4B.codesystem import CodeSystem as R4BCodeSystem
from fhir.resources.R4B.questionnaire import Questionnaire as R4BQuestionnaire
from fhirclient.models.bundle import Bundle
from fhirclient.models.codesystem import CodeSystem
from fhirclient.models.questionnaire import Questionnaire
from fhirclient.models.questionnaireresponse import QuestionnaireResponse
from fhirpathpy.models import models as fhirpath_models

from intake.fhir.definition import (
    DEFAULT_CODE_SYSTEM_BASE,
    HL7_NULL_FLAVOR,
    HL7_YES_NO,
    code_system_url,
    sections,
    value_of_coding,
)
from intake.fhir.reading import UnreadableAnswer, read_bundle, read_response
from intake.fhir.resources import (
    bundle,
    code_system,
    code_system_slugs,
    questionnaire,
    questionnaire_response,
    transaction_bundle,
)
from intake.forms import form_for
from intake.models import (
    Examination,
    IntakeSubmission,
    StaffAccess,
    TestDone,
    YesNo,
    YesNoNotSure,
)
from intake.questions import STEPS, Kind
from intake.rules import sarc_f_score
from intake.tests.factories import (
    InjuryFactory,
    IntakeSubmissionFactory,
    MedicineFactory,
    TestDoneFactory,
)
from tests.staff import make_staff_user, sign_in_verified

pytestmark = pytest.mark.django_db

R4 = fhirpath_models["r4"]
SARC_F = ("strength", "walking", "chair", "stairs", "falls")


def walk(items):
    for item in items or ():
        yield item
        yield from walk(item.get("item"))
        for answer in item.get("answer", ()):
            yield from walk(answer.get("item"))


def items_by_link_id(document) -> dict[str, dict]:
    return {item["linkId"]: item for item in walk(document["item"])}


def codings(item) -> list[tuple[str, str]]:
    return [(o["valueCoding"]["system"], o["valueCoding"]["code"]) for o in item["answerOption"]]


def extension(item, url_end):
    return [e for e in item.get("extension", ()) if e["url"].endswith(url_end)]


@pytest.fixture
def sent_form():
    """A sent form with answers in every kind of question and rows of every kind."""
    submission = IntakeSubmissionFactory(
        sent=True,
        given_names="Zoë Maria",
        family_name="Ångström-Núñez",
        family_history_known=YesNoNotSure.NOT_SURE,
        takes_statin=YesNoNotSure.YES,
        recent_immobilisation=YesNo.YES,
        recent_immobilisation_details="Leg in a cast for 6 weeks",
        interpreter_needed=YesNo.NO,
        sarc_f_strength=2,
        sarc_f_walking=0,
        sarc_f_chair=1,
        sarc_f_stairs=2,
        sarc_f_falls=1,
        medicines=[],
        injuries=[],
    )
    MedicineFactory(submission=submission, name="Prednisolone", dose="5 mg", frequency="Daily")
    InjuryFactory(submission=submission, body_part="Left knee")
    TestDoneFactory(submission=submission, test_type=TestDone.TestType.CT, position=1)
    return IntakeSubmission.objects.prefetch_related("medicines", "injuries", "tests_done").get(
        pk=submission.pk
    )


def stored_answers(submission) -> dict:
    """Every answer the submission holds, by field, as read_response gives them back."""
    answers = {}
    for section in sections():
        if section.rows:
            continue
        for question in section.questions:
            value = getattr(submission, question.name)
            if value in (None, "", [], {}):
                continue
            if question.type == "boolean":
                value = True  # consent: when it was given says that it was
            elif question.name == "phone":
                value = str(value)  # as the answer writes it; the Patient has E.164
            answers[question.name] = value
    return answers


def stored_rows(submission) -> dict:
    rows = {}
    for section in sections():
        if not section.rows:
            continue
        for row in getattr(submission, section.rows).all():
            values = {
                q.name: getattr(row, q.name)
                for q in section.questions
                if getattr(row, q.name) not in (None, "", [])
            }
            rows.setdefault(section.rows, []).append(values)
    return rows


# --- A second validator ---------------------------------------------------------------------


def test_every_document_validates_with_a_second_r4_validator(sent_form):
    Questionnaire(questionnaire(), strict=True)
    QuestionnaireResponse(questionnaire_response(sent_form), strict=True)
    Bundle(bundle(IntakeSubmission.objects.all()), strict=True)
    transaction = transaction_bundle(sent_form)
    Bundle(transaction, strict=True)
    R4BBundle.model_validate(transaction)
    R4BQuestionnaire.model_validate(questionnaire())
    for slug in code_system_slugs():
        CodeSystem(code_system(slug), strict=True)
        R4BCodeSystem.model_validate(code_system(slug))


# --- Codes: standard where they exist, ours stable --------------------------------------------


def test_answer_codes_are_the_same_whatever_the_servers_canonical_base(settings, sent_form):
    settings.FHIR_CANONICAL_BASE = "https://clinic-a.example.org/prepare/fhir"
    first_questionnaire, first_response = questionnaire(), questionnaire_response(sent_form)
    settings.FHIR_CANONICAL_BASE = "https://clinic-b.example.net/forms/fhir"
    second_questionnaire, second_response = questionnaire(), questionnaire_response(sent_form)
    assert first_questionnaire["url"] != second_questionnaire["url"]
    first, second = items_by_link_id(first_questionnaire), items_by_link_id(second_questionnaire)
    for link_id, item in first.items():
        if "answerOption" in item:
            assert codings(item) == codings(second[link_id]), link_id
    assert first_response["item"] == second_response["item"]
    assert code_system_url("condition") == f"{DEFAULT_CODE_SYSTEM_BASE}/CodeSystem/condition"


def test_a_response_exported_under_one_base_loads_without_loss_into_another_servers_questionnaire(
    settings, sent_form
):
    settings.FHIR_CANONICAL_BASE = "https://clinic-a.example.org/prepare/fhir"
    response = questionnaire_response(sent_form)
    settings.FHIR_CANONICAL_BASE = "https://127.0.0.1/prepare/fhir"
    served = items_by_link_id(questionnaire())
    coded = 0
    for item in walk(response["item"]):
        for answer in item.get("answer", ()):
            if "valueCoding" in answer:
                coding = answer["valueCoding"]
                # What LHC-Forms does: an answer is kept only if it is one of the options.
                assert (coding["system"], coding["code"]) in codings(served[item["linkId"]])
                coded += 1
    assert coded >= 15
    read = read_response(response)
    assert read.answers == stored_answers(sent_form)


def test_forms_exported_before_the_base_was_fixed_still_read(sent_form):
    response = questionnaire_response(sent_form)
    old_base = "https://127.0.0.1/prepare/fhir/CodeSystem/"
    for item in walk(response["item"]):
        for answer in item.get("answer", ()):
            coding = answer.get("valueCoding", {})
            if coding.get("system", "").startswith(DEFAULT_CODE_SYSTEM_BASE):
                coding["system"] = old_base + coding["system"].rsplit("/", 1)[-1]
    assert read_response(response).answers == stored_answers(sent_form)


def test_yes_no_answers_use_hl7_codes_and_not_sure_is_asked_but_unknown(sent_form):
    items = items_by_link_id(questionnaire())
    assert codings(items["about.interpreter_needed"]) == [(HL7_YES_NO, "Y"), (HL7_YES_NO, "N")]
    assert codings(items["medical_history.takes_statin"]) == [
        (HL7_YES_NO, "Y"),
        (HL7_YES_NO, "N"),
        (HL7_NULL_FLAVOR, "ASKU"),
    ]
    answered = items_by_link_id(questionnaire_response(sent_form))
    (family,) = answered["medical_history.family_history_known"]["answer"]
    assert family["valueCoding"] == {
        "system": HL7_NULL_FLAVOR,
        "code": "ASKU",
        "display": "Not sure",
    }
    (statin,) = answered["medical_history.takes_statin"]["answer"]
    assert (statin["valueCoding"]["system"], statin["valueCoding"]["code"]) == (HL7_YES_NO, "Y")


def test_no_yes_no_code_system_of_our_own_is_published():
    assert not {"yes-no", "yes-no-not-sure"} & set(code_system_slugs())


def test_every_code_in_the_questionnaire_is_hl7s_snomeds_or_in_a_code_system_we_serve(client):
    served = {}
    for item in walk(questionnaire()["item"]):
        for system, code in codings(item) if "answerOption" in item else ():
            if system.startswith(("http://terminology.hl7.org/", "http://snomed.info/")):
                continue
            if system not in served:
                response = client.get(urlparse(system).path)
                assert response.status_code == 200, system
                served[system] = {c["code"] for c in response.json()["concept"]}
            assert code in served[system], (system, code)
    assert len(served) >= 20


def test_each_code_system_is_served_at_its_canonical_path_for_anyone_on_any_site(client):
    for slug in code_system_slugs():
        path = urlparse(code_system_url(slug)).path
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/fhir+json")
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response.json() == code_system(slug)
        assert response.json()["url"] == code_system_url(slug)


def test_an_unknown_code_system_is_not_found(client):
    assert client.get("/prepare/fhir/CodeSystem/no-such-codes").status_code == 404


@pytest.fixture
def exporter_client(client):
    """A member of clinic staff whom a superuser has allowed to export FHIR."""
    user = make_staff_user("records")
    user.user_permissions.add(Permission.objects.get(codename="export_fhir_intakesubmission"))
    return sign_in_verified(client, user)


def test_the_questionnaire_may_be_read_from_another_site_but_nothing_private_may(
    client, exporter_client, sent_form
):
    public = Client().get("/prepare/fhir/Questionnaire/visit-preparation")
    assert public["Access-Control-Allow-Origin"] == "*"
    for url in (
        reverse("admin:intake_intakesubmission_fhir", args=[sent_form.pk]),
        reverse("admin:intake_intakesubmission_fhir_transaction", args=[sent_form.pk]),
        reverse("admin:intake_intakesubmission_change", args=[sent_form.pk]),
    ):
        response = exporter_client.get(url)
        assert response.status_code == 200
        assert not response.has_header("Access-Control-Allow-Origin")
    assert not Client().get("/prepare/").has_header("Access-Control-Allow-Origin")


def test_staff_allowed_to_export_fhir_download_the_forms_transaction(exporter_client, sent_form):
    change_page = exporter_client.get(
        reverse("admin:intake_intakesubmission_change", args=[sent_form.pk])
    )
    url = reverse("admin:intake_intakesubmission_fhir_transaction", args=[sent_form.pk])
    assert url in change_page.content.decode()
    response = exporter_client.get(url)
    assert (
        response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    )
    assert "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    Bundle(document, strict=True)
    assert document["type"] == "transaction"
    assert StaffAccess.objects.filter(submission=sent_form).exists()


def test_staff_without_the_fhir_permission_cannot_download_the_transaction(client, sent_form):
    nurse = sign_in_verified(client, make_staff_user("nurse"))
    url = reverse("admin:intake_intakesubmission_fhir_transaction", args=[sent_form.pk])
    assert nurse.get(url).status_code == 403
    change_page = nurse.get(reverse("admin:intake_intakesubmission_change", args=[sent_form.pk]))
    assert url not in change_page.content.decode()


# --- SDC: profile, item control, enableWhen, the calculated total ------------------------------


def test_questionnaire_declares_the_sdc_profiles():
    profiles = questionnaire()["meta"]["profile"]
    assert "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire|3.0.0" in profiles
    assert "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-behave|3.0.0" in (
        profiles
    )


def test_choices_are_radio_buttons_or_check_boxes_as_the_app_shows_them():
    items = items_by_link_id(questionnaire())
    checked = 0
    for step in STEPS.values():
        for question in step.asked:
            item = items.get(f"{step.slug}.{question.slug}")
            if item is None or question.kind not in (
                Kind.CHOICE,
                Kind.CHOICES,
                Kind.SCORED,
                Kind.BODY_MAP,
            ):
                continue
            (control,) = extension(item, "questionnaire-itemControl")
            expected = (
                "check-box" if question.kind in (Kind.CHOICES, Kind.BODY_MAP) else ("radio-button")
            )
            assert control["valueCodeableConcept"]["coding"][0]["code"] == expected
            checked += 1
    assert checked >= 20


def _enabled(item: dict, parent_answers: list[dict]) -> bool:
    """Evaluate an item's enableWhen with FHIRPath over a response holding `parent_answers`."""
    conditions = [
        f"%resource.repeat(item).where(linkId = '{c['question']}').answer.value"
        f".where(system = '{c['answerCoding']['system']}' and code = '{c['answerCoding']['code']}')"
        ".exists()"
        for c in item["enableWhen"]
    ]
    joiner = " and " if item.get("enableBehavior") == "all" else " or "
    (parent_link_id,) = {c["question"] for c in item["enableWhen"]}
    response = {
        "resourceType": "QuestionnaireResponse",
        "item": [{"linkId": parent_link_id, "answer": parent_answers}],
    }
    (result,) = fhirpathpy.evaluate(response, joiner.join(conditions), {"resource": response}, R4)
    return result


def test_every_follow_up_shows_exactly_when_the_html_form_reveals_it():
    """For each follow-up, each answer of the question it follows: enableWhen (evaluated as
    FHIRPath) says shown exactly when the step form puts it under that answer."""
    items = items_by_link_id(questionnaire())
    fhir_questions = {q.link_id: q for section in sections() for q in section.questions}
    checked = 0
    for step in STEPS.values():
        if not step.questions or step.rows:
            continue
        form = form_for(step)
        follow_ups = {
            **{name: (parent, {value}) for name, (parent, value) in form.revealed_by.items()},
            **{
                name: (parent, {str(v) for v, _label in step.question(name).offered_choices()})
                for name, parent in form.nested_in.items()
            },
        }
        conditional = {
            link_id
            for link_id, item in items.items()
            if link_id.startswith(f"{step.slug}.") and "enableWhen" in item
        }
        assert conditional == {f"{step.slug}.{name}" for name in follow_ups}
        for name, (parent, revealing) in follow_ups.items():
            parent_item = items[f"{step.slug}.{parent}"]
            parent_question = fhir_questions[f"{step.slug}.{parent}"]
            for option in parent_item["answerOption"]:
                coding = option["valueCoding"]
                stored = value_of_coding(parent_question.system, coding["system"], coding["code"])
                shown = _enabled(items[f"{step.slug}.{name}"], [option])
                assert shown == (stored in revealing), (name, stored)
                checked += 1
    assert checked >= 20


def test_nothing_is_required_inside_an_optional_repeating_group_or_a_follow_up():
    required = set()
    for item in walk(questionnaire()["item"]):
        if item.get("repeats") and item["type"] == "group":
            assert not any(child.get("required") for child in walk(item["item"])), item["linkId"]
        if "enableWhen" in item:
            assert not item.get("required"), item["linkId"]
        if item.get("required"):
            required.add(item["linkId"])
    assert required == {
        "about.family_name",
        "about.date_of_birth",
        *(f"strength_check.sarc_f_{name}" for name in SARC_F),
        "send.consent",
    }


def _sarc_f_total(expression: str, scores: dict) -> list:
    response = {
        "resourceType": "QuestionnaireResponse",
        "item": [
            {
                "linkId": "strength_check",
                "item": [
                    {
                        "linkId": f"strength_check.sarc_f_{name}",
                        "answer": [
                            {
                                "valueCoding": {
                                    "system": code_system_url(f"sarc-f-{name}"),
                                    "code": str(score),
                                }
                            }
                        ],
                    }
                    for name, score in scores.items()
                    if score is not None
                ],
            }
        ],
    }
    return fhirpathpy.evaluate(response, expression, {"resource": response}, R4)


def test_the_calculated_sarc_f_total_matches_the_apps_score_for_every_combination_of_answers():
    item = items_by_link_id(questionnaire())["strength_check.sarc_f_total"]
    assert item["readOnly"] is True
    (calculated,) = extension(item, "sdc-questionnaire-calculatedExpression")
    assert calculated["valueExpression"]["language"] == "text/fhirpath"
    expression = calculated["valueExpression"]["expression"]
    combinations = 0
    # Every answer of every item, and every item left unanswered (None): 4**5 = 1,024 forms.
    for answers in itertools.product((None, 0, 1, 2), repeat=5):
        scores = dict(zip(SARC_F, answers, strict=True))
        expected = sarc_f_score(**scores)
        assert _sarc_f_total(expression, scores) == ([] if expected is None else [expected]), scores
        combinations += 1
    assert combinations == 1024


def test_the_response_holds_the_total_the_expression_computes(sent_form):
    response = questionnaire_response(sent_form)
    item = items_by_link_id(questionnaire())["strength_check.sarc_f_total"]
    (calculated,) = extension(item, "sdc-questionnaire-calculatedExpression")
    expression = calculated["valueExpression"]["expression"]
    (computed,) = fhirpathpy.evaluate(response, expression, {"resource": response}, R4)
    (stored,) = items_by_link_id(response)["strength_check.sarc_f_total"]["answer"]
    assert computed == stored["valueInteger"] == sent_form.sarc_f_total == 6


# --- The patient ---------------------------------------------------------------------------------


def test_the_patient_has_family_and_given_names_birth_date_telecom_and_language(sent_form):
    sent_form.language = "es"
    (patient,) = questionnaire_response(sent_form)["contained"]
    assert patient["name"] == [
        {
            "use": "usual",
            "text": "Zoë Maria Ångström-Núñez",
            "family": "Ångström-Núñez",
            "given": ["Zoë", "Maria"],
        }
    ]
    assert patient["birthDate"] == sent_form.date_of_birth.isoformat()
    assert {t["system"] for t in patient["telecom"]} == {"phone", "email"}
    assert patient["communication"][0]["language"]["coding"][0]["code"] == "es"
    assert "identifier" not in patient  # no MRN yet


def test_an_older_form_with_one_name_box_gives_the_name_as_text_only(sent_form):
    IntakeSubmission.objects.filter(pk=sent_form.pk).update(
        given_names="", family_name="", full_name="Ann Older-Form"
    )
    sent_form.refresh_from_db()
    (patient,) = questionnaire_response(sent_form)["contained"]
    assert patient["name"] == [{"use": "usual", "text": "Ann Older-Form"}]


def test_the_clinics_patient_number_is_the_patients_identifier_under_the_configured_system(
    settings, sent_form
):
    settings.FHIR_MRN_SYSTEM = "https://hospital.example.org/mrn"
    sent_form.mrn = "H123456"
    (patient,) = questionnaire_response(sent_form)["contained"]
    (identifier,) = patient["identifier"]
    assert identifier["system"] == "https://hospital.example.org/mrn"
    assert identifier["value"] == "H123456"
    assert identifier["type"]["coding"][0]["code"] == "MR"


def test_without_a_system_for_it_the_mrn_is_not_exported(settings, sent_form):
    settings.FHIR_MRN_SYSTEM = ""
    sent_form.mrn = "H123456"
    (patient,) = questionnaire_response(sent_form)["contained"]
    assert "identifier" not in patient


# --- The transaction Bundle --------------------------------------------------------------------


def test_the_transaction_creates_the_patient_only_if_no_patient_has_its_mrn(settings, sent_form):
    settings.FHIR_MRN_SYSTEM = "https://hospital.example.org/mrn"
    sent_form.mrn = "H 123/456"
    document = transaction_bundle(sent_form)
    assert document["type"] == "transaction"
    patient, response = document["entry"]
    assert patient["request"] == {
        "method": "POST",
        "url": "Patient",
        "ifNoneExist": "identifier=https://hospital.example.org/mrn|H%20123%2F456",
    }
    assert response["request"]["method"] == "POST"
    assert response["request"]["url"] == "QuestionnaireResponse"
    assert response["request"]["ifNoneExist"].endswith(f"|{sent_form.reference}")
    for entry in document["entry"]:
        assert entry["fullUrl"].startswith("urn:uuid:")
        uuid.UUID(entry["fullUrl"].removeprefix("urn:uuid:"))
        assert "id" not in entry["resource"] and "contained" not in entry["resource"]
    assert response["resource"]["subject"] == {"reference": patient["fullUrl"]}


def test_without_an_mrn_the_transaction_identifies_the_patient_by_the_form(settings, sent_form):
    settings.FHIR_MRN_SYSTEM = "https://hospital.example.org/mrn"
    patient = transaction_bundle(sent_form)["entry"][0]
    (identifier,) = patient["resource"]["identifier"]
    assert identifier["value"] == sent_form.reference
    assert identifier["use"] == "temp"
    assert patient["request"]["ifNoneExist"].endswith(f"|{sent_form.reference}")


def test_the_same_form_always_gives_the_same_transaction_entries(sent_form):
    first, second = transaction_bundle(sent_form), transaction_bundle(sent_form)
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]
    other = IntakeSubmissionFactory(sent=True)
    assert transaction_bundle(other)["entry"][0]["fullUrl"] != first["entry"][0]["fullUrl"]


def test_the_examinations_observations_are_about_the_transactions_patient(sent_form):
    Examination.objects.create(
        submission=sent_form, examined_on=timezone.localdate(), weight_kg="61.5"
    )
    document = transaction_bundle(sent_form)
    Bundle(document, strict=True)
    patient_url = document["entry"][0]["fullUrl"]
    observations = [e for e in document["entry"] if e["resource"]["resourceType"] == "Observation"]
    assert observations
    for entry in observations:
        assert entry["resource"]["subject"] == {"reference": patient_url}
        assert entry["request"] == {"method": "POST", "url": "Observation"}


def test_round_trip_a_form_through_the_transaction_bundle_and_back(sent_form):
    (read,) = read_bundle(transaction_bundle(sent_form))
    assert read.answers == stored_answers(sent_form)
    assert read.rows == stored_rows(sent_form)
    assert read.patient["family_name"] == "Ångström-Núñez"
    assert read.patient["given_names"] == "Zoë Maria"
    assert read.patient["date_of_birth"] == sent_form.date_of_birth
    assert read.patient["phone"] == sent_form.phone.as_e164
    # The answers hold something of every kind, or the round trip would prove little.
    assert {"weakness_map", "sarc_f_falls", "conditions", "takes_statin"} <= set(read.answers)


def test_round_trip_through_the_archive_bundle_too(sent_form):
    (read,) = read_bundle(bundle(IntakeSubmission.objects.filter(pk=sent_form.pk)))
    assert read.answers == stored_answers(sent_form)
    assert read.rows == stored_rows(sent_form)


def test_reading_refuses_a_code_the_questionnaire_does_not_offer(sent_form):
    response = questionnaire_response(sent_form)
    (statin,) = items_by_link_id(response)["medical_history.takes_statin"]["answer"]
    statin["valueCoding"]["code"] = "MAYBE"
    with pytest.raises(UnreadableAnswer, match="takes_statin"):
        read_response(response)
