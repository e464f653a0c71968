"""Never lose the private link: the "save this link" page, a new link, "email me my link".

- `saved`: after the first save and after "Save and come back later". A fresh link is shown on
  a page whose own address carries it (`saved_link`, /prepare/resume/<token>/saved/), so a
  bookmark of that page keeps the link. "Save and come back later" (`?leave=1`) then closes the
  form on this device: the session is deleted, so the next person at a shared computer sees the
  start page.
- `new_link`: a lost link replaced; every older link to the form stops working.
- `email_link`: "Email me my link", on the saved page (for this form, to the address typed) and
  on the wrong-link page (to every open form on file with that address). The answer is the same
  whether or not the address is known, the message goes from the background worker, never in
  the request, and requests are limited per address and per client address.

After the session is closed, the saved page's forms still act on that form for an hour through a
signed, time-limited key in the page (`FORM_KEY_SALT`), not through the session.
"""

import hashlib
import logging

from django import forms
from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atrophy_site.cache_outage import count_in_window, survives_cache_outage
from atrophy_site.client_ip import client_ip_address
from atrophy_site.privacy import private_page

from .forms import AccessibleFormMixin
from .models import IntakeSubmission
from .session import IntakeSession
from .summary import summary_link_lifetime
from .summary_views import sent_link_has_expired, summary_expired_response
from .tokens import (
    find_by_token,
    is_reachable,
    record_failed_resume,
    replace_all_links,
    resume_is_blocked,
)

logger = logging.getLogger(__name__)

FORM_KEY_SALT = "intake.saved-page"
FORM_KEY_MAX_AGE = 60 * 60
#: At most this many emails per address and per client address in EMAIL_LINK_WINDOW seconds.
EMAIL_LINK_PER_ADDRESS = 3
EMAIL_LINK_PER_CLIENT = 10
EMAIL_LINK_WINDOW = 60 * 60
#: A wrong-link request sends at most this many links (one person, a few forms).
EMAIL_LINK_MAX_FORMS = 3


def set_language_cookie(response, language: str) -> None:
    """Open the next pages in `language` (the same cookie as the header's language switch)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def group_for_reading(token: str, size: int = 4) -> str:
    """The token in groups of four, to read out or copy by hand ("AbCd eFgH ...")."""
    return " ".join(token[i : i + size] for i in range(0, len(token), size))


def form_key(submission: IntakeSubmission) -> str:
    return signing.dumps(submission.pk, salt=FORM_KEY_SALT)


def _submission_for(request) -> IntakeSubmission | None:
    """The form this request may act on: the session's, or the one the page's key names."""
    submission = IntakeSession(request).submission()
    if submission is not None:
        return submission
    try:
        pk = signing.loads(
            request.POST.get("form_key", ""), salt=FORM_KEY_SALT, max_age=FORM_KEY_MAX_AGE
        )
    except signing.BadSignature:
        return None
    submission = IntakeSubmission.objects.filter(pk=pk).first()
    return submission if submission is not None and is_reachable(submission) else None


def _next_step_url(request, submission: IntakeSubmission) -> str:
    from .views import CHECK_STEP_NUMBER, _step_url

    try:
        number = int(request.GET.get("next", ""))
    except ValueError:
        number = submission.first_unfinished_step()
    return _step_url(min(max(number, 1), CHECK_STEP_NUMBER))


def _saved_page(
    request, submission, *, link: str = "", token: str = "", email_form=None, status: int = 200
):
    """Render the saved page; `leave` closes the form on this device afterwards."""
    session = IntakeSession(request)
    leave = request.GET.get("leave") == "1"
    bound = session.submission() == submission
    # Closed on this device: carry on through the private link (it opens where it stopped).
    next_url = link if leave or not bound else _next_step_url(request, submission)
    from .views import _base_context

    context = _base_context(
        request,
        session,
        submission if bound else None,
        saved_submission=submission,
        link=link,
        link_for_reading=group_for_reading(token) if token else "",
        next_url=next_url,
        leaving=leave or not bound,
        expires_at=submission.expires_at,
        summary_days=summary_link_lifetime().days,
        needs_checking=bool(submission.unsaved_input),
        form_key=form_key(submission),
        email_form=email_form or EmailLinkForm(initial={"email": submission.email}),
    )
    response = render(request, "intake/saved.html", context, status=status)
    if leave and bound:
        session.end()
    return response


@private_page
@require_GET
def saved(request):
    """The "your answers are saved" page; a freshly issued link goes to its own page."""
    session = IntakeSession(request)
    submission = session.submission()
    if submission is None or not submission.is_draft:
        return redirect("intake:start")
    token = session.pop_new_token()
    if token:
        url = reverse("intake:saved_link", kwargs={"token": token})
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url)
    return _saved_page(request, submission)


@private_page
@require_GET
def saved_link(request, token):
    """The saved page at the private link's own address: a bookmark of it keeps the link.

    Opening it shows the link (it does not open the form: "Continue" does, through the link).
    Wrong links get the usual wrong-link page and count toward the guessing limit.
    """
    submission, refusal = open_private_link(request, token)
    if refusal is not None:  # the same answer as the private link itself
        return refusal
    if not submission.is_draft:
        return redirect("intake:resume", token=token)
    link = request.build_absolute_uri(reverse("intake:resume", kwargs={"token": token}))
    return _saved_page(request, submission, link=link, token=token)


def open_private_link(request, token):
    """(the form a private link names, None), or (None, the page to answer instead): too many
    wrong links from this address (429); a sent form's real link past its days (410, "ask the
    clinic"); else for any wrong, expired or removed link the wrong-link page (404), counted
    toward the guessing limit. The one way in for the link and its saved page."""
    client = client_ip_address(request) or ""  # honours TRUSTED_PROXY_COUNT behind a proxy
    if resume_is_blocked(client):
        return None, render(request, "intake/too_many_attempts.html", status=429)
    try:
        return find_by_token(token), None
    except Http404:
        if sent_link_has_expired(token):  # a real link past its days: say so
            return None, summary_expired_response(request)
        record_failed_resume(client)
        logger.info("intake resume link not found")
        return None, link_not_found(request)


@private_page
@require_POST
def new_link(request):
    """Replace a lost private link with a new one (every older link stops working)."""
    submission = _submission_for(request)
    if submission is None or not submission.is_draft:
        return redirect("intake:start")
    token = replace_all_links(submission)  # in one transaction of its own
    logger.info("intake private link replaced by the patient")
    url = reverse("intake:saved_link", kwargs={"token": token})
    bound = IntakeSession(request).submission() == submission
    return redirect(url if bound else f"{url}?leave=1")


# --- Email me my link ----------------------------------------------------------------------------


class EmailLinkForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your email address"),
        max_length=254,
        error_messages={
            "required": gettext_lazy("Enter your email address"),
            "invalid": gettext_lazy(
                "Enter an email address in the right format, like name@example.com"
            ),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


def _limit_key(kind: str, value: str) -> str:
    return f"intake:email-link:{kind}:" + hashlib.sha256(value.encode()).hexdigest()[:32]


@survives_cache_outage(default=True)
def _within_limit(kind: str, value: str, limit: int) -> bool:
    """Count one request for `value`; False once it has made `limit` in the window."""
    return count_in_window(_limit_key(kind, value), EMAIL_LINK_WINDOW) <= limit


def forms_for_address(address: str):
    """Open forms (drafts, and sent ones whose link still works) on file with this address."""
    candidates = (
        IntakeSubmission.objects.filter(
            Q(email__iexact=address) | Q(invitation__email__iexact=address)
        )
        .exclude(status=IntakeSubmission.Status.ARCHIVED)
        .order_by("-updated_at")
        .distinct()[:20]
    )
    return [submission for submission in candidates if is_reachable(submission)][
        :EMAIL_LINK_MAX_FORMS
    ]


@private_page
@require_http_methods(["GET", "POST"])
def email_link(request):
    """Email a fresh private link; the same answer whether or not the address is known."""
    if request.method == "GET":
        return redirect("intake:start")
    form = EmailLinkForm(request.POST)
    # Only the saved page names its form (by its key). The wrong-link page never acts on the
    # session's form: at a shared computer that may be the previous person's.
    submission = _submission_for(request) if request.POST.get("form_key") else None
    if not form.is_valid():
        if submission is not None:
            return _saved_page(request, submission, email_form=form, status=400)
        return link_not_found(request, email_form=form, status=400)
    address = form.cleaned_data["email"].strip()
    client = client_ip_address(request) or ""
    if not _within_limit("client", client, EMAIL_LINK_PER_CLIENT):
        return render(request, "intake/too_many_attempts.html", status=429)
    if _within_limit("address", address.lower(), EMAIL_LINK_PER_ADDRESS):
        from .tasks import email_link_task

        targets = [submission] if submission is not None else forms_for_address(address)
        for target in targets:
            email_link_task.enqueue(target.pk, address)
        logger.info("intake link email requested (%d form(s))", len(targets))
    return render(
        request,
        "intake/link_emailed.html",
        {"address": address, "clinic_phone": settings.CLINIC_PHONE},
    )


def link_not_found(request, *, email_form=None, status: int = 404):
    """The wrong-link page: what may have happened, and a way back (email me my link)."""
    context = {"email_form": email_form or EmailLinkForm(), "clinic_phone": settings.CLINIC_PHONE}
    return render(request, "intake/link_not_found.html", context, status=status)
