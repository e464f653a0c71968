"""System checks for settings that are safe in development but not in production."""

from django.conf import settings
from django.core.checks import Info, Tags, Warning, register


@register(Tags.security, deploy=True)
def admin_second_factor_check(app_configs, **kwargs):
    """Warn (under `check --deploy`) when staff can sign in without a second factor.

    Staff see patients' health answers: HIPAA 45 CFR 164.312(d) and OWASP ASVS 4.0 L2 2.8 / 6.3.3
    call for more than a password. `ADMIN_REQUIRE_2FA=false` is for local development only.
    """
    if getattr(settings, "ADMIN_REQUIRE_2FA", True):
        return []
    return [
        Warning(
            "ADMIN_REQUIRE_2FA is off: staff can sign in to the admin with a password alone.",
            hint="Unset ADMIN_REQUIRE_2FA (it defaults to on) everywhere but local development.",
            id="atrophy.W001",
        )
    ]


#: Email backends that send nothing: fine on a laptop or in tests, never for patients.
_NON_SENDING_EMAIL_BACKENDS = {
    "django.core.mail.backends.filebased.EmailBackend": "writes each email to a file",
    "django.core.mail.backends.console.EmailBackend": "prints each email to the log",
    "django.core.mail.backends.locmem.EmailBackend": "keeps each email in memory",
    "django.core.mail.backends.dummy.EmailBackend": "throws each email away",
}


@register(deploy=True)
def email_check(app_configs, **kwargs):
    """Say (under `check --deploy`) where patients' emails go when that is not a mail server.

    Invitations, reminders and "email me my link" carry a patient's private link: a backend that
    only writes them to disk or to the log leaves the patient without it and puts the link where
    it does not belong. An explicit EMAIL_URL with such a scheme is a warning. Without EMAIL_URL,
    production sends through an SMTP server on this machine: right for a server that relays mail,
    so that is only noted.
    """
    if settings.DEBUG:
        return []
    backend = settings.EMAIL_BACKEND
    if backend in _NON_SENDING_EMAIL_BACKENDS:
        return [
            Warning(
                f"Emails are not sent: EMAIL_BACKEND {_NON_SENDING_EMAIL_BACKENDS[backend]}.",
                hint="Set EMAIL_URL to your mail server, e.g. smtp+tls://user:password@"
                "mail.example.org:587 (README, 'Email and text messages').",
                id="atrophy.W002",
            )
        ]
    notes = []
    if backend.endswith("smtp.EmailBackend") and settings.EMAIL_HOST in ("localhost", "127.0.0.1"):
        notes.append(
            Info(
                f"Emails go to an SMTP server on this machine ({settings.EMAIL_HOST}:"
                f"{settings.EMAIL_PORT}).",
                hint="Right if this server relays mail; otherwise set EMAIL_URL to your mail "
                "server (README, 'Email and text messages').",
                id="atrophy.I001",
            )
        )
    if settings.DEFAULT_FROM_EMAIL.rstrip(">").endswith("@localhost"):
        notes.append(
            Info(
                f"Emails are sent from {settings.DEFAULT_FROM_EMAIL!r}; mail providers often "
                "refuse or bin such a sender.",
                hint='Set DEFAULT_FROM_EMAIL, e.g. "Your Clinic <no-reply@clinic.example.org>".',
                id="atrophy.I002",
            )
        )
    return notes


@register(deploy=True)
def public_base_url_check(app_configs, **kwargs):
    """Warn when the links in emails and text messages would not open the site over HTTPS.

    The worker builds them from PUBLIC_BASE_URL (intake/messaging.py): with none, sending fails;
    over plain HTTP, the private token would cross the network readable.
    """
    if settings.DEBUG:
        return []
    base = getattr(settings, "PUBLIC_BASE_URL", "")
    if base.startswith("https://") and len(base) > len("https://"):
        return []
    return [
        Warning(
            f"PUBLIC_BASE_URL is {base!r}: links in emails and text messages need the site's "
            "https:// address.",
            hint="Set PUBLIC_BASE_URL to the site's address, e.g. https://clinic.example.org "
            "(without it: https:// and the first ALLOWED_HOSTS name that is not a pattern).",
            id="atrophy.W003",
        )
    ]


@register(deploy=True)
def sms_check(app_configs, **kwargs):
    """Note (under `check --deploy`) that text messages are not sent without a provider.

    Only an Info: a clinic that invites by email alone needs no SMS provider.
    """
    if settings.DEBUG:
        return []
    backend = getattr(settings, "SMS_BACKEND", "")
    if backend not in ("intake.sms.LoggingSmsBackend", "intake.sms.LocmemSmsBackend"):
        return []
    return [
        Info(
            f"Text messages are not sent: SMS_BACKEND is {backend}, which does not send them.",
            hint="Invite by email, or plug in a provider: subclass intake.sms.SmsBackend and set "
            "SMS_BACKEND (README, 'Email and text messages').",
            id="atrophy.I003",
        )
    ]
