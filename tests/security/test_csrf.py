"""CSRF protection holds on every form that posts.

Each form is posted twice by a client that enforces CSRF checks, as a browser does: without the
token, which must be refused (403) and change nothing, then with the token from the CSRF cookie,
which must go through, so the 403 is known to come from the missing token and nothing else.
A scan of the templates fails when a new form that posts is not on the list below.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake.models import IntakeSubmission
from intake.tests.factories import IntakeSubmissionFactory
from intake.tokens import resume_link_for
from tests.staff import (
    PASSWORD,
    current_code,
    enrol_totp,
    form_data,
    make_staff_user,
    sign_in_verified,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

BASE_DIR = Path(__file__).resolve().parent.parent.parent

STEP_DATA = {
    1: {"given_names": "Ann", "family_name": "Example", "date_of_birth_0": "3"}
    | {"date_of_birth_1": "4", "date_of_birth_2": "1950"},
    2: {"weakness_side": "both"},
    3: {"weakness_limit": "a_little"},
    4: {f"sarc_f_{item}": "1" for item in ("strength", "walking", "chair", "stairs", "falls")},
    5: {"allergies": "None"},
    6: {"medicine-TOTAL_FORMS": "1", "medicine-INITIAL_FORMS": "0", "medicine-0-name": "Aspirin"},
    7: {"injury-TOTAL_FORMS": "1", "injury-INITIAL_FORMS": "0", "injury-0-body_part": "Knee"},
    8: {"alcohol_drinks_per_week": "8"},
    9: {"tests_had": ["blood"]},
    10: {"questions": "Why?"},
}


def patient(sent=False) -> tuple[Client, IntakeSubmission]:
    submission = IntakeSubmissionFactory(sent=sent)
    client = Client(enforce_csrf_checks=True)
    client.get(resume_link_for(submission, submission.raw_token))
    return client, submission


def csrf_token(client, page) -> str:
    """The token a browser would send: set by opening the page that holds the form."""
    client.get(page)
    return client.cookies["csrftoken"].value


# Each case returns: the client, the URL the form posts to, the page that shows the form, the
# data it posts (without the token) and a check that the post did its work.


def step_case(number):
    def case():
        client, draft = patient()
        data = {"form_reference": draft.reference, "action": "next", **STEP_DATA[number]}
        url = f"/prepare/step/{number}/"

        def done():
            draft.refresh_from_db()
            return draft.updated_at > before

        before = draft.updated_at
        return client, url, url, data, done

    return case


def check_answers_case():
    client, draft = patient()
    data = {"form_reference": draft.reference, "consent": "on"}

    def done():
        return IntakeSubmission.objects.get(pk=draft.pk).status == IntakeSubmission.Status.SENT

    url = reverse("intake:check_answers")
    return client, url, url, data, done


def urgent_case():
    client, draft = patient()
    IntakeSubmission.objects.filter(pk=draft.pk).update(
        onset="minutes_hours", started_when="days", urgency_tier=1
    )
    data = {"form_reference": draft.reference, "doctor_knows": "on"}

    def done():
        return IntakeSubmission.objects.get(pk=draft.pk).urgent_carry_on_at is not None

    url = reverse("intake:urgent")
    return client, url, url, data, done


def new_form_case():
    client, _draft = patient()

    def done():
        return "intake_submission_id" not in client.session

    return client, reverse("intake:new"), reverse("intake:new"), {}, done


def finish_case():
    client, _sent = patient(sent=True)

    def done():
        return "intake_submission_id" not in client.session

    return client, reverse("intake:finish"), reverse("intake:sent"), {}, done


def new_link_case():
    client, draft = patient()
    before = draft.token_hash

    def done():
        return IntakeSubmission.objects.get(pk=draft.pk).token_hash != before

    return client, reverse("intake:new_link"), reverse("intake:saved"), {}, done


def email_link_case():
    client, draft = patient()
    IntakeSubmission.objects.filter(pk=draft.pk).update(email="ann@example.org")
    url = reverse("intake:email_link")

    def done():
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.filter(task_path__endswith="email_link_task").exists()

    return client, url, reverse("intake:saved"), {"email": "ann@example.org"}, done


def language_case():
    client = Client(enforce_csrf_checks=True)
    data = {"language": "es", "next": "/"}

    def done():
        return client.cookies.get("django_language") is not None

    return client, reverse("set_language"), "/", data, done


def admin_login_case():
    nurse = make_staff_user("nurse")
    device = enrol_totp(nurse)
    client = Client(enforce_csrf_checks=True)
    data = {"username": "nurse", "password": PASSWORD, "otp_token": current_code(device)}

    def done():
        return client.get(reverse("admin:index")).status_code == 200

    url = reverse("admin:login")
    return client, url, url, data, done


def staff_client():
    nurse = make_staff_user("nurse")
    return sign_in_verified(Client(enforce_csrf_checks=True), nurse), nurse


def admin_change_case():
    client, _nurse = staff_client()
    submission = IntakeSubmissionFactory(sent=True)
    url = reverse("admin:intake_intakesubmission_change", args=[submission.pk])
    data = form_data(client.get(url).content.decode(), "intakesubmission_form")
    data.pop("csrfmiddlewaretoken")
    data.update({"status": "reviewed", "staff_note": "Seen", "_save": "Save"})

    def done():
        return IntakeSubmission.objects.get(pk=submission.pk).staff_note == "Seen"

    return client, url, url, data, done


def admin_new_link_case():
    client, _nurse = staff_client()
    submission = IntakeSubmissionFactory(sent=True)
    before = submission.token_hash
    url = reverse("admin:intake_intakesubmission_new_link", args=[submission.pk])
    page = reverse("admin:intake_intakesubmission_change", args=[submission.pk])

    def done():
        return IntakeSubmission.objects.get(pk=submission.pk).token_hash != before

    return client, url, page, {}, done


def invitation_upload_case():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from intake.models import Invitation

    client, _nurse = staff_client()
    url = reverse("admin:intake_invitation_upload")
    when = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%d 09:00")
    text = (
        "given_names,family_name,date_of_birth,appointment,email\n"
        f"Ann,Example,1950-03-14,{when},a@example.org\n"
    )

    def done():
        return Invitation.objects.exists()

    class File(SimpleUploadedFile):
        def read(self, *args):  # posted twice: each post reads the whole file
            self.seek(0)
            return super().read(*args)

    data = {"file": File("p.csv", text.encode(), content_type="text/csv")}
    return client, url, url, data, done


def invitation_add_case():
    from intake.models import Invitation

    client, _nurse = staff_client()
    url = reverse("admin:intake_invitation_add")
    when = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%d 09:00")
    data = {
        "given_names": "Ann",
        "family_name": "Example",
        "date_of_birth": "1950-03-14",
        "email": "ann@example.org",
        "appointment_at": when,
        "language": "en",
        "_save": "Save",
    }

    def done():
        return Invitation.objects.exists()

    return client, url, url, data, done


def admin_action_case():
    client, _nurse = staff_client()
    submission = IntakeSubmissionFactory(sent=True)
    url = reverse("admin:intake_intakesubmission_changelist")
    data = {"action": "mark_reviewed", "_selected_action": [submission.pk], "index": "0"}

    def done():
        status = IntakeSubmission.objects.get(pk=submission.pk).status
        return status == IntakeSubmission.Status.REVIEWED

    return client, url, url, data, done


def admin_password_case():
    client, nurse = staff_client()
    new = "another long staff password 43"
    data = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}

    def done():
        nurse.refresh_from_db()
        return nurse.check_password(new)

    url = reverse("admin:password_change")
    return client, url, url, data, done


def admin_logout_case():
    client, _nurse = staff_client()

    def done():
        return "_auth_user_id" not in client.session

    return client, reverse("admin:logout"), reverse("admin:index"), {}, done


#: Forms in our templates, by the URL name their action reverses, and the Django admin's own.
CASES = {
    **{f"intake:step {n}": step_case(n) for n in range(1, 11)},
    "intake:check_answers": check_answers_case,
    "intake:urgent": urgent_case,
    "intake:new": new_form_case,
    "intake:finish": finish_case,
    "intake:new_link": new_link_case,
    "intake:email_link": email_link_case,
    "set_language": language_case,
    "admin:login": admin_login_case,
    "admin: change a form": admin_change_case,
    "admin: action on the queue": admin_action_case,
    "admin: a new private link": admin_new_link_case,
    "admin:intake_invitation_upload": invitation_upload_case,
    "admin: add an invitation": invitation_add_case,
    "admin:password_change": admin_password_case,
    "admin:logout": admin_logout_case,
}
#: Template actions that are not a `{% url %}`: the admin sign-in page posts to {{ app_path }}.
OTHER_ACTIONS = {"{{ app_path }}": "admin:login", "{{ new_link_url }}": "admin:"}

POST_FORM = re.compile(r"<form\b[^>]*>", re.IGNORECASE)
URL_NAME = re.compile(r"""\{%\s*url\s+['"]([^'"]+)['"]""")


def posting_forms_in_templates() -> dict[str, str]:
    """{template path: URL name} for every <form method="post"> in our templates."""
    found = {}
    for path in sorted(BASE_DIR.glob("**/templates/**/*.html")):
        if {".venv", "staticfiles", "node_modules"} & set(path.parts):
            continue
        for tag in POST_FORM.findall(path.read_text()):
            if not re.search(r"""method\s*=\s*["']?post""", tag, re.IGNORECASE):
                continue
            action = re.search(r"""action\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag)
            target = (action.group(1) or action.group(2) or "") if action else ""
            name = URL_NAME.search(target)
            key = f"{path.relative_to(BASE_DIR)}: {target}"
            found[key] = name.group(1) if name else OTHER_ACTIONS.get(target.strip(), target)
    return found


def test_every_form_that_posts_is_on_the_list():
    forms = posting_forms_in_templates()
    assert len(forms) >= 7
    covered = {name.split(" ")[0] for name in CASES}
    missing = {where: name for where, name in forms.items() if name not in covered}
    assert missing == {}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_post_without_the_csrf_token_is_refused_and_with_it_goes_through(case):
    client, url, page, data, done = case()

    refused = client.post(url, data)
    assert refused.status_code == 403
    assert not done()

    accepted = client.post(url, {**data, "csrfmiddlewaretoken": csrf_token(client, page)})
    assert accepted.status_code in (200, 302)
    assert done()
