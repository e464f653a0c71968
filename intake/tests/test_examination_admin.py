"""The examiner's findings through the web: recorded by clinicians in the admin, read by clinic
staff, shown on the staff summary and its PDF (never the patient's), exported as FHIR
Observations, and the Clinicians group and its --clinician account."""

import datetime
import html
import io
import json
import os
import unicodedata
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pypdf import PdfReader

from intake.fhir.resources import bundle, examination_observations
from intake.models import MRC_FIELD_NAMES, Examination, IntakeSubmission
from intake.staff_group import ensure_clinician_group
from intake.tests.factories import ExaminationFactory, IntakeSubmissionFactory
from intake.tokens import resume_link_for
from tests.staff import PASSWORD, form_data, make_staff_user, sign_in_verified

pytestmark = pytest.mark.django_db

SECTION_TITLE = "Examination findings (recorded by the clinic)"


def add_url(submission) -> str:
    return f"{reverse('admin:intake_examination_add')}?submission={submission.pk}"


def change_url(submission) -> str:
    return reverse("admin:intake_intakesubmission_change", args=[submission.pk])


def text_of(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def doctor():
    user = make_staff_user("doctor", clinic_staff=False, first_name="Ngozi", last_name="Okafor")
    user.groups.add(ensure_clinician_group())
    return user


@pytest.fixture
def doctor_client(client, doctor):
    return sign_in_verified(client, doctor)


@pytest.fixture
def nurse_client(client):
    return sign_in_verified(client, make_staff_user("nurse"))


@pytest.fixture
def visit():
    return IntakeSubmissionFactory(sent=True, full_name="Ada Lovelace")


# --- Recording an examination -------------------------------------------------------------------


def test_record_an_examination_opens_with_the_visit_and_the_mrc_grid(doctor_client, visit):
    page = doctor_client.get(add_url(visit))
    assert page.status_code == 200
    data = form_data(page.content.decode(), "examination_form")
    assert data["submission"] == str(visit.pk)
    for name in MRC_FIELD_NAMES:
        assert name in data
    text = text_of(page)
    for heading in (
        "Muscle power (MRC 0–5)",
        "Grip strength",
        "Chair stand",
        "Gait",
        "Body measures",
        "Notes",
    ):
        assert heading in text
    # One line per muscle group: left and right side by side.
    assert 'class="form-row field-mrc_hip_flexion_left field-mrc_hip_flexion_right' in text
    assert "strong resistance" in text  # the MRC scale beside the grid


def test_a_clinician_records_an_examination_and_returns_to_the_visit(doctor_client, doctor, visit):
    data = form_data(doctor_client.get(add_url(visit)).content.decode(), "examination_form")
    data.update(
        mrc_hip_flexion_left="4-",
        mrc_hip_flexion_right="4",
        grip_left_kg="18.5",
        reference_sex="female",
        walk_4m_seconds="5.2",
    )
    response = doctor_client.post(add_url(visit), data)

    assert response.status_code == 302
    assert response["Location"] == change_url(visit)
    examination = Examination.objects.get()
    assert examination.submission == visit
    assert examination.mrc_hip_flexion_left == "4-"
    assert examination.grip_left_kg == Decimal("18.5")
    assert examination.examined_by == doctor
    assert examination.examiner_name == "Ngozi Okafor"


def test_out_of_range_values_are_refused_next_to_the_field_and_kept(doctor_client, visit):
    data = form_data(doctor_client.get(add_url(visit)).content.decode(), "examination_form")
    data.update(grip_left_kg="150", height_cm="50", weight_kg="70")
    response = doctor_client.post(add_url(visit), data)

    assert response.status_code == 200
    assert not Examination.objects.exists()
    page = text_of(response)
    grip_row = page[page.index('class="form-row field-grip_left_kg') :]
    grip_row = grip_row[: grip_row.index('name="grip_left_kg"') + 40]
    assert "Enter a grip strength between 0 and 100 kg." in grip_row
    assert "Enter a height between 100 and 230 cm." in page
    kept = form_data(response.content.decode(), "examination_form")
    assert (kept["grip_left_kg"], kept["height_cm"], kept["weight_kg"]) == ("150", "50", "70")


def test_an_empty_examination_is_refused(doctor_client, visit):
    data = form_data(doctor_client.get(add_url(visit)).content.decode(), "examination_form")
    response = doctor_client.post(add_url(visit), data)
    assert response.status_code == 200
    assert "Enter at least one finding." in text_of(response)
    assert not Examination.objects.exists()


def test_clinic_staff_cannot_record_an_examination_but_can_read_one(nurse_client, visit):
    assert nurse_client.get(add_url(visit)).status_code == 403
    assert nurse_client.post(add_url(visit), {"submission": visit.pk}).status_code == 403

    examination = ExaminationFactory(submission=visit)
    page = nurse_client.get(reverse("admin:intake_examination_change", args=[examination.pk]))
    assert page.status_code == 200
    assert 'name="grip_left_kg"' not in page.content.decode()  # read only


def test_drafts_cannot_be_examined(doctor_client):
    draft = IntakeSubmissionFactory()
    data = form_data(doctor_client.get(add_url(draft)).content.decode(), "examination_form")
    data.update(weight_kg="70")
    response = doctor_client.post(add_url(draft), data)
    assert response.status_code == 200
    assert not Examination.objects.exists()


# --- The submission's change page ---------------------------------------------------------------


def test_the_visit_shows_the_latest_findings_the_change_and_each_examination(doctor_client, visit):
    first = ExaminationFactory(
        submission=visit, examined_on=datetime.date(2025, 1, 10), grip_left_kg=Decimal("12.0")
    )
    latest = ExaminationFactory(
        submission=visit, examined_on=datetime.date(2025, 7, 10), grip_left_kg=Decimal("14.5")
    )
    page = text_of(doctor_client.get(change_url(visit)))

    assert "Examination findings" in page
    assert "Latest examination: 10 July 2025, by Dr Okafor." in page
    assert "below the EWGSOP2 cut-off (16 kg for women)" in page
    assert "Change since the first examination" in page
    assert "+2.5 kg" in page
    assert "4 → 4+" not in page  # the same grades both times
    for examination in (first, latest):
        assert reverse("admin:intake_examination_change", args=[examination.pk]) in page
    assert f'href="{add_url(visit)}">Record an examination' in page


def test_clinic_staff_see_the_findings_without_the_record_button(nurse_client, visit):
    ExaminationFactory(submission=visit)
    page = text_of(nurse_client.get(change_url(visit)))
    assert "Latest examination:" in page
    assert "Record an examination" not in page


def test_the_visit_page_queries_do_not_grow_with_the_examinations(
    doctor_client, visit, django_assert_max_num_queries
):
    ExaminationFactory(submission=visit)
    doctor_client.get(change_url(visit))  # warm the session and permission caches
    with django_assert_max_num_queries(40) as one:
        doctor_client.get(change_url(visit))
    for day in range(1, 6):
        ExaminationFactory(submission=visit, examined_on=datetime.date(2024, 1, day))
    with django_assert_max_num_queries(len(one.captured_queries)):
        doctor_client.get(change_url(visit))


# --- The staff summary and its PDF; never the patient's -----------------------------------------


def test_the_staff_summary_shows_the_examination_section(nurse_client, visit):
    ExaminationFactory(submission=visit)
    page = text_of(
        nurse_client.get(reverse("intake:staff_summary", kwargs={"reference": visit.reference}))
    )
    assert SECTION_TITLE in page
    assert "left 14.5 kg, right 15.5 kg (Jamar hydraulic)" in page
    assert "stronger hand below the EWGSOP2 cut-off (16 kg for women)" in page


def test_the_staff_summary_queries_stay_few(nurse_client, visit, django_assert_max_num_queries):
    for day in range(1, 4):
        ExaminationFactory(submission=visit, examined_on=datetime.date(2025, 1, day))
    url = reverse("intake:staff_summary", kwargs={"reference": visit.reference})
    nurse_client.get(url)
    with django_assert_max_num_queries(20):
        assert nurse_client.get(url).status_code == 200


def test_the_patients_own_summary_never_shows_the_examination(client, visit):
    ExaminationFactory(submission=visit)
    client.get(resume_link_for(visit, visit.raw_token))
    page = text_of(client.get(reverse("intake:summary")))
    assert visit.full_name in page
    assert SECTION_TITLE not in page
    assert "Jamar" not in page and "EWGSOP2" not in page


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(
        " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
        for page in reader.pages
    )


@pytest.fixture
def weasyprint_installed():
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"WeasyPrint cannot run here ({error})")
        pytest.skip(f"WeasyPrint cannot run here ({error})")


@pytest.mark.usefixtures("weasyprint_installed")
def test_the_staff_pdf_has_the_examination_and_the_patients_pdf_does_not(
    client, nurse_client, visit
):
    ExaminationFactory(submission=visit)
    staff_pdf = nurse_client.get(
        reverse("intake:staff_summary_pdf", kwargs={"reference": visit.reference})
    )
    assert SECTION_TITLE in _pdf_text(staff_pdf)

    nurse_client.logout()
    client.get(resume_link_for(visit, visit.raw_token))
    patient_pdf = _pdf_text(client.get(reverse("intake:summary_pdf")))
    assert visit.full_name in patient_pdf
    assert SECTION_TITLE not in patient_pdf
    assert "EWGSOP2" not in patient_pdf


# --- FHIR ---------------------------------------------------------------------------------------


def _observations(document) -> list[dict]:
    return [
        entry["resource"]
        for entry in document["entry"]
        if entry["resource"]["resourceType"] == "Observation"
    ]


def test_the_bundle_has_the_latest_examinations_observations(django_assert_max_num_queries):
    ExaminationFactory(
        submission=(visit := IntakeSubmissionFactory(sent=True)),
        examined_on=datetime.date(2024, 1, 1),
        weight_kg=Decimal("65.0"),
    )
    ExaminationFactory(submission=visit, examined_on=datetime.date(2025, 2, 3))
    IntakeSubmissionFactory(sent=True)  # not examined: its response alone

    with django_assert_max_num_queries(5):
        document = bundle(IntakeSubmission.objects.order_by("pk"))

    Bundle.model_validate(document)
    kinds = [entry["resource"]["resourceType"] for entry in document["entry"]]
    assert kinds[0] == "QuestionnaireResponse"
    assert kinds[-1] == "QuestionnaireResponse"
    observations = _observations(document)
    assert observations
    for observation in observations:
        Observation.model_validate(observation)
        assert observation["status"] == "final"
        assert observation["effectiveDateTime"] == "2025-02-03"  # the latest only
        assert observation["subject"] == {"reference": "#patient"}
        assert observation["contained"][0]["name"][0]["text"] == visit.full_name

    by_text = {o["code"]["text"]: o for o in observations}
    weight = by_text["Body weight"]
    assert weight["code"]["coding"] == [
        {"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"}
    ]
    assert weight["valueQuantity"] == {
        "value": 61.0,
        "unit": "kg",
        "system": "http://unitsofmeasure.org",
        "code": "kg",
    }
    assert by_text["Body height"]["code"]["coding"][0]["code"] == "8302-2"
    bmi = by_text["Body mass index (BMI) [Ratio]"]
    assert bmi["code"]["coding"][0]["code"] == "39156-5"
    assert bmi["valueQuantity"]["code"] == "kg/m2"
    grip = by_text["Grip strength, left hand"]
    assert "coding" not in grip["code"]  # no verified code: text only
    assert grip["valueQuantity"]["value"] == 14.5
    assert grip["method"] == {"text": "Jamar hydraulic"}
    assert by_text["Muscle power (MRC grade), hip flexion, right"]["valueString"] == "4+"
    assert by_text["Gait speed, 4 m at usual pace"]["valueQuantity"]["value"] == 0.73
    assert "coding" not in by_text["Gait speed, 4 m at usual pace"]["code"]


def test_the_bundle_without_examinations_reads_no_more_than_before(
    django_assert_max_num_queries,
):
    for _ in range(3):
        IntakeSubmissionFactory(sent=True)
    with django_assert_max_num_queries(4):
        document = bundle(IntakeSubmission.objects.all())
    assert not _observations(document)


def test_one_examined_form_downloads_as_a_bundle_with_its_observations(visit):
    ExaminationFactory(submission=visit)
    examination_observations(visit)  # reads the latest examination itself
    client = sign_in_verified(Client(), make_staff_user("boss", superuser=True))
    response = client.get(reverse("admin:intake_intakesubmission_fhir", args=[visit.pk]))
    assert response.status_code == 200
    document = json.loads(response.content)
    Bundle.model_validate(document)
    QuestionnaireResponse.model_validate(document["entry"][0]["resource"])
    assert _observations(document)
    assert f"visit-form-{visit.reference}.fhir.json" in response["Content-Disposition"]


# --- The Clinicians group and its accounts ------------------------------------------------------


def test_the_clinicians_group_is_clinic_staff_plus_recording_examinations():
    group = Group.objects.get(name="Clinicians")
    clinic_staff = set(
        Group.objects.get(name="Clinic staff").permissions.values_list("codename", flat=True)
    )
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert codenames == clinic_staff | {"add_examination", "change_examination"}
    assert "view_examination" in clinic_staff
    assert "delete_examination" not in codenames


def test_create_staff_user_clinician_puts_the_account_in_the_clinicians_group(monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", PASSWORD)
    out = StringIO()
    call_command("create_staff_user", "dr_okafor", "--clinician", stdout=out)
    user = get_user_model().objects.get(username="dr_okafor")
    assert list(user.groups.values_list("name", flat=True)) == ["Clinicians"]
    assert user.has_perm("intake.add_examination")
    assert 'In the "Clinicians" group.' in out.getvalue()


def test_the_examinations_list_names_the_patient_and_the_examiner(doctor_client, visit):
    ExaminationFactory(submission=visit)
    page = text_of(doctor_client.get(reverse("admin:intake_examination_changelist")))
    assert "Ada Lovelace" in page
    assert "Dr Okafor" in page
