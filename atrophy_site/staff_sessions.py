"""Staff sessions end after inactivity and after an absolute limit.

A staff session can show any patient's answers, so a laptop left open must not stay signed in:
OWASP ASVS 4.0 3.3.2 (at L2: re-authenticate after 12 hours or 30 minutes of inactivity), 3.3.1
(logout and expiry invalidate the session) and HIPAA 45 CFR 164.312(a)(2)(iii) (automatic logoff).
After `STAFF_SESSION_IDLE_MINUTES` without a request, or
`STAFF_SESSION_MAX_HOURS` after signing in, the next request signs the person out (the session is
flushed from the database) and carries on as an anonymous request, so the admin asks them to sign
in again. Patients have no accounts and their sessions are never touched here.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

#: Session keys (epoch seconds) kept for signed-in staff only.
SIGNED_IN_AT = "staff_signed_in_at"
LAST_SEEN_AT = "staff_last_seen_at"

#: Write "last seen" at most this often, so browsing the admin does not save the session on
#: every request; the idle limit is therefore exact to within a minute.
LAST_SEEN_RESOLUTION_SECONDS = 60


def staff_session_expiry_reason(session, now: float) -> str | None:
    """Why a staff session has expired at `now` ("idle" or "max_age"), or None if it has not.

    A session without timestamps (just signed in) has not expired.
    """
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen_at = session.get(LAST_SEEN_AT, signed_in_at)
    if signed_in_at is None:
        return None
    if now - signed_in_at >= settings.STAFF_SESSION_MAX_HOURS * 3600:
        return "max_age"
    if now - last_seen_at >= settings.STAFF_SESSION_IDLE_MINUTES * 60:
        return "idle"
    return None


def _is_staff(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


class StaffSessionTimeoutMiddleware:
    """Sign staff out after inactivity or an absolute time; leave everyone else alone.

    Goes after AuthenticationMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = time.time()
        if _is_staff(request):
            reason = staff_session_expiry_reason(request.session, now)
            if reason is not None:
                logout(request)  # flushes the session and its cookie's data
                if reason == "idle":
                    message = _("You were signed out after %(minutes)d minutes without activity.")
                    message %= {"minutes": settings.STAFF_SESSION_IDLE_MINUTES}
                else:
                    message = _("You were signed out because you signed in %(hours)d hours ago.")
                    message %= {"hours": settings.STAFF_SESSION_MAX_HOURS}
                messages.info(request, message)
            else:
                self._touch(request.session, now)

        response = self.get_response(request)

        # Signing in happens inside the view: start the clocks on the login response itself.
        if _is_staff(request) and SIGNED_IN_AT not in request.session:
            request.session[SIGNED_IN_AT] = now
            request.session[LAST_SEEN_AT] = now
        return response

    @staticmethod
    def _touch(session, now: float) -> None:
        if SIGNED_IN_AT not in session:
            return
        if now - session.get(LAST_SEEN_AT, 0) >= LAST_SEEN_RESOLUTION_SECONDS:
            session[LAST_SEEN_AT] = now
