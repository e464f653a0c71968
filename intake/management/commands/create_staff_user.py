"""Create a staff account, enrol its authenticator app, and put it in the "Clinic staff" group.

    manage.py create_staff_user admin --superuser            # the first administrator
    manage.py create_staff_user alex --email alex@clinic.example
    manage.py create_staff_user dr_okafor --clinician         # may record examinations
    manage.py create_staff_user alex --reset-device          # alex lost their phone

A new account's password is asked for twice (or read from the STAFF_PASSWORD environment
variable, for scripts) and checked against the password rules. Every account gets a TOTP device:
the command prints, once, a QR code, the otpauth:// link and the secret to type into an
authenticator app. They are not shown again (a superuser can re-show a device's QR code in the
admin under "TOTP devices", or run this again with --reset-device).

With --clinician the account goes in the "Clinicians" group instead: clinic staff who may also
record the examiner's findings (intake/staff_group.py).

For an existing account the command makes it staff, adds it to the group (unless --superuser or
--no-group) and enrols a device only if it has none or --reset-device is given.
"""

import io
import os
import sys
from base64 import b32encode
from getpass import getpass

import qrcode
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.staff_group import (
    CLINIC_STAFF_GROUP,
    CLINICIAN_GROUP,
    ensure_clinic_staff_group,
    ensure_clinician_group,
)


class Command(BaseCommand):
    help = "Create (or update) a staff account, enrol a TOTP authenticator and add it to a group."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--superuser",
            action="store_true",
            help="A site administrator: manages accounts and content (not in the group).",
        )
        parser.add_argument(
            "--no-group",
            action="store_true",
            help=f'Do not add the account to the "{CLINIC_STAFF_GROUP}" group.',
        )
        parser.add_argument(
            "--clinician",
            action="store_true",
            help=f'Add the account to the "{CLINICIAN_GROUP}" group (may record examinations) '
            f'instead of "{CLINIC_STAFF_GROUP}".',
        )
        parser.add_argument(
            "--reset-device",
            action="store_true",
            help="Remove the account's authenticator devices and enrol a new one.",
        )

    def handle(
        self, *args, username, email, superuser, no_group, clinician, reset_device, **options
    ):
        if clinician and (superuser or no_group):
            raise CommandError("--clinician cannot be used with --superuser or --no-group.")
        User = get_user_model()
        with transaction.atomic():
            user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
            created = user is None
            if created:
                user = User(**{User.USERNAME_FIELD: username}, email=email)
                user.set_password(self._new_password(user))
            elif email:
                user.email = email
            user.is_staff = True
            user.is_active = True
            if superuser:
                user.is_superuser = True
            user.save()

            group = None
            if not (superuser or no_group):
                group = ensure_clinician_group() if clinician else ensure_clinic_staff_group()
                user.groups.add(group)

            if reset_device:
                TOTPDevice.objects.filter(user=user).delete()
            device = None
            if reset_device or not TOTPDevice.objects.filter(user=user).exists():
                device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)

        role = "superuser" if user.is_superuser else "staff"
        action = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{action} {role} account {username!r}."))
        if group is not None:
            self.stdout.write(f'In the "{group.name}" group.')
        if device is None:
            self.stdout.write("Kept the existing authenticator device (use --reset-device).")
        else:
            self._show_enrolment(device)

    def _new_password(self, user) -> str:
        password = os.environ.get("STAFF_PASSWORD")
        if password is None:
            if not self.stdin_is_interactive():
                raise CommandError("Set STAFF_PASSWORD or run this in a terminal to type one.")
            password = getpass("Password: ")
            if password != getpass("Password (again): "):
                raise CommandError("The passwords did not match.")
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        return password

    @staticmethod
    def stdin_is_interactive() -> bool:
        return sys.stdin.isatty()

    def _show_enrolment(self, device: TOTPDevice) -> None:
        """Print the QR code, link and secret once, for the person to scan or type."""
        secret = b32encode(device.bin_key).decode()
        grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        picture = io.StringIO()
        code = qrcode.QRCode(border=2)
        code.add_data(device.config_url)
        code.print_ascii(out=picture, invert=True)
        self.stdout.write(
            "\nScan this with an authenticator app (for example Google Authenticator, "
            "Microsoft Authenticator or FreeOTP). It is shown only now.\n"
        )
        self.stdout.write(picture.getvalue())
        self.stdout.write(f"Link:   {device.config_url}")
        self.stdout.write(f"Secret: {grouped}  (type this if you cannot scan)")
        self.stdout.write(
            "Sign in with the username, password and the 6-digit code the app shows.\n"
        )
