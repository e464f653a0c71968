"""The clinic's work queue: sent visit preparation forms in the Django admin.

Least privilege (see migration 0003 and README "Staff accounts"): the "Clinic staff" group can
view submissions and their rows and change a submission's status and staff note, nothing more.
What the patient wrote is read-only for everyone, superusers included; no one adds submissions
here, and only superusers delete them. Drafts never appear: the patient has not sent them.

The change list reads only columns of the submission itself (the urgency tier and SARC-F total
are stored on it, see intake/staff_review.py), so it costs the same few queries whatever the
page size.

The queue opens on the forms that need review, what cannot wait first (the order and the saved
views: intake/staff_review.py). A form is marked reviewed with one click, in its row or on its
page, which then opens the next form to review. Everything staff see of a patient's data here
(the queue, a form, an export) is written to the staff access log (intake/audit.py).
"""

import datetime
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from . import staff_review
from .answers import folded, reading, staff_label, superseded
from .audit import Action, record_access, record_export, record_listing
from .export import csv_lines
from .export_jobs import at_once_limit, start_export
from .fhir.admin import FhirExportAdminMixin
from .models import (
    Export,
    Injury,
    IntakeSubmission,
    Medicine,
    StaffAccess,
    TestDone,
    UrgencyTier,
)
from .questions import INJURIES, MEDICINES, STEPS, TESTS
from .rules import SARC_F_POSITIVE_FROM
from .staff_review import (
    QUEUE_COUNT_LIMIT,
    QUEUE_ORDER,
    QueueView,
    next_to_review,
    queue_counts,
    same_patient_forms,
)
from .summary import carry_on_wording
from .tokens import REFERENCE_LENGTH, normalise_reference, replace_all_links
from .triage import triage

#: Typed dates of birth are read in the clinic's own formats first, then these common ones.
EXTRA_DATE_FORMATS = ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d %m %Y", "%Y%m%d")


def parse_typed_date(text: str) -> set[datetime.date]:
    """Every date a typed search term could mean ("14/03/1950", "1950-03-14", "3/14/1950").

    A term like 03/04/1950 is ambiguous (3 April or 4 March); both are returned, and the name
    in the results tells staff which patient they meant. Returns an empty set for non-dates.
    """
    text = text.strip()
    dates = set()
    for fmt in (*formats.get_format("DATE_INPUT_FORMATS"), *EXTRA_DATE_FORMATS):
        try:
            dates.add(datetime.datetime.strptime(text, fmt).date())
        except ValueError:
            continue
    return dates


def search_condition(term: str) -> Q | None:
    """What a search term finds, each kind of term by its own index, so a search costs the same
    with 1,000 forms or 100,000 (issue 18; the indexes: IntakeSubmission.Meta.indexes).

    - A date ("14/03/1950", "1950-03-14"): that date of birth, exactly (every date it can mean).
    - A reference code typed with or without the dash, in any case ("k7qp3mxd", "K7QP 3MXD"):
      that form, by the unique index; and names containing it, as an eight-letter name can look
      like a code.
    - One word with a digit in it ("H123456"): also the forms staff gave that clinic patient
      number (MRN), exactly, by its own index.
    - Anything else: names containing every word typed, in any case. On PostgreSQL the trigram
      index intake_full_name_trgm (migration 0018_queue_indexes) serves Django's icontains; on
      SQLite it is a plain LIKE.

    None for an empty term.
    """
    term = term.strip()
    if not term:
        return None
    dates = parse_typed_date(term)
    if dates:
        return Q(date_of_birth__in=dates)
    names = Q()
    for word in term.split():
        names &= Q(full_name__icontains=word)
    if " " not in term and any(c.isdigit() for c in term):
        names |= Q(mrn=term)
    code_characters = "".join(c for c in term if c.isalnum())
    if len(code_characters) == REFERENCE_LENGTH:
        return Q(reference=normalise_reference(code_characters)) | names
    return names


def count_label(count: int, limit: int = QUEUE_COUNT_LIMIT) -> str:
    """A view's count as shown: "12", or "1,000+" past the limit queue_counts stops at."""
    if count > limit:
        return formats.number_format(limit, force_grouping=True) + "+"
    return str(count)


class QueueViewFilter(admin.SimpleListFilter):
    """The queue's saved views with their counts; "Needs review" unless another is chosen.

    A search with no view chosen looks through all forms, so a returning patient's earlier forms
    are found whatever their status.
    """

    title = _("queue view")
    parameter_name = "view"

    def __init__(self, request, params, model, model_admin):
        self.searching = bool(request.GET.get("q", "").strip())
        self.counts = queue_counts(model_admin.get_queryset(request), today=timezone.localdate())
        super().__init__(request, params, model, model_admin)

    def value(self):
        chosen = super().value()
        if chosen in QueueView.values:
            return chosen
        return QueueView.ALL if self.searching else QueueView.NEEDS_REVIEW

    def has_output(self):
        return True

    def lookups(self, request, model_admin):
        return [
            (view.value, f"{view.label} ({count_label(self.counts[view.value])})")
            for view in QueueView
        ]

    def choices(self, changelist):
        # No Django "All" line: "All forms" is one of the views, and no choice is "the default".
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        view = self.value()
        return queryset.filter(staff_review.queue_view_filter(view, today=timezone.localdate()))


class SarcFFilter(admin.SimpleListFilter):
    """SARC-F positive (4 or more of 10, Malmstrom & Morley 2013), negative or not answered."""

    title = _("SARC-F screen")
    parameter_name = "sarc_f"

    def lookups(self, request, model_admin):
        return [
            ("positive", _("Positive (%(n)d or more)") % {"n": SARC_F_POSITIVE_FROM}),
            ("negative", _("Negative (under %(n)d)") % {"n": SARC_F_POSITIVE_FROM}),
            ("unanswered", _("Not fully answered")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "positive":
            return queryset.filter(sarc_f_total__gte=SARC_F_POSITIVE_FROM)
        if self.value() == "negative":
            return queryset.filter(sarc_f_total__lt=SARC_F_POSITIVE_FROM)
        if self.value() == "unanswered":
            return queryset.filter(sarc_f_total__isnull=True)
        return queryset


class _ReadOnlyRows:
    """What the patient listed: shown, never added, changed or deleted here.

    A subclass names its `step`; its columns are that step's row questions, read through the
    question definition (intake/questions.py)."""

    extra = 0
    can_delete = False
    show_change_link = False
    step = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.step is None:
            return
        rows = cls.step.rows
        cls.fields = tuple(f"answer_{question.slug}" for question in rows.questions)
        for question in rows.questions:
            display = _row_answer_display(question, rows.model)
            setattr(cls, display.__name__, staticmethod(display))

    def get_readonly_fields(self, request, obj=None):
        return [field for field in self.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _row_answer_display(question, model):
    """A read-only column of a row, read as on the summary ("March 2025", not "1 March 2025")."""

    def display(obj):
        value = reading(question, obj)
        return value or "–"

    display.short_description = lazy(staff_label, str)(question, model)
    display.__name__ = f"answer_{question.slug}"
    return display


class MedicineInline(_ReadOnlyRows, admin.TabularInline):
    model = Medicine
    step = MEDICINES


class InjuryInline(_ReadOnlyRows, admin.StackedInline):
    """Stacked: five fields with the patient's own sentences are too wide for a phone's table."""

    model = Injury
    step = INJURIES


class TestDoneInline(_ReadOnlyRows, admin.TabularInline):
    model = TestDone
    step = TESTS


def _answer_display(step, question):
    """A read-only admin line for one question, its follow-ups folded in, read as on the
    summary (labels, not codes; SARC-F answers with their words and scores)."""

    def display(obj):
        value = folded(step, question, obj)
        if isinstance(value, list):
            return "; ".join(value) or "–"
        return value or "–"

    display.short_description = lazy(staff_label, str)(question)
    display.__name__ = f"answer_{question.slug}"
    return display


#: One read-only display per question that is not a follow-up, by name ("answer_onset").
ANSWER_DISPLAYS = {
    f"answer_{question.slug}": _answer_display(step, question)
    for step in STEPS.values()
    for question in step.questions
    if not question.parent
}


#: The step and question behind each read-only display.
ANSWER_QUESTIONS = {
    f"answer_{question.slug}": (step, question)
    for step in STEPS.values()
    for question in step.questions
    if not question.parent
}


def without_superseded(fieldsets, obj) -> list[tuple]:
    """`fieldsets` less the answers another line says on this form (answers.superseded): the
    full name beside its parts on a newer form, the empty parts on an older one."""
    kept = []
    for title, options in fieldsets:
        fields = tuple(
            name
            for name in options["fields"]
            if name not in ANSWER_QUESTIONS or not superseded(*ANSWER_QUESTIONS[name], obj)
        )
        kept.append((title, {**options, "fields": fields}))
    return kept


def answer_fieldsets(steps=None) -> list[tuple]:
    """A fieldset per step of the form that is not rows (those are inlines), from the
    definition: every question, asked today or by older forms, follow-ups on their line."""
    steps = STEPS if steps is None else steps
    return [
        (
            step.summary_title or step.title,
            {
                "fields": tuple(
                    f"answer_{question.slug}" for question in step.questions if not question.parent
                )
            },
        )
        for step in steps.values()
        if step.questions
    ]


#: What the list of a patient's other forms reads of each.
OTHER_FORM_FIELDS = ("pk", "reference", "full_name", "sent_at", "status")

#: The fields staff may change; everything else on the page is read-only.
STAFF_EDITABLE_FIELDS = ("status", "staff_note", "mrn")


def _labelled(label, value):
    """A list cell with its column's name before it, shown only where the table is stacked.

    On a phone the queue's rows become cards (static/css/staff_admin.css) and lose their column
    headings, so each value carries its own label, hidden on wider screens.
    """
    return format_html('<span class="queue-label">{}:</span> {}', label, value)


def _day(value) -> str:
    """A date in the active locale's one format ("14 March 1950"), as on every staff page:
    unambiguous in any country, unlike 03/04/1950."""
    return formats.date_format(value) if value else "–"


def _moment(value) -> str:
    """A time in the active locale's one format ("30 November 2026, 09:00"), local time."""
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else "–"


@admin.register(IntakeSubmission)
class IntakeSubmissionAdmin(FhirExportAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "urgency_column",
        "patient_column",
        "appointment_column",
        "sarc_f_column",
        "status_column",
    )
    list_display_links = None  # the patient column holds the link to the form
    list_filter = (
        QueueViewFilter,
        "urgency_tier",
        ("appointment_date", admin.DateFieldListFilter),
        SarcFFilter,
        "language",
    )
    search_fields = ("full_name", "reference")  # and date of birth: see get_search_results
    search_help_text = _(
        "Search by name, reference code (K7QP-3MXD), date of birth (1950-03-14 or 14/03/1950) or "
        "clinic patient number. "
        "A search looks through all forms, reviewed and archived too."
    )
    date_hierarchy = "appointment_date"
    ordering = QUEUE_ORDER  # intake/staff_review.py: what cannot wait first
    list_per_page = 50
    show_full_result_count = False  # one COUNT fewer per page
    # No "Show counts" beside the filters: each would count its choice over every form kept.
    show_facets = admin.ShowFacets.NEVER
    actions = ("mark_reviewed", "archive", "export_csv", "download_fhir")
    inlines = (MedicineInline, InjuryInline, TestDoneInline)
    history_list_display = ("status", "staff_note")
    save_on_top = True

    fieldsets = (
        (
            _("Review"),
            {
                "fields": (
                    "summary_link",
                    "other_forms",
                    "urgency_tier",
                    "urgent_signs_list",
                    "carry_on_text",
                    "phone_link",
                    "sarc_f_total",
                    "examination_findings",  # intake/examination_admin.py
                    "status",
                    "staff_note",
                    "mrn",
                    ("reviewed_by_name", "reviewed_at"),
                    "archived_at",
                )
            },
        ),
        (
            _("About the form"),
            {"fields": ("reference", "language", ("created_at", "sent_at", "consent_given_at"))},
        ),
        *answer_fieldsets(),
    )

    # --- What is shown and who may do what ------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).sent()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is None else without_superseded(fieldsets, obj)

    def get_readonly_fields(self, request, obj=None):
        shown = [
            field
            for fieldset in self.fieldsets
            for line in fieldset[1]["fields"]
            for field in (line if isinstance(line, tuple) else (line,))
        ]
        return [field for field in shown if field not in STAFF_EDITABLE_FIELDS]

    def has_add_permission(self, request):
        return False  # submissions come from patients

    def has_export_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.export_{opts.model_name}")

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            status = IntakeSubmission.Status
            kwargs["choices"] = [
                (s.value, s.label) for s in (status.SENT, status.REVIEWED, status.ARCHIVED)
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        old_status = form.initial.get("status", obj.status)
        staff_review.record_status_change(obj, old_status=old_status, by=request.user)
        super().save_model(request, obj, form, change)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:  # for "Examination findings" (intake/examination_admin.py)
            obj.may_record_examination = request.user.has_perm("intake.add_examination")
        return obj

    # --- The queue's one-click review, the next form, and the access log -------------------------

    def get_list_display(self, request):
        """With the permission to change forms, the status cell of a form that needs review
        holds its "Mark reviewed" button."""
        if not self.has_change_permission(request):
            return self.list_display
        preserved = request.GET.urlencode()

        def status_column(obj):
            badge = self._status_badge(obj)
            if obj.status != IntakeSubmission.Status.SENT:
                return _labelled(_("Status"), badge)
            return _labelled(
                _("Status"),
                format_html(
                    '{}<button type="submit" class="button queue-review-button" formaction="{}" '
                    'formmethod="post" name="from" value="queue">{}'
                    '<span class="visually-hidden"> {}</span></button>',
                    badge,
                    self._review_url(obj, preserved),
                    _("Mark reviewed"),
                    obj.reference,
                ),
            )

        status_column.short_description = _("Status")
        status_column.admin_order_field = "sent_at"
        return tuple(
            status_column if name == "status_column" else name for name in self.list_display
        )

    def _review_url(self, obj, preserved_filters: str = "") -> str:
        url = reverse("admin:intake_intakesubmission_review", args=[obj.pk])
        if preserved_filters:
            url += "?" + urlencode({"_changelist_filters": preserved_filters})
        return url

    def get_urls(self):
        # Before the admin's own patterns: "<object_id>/" would otherwise catch ".../review/".
        review = path(
            "<path:object_id>/review/",
            self.admin_site.admin_view(require_POST(self.review_view)),
            name="intake_intakesubmission_review",
        )
        new_link = path(
            "<path:object_id>/new-link/",
            self.admin_site.admin_view(require_POST(self.new_link_view)),
            name="intake_intakesubmission_new_link",
        )
        return [review, new_link, *super().get_urls()]

    def new_link_view(self, request, object_id):
        """A new private link for a patient who lost theirs: every older link stops working.

        Shown once, to read out or copy to the patient, and written to the access log.
        """
        if not self.has_change_permission(request):
            raise PermissionDenied
        submission = get_object_or_404(self.get_queryset(request), pk=object_id)
        token = replace_all_links(submission)
        record_access(user=request.user, action=Action.NEW_LINK, submission=submission)
        link = request.build_absolute_uri(reverse("intake:resume", kwargs={"token": token}))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("A new private link"),
            "submission": submission,
            "link": link,
            "change_url": self._change_url(submission),
        }
        return TemplateResponse(request, "admin/intake/intakesubmission/new_link.html", context)

    def review_view(self, request, object_id):
        """One click: mark the form reviewed (who and when), keeping a staff note typed beside
        it; then back to the queue (from a row) or on to the next form to review (from a form)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        submission = get_object_or_404(self.get_queryset(request), pk=object_id)
        preserved = request.GET.get("_changelist_filters", "")
        note = request.POST.get("staff_note")
        note_limit = IntakeSubmission._meta.get_field("staff_note").max_length
        if note is not None and len(note) > note_limit:
            self.message_user(
                request,
                _("The staff note is too long (at most %(limit)d characters); nothing was saved.")
                % {"limit": note_limit},
                messages.ERROR,
            )
            return HttpResponseRedirect(self._preserving(self._change_url(submission), preserved))
        note_changed = note is not None and note != submission.staff_note
        if note_changed:
            submission.staff_note = note
        if staff_review.mark_reviewed(submission, by=request.user):
            self.message_user(
                request,
                _("%(reference)s (%(name)s) marked reviewed.")
                % {"reference": submission.reference, "name": submission.full_name},
                messages.SUCCESS,
            )
        else:
            if note_changed:
                submission.save(update_fields=["staff_note"])
            self.message_user(
                request,
                _("%(reference)s was already %(status)s; it was left as it was.")
                % {"reference": submission.reference, "status": submission.get_status_display()},
                messages.WARNING,
            )
        queue_url = reverse("admin:intake_intakesubmission_changelist")
        if preserved:
            queue_url += "?" + preserved
        if request.POST.get("from") == "queue":
            return HttpResponseRedirect(queue_url)
        following = next_to_review(self.get_queryset(request), after=submission)
        if following is None:
            self.message_user(request, _("No more forms need review."), messages.INFO)
            return HttpResponseRedirect(queue_url)
        return HttpResponseRedirect(self._preserving(self._change_url(following), preserved))

    @staticmethod
    def _preserving(url: str, preserved_filters: str) -> str:
        return add_preserved_filters(
            {
                "preserved_filters": urlencode({"_changelist_filters": preserved_filters})
                if preserved_filters
                else ""
            },
            url,
        )

    def changelist_view(self, request, extra_context=None):
        if request.user.has_perm("intake.view_invitation"):
            from .invitation_admin import InvitationAdmin

            # Invitations not sent back yet, by status, above the queue (one query).
            extra_context = {
                **(extra_context or {}),
                "status_counts": InvitationAdmin.status_summary(),
            }
        response = super().changelist_view(request, extra_context)
        record_listing(
            request, response, action=Action.QUEUE, reference_of=lambda form: form.reference
        )
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """A form opened (not a save with errors): logged, with its review button and the next
        form to review. Here rather than in change_view, which would fetch the form twice."""
        if obj is not None and request.method == "GET":
            record_access(user=request.user, action=Action.FORM, submission=obj)
            preserved = request.GET.get("_changelist_filters", "")
            if self.has_change_permission(request, obj):
                if obj.status == IntakeSubmission.Status.SENT:
                    context["mark_reviewed_url"] = self._review_url(obj, preserved)
                context["new_link_url"] = reverse(
                    "admin:intake_intakesubmission_new_link", args=[obj.pk]
                )
                following = next_to_review(self.get_queryset(request), after=obj)
                if following is not None:
                    context["next_review_url"] = self._preserving(
                        self._change_url(following), preserved
                    )
        return super().render_change_form(request, context, add, change, form_url, obj)

    class Media:
        css = {"all": ("css/staff_admin.css",)}

    # --- Columns and read-only displays ---------------------------------------------------------

    @admin.display(description=_("Patient"), ordering=Lower("full_name"))
    def patient_column(self, obj):
        """The name (the link to the form), date of birth and reference code, in one cell."""
        return format_html(
            '<a class="queue-name" href="{}">{}</a>'
            '<span class="queue-detail">{} {}</span>'
            '<span class="queue-detail queue-reference">{}</span>',
            self._change_url(obj),
            obj.full_name or _("(no name given)"),
            _("born"),
            _day(obj.date_of_birth),
            obj.reference,
        )

    @admin.display(description=_("Appointment"), ordering="appointment_date")
    def appointment_column(self, obj):
        return _labelled(_("Appointment"), _day(obj.appointment_date))

    @admin.display(description=_("Status"), ordering="sent_at")
    def status_column(self, obj):
        return _labelled(_("Status"), self._status_badge(obj))

    def _status_badge(self, obj):
        """The status and since when: "Sent 30 November 2026, 09:00" (reviewed, archived alike)."""
        since = {
            IntakeSubmission.Status.REVIEWED: obj.reviewed_at,
            IntakeSubmission.Status.ARCHIVED: obj.archived_at,
        }.get(obj.status, obj.sent_at)
        return format_html(
            '<span class="queue-status queue-status--{}">{}</span> '
            '<span class="queue-when">{}</span>',
            obj.status,
            obj.get_status_display(),
            _moment(since),
        )

    @admin.display(description=_("Urgency"), ordering="urgency_tier")
    def urgency_column(self, obj):
        """The tier as a coloured, worded badge (never colour alone) with the reasons under it."""
        badge = format_html(
            '<span class="queue-tier queue-tier--{}">{}</span>',
            obj.urgency_tier,
            obj.get_urgency_tier_display(),
        )
        findings = triage(obj).findings
        if obj.urgency_tier == UrgencyTier.ROUTINE or not findings:
            return _labelled(_("Urgency"), badge)
        return _labelled(
            _("Urgency"),
            format_html(
                '{}<ul class="queue-reasons">{}</ul>',
                badge,
                format_html_join("", "<li>{}</li>", ((f.clinician,) for f in findings)),
            ),
        )

    @admin.display(description=_("SARC-F"), ordering="sarc_f_total")
    def sarc_f_column(self, obj):
        if obj.sarc_f_total is None:
            return _labelled(_("SARC-F"), _("not answered"))
        if obj.sarc_f_total >= SARC_F_POSITIVE_FROM:
            return _labelled(
                _("SARC-F"),
                format_html(
                    '<strong class="queue-flag queue-flag--sarc-f">{}/10 {}</strong>',
                    obj.sarc_f_total,
                    _("positive"),
                ),
            )
        return _labelled(_("SARC-F"), f"{obj.sarc_f_total}/10")

    @admin.display(description=_("Other forms from this patient"))
    def other_forms(self, obj):
        """The patient's other sent forms (same name and date of birth), newest first: a
        returning patient's history one click away."""
        others = same_patient_forms(obj, self.model.objects.only(*OTHER_FORM_FIELDS))
        if not others:
            return _("None")
        return format_html(
            '<ul class="other-forms">{}</ul>',
            format_html_join(
                "",
                '<li><a href="{}">{}</a> · {} {} · {}</li>',
                (
                    (
                        self._change_url(other),
                        other.reference,
                        _("sent"),
                        _day(other.sent_at and timezone.localdate(other.sent_at)),
                        other.get_status_display(),
                    )
                    for other in others
                ),
            ),
        )

    def _change_url(self, obj):
        return reverse("admin:intake_intakesubmission_change", args=[obj.pk])

    @admin.display(description=_("reviewed by"))
    def reviewed_by_name(self, obj):
        # The name only: a link to the account would be a dead end (403) for clinic staff.
        return obj.reviewed_by.get_username() if obj.reviewed_by else "–"

    @admin.display(description=_("Visit summary"))
    def summary_link(self, obj):
        reference = {"reference": obj.reference}
        return format_html(
            '<a class="button" href="{}">{}</a> <a class="summary-pdf-link" href="{}">{}</a> '
            '<a class="summary-patient-copy-link" href="{}">{}</a>',
            reverse("intake:staff_summary", kwargs=reference),
            _("Open the visit summary to print"),
            reverse("intake:staff_summary_pdf", kwargs=reference),
            _("Download PDF"),
            reverse("intake:staff_patient_copy", kwargs=reference),
            _("Print the patient's copy"),
        )

    @admin.display(description=_("Urgent signs"))
    def urgent_signs_list(self, obj):
        findings = triage(obj).findings
        if not findings:
            return _("None in the answers")
        return format_html(
            '<ul class="urgent-signs-list">{}</ul>',
            format_html_join(
                "",
                "<li>{} ({})</li>",
                ((f.clinician, UrgencyTier(f.tier).label) for f in findings),
            ),
        )

    @admin.display(description=_("Call the patient"))
    def phone_link(self, obj):
        if not obj.phone:
            return _("No phone number given")
        return format_html('<a href="tel:{}">{}</a>', obj.phone.as_e164, obj.phone)

    @admin.display(description=_("Emergency page"))
    def carry_on_text(self, obj):
        return carry_on_wording(obj) or "–"

    # --- Search: names, reference codes and typed dates of birth --------------------------------

    def get_search_results(self, request, queryset, search_term):
        condition = search_condition(search_term)
        if condition is None:
            return queryset, False
        return queryset.filter(condition), False

    # --- Actions --------------------------------------------------------------------------------

    @admin.action(description=_("Mark reviewed"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        changed = sum(staff_review.mark_reviewed(s, by=request.user) for s in queryset)
        self._report(request, changed, len(queryset), _("reviewed"))

    @admin.action(description=_("Archive"), permissions=["change"])
    def archive(self, request, queryset):
        changed = sum(staff_review.archive(s, by=request.user) for s in queryset)
        self._report(request, changed, len(queryset), _("archived"))

    def _report(self, request, changed, selected, state):
        self.message_user(
            request,
            ngettext(
                "%(count)d form marked %(state)s.",
                "%(count)d forms marked %(state)s.",
                changed,
            )
            % {"count": changed, "state": state},
            messages.SUCCESS,
        )
        if changed < selected:
            self.message_user(
                request,
                ngettext(
                    "%(count)d form was left as it was (already %(state)s or archived).",
                    "%(count)d forms were left as they were (already %(state)s or archived).",
                    selected - changed,
                )
                % {"count": selected - changed, "state": state},
                messages.WARNING,
            )

    def start_background_export(self, request, queryset, *, kind: str):
        """Queue an export of the selected forms (intake/export_jobs.py), say so, and open the
        exports list, where its progress and then its download link show."""
        export = start_export(kind=kind, queryset=queryset, user=request.user)
        self.message_user(
            request,
            gettext(
                "%(count)d forms are more than can be downloaded at once: the export has "
                "started. This page shows its progress and the download link when it is ready."
            )
            % {"count": export.total},
            messages.INFO,
        )
        return HttpResponseRedirect(reverse("admin:intake_export_changelist"))

    @admin.action(description=_("Export to CSV"), permissions=["export"])
    def export_csv(self, request, queryset):
        if queryset.count() > at_once_limit():
            return self.start_background_export(request, queryset, kind=Export.Kind.CSV)
        record_export(user=request.user, action=Action.EXPORT_CSV, queryset=queryset)
        filename = f"visit-forms-{timezone.localdate():%Y-%m-%d}.csv"
        response = StreamingHttpResponse(
            csv_lines(queryset, exported_by=request.user), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# The answers' read-only displays, generated from the question definition (see ANSWER_DISPLAYS).
for _name, _display in ANSWER_DISPLAYS.items():
    setattr(IntakeSubmissionAdmin, _name, staticmethod(_display))


@admin.register(StaffAccess)
class StaffAccessAdmin(admin.ModelAdmin):
    """The staff access log: read by superusers (view permission), changed or deleted by no one."""

    list_display = ("at_column", "username", "action", "form_count", "references_column", "search")
    list_filter = ("action", ("at", admin.DateFieldListFilter))
    search_fields = ("references", "username", "search")
    search_help_text = _("Search by reference code, username or what was searched for.")
    date_hierarchy = "at"
    list_select_related = False
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # counts per filter choice would read the whole log

    @admin.display(description=_("when"), ordering="at")
    def at_column(self, obj):
        return _moment(obj.at)

    @admin.display(description=_("reference codes"))
    def references_column(self, obj):
        if obj.form_count > 5:
            shown = " ".join(obj.references.split()[:5])
            return ngettext(
                "%(shown)s and %(more)d more", "%(shown)s and %(more)d more", obj.form_count - 5
            ) % {"shown": shown, "more": obj.form_count - 5}
        return obj.references or "–"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Register Examination, Invitation and Export; they need the above.
from . import examination_admin, export_admin, invitation_admin  # noqa: E402, F401
