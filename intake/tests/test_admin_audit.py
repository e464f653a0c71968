"""Everything staff do with a patient's data is in the access log: who, when, what, which forms."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from intake.audit import Action, record_access
from intake.models import StaffAccess
from intake.tests.factories import ExaminationFactory, IntakeSubmissionFactory
from tests.staff import make_staff_user, sign_in_verified

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:intake_intakesubmission_changelist"


@pytest.fixture
def nurse():
    return make_staff_user("nurse")


@pytest.fixture
def nurse_client(client, nurse):
    return sign_in_verified(client, nurse)


def the_only_access() -> StaffAccess:
    return StaffAccess.objects.get()


def test_an_access_records_who_what_which_form_and_when(nurse):
    submission = IntakeSubmissionFactory(sent=True)
    before = timezone.now()

    record_access(user=nurse, action=Action.SUMMARY, submission=submission)

    access = the_only_access()
    assert (access.user, access.username, access.action) == (nurse, "nurse", "summary")
    assert (access.submission, access.references, access.form_count) == (
        submission,
        submission.reference,
        1,
    )
    assert access.at >= before


def test_the_log_outlives_the_account_and_the_submission(nurse):
    submission = IntakeSubmissionFactory(sent=True)
    record_access(user=nurse, action=Action.FORM, submission=submission)
    reference = submission.reference

    nurse.delete()
    submission.delete()

    access = the_only_access()
    assert (access.user, access.submission) == (None, None)
    assert (access.username, access.references) == ("nurse", reference)


def test_listing_the_queue_records_the_search_and_the_forms_shown(nurse_client):
    ada = IntakeSubmissionFactory(sent=True, full_name="Ada Lovelace")
    IntakeSubmissionFactory(sent=True, full_name="Grace Hopper")

    nurse_client.get(reverse(CHANGELIST), {"q": "lovelace"})

    access = the_only_access()
    assert access.action == Action.QUEUE
    assert (access.references, access.form_count) == (ada.reference, 1)
    assert access.search == "q=lovelace"


def test_opening_a_form_records_it_once(nurse_client):
    submission = IntakeSubmissionFactory(sent=True)

    nurse_client.get(reverse("admin:intake_intakesubmission_change", args=[submission.pk]))

    access = the_only_access()
    assert (access.action, access.submission) == (Action.FORM, submission)


@pytest.mark.parametrize(
    ("url_name", "action"),
    [("intake:staff_summary", Action.SUMMARY), ("intake:staff_patient_copy", Action.PATIENT_COPY)],
)
def test_opening_a_summary_or_the_patients_copy_is_recorded(nurse_client, url_name, action):
    submission = IntakeSubmissionFactory(sent=True)

    nurse_client.get(reverse(url_name, args=[submission.reference]))

    assert the_only_access().action == action
    assert the_only_access().submission == submission


def test_a_csv_export_records_how_many_forms_and_which(client):
    exporter = make_staff_user("records")
    exporter.user_permissions.add(Permission.objects.get(codename="export_intakesubmission"))
    sign_in_verified(client, exporter)
    forms = IntakeSubmissionFactory.create_batch(3, sent=True)

    response = client.post(
        reverse(CHANGELIST),
        {"action": "export_csv", "_selected_action": [s.pk for s in forms]},
    )
    b"".join(response.streaming_content)

    access = StaffAccess.objects.get(action=Action.EXPORT_CSV)
    assert access.form_count == 3
    assert sorted(access.references.split()) == sorted(s.reference for s in forms)
    assert access.username == "records"


def test_fhir_exports_are_recorded_from_the_action_and_the_button(client):
    exporter = make_staff_user("records")
    exporter.user_permissions.add(Permission.objects.get(codename="export_fhir_intakesubmission"))
    sign_in_verified(client, exporter)
    forms = IntakeSubmissionFactory.create_batch(2, sent=True)

    client.post(
        reverse(CHANGELIST),
        {"action": "download_fhir", "_selected_action": [s.pk for s in forms]},
    )
    client.get(reverse("admin:intake_intakesubmission_fhir", args=[forms[0].pk]))

    exports = StaffAccess.objects.filter(action=Action.EXPORT_FHIR).order_by("at", "pk")
    assert [e.form_count for e in exports] == [2, 1]
    assert exports[1].submission == forms[0]


def test_superusers_read_and_filter_the_log_and_no_one_edits_or_deletes_it(client):
    sign_in_verified(client, make_staff_user("boss", superuser=True))
    submission = IntakeSubmissionFactory(sent=True)
    record_access(user=make_staff_user("nurse"), action=Action.SUMMARY, submission=submission)
    access = StaffAccess.objects.get(action=Action.SUMMARY)

    listing = client.get(reverse("admin:intake_staffaccess_changelist"), {"action": "summary"})
    assert submission.reference in listing.content.decode()
    change = reverse("admin:intake_staffaccess_change", args=[access.pk])
    client.post(change, {"username": "someone else"})
    delete = reverse("admin:intake_staffaccess_delete", args=[access.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    access.refresh_from_db()
    assert access.username == "nurse"
    assert reverse("admin:intake_staffaccess_add") not in listing.content.decode()


def test_clinic_staff_cannot_read_the_log(nurse_client):
    response = nurse_client.get(reverse("admin:intake_staffaccess_changelist"))
    assert response.status_code == 403


def test_listing_and_opening_examination_findings_is_recorded(nurse_client):
    examination = ExaminationFactory()

    nurse_client.get(reverse("admin:intake_examination_changelist"))
    nurse_client.get(reverse("admin:intake_examination_change", args=[examination.pk]))

    accesses = StaffAccess.objects.filter(action=Action.EXAMINATION).order_by("at", "pk")
    assert [a.references for a in accesses] == [examination.submission.reference] * 2
    assert accesses[1].submission == examination.submission
