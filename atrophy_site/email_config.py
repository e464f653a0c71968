"""Turn the parsed EMAIL_URL into Django's email settings.

django-environ's `env.email_url()` reads the URL; this fills in what the URL leaves out with
Django's own defaults (it gives None for a missing user, password, host or port) and the port
that goes with the scheme, so `smtp+tls://user:pass@mail.example.org` needs no ":587". Kept apart
from settings.py so a test can check the parsing without reloading the settings.

Schemes (django-environ): smtp:// (plain, port 25), smtp+tls:// and smtps:// (STARTTLS, port
587), smtp+ssl:// (TLS from the first byte, port 465), filemail://, consolemail://,
memorymail://, dummymail://.
"""

from pathlib import Path

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def email_settings(parsed: dict, *, file_path: Path) -> dict[str, object]:
    """Django's EMAIL_* settings from `env.email_url(...)`'s result.

    `file_path` is where the file backend writes when the URL names no folder ("filemail://").
    """
    use_tls = bool(parsed.get("EMAIL_USE_TLS", False))
    use_ssl = bool(parsed.get("EMAIL_USE_SSL", False))
    if use_ssl:
        default_port = 465
    elif use_tls:
        default_port = 587
    else:
        default_port = 25
    return {
        "EMAIL_BACKEND": parsed["EMAIL_BACKEND"],
        "EMAIL_HOST": parsed.get("EMAIL_HOST") or "localhost",
        "EMAIL_PORT": parsed.get("EMAIL_PORT") or default_port,
        "EMAIL_HOST_USER": parsed.get("EMAIL_HOST_USER") or "",
        "EMAIL_HOST_PASSWORD": parsed.get("EMAIL_HOST_PASSWORD") or "",
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        # django-environ drops the first "/" of the path: "filemail:////srv/mail" is /srv/mail.
        "EMAIL_FILE_PATH": str(parsed.get("EMAIL_FILE_PATH") or file_path),
    }
