"""The audit log of staff access to summaries (HIPAA 45 CFR 164.312(b), audit controls).

Connected in IntakeConfig.ready(): every time the staff summary page sends `summary_viewed`
(intake/summary.py), a `SummaryView` row records who opened which reference, and when.
"""

from django.dispatch import receiver

from .models import SummaryView
from .summary import summary_viewed


@receiver(summary_viewed, dispatch_uid="intake.audit.log_summary_view")
def log_summary_view(sender, *, user, submission, **kwargs) -> SummaryView:
    return SummaryView.objects.create(
        submission=submission,
        reference=submission.reference,
        viewed_by=user if user.is_authenticated else None,
        username=user.get_username(),
    )
