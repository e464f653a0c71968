"""Staff review of sent submissions: the work-queue flags, the status workflow and the history.

`StaffReviewFields` is the part of `IntakeSubmission` that belongs to the clinic rather than the
patient: two flags computed from the answers (so the admin work queue can filter on them in the
database), who reviewed the submission and when, when it was archived, and a staff note.

The queue (`QueueView`, `QUEUE_ORDER`, `queue_counts`, `next_to_review`) is the clinic
morning's list: by default the forms that need review, the most urgent first.

The workflow is sent -> reviewed -> archived (a sent submission may also be archived directly,
for example a duplicate). Who and when are recorded by these functions, never typed by hand.

The audit trail is django-simple-history, for sent submissions only: a draft is the patient's own
working copy, kept at most INTAKE_DRAFT_DAYS, and copying every keystroke-step into history
tables would keep personal data the retention rules mean to remove. Deleting a submission (the
retention command, or a superuser) deletes its history too, for the same reason; the admin's own
log keeps who deleted which reference.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connections, models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .tiers import UrgencyTier

#: The flags refreshed on every save, so a save with `update_fields` keeps them in step too.
REVIEW_FLAG_FIELDS = ("urgency_tier", "sarc_f_total")


def _belongs_to_a_draft(instance) -> bool:
    submission = instance if hasattr(instance, "is_draft") else instance.submission
    return submission.is_draft


def _known_draft(instance) -> bool:
    """`_belongs_to_a_draft` when that takes no query (a submission, or a row whose submission is
    at hand); False when it would (a row deleted with its submission, say)."""
    is_a_row = not hasattr(instance, "is_draft")
    if is_a_row and not instance._meta.get_field("submission").is_cached(instance):
        return False
    return _belongs_to_a_draft(instance)


class SentOnlyHistoricalRecords(HistoricalRecords):
    """simple-history that records changes once the submission has been sent, never before."""

    def post_save(self, instance, created, using=None, **kwargs):
        if _belongs_to_a_draft(instance):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def post_delete(self, instance, using=None, **kwargs):
        # A draft has no history (post_save records none), so there is none to delete with it: a
        # patient replacing their draft's medicines would otherwise cost a query per row.
        if _known_draft(instance):
            return
        super().post_delete(instance, using=using, **kwargs)


def refresh_review_flags(submission) -> None:
    """Recompute `urgency_tier` and `sarc_f_total` from the answers (no database access).

    The rules are the intake's own (intake/triage.py: the three tiers of
    ../shared/reference/urgent-signs.md; intake/rules.py: the SARC-F total of Malmstrom &
    Morley 2013), so the queue orders and flags exactly what the patient was told and the summary
    shows. Run on every save, so the tier follows every answer that feeds it.
    """
    from .rules import sarc_f_score  # rules and triage import the models
    from .triage import triage

    submission.urgency_tier = triage(submission).tier
    try:
        submission.sarc_f_total = sarc_f_score(**submission.sarc_f_answers)
    except ValueError:  # an out-of-range item never passes the form; do not fail a save on it
        submission.sarc_f_total = None


class StaffReviewFields(models.Model):
    """The clinic's fields on a submission (abstract; `IntakeSubmission` inherits them)."""

    urgency_tier = models.PositiveSmallIntegerField(
        _("urgency"),
        choices=UrgencyTier,
        default=UrgencyTier.ROUTINE,
        editable=False,
        db_index=True,
        help_text=_(
            "1: emergency now; 2: contact a doctor today; 3: bring to the appointment "
            "(computed from the answers)."
        ),
    )
    urgent_carry_on_at = models.DateTimeField(
        _("carried on past the emergency page"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the patient said a doctor already knows about the emergency signs."),
    )
    urgent_carry_on_signs = models.JSONField(
        _("emergency signs a doctor already knows about (patient's word)"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("Codes of the tier-1 findings shown on the page where the patient carried on."),
    )
    sarc_f_total = models.PositiveSmallIntegerField(
        _("SARC-F total"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("0 to 10; 4 or more is a positive screen. Empty until all five are answered."),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)
    staff_note = models.TextField(
        _("staff note"),
        max_length=4000,
        blank=True,
        help_text=_("For the clinic team only. The patient never sees it."),
    )
    mrn = models.CharField(
        _("clinic patient number (MRN)"),
        max_length=64,
        blank=True,
        help_text=_(
            "The patient's number in the clinic's own records, once you have matched them. "
            "The FHIR export identifies the patient by it."
        ),
    )

    history = SentOnlyHistoricalRecords(
        inherit=True,
        cascade_delete_history=True,
        excluded_fields=["token_hash", "unsaved_input"],
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        refresh_review_flags(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *REVIEW_FLAG_FIELDS}
        super().save(*args, **kwargs)


# --- The status workflow ------------------------------------------------------------------------


def record_status_change(submission, *, old_status: str, by, now: datetime | None = None) -> None:
    """Stamp who and when on a submission whose status just changed (not saved here).

    Entering "reviewed" records the reviewer and time; entering "archived" records the time (the
    retention command counts an archived submission's age from it).
    """
    now = now or timezone.now()
    status = submission.Status
    if submission.status == old_status:
        return
    if submission.status == status.REVIEWED:
        submission.reviewed_by = by
        submission.reviewed_at = now
    elif submission.status == status.ARCHIVED:
        submission.archived_at = now


def mark_reviewed(submission, *, by, now: datetime | None = None) -> bool:
    """Sent -> reviewed, recording who and when. Returns False, changing nothing, otherwise."""
    if submission.status != submission.Status.SENT:
        return False
    old_status, submission.status = submission.status, submission.Status.REVIEWED
    record_status_change(submission, old_status=old_status, by=by, now=now)
    submission.save()
    return True


def archive(submission, *, by, now: datetime | None = None) -> bool:
    """Sent or reviewed -> archived. Returns False, changing nothing, for drafts and archived."""
    if submission.status not in (submission.Status.SENT, submission.Status.REVIEWED):
        return False
    old_status, submission.status = submission.status, submission.Status.ARCHIVED
    record_status_change(submission, old_status=old_status, by=by, now=now)
    submission.save()
    return True


# --- The work queue -----------------------------------------------------------------------------


class QueueView(models.TextChoices):
    """The queue's saved views. "Needs review" is what staff see first."""

    NEEDS_REVIEW = "needs_review", _("Needs review")
    TODAY = "today", _("Today's appointments")
    TOMORROW = "tomorrow", _("Tomorrow's appointments")
    REVIEWED = "reviewed", _("Reviewed")
    ARCHIVED = "archived", _("Archived")
    ALL = "all", _("All forms")


def queue_view_filter(view: str, *, today: date) -> Q:
    """Which sent forms a queue view holds. Appointment views leave archived forms out."""
    tomorrow = today + timedelta(days=1)
    not_archived = ~Q(status="archived")
    return {
        QueueView.NEEDS_REVIEW: Q(status="sent"),
        QueueView.TODAY: Q(appointment_date=today) & not_archived,
        QueueView.TOMORROW: Q(appointment_date=tomorrow) & not_archived,
        QueueView.REVIEWED: Q(status="reviewed"),
        QueueView.ARCHIVED: Q(status="archived"),
        QueueView.ALL: Q(),
    }[QueueView(view)]


#: The views' counts stop here: past it a view reads "1,000+". Counting further would read every
#: form of the big views (reviewed, archived, all) on every page of the queue.
QUEUE_COUNT_LIMIT = 1000


def queue_counts(queryset, *, today: date, limit: int = QUEUE_COUNT_LIMIT) -> dict[str, int]:
    """How many forms each view holds, in one query: {"needs_review": 4, "today": 2, ...}.

    A count stops at `limit` + 1 (more than `limit`: show "1,000+"), so the query reads at most
    that many index entries per view, whatever the size of the table: each view's count is a
    `SELECT COUNT(*)` over its own forms with a LIMIT, all of them in one statement.
    """
    connection = connections[queryset.db]
    counts, params = [], []
    for view in QueueView:
        capped = queryset.filter(queue_view_filter(view, today=today)).order_by().values("pk")
        sql, view_params = capped[: limit + 1].query.get_compiler(connection=connection).as_sql()
        alias = connection.ops.quote_name(view.value)
        # Django's own SQL for the view, its values bound as parameters below.
        count_sql = "(SELECT COUNT(*) FROM (%s) AS %s)" % (sql, alias)  # nosec B608 # noqa: S608, UP031
        counts.append(count_sql)
        params.extend(view_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(counts), params)
        return dict(zip(QueueView.values, cursor.fetchone(), strict=True))


#: Forms not yet reviewed before reviewed ones, archived last: a key of the queue's order, and
#: a column of its indexes (QUEUE_INDEX_KEYS), which must hold the very same expression.
REVIEW_STATE_RANK = Case(
    When(status="sent", then=Value(0)),
    When(status="reviewed", then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)

#: The queue's order: what cannot wait first. Urgency tier (emergency, today, routine), then forms
#: not yet reviewed before reviewed ones (archived last), then the soonest appointment (none
#: last), then the oldest sent; the primary key keeps equal rows in a stable order.
QUEUE_ORDER = (
    "urgency_tier",
    REVIEW_STATE_RANK.asc(),
    F("appointment_date").asc(nulls_last=True),
    "sent_at",
    "pk",
)

#: QUEUE_ORDER as index keys (IntakeSubmission.Meta.indexes), so PostgreSQL reads a page of the
#: queue in order from the index and stops after it, instead of sorting every form. Ascending
#: keys put nulls last on PostgreSQL, as the order asks for the appointment date. (SQLite puts
#: nulls first and sorts instead: fine at its scale.)
QUEUE_INDEX_KEYS = (
    F("urgency_tier"),
    REVIEW_STATE_RANK,
    F("appointment_date"),
    F("sent_at"),
    F("id"),
)


def next_to_review(queryset, *, after=None):
    """The form to review next: the first of the "needs review" view in queue order, other than
    `after` (the one just reviewed). None when nothing is left."""
    waiting = queryset.filter(status="sent")
    if after is not None:
        waiting = waiting.exclude(pk=after.pk)
    return waiting.order_by(*QUEUE_ORDER).first()


# --- One patient across visits ------------------------------------------------------------------


def same_name(first: str, second: str) -> bool:
    """Whether two typed names are the same person's, whatever the case and spaces."""

    def folded(name: str) -> str:
        return "".join((name or "").split()).casefold()

    return bool(folded(first)) and folded(first) == folded(second)


def same_patient_forms(submission, queryset) -> list:
    """The patient's other sent forms in `queryset`, newest first, in one query.

    A patient has no account: each visit has its own form, so a patient is matched by full name
    (case and spaces ignored) and date of birth. Without either, no other form is theirs.
    """
    if not submission.full_name.strip() or submission.date_of_birth is None:
        return []
    # The date of birth in the database (few rows), the name compared here, where case folding
    # works for every alphabet (SQLite's lower() folds ASCII only).
    candidates = (
        queryset.filter(date_of_birth=submission.date_of_birth)
        .exclude(pk=submission.pk)
        .exclude(status="draft")
        .order_by("-sent_at")
    )
    return [other for other in candidates if same_name(other.full_name, submission.full_name)]
