"""Invitations in the admin: one by one, from a CSV file, and their statuses in the queue."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from intake.invitation_admin import invite_rows, read_csv_rows
from intake.models import Invitation
from tests.staff import make_staff_user, sign_in_verified

pytestmark = pytest.mark.django_db

ADD = "/admin/intake/invitation/add/"
UPLOAD = "/admin/intake/invitation/upload/"


def in_days(days: int) -> str:
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%Y-%m-%d 09:30")


def upload(text: str, name="patients.csv", encoding="utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


@pytest.fixture
def staff():
    return sign_in_verified(Client(), make_staff_user())


def test_clinic_staff_invite_one_patient_and_see_it_listed_as_invited(staff, run_tasks):
    form = {
        "given_names": "Ann",
        "family_name": "Example",
        "date_of_birth": "1950-03-14",
        "email": "ann@example.org",
        "mobile": "",
        "appointment_at": in_days(5),
        "clinician": "Dr Rivera",
        "language": "en",
    }
    response = staff.post(ADD, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    invitation = Invitation.objects.get()
    assert invitation.created_by.username == "nurse"
    draft = invitation.submission
    assert (draft.given_names, draft.family_name, draft.full_name) == (
        "Ann",
        "Example",
        "Ann Example",
    )
    listing = staff.get("/admin/intake/invitation/").content.decode()
    assert "Ann Example" in listing and "Invited" in listing
    queue = staff.get("/admin/intake/intakesubmission/").content.decode()
    assert "invitation-counts" in queue  # statuses above the queue


def invitation_on(days: int, family_name: str) -> Invitation:
    """An invitation whose appointment is `days` from today at 09:30 (past ones too: the
    appointment is moved after the invitation is made, as time would)."""
    from intake.invitations import InvitationDetails, invite

    invitation = invite(
        InvitationDetails(
            given_names="Ann",
            family_name=family_name,
            date_of_birth=datetime.date(1950, 3, 14),
            appointment_at=timezone.now() + datetime.timedelta(days=30),
            email="ann@example.org",
        )
    )
    when = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=days), datetime.time(9, 30)
        )
    )
    Invitation.objects.filter(pk=invitation.pk).update(appointment_at=when)
    return invitation


def names_listed(staff, **params) -> list[str]:
    response = staff.get("/admin/intake/invitation/", params)
    assert response.status_code == 200
    return [row.submission.family_name for row in response.context["cl"].result_list]


def test_the_invitations_list_opens_at_todays_and_later_appointments(staff):
    for days, name in ((-400, "LastYear"), (-1, "Yesterday"), (0, "Today"), (3, "InThree")):
        invitation_on(days, name)
    invitation_on(10, "InTen")
    assert names_listed(staff) == ["Today", "InThree", "InTen"]
    assert names_listed(staff, appointment="today") == ["Today"]
    assert names_listed(staff, appointment="7days") == ["Today", "InThree"]
    assert names_listed(staff, appointment="past") == ["LastYear", "Yesterday"]
    assert len(names_listed(staff, appointment="all")) == 5
    html = staff.get("/admin/intake/invitation/").content.decode()
    assert "Today and later" in html and "All dates" in html  # the filter's choices


def test_the_counts_above_the_queue_are_of_todays_and_later_appointments_only(staff):
    for days, name in ((-400, "LastYear"), (-1, "Yesterday"), (0, "Today"), (3, "InThree")):
        invitation_on(days, name)
    response = staff.get("/admin/intake/intakesubmission/")
    counts = {status: count for status, _label, count in response.context["status_counts"]}
    # Two appointments from today on, both invited; yesterday's and last year's are not counted.
    assert counts == {"sent": 2, "opened": 0, "started": 0, "submitted": 0, "expired": 0}
    html = response.content.decode()
    assert "Invitations for today and later" in html
    # Each count links to the list it counts (the list opens at today and later too).
    assert names_listed(staff, status="sent") == ["Today", "InThree"]


def test_an_invitation_needs_a_way_to_reach_the_patient_and_a_future_appointment(staff):
    response = staff.post(
        ADD,
        {
            "given_names": "Ann",
            "family_name": "Example",
            "date_of_birth": "1950-03-14",
            "appointment_at": "2020-01-01 09:00",
            "language": "en",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The appointment must be in the future." in html
    assert 'value="Ann"' in html and 'value="Example"' in html  # what was typed is kept
    response = staff.post(
        ADD,
        {
            "given_names": "Ann",
            "family_name": "Example",
            "date_of_birth": "1950-03-14",
            "appointment_at": in_days(3),
            "language": "en",
        },
    )
    assert "Give an email address or a mobile number" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_invitation_form_asks_for_the_name_in_parts_and_needs_only_the_family_name(staff):
    form = staff.get(ADD).content.decode()
    assert "Patient&#x27;s given names" in form and "Patient&#x27;s family name" in form
    assert 'name="full_name"' not in form
    when = in_days(5)
    missing = staff.post(
        ADD,
        {
            "given_names": "Ann",
            "family_name": "",
            "date_of_birth": "1950-03-14",
            "email": "ann@example.org",
            "appointment_at": when,
            "language": "en",
        },
    ).content.decode()
    assert "Enter the patient&#x27;s family name." in missing
    assert 'value="Ann"' in missing
    assert not Invitation.objects.exists()
    one_name = {
        "given_names": "",
        "family_name": "Suharto",
        "date_of_birth": "1951-06-08",
        "email": "suharto@example.org",
        "appointment_at": when,
        "language": "en",
    }
    assert staff.post(ADD, one_name).status_code == 302
    draft = Invitation.objects.get().submission
    assert (draft.given_names, draft.family_name, draft.full_name) == ("", "Suharto", "Suharto")


def test_staff_without_the_permission_cannot_invite():
    other = sign_in_verified(Client(), make_staff_user("reader", clinic_staff=False))
    assert other.get(ADD).status_code == 403
    assert other.get(UPLOAD).status_code == 403


def test_a_csv_upload_invites_the_good_rows_and_reports_the_bad_ones_by_line(staff, run_tasks):
    text = (
        "given_names,family_name,date_of_birth,appointment,email,mobile,clinician,language\n"
        f"Ann,Example,1950-03-14,{in_days(4)},ann@example.org,,Dr Rivera,en\n"
        f"No,Contact,1950-03-14,{in_days(4)},,,,en\n"
        f"Bad,Date,14/13/1950,{in_days(4)},bad@example.org,,,en\n"
        "\n"
        f"Rosa,Ejemplo,14/03/1948,{in_days(6)},,+34 612 345 678,Dr Rivera,es\n"
        f"Past,Visit,1950-03-14,2020-01-01 09:00,past@example.org,,,en\n"
    )
    response = staff.post(UPLOAD, {"file": upload(text)})
    html = response.content.decode()
    assert "2 patients invited." in html
    assert "3 lines could not be used" in html
    assert "<td>3</td><td>Give an email address or a mobile number" in html
    assert "<td>4</td><td>Date of birth: Enter a valid date." in html
    assert "<td>7</td><td>Appointment: The appointment must be in the future." in html
    names = set(Invitation.objects.values_list("submission__full_name", flat=True))
    assert names == {"Ann Example", "Rosa Ejemplo"}
    rosa = Invitation.objects.get(submission__full_name="Rosa Ejemplo")
    assert rosa.mobile.as_e164 == "+34612345678" and rosa.submission.language == "es"
    # The same file again invites nobody twice.
    again = staff.post(UPLOAD, {"file": upload(text)}).content.decode()
    assert "0 patients invited." in again
    assert "already invited to this appointment" in again
    assert Invitation.objects.count() == 2


def test_a_csv_file_without_the_needed_columns_or_not_utf8_is_refused_whole():
    rows, error = read_csv_rows(upload("name,born\nAnn,1950-03-14\n"))
    assert rows == [] and "missing: family_name, date_of_birth, appointment" in error
    # Given names alone do not name the patient; nor does full_name beside them.
    rows, error = read_csv_rows(
        upload("given_names,full_name,date_of_birth,appointment\nAnn,Ann Example,1950-03-14,x\n")
    )
    assert rows == [] and "missing: family_name." in error
    rows, error = read_csv_rows(
        upload("full_name,date_of_birth,appointment\nJosé,1950-03-14,x\n", encoding="utf-16")
    )
    assert rows == [] and "UTF-8" in error


def test_semicolon_separated_files_from_european_spreadsheets_are_read():
    rows, error = read_csv_rows(
        upload(
            f"full_name;date_of_birth;appointment;email\nAnn;1950-03-14;{in_days(3)};a@example.org\n"
        )
    )
    assert error == ""
    invited, problems = invite_rows(rows, created_by=None)
    assert (invited, problems) == (1, [])


def test_a_csv_with_name_parts_fills_in_the_drafts_parts(run_tasks):
    rows, error = read_csv_rows(
        upload(
            "given_names,family_name,date_of_birth,appointment,email\n"
            f"Rosa María,Ejemplo García,14/03/1948,{in_days(3)},rosa@example.org\n"
            f",Suharto,1951-06-08,{in_days(3)},suharto@example.org\n"
            f"Ann,,1950-03-14,{in_days(3)},ann@example.org\n"
        )
    )
    assert error == ""
    invited, problems = invite_rows(rows, created_by=None)
    assert invited == 2
    assert problems == [(4, "Patient's family name: Enter the patient's family name.")]
    drafts = {
        invitation.submission.full_name: invitation.submission
        for invitation in Invitation.objects.select_related("submission")
    }
    assert set(drafts) == {"Rosa María Ejemplo García", "Suharto"}
    rosa = drafts["Rosa María Ejemplo García"]
    assert (rosa.given_names, rosa.family_name) == ("Rosa María", "Ejemplo García")
    assert (drafts["Suharto"].given_names, drafts["Suharto"].family_name) == ("", "Suharto")


def test_an_older_csv_with_one_full_name_column_is_read_and_the_name_kept_whole(run_tasks):
    rows, error = read_csv_rows(
        upload(
            "full_name,date_of_birth,appointment,email\n"
            f"Rosa María Ejemplo García,14/03/1948,{in_days(3)},rosa@example.org\n"
            f",1950-03-14,{in_days(3)},nobody@example.org\n"
        )
    )
    assert error == ""
    invited, problems = invite_rows(rows, created_by=None)
    assert invited == 1
    assert [line for line, _reason in problems] == [3]
    assert "Patient's full name" in problems[0][1]
    draft = Invitation.objects.get().submission
    # Not split by guessing: the patient gives the parts on the form.
    assert (draft.full_name, draft.given_names, draft.family_name) == (
        "Rosa María Ejemplo García",
        "",
        "",
    )


def test_the_upload_page_shows_the_name_columns_and_says_what_an_older_file_gives(staff):
    page = staff.get(UPLOAD).content.decode()
    assert (
        "given_names,family_name,date_of_birth,appointment,email,mobile,clinician,language" in page
    )
    assert "Older files with one full_name column" in page
    assert "with no family name" in page


@pytest.mark.parametrize("page", ["/admin/intake/invitation/", "/admin/intake/intakesubmission/"])
def test_the_lists_offer_no_filter_counts_that_would_read_every_row(staff, page):
    invitation_on(2, "Soon")
    html = staff.get(page).content.decode()
    assert "Show counts" not in html
    with_facets = staff.get(page, {"_facets": "True"})
    assert with_facets.status_code == 200
    assert "Show counts" not in with_facets.content.decode()
    assert "Hide counts" not in with_facets.content.decode()
