"""The clinic's work queue: sent visit preparation forms in the Django admin.

Least privilege (see migration 0003 and README "Staff accounts"): the "Clinic staff" group can
view submissions and their rows and change a submission's status and staff note, nothing more.
What the patient wrote is read-only for everyone, superusers included; no one adds submissions
here, and only superusers delete them. Drafts never appear: the patient has not sent them.

The change list reads only columns of the submission itself (the urgency tier and SARC-F total
are stored on it, see intake/staff_review.py), so it costs the same few queries whatever the
page size.

The queue puts what cannot wait first: urgency tier (emergency, today, routine), then forms not
yet reviewed before reviewed ones, then the soonest appointment (none last), then oldest sent.
"""

import datetime

from django.contrib import admin, messages
from django.db.models import Case, F, IntegerField, Value, When
from django.http import StreamingHttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, formats, timezone
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from . import staff_review
from .answers import folded, reading, staff_label
from .export import csv_lines
from .fhir.admin import FhirExportAdminMixin
from .models import Injury, IntakeSubmission, Medicine, SummaryView, TestDone, UrgencyTier
from .questions import INJURIES, MEDICINES, STEPS, TESTS
from .rules import SARC_F_POSITIVE_FROM
from .summary import carry_on_wording
from .tokens import normalise_reference
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


class StatusFilter(admin.SimpleListFilter):
    """Status without "draft": drafts are never in the queue."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        status = IntakeSubmission.Status
        return [(s.value, s.label) for s in (status.SENT, status.REVIEWED, status.ARCHIVED)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(status=self.value())
        return queryset


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


#: The fields staff may change; everything else on the page is read-only.
STAFF_EDITABLE_FIELDS = ("status", "staff_note")


def _labelled(label, value):
    """A list cell with its column's name before it, shown only where the table is stacked.

    On a phone the queue's rows become cards (static/css/staff_admin.css) and lose their column
    headings, so each value carries its own label, hidden on wider screens.
    """
    return format_html('<span class="queue-label">{}:</span> {}', label, value)


def _day(value) -> str:
    """A date as "14 Mar 1950": unambiguous in any country, unlike 03/04/1950."""
    return dateformat.format(value, "j M Y") if value else "–"


@admin.register(IntakeSubmission)
class IntakeSubmissionAdmin(FhirExportAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "urgency_column",
        "reference",
        "full_name",
        "born_column",
        "appointment_column",
        "sent_column",
        "status_column",
        "sarc_f_column",
    )
    list_display_links = ("reference", "full_name")
    list_filter = (
        StatusFilter,
        "urgency_tier",
        ("appointment_date", admin.DateFieldListFilter),
        SarcFFilter,
        "language",
    )
    search_fields = ("full_name", "reference")
    search_help_text = _(
        "Search by name, reference code (K7QP-3MXD) or date of birth (1950-03-14 or 14/03/1950)."
    )
    date_hierarchy = "appointment_date"
    # The queue: most urgent first; then not yet reviewed before reviewed (archived last); then
    # the soonest appointment (those without a date last); then the oldest sent.
    ordering = (
        "urgency_tier",
        Case(
            When(status=IntakeSubmission.Status.SENT, then=Value(0)),
            When(status=IntakeSubmission.Status.REVIEWED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ).asc(),
        F("appointment_date").asc(nulls_last=True),
        "sent_at",
    )
    list_per_page = 50
    show_full_result_count = False  # one COUNT fewer per page
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
                    "urgency_tier",
                    "urgent_signs_list",
                    "carry_on_text",
                    "phone_link",
                    "sarc_f_total",
                    "status",
                    "staff_note",
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

    class Media:
        css = {"all": ("css/staff_admin.css",)}

    # --- Columns and read-only displays ---------------------------------------------------------

    @admin.display(description=_("Born"), ordering="date_of_birth")
    def born_column(self, obj):
        return _labelled(_("Born"), _day(obj.date_of_birth))

    @admin.display(description=_("Appointment"), ordering="appointment_date")
    def appointment_column(self, obj):
        return _labelled(_("Appointment"), _day(obj.appointment_date))

    @admin.display(description=_("Sent"), ordering="sent_at")
    def sent_column(self, obj):
        sent = timezone.localtime(obj.sent_at) if obj.sent_at else None
        return _labelled(_("Sent"), dateformat.format(sent, "j M Y, H:i") if sent else "–")

    @admin.display(description=_("Status"), ordering="status")
    def status_column(self, obj):
        return _labelled(
            _("Status"),
            format_html(
                '<span class="queue-status queue-status--{}">{}</span>',
                obj.status,
                obj.get_status_display(),
            ),
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

    @admin.display(description=_("reviewed by"))
    def reviewed_by_name(self, obj):
        # The name only: a link to the account would be a dead end (403) for clinic staff.
        return obj.reviewed_by.get_username() if obj.reviewed_by else "–"

    @admin.display(description=_("Visit summary"))
    def summary_link(self, obj):
        try:
            url = reverse("intake:staff_summary", kwargs={"reference": obj.reference})
            pdf_url = reverse("intake:staff_summary_pdf", kwargs={"reference": obj.reference})
        except NoReverseMatch:
            return _("The printable summary is not available yet.")
        return format_html(
            '<a class="button" href="{}">{}</a> <a class="summary-pdf-link" href="{}">{}</a>',
            url,
            _("Open the visit summary to print"),
            pdf_url,
            _("Download PDF"),
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
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return results, may_have_duplicates
        # "k7qp 3mxd" and "K7QP3MXD" find K7QP-3MXD too.
        results |= queryset.filter(reference=normalise_reference(search_term))
        dates = parse_typed_date(search_term)
        if dates:
            results |= queryset.filter(date_of_birth__in=dates)
        return results, may_have_duplicates

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

    @admin.action(description=_("Export to CSV"), permissions=["export"])
    def export_csv(self, request, queryset):
        filename = f"visit-forms-{timezone.localdate():%Y-%m-%d}.csv"
        response = StreamingHttpResponse(
            csv_lines(queryset, exported_by=request.user), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# The answers' read-only displays, generated from the question definition (see ANSWER_DISPLAYS).
for _name, _display in ANSWER_DISPLAYS.items():
    setattr(IntakeSubmissionAdmin, _name, staticmethod(_display))


@admin.register(SummaryView)
class SummaryViewAdmin(admin.ModelAdmin):
    """The audit log of staff opening summaries: read-only, for superusers (view permission)."""

    list_display = ("viewed_at", "reference", "username")
    list_filter = (("viewed_at", admin.DateFieldListFilter),)
    search_fields = ("reference", "username")
    date_hierarchy = "viewed_at"
    list_select_related = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
