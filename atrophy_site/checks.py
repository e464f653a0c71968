"""System checks for settings that are safe in development but not in production."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


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
