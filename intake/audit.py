"""The audit log of staff access to summaries (HIPAA 45 CFR 164.312(b), audit controls).

The staff summary page and its PDF call `record_summary_view` each time a member of staff opens
a summary: a `SummaryView` row records who opened which reference, and when. The patient's own
views are not staff access and are not recorded.
"""

from .models import IntakeSubmission, SummaryView


def record_summary_view(*, user, submission: IntakeSubmission) -> SummaryView:
    """Record that `user` (staff) opened `submission`'s summary."""
    return SummaryView.objects.create(
        submission=submission,
        reference=submission.reference,
        viewed_by=user if user.is_authenticated else None,
        username=user.get_username(),
    )
