"""Every page of the staff admin refuses people who should not see it.

The list is built from the admin site itself (every registered model's list, add, change,
history and delete pages, the index and app pages, the password change and the staff summary),
so a newly registered model is checked without touching this file. Anonymous visitors and
signed-in people who are not verified staff are sent to the sign-in page; verified staff with no
permissions are refused (403) or, where the admin does so, sent to the sign-in page; nobody in
those groups sees a patient's name. A superuser opens them all, so the URLs are real.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse

from intake.tests.factories import IntakeSubmissionFactory
from tests.staff import make_staff_user, sign_in_verified

pytestmark = pytest.mark.django_db

PATIENT = "Petra Private"


def admin_urls(submission) -> list[str]:
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for name in ("staff_summary", "staff_summary_pdf", "staff_patient_copy"):
        urls.append(reverse(f"intake:{name}", kwargs={"reference": submission.reference}))
    urls.append(reverse("admin:intake_invitation_upload"))
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse("admin:app_list", kwargs={"app_label": meta.app_label}))
        pk = submission.pk if model is type(submission) else 1
        for view, args in (
            ("changelist", []),
            ("add", []),
            ("change", [pk]),
            ("history", [pk]),
            ("delete", [pk]),
        ):
            try:
                urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args))
            except NoReverseMatch:
                continue
    return sorted(set(urls))


@pytest.fixture
def submission():
    return IntakeSubmissionFactory(sent=True, full_name=PATIENT)


def refused(client, url, *, signed_in_staff: bool) -> str:
    """'' when the page is refused as it should be, else what went wrong.

    Everyone but verified staff goes to the sign-in page. Verified staff without the permission
    get 403, or 404 for an app with nothing they may see, or (Django's history and change pages
    for a row that does not exist, which check that before the permission) a redirect to the
    admin's home page.
    """
    response = client.get(url)
    if PATIENT in response.content.decode():
        return f"{url} shows the patient's name"
    if response.status_code == 302 and response.url.startswith(reverse("admin:login")):
        return ""
    if signed_in_staff and (
        response.status_code in (403, 404)
        or (response.status_code == 302 and response.url == reverse("admin:index"))
    ):
        return ""
    return f"{url} answered {response.status_code}"


def test_the_list_covers_every_registered_model(submission):
    urls = admin_urls(submission)
    assert len(urls) >= 5 * len(admin.site._registry)
    assert reverse("admin:intake_intakesubmission_changelist") in urls


def test_a_superuser_opens_every_page_so_the_list_is_real(submission):
    client = sign_in_verified(Client(), make_staff_user("root", superuser=True))
    failing = {}
    for url in admin_urls(submission):
        status = client.get(url).status_code
        # 302: a change page for a row that does not exist, or an add page the admin disallows.
        if status not in (200, 302, 403):
            failing[url] = status
    assert failing == {}
    assert client.get(admin_urls(submission)[0]).status_code == 200


def test_anonymous_visitors_are_sent_to_the_sign_in_page(submission):
    client = Client()
    problems = [refused(client, url, signed_in_staff=False) for url in admin_urls(submission)]
    assert "\n".join(p for p in problems if p) == ""


def test_signed_in_people_who_are_not_staff_are_sent_to_the_sign_in_page(submission):
    client = Client()
    client.force_login(make_staff_user("patient", is_staff=False, clinic_staff=False))
    problems = [refused(client, url, signed_in_staff=False) for url in admin_urls(submission)]
    assert "\n".join(p for p in problems if p) == ""


def test_staff_signed_in_with_a_password_only_are_sent_to_the_sign_in_page(submission):
    client = Client()
    client.force_login(make_staff_user("nurse"))  # never verified with a code
    problems = [refused(client, url, signed_in_staff=False) for url in admin_urls(submission)]
    assert "\n".join(p for p in problems if p) == ""


def test_verified_staff_without_permissions_see_nothing(submission):
    client = sign_in_verified(Client(), make_staff_user("porter", clinic_staff=False))
    urls = [url for url in admin_urls(submission) if url != reverse("admin:password_change")]
    index = urls.pop(urls.index(reverse("admin:index")))
    assert PATIENT not in client.get(index).content.decode()
    problems = [refused(client, url, signed_in_staff=True) for url in urls]
    assert "\n".join(p for p in problems if p) == ""


def test_clinic_staff_reach_the_forms_but_no_accounts_devices_logs_or_content(submission):
    client = sign_in_verified(Client(), make_staff_user("nurse"))
    their_pages = [
        reverse("admin:index"),
        reverse("admin:password_change"),
        reverse("admin:app_list", kwargs={"app_label": "intake"}),
        reverse("admin:intake_intakesubmission_changelist"),
        reverse("admin:intake_intakesubmission_change", args=[submission.pk]),
        reverse("admin:intake_intakesubmission_history", args=[submission.pk]),
        reverse("intake:staff_summary", kwargs={"reference": submission.reference}),
        reverse("intake:staff_patient_copy", kwargs={"reference": submission.reference}),
        reverse("intake:staff_summary_pdf", kwargs={"reference": submission.reference}),
        # The examiner's findings: clinic staff read them; clinicians record them.
        reverse("admin:intake_examination_changelist"),
        # Invitations: clinic staff invite patients.
        reverse("admin:intake_invitation_changelist"),
        reverse("admin:intake_invitation_add"),
        reverse("admin:intake_invitation_upload"),
    ]
    for url in their_pages:
        assert client.get(url).status_code == 200, url
    others = [url for url in admin_urls(submission) if url not in their_pages]
    assert reverse("admin:intake_intakesubmission_delete", args=[submission.pk]) in others
    problems = [refused(client, url, signed_in_staff=True) for url in others]
    assert "\n".join(p for p in problems if p) == ""
