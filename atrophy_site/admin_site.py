"""The staff admin site: Django's admin behind a password and a second factor.

Clinic staff review patients' answers here, so signing in follows HIPAA 45 CFR 164.312(d)
(person or entity authentication) and OWASP ASVS 4.0 L2 V2.8 / 6.3.3 (multi-factor with a
time-based one-time password). The site is django-otp's `OTPAdminSite`: a staff member who has
signed in with a password but not with a TOTP code from an enrolled device is treated as not
staff. `ADMIN_REQUIRE_2FA = False` turns the second factor off for local development only; the
system check `atrophy.W001` warns under `check --deploy` when it is off.

Repeated failed passwords lock the username from that address (django-axes, see settings). A
right password with a wrong code counts as a failed sign-in too, and is logged: otherwise
someone who has the password could try codes without limit.
"""

import logging

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.forms import OTPAuthenticationFormMixin

logger = logging.getLogger(__name__)


class StaffOTPAuthenticationForm(OTPAdminAuthenticationForm):
    """The admin login form with a clearly labelled code field for the authenticator app."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The 6-digit code your authenticator app shows for this site."),
        required=False,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )

    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": _("Enter the 6-digit code from your authenticator app."),
        "invalid_token": _("That code did not work. Enter the code your app shows now."),
        "device_required": _("Choose which authenticator device the code is from."),
    }

    def clean_otp(self, user):
        """The code, checked once the password was right; a wrong code is a failed sign-in."""
        try:
            super().clean_otp(user)
        except forms.ValidationError:
            # A code was typed and refused (wrong, or the device is throttled after wrong ones).
            if user is not None and self.cleaned_data.get("otp_token"):
                logger.warning("staff sign-in: right password, wrong code (user id %s)", user.pk)
                # django-axes counts it toward the lockout of this username from this address.
                user_login_failed.send(
                    sender=type(self),
                    credentials={"username": user.get_username()},
                    request=self.request,
                )
            raise

    def _chosen_device(self, user):
        """The device picked in the form or, when the person has only one, that one.

        Most staff enrol one phone, so asking them to pick it first would only add a step.
        """
        device = super()._chosen_device(user)
        if device is None:
            devices = list(devices_for_user(user, confirmed=True, for_verify=True))
            if len(devices) == 1:
                device = devices[0]
        return device


class StaffAdminSite(OTPAdminSite):
    """The admin for clinic staff; see the module docstring for the sign-in rules."""

    site_header = _("Muscle Visit Helper: clinic staff")
    site_title = _("Clinic staff")
    index_title = _("Visit preparation forms and site content")
    enable_nav_sidebar = False  # the work queue needs the whole width on a laptop

    def __init__(self, name: str = "admin"):
        # Keep the usual "admin" instance name so reverse("admin:...") works everywhere.
        super().__init__(name)

    @property
    def login_form(self):
        return StaffOTPAuthenticationForm if settings.ADMIN_REQUIRE_2FA else AdminAuthenticationForm

    @property
    def login_template(self):
        return "admin/staff_login.html"

    def has_permission(self, request) -> bool:
        if settings.ADMIN_REQUIRE_2FA:
            return super().has_permission(request)  # active staff AND verified by a device
        return AdminSite.has_permission(self, request)
