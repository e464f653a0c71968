from django.conf import settings


def site(request):
    """Values every page needs: the local emergency number, the clinic's name and the languages.

    `SITE_LANGUAGES` are (code, name) pairs from settings.LANGUAGES, each name in its own
    language and never translated, for the language switch in the header.
    """
    return {
        "EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER,
        "CLINIC_NAME": settings.CLINIC_NAME,
        "SITE_LANGUAGES": settings.LANGUAGES,
    }
