from django.conf import settings


def site(request):
    """Values every page needs: the local emergency number and the clinic's name."""
    return {
        "EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER,
        "CLINIC_NAME": settings.CLINIC_NAME,
    }
