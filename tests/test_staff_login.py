"""Staff sign-in: password plus a TOTP code, lockout after failures, logout, the admin's path."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse

from atrophy_site.checks import admin_second_factor_check
from atrophy_site.client_ip import client_ip_address
from tests.production import production_env, run_python
from tests.staff import PASSWORD, current_code, enrol_totp, make_staff_user, sign_in_verified


def _login(client, username, password=PASSWORD, code="", address="10.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "otp_token": code},
        REMOTE_ADDR=address,
    )


def _signed_in(client) -> bool:
    return SESSION_KEY in client.session


@pytest.fixture
def nurse(db):
    user = make_staff_user("nurse", clinic_staff=False)
    enrol_totp(user)
    return user


def test_password_and_current_code_sign_a_staff_member_in(client, nurse):
    response = _login(client, "nurse", code=current_code(nurse.totpdevice_set.get()))
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_login_without_the_second_factor_is_refused(client, nurse):
    response = _login(client, "nurse", code="")
    assert response.status_code == 200
    assert "Enter the 6-digit code from your authenticator app." in response.content.decode()
    assert not _signed_in(client)
    assert client.get(reverse("admin:index")).status_code == 302


def test_login_with_a_wrong_code_is_refused(client, nurse):
    right = current_code(nurse.totpdevice_set.get())
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = _login(client, "nurse", code=wrong)
    assert "That code did not work" in response.content.decode()
    assert not _signed_in(client)


def test_staff_member_without_an_enrolled_device_cannot_sign_in(client, db):
    make_staff_user("newcomer", clinic_staff=False)
    _login(client, "newcomer", code="123456")
    assert not _signed_in(client)


def test_a_password_only_session_is_not_let_into_the_admin(client, nurse):
    client.force_login(nurse)  # signed in, but never verified by a device
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_password_alone_is_enough_when_2fa_is_turned_off_for_development(client, nurse, settings):
    settings.ADMIN_REQUIRE_2FA = False
    assert _login(client, "nurse").status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_login_locks_after_the_failure_limit_for_that_username_and_address(client, nurse, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _login(client, "nurse", password="wrong password", address="10.0.0.9")

    locked = _login(
        client, "nurse", code=current_code(nurse.totpdevice_set.get()), address="10.0.0.9"
    )
    assert locked.status_code == 429
    assert "Sign-in locked for now" in locked.content.decode()
    assert not _signed_in(client)


def test_lockout_is_keyed_on_username_and_address_together(client, nurse, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_staff_user("doctor", clinic_staff=False)
    for _ in range(3):
        _login(client, "nurse", password="wrong password", address="10.0.0.9")

    # The same person from another address, and another person from that address, can sign in.
    other_address = _login(
        client, "nurse", code=current_code(nurse.totpdevice_set.get()), address="10.0.0.10"
    )
    assert other_address.status_code == 302
    client.logout()
    settings.ADMIN_REQUIRE_2FA = False
    assert _login(client, "doctor", address="10.0.0.9").status_code == 302


def test_logout_ends_the_session_on_the_server(client, nurse):
    sign_in_verified(client, nurse)
    session_key = client.session.session_key
    assert Session.objects.filter(session_key=session_key).exists()

    client.post(reverse("admin:logout"))

    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get(reverse("admin:index")).status_code == 302


def test_client_address_behind_trusted_proxies_is_taken_from_the_right(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip_address(request) == "203.0.113.7"  # not the spoofable left-hand entry


def test_deploy_check_warns_when_the_second_factor_is_off(settings):
    settings.ADMIN_REQUIRE_2FA = True
    assert admin_second_factor_check(None) == []
    settings.ADMIN_REQUIRE_2FA = False
    assert [w.id for w in admin_second_factor_check(None)] == ["atrophy.W001"]


def test_deploy_check_fails_in_production_with_the_second_factor_off():
    result = run_python(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(ADMIN_REQUIRE_2FA="false"),
    )
    assert result.returncode != 0
    assert "atrophy.W001" in result.stdout + result.stderr


def test_admin_path_comes_from_admin_url():
    script = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'))"
    )
    result = run_python("-c", script, env=production_env(ADMIN_URL="clinic-review/"))
    assert result.stdout.strip().splitlines()[-1] == "/clinic-review/", result.stderr


def test_a_right_password_with_wrong_codes_locks_too_and_is_logged(client, nurse, settings, caplog):
    settings.AXES_FAILURE_LIMIT = 3
    device = nurse.totpdevice_set.get()
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    for _ in range(3):
        _login(client, "nurse", code=wrong, address="10.0.0.9")

    locked = _login(client, "nurse", code=current_code(device), address="10.0.0.9")

    assert locked.status_code == 429
    assert not _signed_in(client)
    assert f"right password, wrong code (user id {nurse.pk})" in caplog.text
