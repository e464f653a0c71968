"""Which submission this browser is working on, kept in the server-side session.

The session (database-backed, see settings) holds only ids and flags, never answers, except the
raw input of a step the patient left with Back before fixing its errors (so nothing typed is
lost), and a freshly issued private token until the page that shows it once has been displayed.

One browser works on one submission at a time. Opening a private link binds that submission,
"Start a new form" unbinds it (after the patient confirms), and sending it turns the binding
into a read-only view that lapses after `SENT_VIEW_LIFETIME`, so the next person at a shared
computer does not find the previous patient's answers. Every form also carries the reference of
the submission it was shown for; a page left open in another tab that was showing a different
form is refused instead of saving into the wrong one (see views.step).
"""

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from atrophy_site.prepared import PreparedGet

from .models import IntakeSubmission
from .tokens import is_reachable

SENT_VIEW_LIFETIME = timedelta(hours=1)

#: The bound form, read on every page of the form: its 76 columns' SELECT compiled once.
load_submission = PreparedGet(IntakeSubmission)

#: Write "last seen" at most this often, so each page does not save the session.
LAST_SEEN_RESOLUTION_SECONDS = 60

_ID = "intake_submission_id"
_SENT_VIEW_UNTIL = "intake_sent_view_until"
_NEW_TOKEN = "intake_new_token"  # nosec B105 # noqa: S105 (a session key, not a secret)
_UNSAVED = "intake_unsaved"
_URGENT = "intake_show_urgent"
_AFTER_URGENT = "intake_after_urgent"
_LAST_SEEN = "intake_last_seen"
_TYPED_WHEN_CLOSED = "intake_typed_when_closed"


def idle_limit_seconds() -> int:
    """A patient's form closes on a device left this long without a page (INTAKE_IDLE_MINUTES)."""
    return getattr(settings, "INTAKE_IDLE_MINUTES", 30) * 60


class IntakeSession:
    def __init__(self, request):
        self.request = request
        self.session = request.session
        self._cached: IntakeSubmission | None = None

    def bind(self, submission: IntakeSubmission) -> None:
        """Make `submission` this browser's form, in a fresh session key (no fixation)."""
        self.unbind()
        self.session.cycle_key()
        self.session[_ID] = submission.pk
        self.session[_LAST_SEEN] = time.time()
        if not submission.is_draft:
            self.allow_sent_view()
        self._cached = submission

    def unbind(self) -> None:
        for key in (
            _ID,
            _SENT_VIEW_UNTIL,
            _NEW_TOKEN,
            _UNSAVED,
            _URGENT,
            _AFTER_URGENT,
            _LAST_SEEN,
        ):
            self.session.pop(key, None)
        self._cached = None

    def end(self) -> None:
        """Close the form on this device: the session is deleted, the next person starts afresh.

        For "Save and come back later", a device left idle, and "Close the form on this device".
        """
        self.unbind()
        self.session.flush()

    def _idle_too_long(self) -> bool:
        """True (and the session ended) when this device has been idle past the limit; else
        note that it is in use now."""
        now = time.time()
        last_seen = self.session.get(_LAST_SEEN)
        if last_seen is not None and now - last_seen >= idle_limit_seconds():
            self.end()
            return True
        if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
            self.session[_LAST_SEEN] = now
        return False

    def allow_sent_view(self) -> None:
        until = timezone.now() + SENT_VIEW_LIFETIME
        self.session[_SENT_VIEW_UNTIL] = until.isoformat()

    def submission(self, *, for_update: bool = False) -> IntakeSubmission | None:
        """The bound submission, or None (and unbound) when it has gone, expired or lapsed."""
        if self._cached is not None and not for_update:
            return self._cached
        pk = self.session.get(_ID)
        if pk is None:
            return None
        if self._idle_too_long():
            return None
        submission = load_submission(pk, for_update=for_update)
        if submission is None or not is_reachable(submission) or self._sent_view_lapsed(submission):
            self.unbind()
            return None
        self._cached = submission
        return submission

    def _sent_view_lapsed(self, submission: IntakeSubmission) -> bool:
        if submission.is_draft:
            return False
        until = self.session.get(_SENT_VIEW_UNTIL)
        return until is None or timezone.now() >= datetime.fromisoformat(until)

    # A freshly issued token, shown once on the "save this link" page and then forgotten.
    def hold_new_token(self, token: str) -> None:
        self.session[_NEW_TOKEN] = token

    def pop_new_token(self) -> str | None:
        return self.session.pop(_NEW_TOKEN, None)

    # A page sent after its form had closed on this device (left idle past the limit, say): what
    # was typed is kept in this browser's session, not on the form (this device can no longer
    # open it), and put back on that step once the form's private link is opened here again.
    def keep_typed_when_closed(self, reference: str, step: int, data: dict) -> None:
        self.session[_TYPED_WHEN_CLOSED] = {"reference": reference, "step": step, "data": data}

    def restore_typed_when_closed(self, submission: IntakeSubmission) -> int | None:
        """After `submission`'s private link opened here: the input kept by
        `keep_typed_when_closed` becomes its step's unsaved input (shown as typed, to check and
        save) when it was typed for this very form, a draft still; returns that step's number.
        Input kept for another form is dropped."""
        kept = self.session.pop(_TYPED_WHEN_CLOSED, None)
        if not kept or kept.get("reference") != submission.reference or not submission.is_draft:
            return None
        self.keep_unsaved(kept["step"], kept["data"])
        return kept["step"]

    # Input of a step left with Back or "Save and come back later" while it had errors: shown
    # again, with its errors, on return. Kept on the submission (so it survives the private link,
    # on this device or another); in the session only before there is a submission.
    def keep_unsaved(self, step: int, data: dict[str, list[str]]) -> None:
        submission = self.submission()
        if submission is None:
            unsaved = self.session.get(_UNSAVED, {})
            unsaved[str(step)] = data
            self.session[_UNSAVED] = unsaved
            return
        unsaved = {**(submission.unsaved_input or {}), str(step): data}
        self._store_unsaved(submission, unsaved)

    def unsaved(self, step: int) -> dict[str, list[str]] | None:
        submission = self.submission()
        if submission is not None and str(step) in (submission.unsaved_input or {}):
            return submission.unsaved_input[str(step)]
        return self.session.get(_UNSAVED, {}).get(str(step))

    def forget_unsaved(self, step: int) -> None:
        unsaved = self.session.get(_UNSAVED, {})
        if unsaved.pop(str(step), None) is not None:
            self.session[_UNSAVED] = unsaved
        submission = self.submission()
        if submission is not None and str(step) in (submission.unsaved_input or {}):
            kept = {
                key: value for key, value in submission.unsaved_input.items() if key != str(step)
            }
            self._store_unsaved(submission, kept)

    @staticmethod
    def _store_unsaved(submission: IntakeSubmission, unsaved: dict) -> None:
        submission.unsaved_input = unsaved
        IntakeSubmission.objects.filter(pk=submission.pk).update(
            unsaved_input=unsaved, updated_at=timezone.now()
        )

    # The urgent-signs box opens the next page after the answers that set it off.
    def flag_urgent(self) -> None:
        self.session[_URGENT] = True

    def pop_urgent(self) -> bool:
        return bool(self.session.pop(_URGENT, False))

    # Where the patient was going when the emergency stop page interrupted them.
    def hold_after_urgent(self, url: str) -> None:
        self.session[_AFTER_URGENT] = url

    def pop_after_urgent(self) -> str | None:
        url = self.session.pop(_AFTER_URGENT, None)
        # Only our own paths: never a redirect to somewhere else.
        return (
            url
            if isinstance(url, str) and url.startswith("/") and not url.startswith("//")
            else None
        )
