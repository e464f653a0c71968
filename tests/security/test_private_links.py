"""A private link opens its own form and nothing else (no insecure direct object reference).

Two patients, A and B. A browser that opened A's link sees A's answers on every page and B's on
none, whatever it adds to the URL; it cannot save into B's form by posting B's reference; and
the staff summary of B's form sends it to the staff sign-in. Every wrong link, whatever its
length or characters, gets the same "link does not work" page.
"""

import re
import secrets

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import IntakeSubmission
from intake.tests.factories import IntakeSubmissionFactory
from intake.tokens import resume_link_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

PATIENT_PAGES = [
    *(f"/prepare/step/{n}/" for n in range(1, 11)),
    "/prepare/check-your-answers/",
    "/prepare/sent/",
    "/prepare/saved/",
    "/prepare/continue/",
    "/prepare/summary/",
    "/prepare/summary/your-copy/",
    "/prepare/",  # near the end: the start page closes a sent form's view on this browser
    "/prepare/new/",  # last: for a sent form it closes the form on this browser
]


@pytest.fixture
def two_patients():
    a = IntakeSubmissionFactory(given_names="Alice", family_name="Aardvark", clinician="Dr Ant")
    b = IntakeSubmissionFactory(given_names="Bob", family_name="Bumblebee", clinician="Dr Bee")
    return a, b


#: What every page carries that is not the patient's: a fresh CSRF mask, and the language
#: switch's `next` field, which echoes the requested path and query string back.
ECHOES = re.compile(r'name="(?:csrfmiddlewaretoken|next)" value="[^"]*"')


def page_text(response) -> str:
    return ECHOES.sub("", response.content.decode())


def opened_by_link(submission) -> Client:
    client = Client()
    response = client.get(resume_link_for(submission, submission.raw_token))
    assert response.status_code == 302
    return client


def tricks(b) -> list[str]:
    """Query strings that try to point a page at B."""
    return [
        "",
        f"?reference={b.reference}",
        f"?id={b.pk}&pk={b.pk}&submission={b.pk}",
        f"?token={b.raw_token}",
        f"?next=/prepare/resume/{b.raw_token}/",
    ]


def test_each_link_opens_its_own_form(two_patients):
    for submission in two_patients:
        client = opened_by_link(submission)
        assert client.session["intake_submission_id"] == submission.pk


@pytest.mark.parametrize("a_is_sent", [False, True], ids=["draft", "sent"])
def test_a_browser_with_a_link_never_shows_the_other_patient(two_patients, a_is_sent):
    a, b = two_patients
    if a_is_sent:
        a = IntakeSubmissionFactory(
            sent=True, given_names="Alice", family_name="Aardvark", clinician="Dr Ant"
        )
    client = opened_by_link(a)
    shown_a = False
    for page in PATIENT_PAGES:
        for trick in tricks(b):
            response = client.get(page + trick, follow=True)
            assert response.status_code in (200, 404), page + trick
            html = page_text(response)
            for secret in (b.full_name, b.family_name, b.reference, b.clinician, b.raw_token):
                assert secret not in html, f"{page}{trick} shows B's {secret!r}"
            shown_a |= a.family_name in html
    assert shown_a


def test_posting_the_other_patients_reference_changes_nothing(two_patients):
    a, b = two_patients
    client = opened_by_link(a)
    before = IntakeSubmission.objects.get(pk=b.pk).updated_at
    for number in range(1, 11):
        response = client.post(
            f"/prepare/step/{number}/",
            {"form_reference": b.reference, "action": "next", "family_name": "Mallory"},
        )
        assert response.status_code == 409
    response = client.post(
        reverse("intake:check_answers"), {"form_reference": b.reference, "consent": "on"}
    )
    assert response.status_code == 409
    b.refresh_from_db()
    assert (b.full_name, b.status, b.updated_at) == ("Bob Bumblebee", "draft", before)


def test_a_patient_cannot_open_the_staff_summary_of_another(two_patients):
    a, _b = two_patients
    b = IntakeSubmissionFactory(sent=True, full_name="Bob Bumblebee")
    client = opened_by_link(a)
    for reference in (b.reference, b.reference.lower().replace("-", ""), a.reference):
        response = client.get(reverse("intake:staff_summary", kwargs={"reference": reference}))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    assert not b.staff_accesses.exists()


# --- Wrong links ------------------------------------------------------------------------------


def not_found_page(client, token: str):
    response = client.get(f"/prepare/resume/{token}/")
    body = page_text(response)
    headers = {name: response.headers.get(name) for name in ("Cache-Control", "X-Robots-Tag")}
    return response.status_code, body, headers


def wrong_tokens(real: str) -> dict[str, str]:
    flipped = real[:-1] + ("A" if real[-1] != "A" else "B")
    return {
        "one character": "x",
        "real one, last character changed": flipped,
        "real one in capitals": real.upper(),
        "real one and one more character": real + "x",
        "real one, one character short": real[:-1],
        "fresh random token": secrets.token_urlsafe(32),
        "100 characters": "a" * 100,
        "101 characters": "a" * 101,
        "5000 characters": "a" * 5000,
        "null byte": "%00",
        "percent-encoded junk": "%E2%80%AE%F0%9F%92%AA",
        "accents and emoji": "é🙂",
        "SQL": "'%3B%20DROP%20TABLE%20intake_intakesubmission%3B%20--",
        "script": "%3Cscript%3Ealert(1)%3C%2Fscript%3E".replace("%2F", "_"),
        "dots": "..",
    }


def test_every_wrong_link_gets_the_same_not_found_page(settings):
    settings.INTAKE_RESUME_MAX_FAILURES = 1000  # the rate limit is tested in intake/tests
    real = IntakeSubmissionFactory()
    expired = IntakeSubmissionFactory()
    IntakeSubmission.objects.filter(pk=expired.pk).update(updated_at="2000-01-01T00:00Z")
    archived = IntakeSubmissionFactory(sent=True, status=IntakeSubmission.Status.ARCHIVED)
    removed = IntakeSubmissionFactory()
    removed_token = removed.raw_token
    removed.delete()

    client = Client()
    tokens = {
        **wrong_tokens(real.raw_token),
        "expired draft's real link": expired.raw_token,
        "archived form's real link": archived.raw_token,
        "removed form's real link": removed_token,
    }
    answers = {name: not_found_page(client, token) for name, token in tokens.items()}

    first = next(iter(answers.values()))
    assert first[0] == 404
    assert "This link does not work" in first[1]
    assert first[2]["X-Robots-Tag"] == "noindex, nofollow"
    assert {name for name, answer in answers.items() if answer != first} == set()
    assert "intake_submission_id" not in client.session


def test_links_with_a_slash_or_nothing_are_not_found_either():
    client = Client()
    for path in ("/prepare/resume//", "/prepare/resume/a/b/", "/prepare/resume/%2F/"):
        assert client.get(path).status_code == 404
    assert "intake_submission_id" not in client.session
