"""Helpers for tests that sign staff in: users, TOTP devices, codes and verified sessions."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "a long staff password 42"
CLINIC_STAFF = "Clinic staff"


def make_staff_user(username="nurse", *, clinic_staff=True, superuser=False, **extra):
    """An active staff user with PASSWORD, in the Clinic staff group unless told otherwise."""
    User = get_user_model()
    if superuser:
        user = User.objects.create_superuser(username, f"{username}@example.org", PASSWORD)
    else:
        user = User.objects.create_user(username, password=PASSWORD, is_staff=True, **extra)
    if clinic_staff and not superuser:
        user.groups.add(Group.objects.get(name=CLINIC_STAFF))
    return user


def enrol_totp(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows right now for this device."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in_verified(client, user):
    """Sign `user` in on the test client as if they had given their password and a TOTP code."""
    device = TOTPDevice.objects.filter(user=user).first() or enrol_totp(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
