"""Staff sessions end after inactivity and after an absolute limit; patients are left alone."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from atrophy_site.staff_sessions import LAST_SEEN_AT, SIGNED_IN_AT, staff_session_expiry_reason
from tests.staff import PASSWORD, current_code, enrol_totp, make_staff_user, sign_in_verified


@pytest.fixture
def signed_in(client, db):
    user = make_staff_user("nurse", clinic_staff=False)
    sign_in_verified(client, user)
    assert client.get(reverse("admin:index")).status_code == 200  # starts the clocks
    return client


def _set(client, **values):
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


def test_signing_in_starts_both_clocks(client, db):
    user = make_staff_user("nurse", clinic_staff=False)
    device = enrol_totp(user)
    client.post(
        reverse("admin:login"),
        {"username": "nurse", "password": PASSWORD, "otp_token": current_code(device)},
    )
    assert SIGNED_IN_AT in client.session and LAST_SEEN_AT in client.session


def test_staff_are_signed_out_after_the_idle_limit(signed_in, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    _set(signed_in, **{LAST_SEEN_AT: time.time() - 31 * 60})
    old_key = signed_in.session.session_key

    response = signed_in.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert not Session.objects.filter(session_key=old_key).exists()


def test_staff_stay_signed_in_while_active(signed_in, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    _set(signed_in, **{LAST_SEEN_AT: time.time() - 29 * 60})
    assert signed_in.get(reverse("admin:index")).status_code == 200
    # ...and that request counts as activity.
    assert time.time() - signed_in.session[LAST_SEEN_AT] < 60


def test_staff_are_signed_out_after_the_absolute_limit_even_when_active(signed_in, settings):
    settings.STAFF_SESSION_MAX_HOURS = 12
    _set(signed_in, **{SIGNED_IN_AT: time.time() - 12 * 3600 - 1, LAST_SEEN_AT: time.time()})
    response = signed_in.get(reverse("admin:index"))
    assert response.status_code == 302


def test_the_sign_in_page_says_why_after_an_idle_sign_out(signed_in, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    _set(signed_in, **{LAST_SEEN_AT: time.time() - 31 * 60})
    response = signed_in.get(reverse("admin:index"), follow=True)
    assert "signed out after 30 minutes without activity" in response.content.decode()


def test_patient_sessions_are_not_touched(client, db):
    _set(client, patient_answers_ref="K7QP-3MXD")
    client.get(reverse("home"))
    session = client.session
    assert session["patient_answers_ref"] == "K7QP-3MXD"
    assert SIGNED_IN_AT not in session and LAST_SEEN_AT not in session


@pytest.mark.parametrize(
    ("signed_in_ago", "seen_ago", "expected"),
    [
        (60, 60, None),
        (3600, 29 * 60, None),
        (3600, 30 * 60, "idle"),
        (12 * 3600, 0, "max_age"),
    ],
)
def test_expiry_reason(settings, signed_in_ago, seen_ago, expected):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    settings.STAFF_SESSION_MAX_HOURS = 12
    now = 1_000_000.0
    session = {SIGNED_IN_AT: now - signed_in_ago, LAST_SEEN_AT: now - seen_ago}
    assert staff_session_expiry_reason(session, now) == expected
