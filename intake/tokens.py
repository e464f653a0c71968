"""Private resume links and reference codes.

A patient has no account. Their private link carries a random token of 256 bits
(`secrets.token_urlsafe(32)`, OWASP ASVS 2.0 / 3.0: 11.5.1 asks for at least 128 bits); only its
SHA-256 digest is stored, like a password-reset token, so a copy of the database does not open
anyone's form. A wrong token, an expired draft and a removed submission all get the same 404, and
guessing is rate-limited per client address in the shared cache, or in the database while the
cache is down (ASVS 11.1.4, 2.2.1).

The reference code is for people to quote on the phone or at the desk; it is not a secret and
never opens anything by itself.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from atrophy_site.cache_outage import count_in_window, survives_cache_outage

from .models import FailedLinkAttempt, IntakeSubmission, PrivateLink

#: No 0/O, 1/I/L or U/V confusion when read aloud or copied by hand (after Crockford's base 32).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
REFERENCE_LENGTH = 8  # 29^8 is about 5 x 10^11 codes; shown as two groups of four
TOKEN_BYTES = 32
_MAX_TOKEN_LENGTH = 100  # token_urlsafe(32) is 43 characters; refuse silly input before hashing


def new_token() -> str:
    """A fresh private token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest we store in place of the token.

    A fast hash is enough: the token has 256 bits of entropy, so there is nothing to brute-force
    offline (unlike a password).
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_reference() -> str:
    """A random reference code such as "K7QP-3MXD"."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_reference(text: str) -> str:
    """A reference code as typed by a person ("k7qp 3mxd", "K7QP3MXD") in its stored form."""
    chars = "".join(c for c in text.upper() if c.isalnum())
    if len(chars) != REFERENCE_LENGTH:
        return text.strip().upper()
    return f"{chars[:4]}-{chars[4:]}"


def create_submission(**fields) -> tuple[IntakeSubmission, str]:
    """Save a new draft with a unique reference and private token; return it and the raw token.

    The raw token exists only in the return value: show it to the patient once, then forget it.
    """
    for _attempt in range(5):
        token = new_token()
        submission = IntakeSubmission(
            reference=new_reference(), token_hash=hash_token(token), **fields
        )
        try:
            with transaction.atomic():
                submission.save()
        except IntegrityError:  # a reference collision, about once in 10^11: draw again
            continue
        return submission, token
    raise RuntimeError("could not find a free reference code")


def replace_token(submission: IntakeSubmission) -> str:
    """Give a submission a new private token (the old link stops working); return the new one.

    Links sent by email or text (`PrivateLink`) keep working: see replace_all_links.
    """
    token = new_token()
    submission.token_hash = hash_token(token)
    submission.save(update_fields=["token_hash", "updated_at"])
    return token


def replace_all_links(submission: IntakeSubmission) -> str:
    """A new private token, and every older link to this form stops working (staff's "new link")."""
    with transaction.atomic():
        PrivateLink.objects.filter(submission=submission).delete()
        return replace_token(submission)


def add_link(submission: IntakeSubmission, purpose: str) -> str:
    """One more private link to `submission` (for a message); return its token.

    The older links keep working: a patient may open the invitation or the latest reminder.
    """
    for _attempt in range(3):
        token = new_token()
        try:
            with transaction.atomic():
                PrivateLink.objects.create(
                    submission=submission, token_hash=hash_token(token), purpose=purpose
                )
        except IntegrityError:  # pragma: no cover (a 256-bit collision)
            continue
        return token
    raise RuntimeError("could not store a new private link")


def resume_link_for(submission: IntakeSubmission, token: str) -> str:
    """The path of the private link that reopens `submission` (make it absolute for display)."""
    if submission_for_token(token) != submission:
        raise ValueError("this token does not belong to this submission")
    return reverse("intake:resume", kwargs={"token": token})


def submission_for_token(token: str, queryset=None) -> IntakeSubmission | None:
    """The submission whose first link or any further link is `token`, reachable or not."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    queryset = IntakeSubmission.objects.all() if queryset is None else queryset
    digest = hash_token(token)
    return (
        queryset.filter(token_hash=digest).first()
        or queryset.filter(private_links__token_hash=digest).first()
    )


def sent_link_lifetime() -> timedelta:
    """How long after sending the patient's link still shows their answers (read-only).

    The same lifetime as the visit summary's (INTAKE_SUMMARY_DAYS, default 30, see
    intake.summary.summary_link_lifetime), so the link and the summary expire together.
    """
    return timedelta(days=getattr(settings, "INTAKE_SUMMARY_DAYS", 30))


def is_reachable(submission: IntakeSubmission, now=None) -> bool:
    """Whether the patient may still open this submission with their link."""
    now = now or timezone.now()
    if submission.is_draft:
        return not submission.is_expired(now)
    if submission.status == IntakeSubmission.Status.ARCHIVED or submission.sent_at is None:
        return False
    return now < submission.sent_at + sent_link_lifetime()


def find_by_token(token: str) -> IntakeSubmission:
    """The submission a private token opens, or Http404, the same for every kind of failure."""
    submission = submission_for_token(token)
    if submission is None or not is_reachable(submission):
        raise Http404
    return submission


# --- Rate limit on opening links ----------------------------------------------------------------


def _attempts_key(client: str) -> str:
    return "intake:resume-failures:" + _client_hash(client)[:32]


def _client_hash(client: str) -> str:
    return hashlib.sha256(client.encode()).hexdigest()


def _limit() -> int:
    return getattr(settings, "INTAKE_RESUME_MAX_FAILURES", 20)


def _window() -> int:
    return getattr(settings, "INTAKE_RESUME_WINDOW_SECONDS", 15 * 60)


def _window_start(now=None):
    """The start of the fixed window `now` falls in (the database count's windows)."""
    now = now or timezone.now()
    seconds = int(now.timestamp())
    return datetime.fromtimestamp(seconds - seconds % _window(), tz=UTC)


def _blocked_in_database(client: str) -> bool:
    count = (
        FailedLinkAttempt.objects.filter(
            client_hash=_client_hash(client), window_start=_window_start()
        )
        .values_list("count", flat=True)
        .first()
    )
    return (count or 0) >= _limit()


def _record_in_database(client: str) -> None:
    window_start = _window_start()
    attempt, created = FailedLinkAttempt.objects.get_or_create(
        client_hash=_client_hash(client), window_start=window_start, defaults={"count": 1}
    )
    if not created:
        FailedLinkAttempt.objects.filter(pk=attempt.pk).update(count=F("count") + 1)
    # Windows that are over count for nothing: keep the table small.
    FailedLinkAttempt.objects.filter(window_start__lt=window_start).delete()


# With the cache down the count moves to the database (slower, still shared by every worker and
# server), never "everyone in": a page per failed attempt costs a few queries, not a 500.
@survives_cache_outage(fallback=_blocked_in_database)
def resume_is_blocked(client: str) -> bool:
    """True when this client has made too many failed link attempts recently."""
    return (cache.get(_attempts_key(client)) or 0) >= _limit()


@survives_cache_outage(fallback=_record_in_database)
def record_failed_resume(client: str) -> None:
    """Count one failed link attempt for this client, in a window of fixed length."""
    count_in_window(_attempts_key(client), _window())
