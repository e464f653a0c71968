"""create_staff_user: the first staff account, its authenticator, and the Clinic staff group."""

import re
from base64 import b32decode
from io import StringIO

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.staff import PASSWORD, make_staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _password(monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", PASSWORD)


def _create(*args) -> str:
    out = StringIO()
    call_command("create_staff_user", *args, stdout=out)
    return out.getvalue()


def _code_from(output: str) -> str:
    secret = re.search(r"Secret: ([A-Z2-7 ]+)", output).group(1).replace(" ", "")
    return f"{TOTP(b32decode(secret)).token():06d}"


def test_new_staff_member_is_in_the_group_and_can_sign_in_with_the_printed_secret(client):
    output = _create("alex", "--email", "alex@clinic.example")

    user = get_user_model().objects.get(username="alex")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Clinic staff"]
    assert "otpauth://totp/" in output

    client.post(
        reverse("admin:login"),
        {"username": "alex", "password": PASSWORD, "otp_token": _code_from(output)},
    )
    assert SESSION_KEY in client.session
    assert client.get(reverse("admin:intake_intakesubmission_changelist")).status_code == 200


def test_first_administrator_is_a_superuser_outside_the_group():
    _create("admin", "--superuser")
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff
    assert not user.groups.exists()
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1


def test_existing_account_is_added_to_the_group_and_keeps_its_device():
    user = make_staff_user("sam", clinic_staff=False, is_staff=False)
    device = TOTPDevice.objects.create(user=user, name="phone")
    output = _create("sam")
    user.refresh_from_db()
    assert user.is_staff
    assert user.groups.filter(name="Clinic staff").exists()
    assert list(TOTPDevice.objects.filter(user=user)) == [device]
    assert "otpauth://" not in output


def test_reset_device_replaces_a_lost_authenticator():
    user = make_staff_user("sam")
    old = TOTPDevice.objects.create(user=user, name="lost phone")
    output = _create("sam", "--reset-device")
    devices = list(TOTPDevice.objects.filter(user=user))
    assert len(devices) == 1 and devices[0].pk != old.pk
    assert "otpauth://" in output


def test_a_weak_password_is_refused(monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "short")
    with pytest.raises(CommandError):
        _create("alex")
    assert not get_user_model().objects.filter(username="alex").exists()
