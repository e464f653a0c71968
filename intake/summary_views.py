"""Views of the visit summary: the patient's (through their private link) and the staff's.

The patient's page has no token in its URL: the private link (`intake:resume`) binds the
submission to the browser's session and redirects here. It shows sent submissions only (a draft
goes back to its form) and stops working `INTAKE_SUMMARY_DAYS` after sending, with a page that
says so. Staff open any submission by its reference code, signed in to the staff admin (with
its second factor) and holding the `intake.view_intakesubmission` permission; their access
never expires.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from atrophy_site.privacy import private_page

from .models import IntakeSubmission
from .session import IntakeSession
from .summary import (
    build_summary,
    load_summary_rows,
    record_summary_view,
    summary_link_expired,
    summary_link_lifetime,
    summary_queryset,
)
from .tokens import hash_token, normalise_reference


def sent_link_has_expired(token: str) -> bool:
    """Whether `token` is the private link of a sent form whose summary has expired.

    Lets the private-link view say "this link has expired, please ask the clinic" instead of its
    usual 404. Telling this apart reveals nothing useful: only someone who holds a real 256-bit
    token can see the difference. Archived forms still get the usual 404.
    """
    if not token or len(token) > 100:
        return False
    submission = (
        IntakeSubmission.objects.filter(token_hash=hash_token(token))
        .exclude(status__in=[IntakeSubmission.Status.DRAFT, IntakeSubmission.Status.ARCHIVED])
        .only("pk", "status", "sent_at")
        .first()
    )
    return submission is not None and summary_link_expired(submission)


def summary_expired_response(request):
    """The "this link has expired, please ask the clinic" page (HTTP 410 Gone).

    Also for the private-link view to use when a sent submission's link has run out.
    """
    context = {"summary_days": summary_link_lifetime().days}
    return render(request, "intake/summary_expired.html", context, status=410)


@private_page
@require_GET
def patient_summary(request):
    """The summary of the submission this browser has open, for the patient to print or show."""
    session = IntakeSession(request)
    bound = session.submission()
    if bound is None:
        return render(request, "intake/summary_not_open.html", status=404)
    if bound.is_draft:
        return redirect("intake:continue")  # back to the first unfinished step
    if summary_link_expired(bound):
        return summary_expired_response(request)
    context = {
        "summary": build_summary(load_summary_rows(bound)),
        "staff_view": False,
        "print_on_load": request.GET.get("print") == "1",
    }
    return render(request, "intake/summary.html", context)


def _staff_summary(request, reference: str):
    if not request.user.has_perm("intake.view_intakesubmission"):
        raise PermissionDenied
    # Drafts are the patient's until sent: staff see only what was sent, as in the admin queue.
    submission = get_object_or_404(
        summary_queryset().sent(), reference=normalise_reference(reference)
    )
    record_summary_view(user=request.user, submission=submission)
    context = {
        "summary": build_summary(submission),
        "staff_view": True,
        "print_on_load": False,
        "admin_url": reverse("admin:intake_intakesubmission_change", args=[submission.pk]),
    }
    return render(request, "intake/summary.html", context)


#: The same summary for clinic staff, by reference code, whatever the link's expiry. The admin
#: site's own gate (`admin_view`: active staff, signed in with the second factor when
#: ADMIN_REQUIRE_2FA is on; others go to the admin sign-in page) then the permission to view
#: submissions (403 without it).
staff_summary = private_page(admin.site.admin_view(require_GET(_staff_summary)))
