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
        "CLINIC_NAME": _("your clinic") if clinic == DEFAULT_CLINIC_NAME else clinic,
        "SITE_LANGUAGES": settings.LANGUAGES,
    }
