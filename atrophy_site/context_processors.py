import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _

#: CLINIC_NAME's default in settings: a phrase, so it is translated like any other text.
DEFAULT_CLINIC_NAME = "your clinic"


def site(request):
    """Values every page needs: the local emergency number, the clinic's name and the languages.

    `SITE_LANGUAGES` are (code, name) pairs from settings.LANGUAGES, each name in its own
    language and never translated, for the language switch in the header.
    """
    clinic = settings.CLINIC_NAME
    return {
        "EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER,
        "EMERGENCY_TEL": tel_uri(settings.EMERGENCY_NUMBER),
        "CLINIC_PHONE": settings.CLINIC_PHONE,
        "CLINIC_TEL": tel_uri(settings.CLINIC_PHONE),
        "CLINIC_NAME": _("your clinic") if clinic == DEFAULT_CLINIC_NAME else clinic,
        "SITE_LANGUAGES": settings.LANGUAGES,
    }


def tel_uri(number: str) -> str:
    """A `tel:` link for a phone number as people write it ("911", "+1 (555) 010-0199")."""
    digits = re.sub(r"[^0-9+*#]", "", number or "")
    return f"tel:{digits}" if digits else ""
