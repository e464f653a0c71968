"""FHIR over HTTP: the public Questionnaire, and staff downloads of responses from the admin."""

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from intake.tests.factories import IntakeSubmissionFactory
from tests.staff import make_staff_user, sign_in_verified

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:intake_intakesubmission_changelist"
QUESTIONNAIRE_URLS = (
    "/prepare/fhir/Questionnaire.json",
    "/prepare/fhir/Questionnaire/visit-preparation",
)


def download_action(client, submissions):
    return client.post(
        reverse(CHANGELIST),
        {"action": "download_fhir", "_selected_action": [s.pk for s in submissions]},
    )


def fhir_url(submission):
    return reverse("admin:intake_intakesubmission_fhir", args=[submission.pk])


def change_url(submission):
    return reverse("admin:intake_intakesubmission_change", args=[submission.pk])


def body(response) -> dict:
    if response.streaming:
        return json.loads(b"".join(response.streaming_content))
    return json.loads(response.content)


def grant(user, codename):
    user.user_permissions.add(Permission.objects.get(codename=codename))


@pytest.fixture
def exporter_client(client):
    """A member of clinic staff whom a superuser has allowed to export FHIR."""
    user = make_staff_user("records")
    grant(user, "export_fhir_intakesubmission")
    return sign_in_verified(client, user)


@pytest.fixture
def nurse_client(client):
    return sign_in_verified(client, make_staff_user("nurse"))


def assert_private_download(response, filename_start):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert response["Content-Disposition"].startswith(f'attachment; filename="{filename_start}')
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


# --- The public Questionnaire -------------------------------------------------------------------


@pytest.mark.parametrize("url", QUESTIONNAIRE_URLS)
def test_questionnaire_is_public_fhir_json(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert "public" in response["Cache-Control"]
    Questionnaire.model_validate(json.loads(response.content))


def test_questionnaire_url_is_where_it_is_served(client):
    document = json.loads(client.get(QUESTIONNAIRE_URLS[0]).content)
    assert document["url"].endswith(QUESTIONNAIRE_URLS[1])


def test_questionnaire_holds_no_personal_data(client):
    submission = IntakeSubmissionFactory(
        sent=True, full_name="Ada Lovelace", allergies="Penicillin (rash)"
    )
    text = client.get(QUESTIONNAIRE_URLS[0]).content.decode()
    for secret in (submission.full_name, submission.reference, "Penicillin", "1948-07-02"):
        assert secret not in text
    assert "Prednisolone" not in text  # the factory's medicines


def test_questionnaire_url_accepts_only_reading(client):
    assert client.post(QUESTIONNAIRE_URLS[0]).status_code == 405


# --- Staff downloads ----------------------------------------------------------------------------


def test_download_of_one_form_is_its_questionnaire_response(exporter_client):
    submission = IntakeSubmissionFactory(sent=True)
    response = download_action(exporter_client, [submission])
    assert_private_download(response, f"QuestionnaireResponse-{submission.reference}.json")
    document = body(response)
    QuestionnaireResponse.model_validate(document)
    assert document["identifier"]["value"] == submission.reference


def test_download_of_several_forms_is_a_bundle(exporter_client):
    submissions = [IntakeSubmissionFactory(sent=True) for _ in range(3)]
    response = download_action(exporter_client, submissions)
    assert response.streaming
    assert_private_download(response, "visit-forms-")
    document = body(response)
    Bundle.model_validate(document)
    references = {entry["resource"]["identifier"]["value"] for entry in document["entry"]}
    assert references == {s.reference for s in submissions}


def test_bulk_download_queries_do_not_grow_with_the_selection(
    exporter_client, django_assert_max_num_queries
):
    few = [IntakeSubmissionFactory(sent=True) for _ in range(2)]
    many = few + [IntakeSubmissionFactory(sent=True) for _ in range(8)]
    with django_assert_max_num_queries(30) as counted_few:
        body(download_action(exporter_client, few))
    with django_assert_max_num_queries(len(counted_few.captured_queries)):
        document = body(download_action(exporter_client, many))
    assert len(document["entry"]) == 10


def test_change_page_offers_the_download_to_exporters(exporter_client):
    submission = IntakeSubmissionFactory(sent=True)
    page = exporter_client.get(change_url(submission)).content.decode()
    assert f'href="{fhir_url(submission)}"' in page
    assert "Download FHIR (JSON)" in page

    response = exporter_client.get(fhir_url(submission))
    assert_private_download(response, f"QuestionnaireResponse-{submission.reference}.json")
    QuestionnaireResponse.model_validate(body(response))


def test_drafts_cannot_be_downloaded(exporter_client):
    draft = IntakeSubmissionFactory()
    assert exporter_client.get(fhir_url(draft)).status_code == 404


def test_superusers_can_download(client):
    sign_in_verified(client, make_staff_user("boss", superuser=True))
    submission = IntakeSubmissionFactory(sent=True)
    assert_private_download(download_action(client, [submission]), "QuestionnaireResponse-")


# --- Staff without the permission ---------------------------------------------------------------


def test_clinic_staff_group_does_not_hold_the_fhir_permission():
    group = Group.objects.get(name="Clinic staff")
    assert not group.permissions.filter(codename="export_fhir_intakesubmission").exists()


def test_clinic_staff_are_refused_the_download(nurse_client):
    submission = IntakeSubmissionFactory(sent=True)

    response = download_action(nurse_client, [submission])
    assert response.status_code == 302  # "no action selected": back to the list, no file
    assert not response.get("Content-Disposition")

    assert nurse_client.get(fhir_url(submission)).status_code == 403
    page = nurse_client.get(change_url(submission)).content.decode()
    assert fhir_url(submission) not in page
    assert "Download FHIR" not in page


def test_the_csv_permission_alone_does_not_allow_fhir(client):
    user = make_staff_user("spreadsheets")
    grant(user, "export_intakesubmission")
    sign_in_verified(client, user)
    submission = IntakeSubmissionFactory(sent=True)
    assert client.get(fhir_url(submission)).status_code == 403
    assert not download_action(client, [submission]).get("Content-Disposition")


def test_signed_out_visitors_are_sent_to_the_sign_in_page(client):
    submission = IntakeSubmissionFactory(sent=True)
    response = client.get(fhir_url(submission))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
