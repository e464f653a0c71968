"""The urgency tiers, in a module of their own: the models and the staff review fields use them.

Source: ../shared/reference/urgent-signs.md (three tiers). Lower is more urgent, so ordering by
the stored number puts emergencies first.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UrgencyTier(models.IntegerChoices):
    EMERGENCY = 1, _("Emergency now")
    TODAY = 2, _("Contact a doctor today")
    ROUTINE = 3, _("Bring to the appointment")
