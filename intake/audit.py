"""The audit log of staff access to personal data (HIPAA 45 CFR 164.312(b), audit controls).

Every way staff see or take what a patient wrote leaves a `StaffAccess` row saying who, when,
what they did and which forms: the queue listed (with its search and filters), a form opened
in the admin, a summary or its PDF opened, the patient's copy printed, a CSV or FHIR export.
The patient's own views are not staff access and are not recorded.
"""

from collections.abc import Iterable

from .models import IntakeSubmission, StaffAccess

Action = StaffAccess.Action

#: The search field of the log: the query string as it came, cut to fit.
SEARCH_MAX = StaffAccess._meta.get_field("search").max_length


def record_access(
    *,
    user,
    action: str,
    submission: IntakeSubmission | None = None,
    references: Iterable[str] = (),
    search: str = "",
) -> StaffAccess:
    """Record that `user` (staff) did `action` with one `submission` or the forms `references`."""
    references = [submission.reference] if submission is not None else list(references)
    return StaffAccess.objects.create(
        action=action,
        submission=submission,
        references=" ".join(references),
        form_count=len(references),
        search=search[:SEARCH_MAX],
        user=user if user.is_authenticated else None,
        username=user.get_username(),
    )


def record_export(*, user, action: str, queryset) -> StaffAccess:
    """Record an export of the forms in `queryset` (one query for their references)."""
    references = queryset.order_by().values_list("reference", flat=True)
    return record_access(user=user, action=action, references=references)


def record_listing(request, response, *, action: str, reference_of) -> None:
    """Record the rows an admin list page shows (`reference_of(row)` gives each one's reference
    code), with the search and filters used. Saves with errors and actions are not listings."""
    changelist = (getattr(response, "context_data", None) or {}).get("cl")
    if request.method != "GET" or changelist is None:
        return
    # The page's own rows: evaluated once here, and reused by the template.
    record_access(
        user=request.user,
        action=action,
        references=[reference_of(row) for row in changelist.result_list],
        search=request.GET.urlencode(),
    )
