"""Views for "Prepare for your visit": ten steps, the private link, check and send.

Every page that can show answers is wrapped in `private_page` (no-store, noindex). The browser's
server-side session says which submission it works on (intake/session.py); URLs never carry the
token except the one that opens a private link, which redirects at once to a token-free URL.
"""

import logging

from django.contrib import messages
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atrophy_site.privacy import private_page

from .answers import answers_by_step, missing_answers
from .forms import MAX_ROWS, SendForm, UrgentCarryOnForm, phone_needed
from .invitations import mark_opened
from .link_views import open_private_link, set_language_cookie
from .models import STEP_COUNT, IntakeSubmission
from .pages import page_for
from .questions import CHECK_STEP, EFFECTS, STEPS, SYMPTOMS
from .session import IntakeSession, idle_limit_seconds, load_submission
from .summary import summary_link_lifetime
from .tasks import draw_sent_pdfs_task
from .tokens import create_submission
from .triage import Triage, triage

logger = logging.getLogger(__name__)

CHECK_STEP_NUMBER = CHECK_STEP  # "Check your answers and send", the last step
#: The step that asks the contact details (phone number).
ABOUT_YOU_STEP = 1


def _step_url(number: int) -> str:
    if number >= CHECK_STEP_NUMBER:
        return reverse("intake:check_answers")
    return reverse("intake:step", args=[number])


def _base_context(request, session: IntakeSession, submission=None, **extra) -> dict:
    """What every intake page may show: the urgent-signs box (open in full once after the
    answers that set it off, then a short reminder on every page)."""
    context = {"submission": submission, "step_count": STEP_COUNT, **extra}
    if submission is not None:
        context["triage"] = triage(submission)
        context["urgent_box_open"] = session.pop_urgent() and context["triage"].findings
    return context


def _unacknowledged_emergency(submission: IntakeSubmission, result: Triage) -> bool:
    """Tier-1 signs the patient has not yet said a doctor already knows about."""
    codes = {finding.code for finding in result.emergency}
    return bool(codes - set(submission.urgent_carry_on_signs or ()))


# --- Start, continue, start again ---------------------------------------------------------------


@private_page
@require_GET
def start(request):
    session = IntakeSession(request)
    submission = session.submission()
    if submission is not None and not submission.is_draft:
        # Someone starting afresh: the sent form's read-only view closes (a shared computer).
        session.unbind()
        submission = None
    return render(request, "intake/start.html", _base_context(request, session, submission))


@private_page
@require_GET
def continue_form(request):
    """Where a returning patient picks up: the first step they have not saved yet."""
    submission = IntakeSession(request).submission()
    if submission is None:
        return redirect("intake:start")
    if not submission.is_draft:
        return redirect("intake:sent")
    return redirect(_step_url(submission.first_unfinished_step()))


@private_page
@require_http_methods(["GET", "POST"])
def start_new(request):
    """Start a new form on this browser; asks first when a draft is in progress."""
    session = IntakeSession(request)
    submission = session.submission()
    if request.method == "POST" or submission is None or not submission.is_draft:
        session.unbind()
        return redirect("intake:step", number=1)
    return render(request, "intake/new.html", _base_context(request, session, submission))


@private_page
@require_POST
def finish(request):
    """Close a sent form on this browser, so the next person cannot see it."""
    IntakeSession(request).end()
    messages.success(request, _("Your form is closed on this device."))
    return redirect("home")


# --- The private link ---------------------------------------------------------------------------


@private_page
@require_GET
def resume(request, token):
    """Open a private link: bind its submission to this session, then drop the token from the URL.

    Wrong, expired and removed links get the same 404, except a sent form's real link once its
    INTAKE_SUMMARY_DAYS have passed, which says it has expired and to ask the clinic (410).
    Repeated failures from one address are refused for a while (the count lives in the shared
    cache). A draft continues where it stopped; a sent form opens on its visit summary.
    """
    submission, refusal = open_private_link(request, token)
    if refusal is not None:
        return refusal
    session = IntakeSession(request)
    session.bind(submission)
    mark_opened(submission)
    if submission.is_draft:
        messages.success(
            request,
            _("Welcome back. Your answers are here (reference %(reference)s).")
            % {"reference": submission.reference},
        )
        typed_on = session.restore_typed_when_closed(submission)
        if typed_on is not None:
            messages.info(
                request,
                _(
                    "What you typed on this page before the form closed is filled in again. "
                    "Check it, then save."
                ),
            )
            return redirect(_step_url(typed_on))
        response = redirect("intake:continue")
        if not submission.steps_completed and submission.language:
            # An invitation in the patient's language: its pages open in that language.
            set_language_cookie(response, submission.language)
        return response
    return redirect("intake:summary")  # a sent form opens on its visit summary


# --- Steps 1 to 9 -------------------------------------------------------------------------------


@private_page
@require_http_methods(["GET", "POST"])
def step(request, number):
    step = STEPS.get(number)
    if step is None:
        raise Http404
    if step.kind == "check":
        return redirect("intake:check_answers")
    session = IntakeSession(request)
    submission = session.submission()
    if request.method == "POST" and submission is None and request.POST.get("form_reference"):
        return _form_closed(request, session, step)
    if submission is None and not step.is_first:
        messages.info(request, _("Start the form, or open your private link to carry on."))
        return redirect("intake:start")
    if request.method == "POST":
        if submission is not None and not submission.is_draft:
            messages.info(request, _("You have sent this form, so it cannot be changed now."))
            return redirect("intake:sent")
        if request.POST.get("form_reference", "") != (submission.reference if submission else ""):
            return _other_form(request, session, submission)
        return _save_step(request, session, step, submission)
    return _show_step(request, session, step, submission)


def _show_step(request, session, step, submission, page=None, status=200):
    read_only = submission is not None and not submission.is_draft
    if page is None:
        unsaved = session.unsaved(step.number) if not read_only else None
        if unsaved is not None:
            # Left with Back while it had errors: show the input again, errors and all.
            page = page_for(step, submission, _querydict(unsaved))
            page.is_valid()
        else:
            kwargs = (
                {"add_row": request.GET.get("add") == "1"}
                if step.kind
                in (
                    "medicines",
                    "injuries",
                )
                else {}
            )
            page = page_for(step, submission, **kwargs)
    if read_only:
        page.disable()
    errors = page.error_list() if page_is_bound(page) else []
    context = _base_context(
        request,
        session,
        submission,
        step=step,
        errors=errors,
        read_only=read_only,
        return_to_check=request.GET.get("change") == "1"
        or request.POST.get("return_to") == "check",
        previous_url=_step_url(step.number - 1) if step.number > 1 else reverse("intake:start"),
        next_url=_step_url(step.number + 1),
        **page.context(),
    )
    template = {
        "fields": "intake/step.html",
        "medicines": "intake/step_rows.html",
        "injuries": "intake/step_rows.html",
        "tests": "intake/step.html",
    }[step.kind]
    return render(request, template, context, status=status)


def page_is_bound(page) -> bool:
    if hasattr(page, "form"):
        return page.form.is_bound
    if hasattr(page, "formset"):
        return page.formset.is_bound
    return page.forms[0].is_bound


def _save_step(request, session, step, submission):
    action = request.POST.get("action", "next")
    # Before the form: validating a ModelForm writes the new answers onto its instance.
    findings_before = triage(submission).findings if submission is not None else ()
    page = page_for(step, submission, request.POST)
    if not page.is_valid():
        if action == "back":
            # Back never discards input: keep it (server-side) to show again on return.
            session.keep_unsaved(step.number, _plain_data(request.POST))
            return redirect(_step_url(step.number - 1) if step.number > 1 else "intake:start")
        if action == "later":
            return _save_for_later(request, session, step, submission, page)
        # Shown again with its errors; kept too, so that a reload, or a phone that drops the tab
        # while the patient goes to find a letter, shows what they typed rather than a blank page.
        session.keep_unsaved(step.number, _plain_data(request.POST))
        return _show_step(request, session, step, submission, page=page)

    created = submission is None
    with transaction.atomic():
        if created:
            submission, token = create_submission(
                **page.cleaned_fields(), steps_completed=[1], language=get_language()
            )
            session.bind(submission)
            session.hold_new_token(token)
        else:
            submission = session.submission(for_update=True)
            submission.mark_step_completed(step.number)
            page.save(submission)
            _remember_language(submission)
    session.forget_unsaved(step.number)
    if created:
        return redirect(reverse("intake:saved") + "?next=2")
    result = triage(submission)
    if result.findings and result.findings != findings_before:
        session.flag_urgent()  # the box opens in full on the next page
    if action == "add" or action.startswith("remove-"):
        return redirect(_next_url(request, step, page, action))  # a row: never interrupted
    return _onward(session, submission, result, _next_url(request, step, page, action))


def _onward(session, submission, result: Triage, next_url: str):
    """Go on to `next_url`, unless the answers have emergency signs the patient has not yet
    said a doctor knows about: then stop first (as NHS 111 online does) and go on after."""
    if _unacknowledged_emergency(submission, result):
        session.hold_after_urgent(next_url)
        return redirect("intake:urgent")
    return redirect(next_url)


def _save_for_later(request, session, step, submission, page):
    """ "Save and come back later" on a page with errors: never blocks a tired patient.

    Saves the answers that passed their checks, keeps everything typed (errors and all) to show
    again on return, and leaves the step not done, so the check page still asks for it. On step 1
    this starts the form, even without a name yet, so the patient gets their private link.
    """
    with transaction.atomic():
        if submission is None:
            submission, token = create_submission(
                **page.valid_fields(), steps_completed=[], language=get_language()
            )
            session.bind(submission)
            session.hold_new_token(token)
        else:
            submission = session.submission(for_update=True)
            page.save_valid(submission)
    session.keep_unsaved(step.number, _plain_data(request.POST))
    return _onward(session, submission, triage(submission), _next_url(request, step, page, "later"))


def _next_url(request, step, page, action) -> str:
    """Where the patient goes after saving this step, by the button they pressed."""
    if action.startswith("remove-"):
        return _step_url(step.number)
    if action == "add":
        if len(page.rows()) >= MAX_ROWS:
            messages.warning(request, str(page.formset.too_many) % {"max": MAX_ROWS})
            return _step_url(step.number)
        return _step_url(step.number) + f"?add=1#{page.prefix}-{len(page.rows())}"
    if action == "back":
        return _step_url(step.number - 1) if step.number > 1 else reverse("intake:start")
    if action == "later":
        return reverse("intake:saved") + f"?next={step.number}&leave=1"
    if request.POST.get("return_to") == "check":
        return reverse("intake:check_answers")
    return _step_url(step.number + 1)


# --- The emergency stop page ------------------------------------------------------------------

#: Where the answers that raise an emergency are asked (the weakness and how it came on; the
#: signs the patient has now), linked from the emergency page for an answer ticked by mistake.
URGENT_ANSWER_STEPS = (SYMPTOMS, EFFECTS)


@private_page
@require_http_methods(["GET", "POST"])
def urgent(request):
    """Stop: the answers show signs that need emergency care now (tier 1).

    After NHS 111 online: what we noticed in plain words, the emergency number as a link to call,
    do not drive yourself. The patient may carry on with the form only by saying a doctor already
    knows about these signs; that choice and the signs it covered are recorded for the clinic.
    """
    session = IntakeSession(request)
    submission = session.submission()
    if submission is None:
        return redirect("intake:start")
    if not submission.is_draft:
        return redirect("intake:sent")
    result = triage(submission)
    if not result.emergency:
        return redirect(session.pop_after_urgent() or reverse("intake:continue"))
    form = UrgentCarryOnForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("form_reference", "") != submission.reference:
            return _other_form(request, session, submission)
        if form.is_valid():
            with transaction.atomic():
                locked = session.submission(for_update=True)
                locked.urgent_carry_on_at = timezone.now()
                locked.urgent_carry_on_signs = sorted(
                    {*locked.urgent_carry_on_signs, *(f.code for f in result.emergency)}
                )
                locked.save(
                    update_fields=["urgent_carry_on_at", "urgent_carry_on_signs", "updated_at"]
                )
            logger.info("intake emergency page: patient carried on (a doctor already knows)")
            return redirect(session.pop_after_urgent() or reverse("intake:continue"))
    context = _base_context(
        request,
        session,
        submission,
        form=form,
        errors=form.error_list() if form.is_bound else [],
        findings=result.emergency,
        change_steps=URGENT_ANSWER_STEPS,
    )
    return render(request, "intake/urgent.html", context)


def _remember_language(submission: IntakeSubmission) -> None:
    """Keep the language the patient is using now on the submission, so staff know it."""
    language = get_language()
    if submission.language != language:
        submission.language = language
        IntakeSubmission.objects.filter(pk=submission.pk).update(language=language)


def _form_closed(request, session, step):
    """A step's page sent after its form closed on this device (left idle past the limit, or
    closed with "Save and come back later"): nothing is saved, as this device can no longer open
    the form, but what was typed is kept here and filled in again once its private link is
    opened on this device (`IntakeSession.restore_typed_when_closed`)."""
    session.keep_typed_when_closed(
        request.POST["form_reference"], step.number, _plain_data(request.POST)
    )
    logger.info("intake post after the form closed on this device: input kept for the link")
    context = _base_context(request, session, None, idle_minutes=idle_limit_seconds() // 60)
    return render(request, "intake/form_closed.html", context, status=409)


def _other_form(request, session, submission):
    """A page that was showing a different form (another tab, or a form since closed)."""
    logger.info("intake post refused: page was for another form")
    context = _base_context(request, session, submission)
    return render(request, "intake/other_form.html", context, status=409)


def _plain_data(data: QueryDict) -> dict[str, list[str]]:
    """A page's input as typed, to keep and show again. Without NUL characters: PostgreSQL's
    JSON cannot hold them, and the form refuses them beside the field anyway."""
    return {
        key: [value.replace("\x00", "") for value in values]
        for key, values in data.lists()
        if key != "csrfmiddlewaretoken"
    }


def _querydict(data: dict[str, list[str]]) -> QueryDict:
    result = QueryDict(mutable=True)
    for key, values in data.items():
        result.setlist(key, values)
    return result


# --- Step 10: check and send; the confirmation ----------------------------------------------------


@private_page
@require_http_methods(["GET", "POST"])
def check_answers(request):
    session = IntakeSession(request)
    submission = session.submission()
    if submission is None:
        return redirect("intake:start")
    read_only = not submission.is_draft
    form = SendForm()
    errors = []
    if request.method == "POST":
        if read_only:
            return redirect("intake:sent")
        if request.POST.get("form_reference", "") != submission.reference:
            return _other_form(request, session, submission)
        form = SendForm(request.POST)
        missing = _missing_before_send(submission)
        if form.is_valid() and not missing:
            _send(submission)
            session.forget_unsaved(CHECK_STEP_NUMBER)
            session.allow_sent_view()
            return redirect("intake:sent")
        errors = missing + form.error_list()
    context = _base_context(
        request,
        session,
        submission,
        step=STEPS[CHECK_STEP_NUMBER],
        steps=answers_by_step(submission),
        missing=[] if read_only else _missing_before_send(submission),
        form=form,
        errors=errors,
        read_only=read_only,
        previous_url=_step_url(CHECK_STEP_NUMBER - 1),
        urgent_box_list=True,
    )
    return render(request, "intake/check_answers.html", context)


def _missing_before_send(submission: IntakeSubmission) -> list[tuple[str, str]]:
    """What must be answered before sending: (link target, message) pairs, each link to the
    question on its step's page. Saving for later never asks for these; sending does."""
    missing = [
        (
            reverse("intake:step", args=[answer.step]) + f"?change=1#{answer.field_id}",
            _("Answer “%(question)s” before you send") % {"question": answer.label},
        )
        for answer in missing_answers(submission)
    ]
    if missing:
        return missing
    if phone_needed(submission) and not submission.phone:
        return [
            (
                reverse("intake:step", args=[ABOUT_YOU_STEP]) + "?change=1#id_phone",
                _("Add a phone number, so the clinic can call you about the signs you told us"),
            )
        ]
    return []


def _send(submission: IntakeSubmission) -> None:
    now = timezone.now()
    with transaction.atomic():
        locked = load_submission(submission.pk, for_update=True)
        if locked is None:
            raise IntakeSubmission.DoesNotExist
        if not locked.is_draft:
            return
        locked.status = IntakeSubmission.Status.SENT
        locked.sent_at = now
        locked.consent_given_at = now
        locked.mark_step_completed(CHECK_STEP_NUMBER)
        locked.language = get_language()
        locked.unsaved_input = {}
        locked.save(
            update_fields=[
                "unsaved_input",
                "status",
                "sent_at",
                "consent_given_at",
                "steps_completed",
                "language",
                "updated_at",
            ]
        )
        # Its PDFs, drawn once by the worker, are ready when the patient asks (stored_pdfs.py).
        transaction.on_commit(lambda: draw_sent_pdfs_task.enqueue(locked.pk))
    logger.info("intake submission sent")


@private_page
@require_GET
def sent(request):
    """The confirmation: reference code in a panel, what happens next."""
    session = IntakeSession(request)
    submission = session.submission()
    if submission is None or submission.is_draft:
        return redirect("intake:start")
    context = _base_context(
        request,
        session,
        submission,
        urgent_box_list=True,
        summary_link_days=summary_link_lifetime().days,
    )
    return render(request, "intake/sent.html", context)
