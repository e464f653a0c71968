"""Invitations in the admin: one at a time, or many from a CSV file; their status at a glance.

Who may: adding needs `intake.add_invitation` (clinic staff have it, intake/staff_group.py);
viewing `intake.view_invitation`. An invitation is never changed after it is made (the patient
has its link); a wrong one is deleted by a superuser and made again.

The CSV upload checks every row with the same form as the single invitation (a file may name the
patient in the one full_name column of older files instead of the two parts); good rows are
invited (each row with its draft and message in one transaction, so no row is half-made) and
bad rows are listed with their line number and the reason, to fix and upload again. A row for
someone already invited to the same appointment is reported, not invited twice.
"""

import csv
import io

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from atrophy_site.languages import language_choices

from . import invitations
from .models import FULL_NAME_MAX_LENGTH, NAME_PART_MAX_LENGTH, Invitation

#: The CSV file's columns, in any order; the first line names them.
CSV_COLUMNS = (
    "given_names",
    "family_name",
    "date_of_birth",
    "appointment",
    "email",
    "mobile",
    "clinician",
    "language",
)
#: The one name column of older files, read instead of the two parts when there is no
#: family_name column. The name is kept whole: a split by guessing can be wrong.
LEGACY_NAME_COLUMN = "full_name"
MAX_CSV_ROWS = 2000
MAX_CSV_BYTES = 2 * 1024 * 1024


class InvitationForm(forms.ModelForm):
    """One invitation: who, when, how to reach them. Also checks each row of a CSV upload."""

    given_names = forms.CharField(
        label=_("Patient's given names"),
        max_length=NAME_PART_MAX_LENGTH,
        required=False,
        help_text=_(
            "First name and any middle names. Leave it empty if the patient has only one name."
        ),
    )
    family_name = forms.CharField(
        label=_("Patient's family name"),
        max_length=NAME_PART_MAX_LENGTH,
        help_text=_("Surname. If the patient has only one name, write it here."),
        error_messages={"required": _("Enter the patient's family name.")},
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        help_text=_("For example 1950-03-14 or 14/03/1950."),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    appointment_at = forms.DateTimeField(
        label=_("Appointment"),
        help_text=_("Date and time, for example 2026-12-03 09:30 or 03/12/2026 09:30."),
        input_formats=["%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M"],
    )
    mobile = PhoneNumberField(label=_("Mobile number"), required=False)
    clinician = forms.CharField(label=_("Clinician"), max_length=200, required=False)
    language = forms.ChoiceField(
        label=_("Patient's language"),
        choices=language_choices,
        help_text=_("The language of the messages and of the form's pages."),
    )

    class Meta:
        model = Invitation
        fields = ("email",)

    field_order = (
        "given_names",
        "family_name",
        "date_of_birth",
        "email",
        "mobile",
        "appointment_at",
        "clinician",
        "language",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = settings.CLINIC_LANGUAGE

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if born.year < 1900:
            raise forms.ValidationError(_("Check the year of birth."))
        return born

    def clean_appointment_at(self):
        when = self.cleaned_data["appointment_at"]
        if when <= timezone.now():
            raise forms.ValidationError(_("The appointment must be in the future."))
        return when

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("mobile") and not self.has_error("email"):
            raise forms.ValidationError(
                _("Give an email address or a mobile number, so the invitation can reach them.")
            )
        details = self.details()
        if details is not None and invitations.already_invited(details):
            raise forms.ValidationError(
                _("This patient is already invited to this appointment."), code="duplicate"
            )
        return cleaned

    def details(self) -> invitations.InvitationDetails | None:
        data = self.cleaned_data
        named = data.get("family_name") or data.get("full_name")
        if not (named and data.get("date_of_birth") and data.get("appointment_at")):
            return None
        return invitations.InvitationDetails(
            given_names=data.get("given_names", ""),
            family_name=data.get("family_name", ""),
            full_name=data.get("full_name", ""),
            date_of_birth=data["date_of_birth"],
            appointment_at=data["appointment_at"],
            email=data.get("email", ""),
            mobile=str(data["mobile"]) if data.get("mobile") else "",
            clinician=data.get("clinician", ""),
            language=data.get("language") or settings.CLINIC_LANGUAGE,
        )


class LegacyNameRowForm(InvitationForm):
    """A line of a CSV file that names the patient in one full_name column (older files): the
    name is kept whole as the form's full name, with no family name, until the patient gives
    their name in parts on the form."""

    full_name = forms.CharField(label=_("Patient's full name"), max_length=FULL_NAME_MAX_LENGTH)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family_name"].required = False


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "First line: the column names given_names, family_name, date_of_birth, appointment, "
            "email, mobile, clinician, language. One patient a line. Saved from a spreadsheet as "
            "CSV (UTF-8). Older files with one full_name column instead of given_names and "
            "family_name still work, but the name is then kept whole, with no family name, until "
            "the patient gives their name in parts on the form."
        ),
    )


def read_csv_rows(upload) -> tuple[list[tuple[int, dict]], str]:
    """(line number, row) pairs from an uploaded file, or an error message for the whole file."""
    raw = upload.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        return [], gettext("The file is larger than 2 MB. Split it into smaller files.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], gettext("The file is not UTF-8 text. Save it from the spreadsheet as CSV UTF-8.")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    headers = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    # The name: family_name (given_names beside it if any), or full_name alone in older files.
    named = "family_name" in headers or (
        LEGACY_NAME_COLUMN in headers and "given_names" not in headers
    )
    missing = [
        *([] if named else ["family_name"]),
        *(name for name in ("date_of_birth", "appointment") if name not in headers),
    ]
    if missing:
        return [], gettext("The first line must name the columns; missing: %(names)s.") % {
            "names": ", ".join(missing)
        }
    rows = []
    for row in reader:
        cleaned = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
        if not any(cleaned.values()):
            continue
        rows.append((reader.line_num, cleaned))
        if len(rows) > MAX_CSV_ROWS:
            return [], gettext("The file has more than %(n)d patients. Split it.") % {
                "n": MAX_CSV_ROWS
            }
    return rows, ""


def invite_rows(rows, *, created_by) -> tuple[int, list[tuple[int, str]]]:
    """Invite every valid row; return how many were invited and (line, reason) for the rest."""
    invited, problems = 0, []
    for line, row in rows:
        form_class = InvitationForm if "family_name" in row else LegacyNameRowForm
        form = form_class(
            data={
                "given_names": row.get("given_names", ""),
                "family_name": row.get("family_name", ""),
                "full_name": row.get(LEGACY_NAME_COLUMN, ""),
                "date_of_birth": row.get("date_of_birth", ""),
                "appointment_at": row.get("appointment", ""),
                "email": row.get("email", ""),
                "mobile": row.get("mobile", ""),
                "clinician": row.get("clinician", ""),
                "language": row.get("language", "") or settings.CLINIC_LANGUAGE,
            }
        )
        if not form.is_valid():
            reasons = []
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                reasons.extend(f"{label}: {error}" if label else error for error in errors)
            problems.append((line, "; ".join(str(reason) for reason in reasons)))
            continue
        with transaction.atomic():
            invitations.invite(form.details(), created_by=created_by)
        invited += 1
    return invited, problems


class InvitationStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Invitation.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Invitation.Status.values:
            return queryset.filter(invitations.status_q(self.value(), timezone.now()))
        return queryset


class AppointmentFilter(admin.SimpleListFilter):
    """When the appointment is. The list opens at today's and later appointments (a clinic keeps
    years of invitations, oldest first in the list's order); past ones and all are a click away."""

    title = _("appointment")
    parameter_name = "appointment"
    TODAY, NEXT_7_DAYS, PAST, ALL = "today", "7days", "past", "all"

    def lookups(self, request, model_admin):
        return [
            (self.TODAY, _("Today")),
            (self.NEXT_7_DAYS, _("Next 7 days")),
            (self.PAST, _("Past")),
            (self.ALL, _("All dates")),
        ]

    def choices(self, changelist):
        # No value means "today and later" (Django's own first choice would be "All").
        yield {
            "selected": self.value() not in dict(self.lookup_choices),
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Today and later"),
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.ALL:
            return queryset
        today = invitations.start_of_day()
        if value == self.PAST:
            return queryset.filter(appointment_at__lt=today)
        if value in (self.TODAY, self.NEXT_7_DAYS):
            days = 1 if value == self.TODAY else 7
            return queryset.filter(
                appointment_at__gte=today, appointment_at__lt=invitations.start_of_day(days)
            )
        return invitations.coming(queryset)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    form = InvitationForm
    fields = InvitationForm.field_order
    list_display = ("patient_column", "appointment_column", "contact_column", "status_column")
    list_display_links = None
    list_filter = (AppointmentFilter, InvitationStatusFilter)
    search_fields = ("submission__full_name", "submission__reference", "email")
    ordering = ("appointment_at", "pk")
    list_select_related = ("submission",)
    list_per_page = 50
    show_full_result_count = False
    # No "Show counts" beside the filters: each would count its choice over every invitation.
    show_facets = admin.ShowFacets.NEVER
    actions = None
    change_list_template = "admin/intake/invitation/change_list.html"

    def has_change_permission(self, request, obj=None):
        return False  # made once; the patient already has its link

    @admin.display(description=_("patient"))
    def patient_column(self, obj):
        submission = obj.submission
        born = formats.date_format(submission.date_of_birth) if submission.date_of_birth else "–"
        if submission.is_draft:
            return format_html(
                "<strong>{}</strong><br>{} · {}", submission.full_name, born, submission.reference
            )
        url = reverse("admin:intake_intakesubmission_change", args=[submission.pk])
        return format_html(
            '<a href="{}"><strong>{}</strong></a><br>{} · {}',
            url,
            submission.full_name,
            born,
            submission.reference,
        )

    @admin.display(description=_("appointment"), ordering="appointment_at")
    def appointment_column(self, obj):
        return formats.date_format(timezone.localtime(obj.appointment_at), "DATETIME_FORMAT")

    @admin.display(description=_("sent to"))
    def contact_column(self, obj):
        return ", ".join(str(value) for value in (obj.email, obj.mobile) if value) or "–"

    @admin.display(description=_("status"))
    def status_column(self, obj):
        status = obj.status()
        detail = ""
        if obj.message_sent_at is None and status == Invitation.Status.SENT:
            detail = gettext("message waiting to go")
        elif obj.reminders.all():
            detail = gettext("reminded")
        return format_html(
            '<span class="invitation-status invitation-status--{}">{}</span>{}',
            status,
            Invitation.Status(status).label,
            format_html("<br><small>{}</small>", detail) if detail else "",
        )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("reminders")

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        invitation = invitations.invite(form.details(), created_by=request.user)
        obj.pk = invitation.pk
        obj.submission = invitation.submission

    def save_related(self, request, form, formsets, change):
        pass  # nothing else to save: invite() made everything

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            gettext("Invitation made for %(name)s; the message goes in a minute or two.")
            % {"name": obj.submission.full_name},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:intake_invitation_changelist"))

    def get_urls(self):
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="intake_invitation_upload",
        )
        return [upload, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "status_counts": self.status_summary(),
            "can_add": self.has_add_permission(request),
        }
        return super().changelist_view(request, extra_context)

    @staticmethod
    def status_summary() -> list[tuple[str, str, int]]:
        counts = invitations.status_counts()
        return [(status.value, status.label, counts[status.value]) for status in Invitation.Status]

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        invited, problems, file_error = None, [], ""
        if request.method == "POST":
            form = CsvUploadForm(request.POST, request.FILES)
            if form.is_valid():
                rows, file_error = read_csv_rows(form.cleaned_data["file"])
                if file_error:
                    form.add_error("file", file_error)
                else:
                    invited, problems = invite_rows(rows, created_by=request.user)
        else:
            form = CsvUploadForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Invite patients from a CSV file"),
            "form": form,
            "invited": invited,
            "problems": problems,
            "columns": CSV_COLUMNS,
        }
        return TemplateResponse(request, "admin/intake/invitation/upload.html", context)
