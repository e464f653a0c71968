"""The examiner's findings in the admin: clinicians record them, clinic staff read them.

Who may (intake/staff_group.py): adding and changing an examination needs
`intake.add_examination` / `intake.change_examination` (the "Clinicians" group); viewing needs
`intake.view_examination` (clinic staff and clinicians); deleting stays with superusers. The
patient never sees an examination: it is shown only here and on the staff summary. Listing and
opening examinations is written to the staff access log (intake/audit.py).

An examination is recorded from a submission's change page ("Record an examination" opens
/admin/intake/examination/add/?submission=<pk> with the visit filled in) and saving returns
there. Who examined is the signed-in user, never typed. The MRC grades are laid out as a
left/right grid per muscle group, generated from MUSCLE_GROUPS (intake/models.py).

Also gives the submission's change page its read-only "Examination findings" field
(`examination_findings`): the latest findings, the change since the first examination and a
link to each, in one query whatever their number.
"""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .admin import IntakeSubmissionAdmin
from .audit import Action, record_access, record_listing
from .findings import (
    MRC_SCALE,
    bmi,
    change_since_first,
    findings_for,
    gait_speed,
    patient_examinations,
)
from .models import BODY_SIDES, MUSCLE_GROUPS, Examination, IntakeSubmission, mrc_field_name

ADD_PERMISSION = "intake.add_examination"


def _mrc_legend():
    """The MRC scale under the grid's heading, so the grades need no words in each box."""
    return format_html(
        '<dl class="mrc-scale">{}</dl>',
        format_html_join(
            "", "<div><dt>{}</dt><dd>{}</dd></div>", ((g, d) for g, d in MRC_SCALE.items())
        ),
    )


def examination_fieldsets():
    """The form's sections; muscle power is one line per muscle group, left then right."""
    return (
        (_("Examination"), {"fields": ("submission", "examined_on", "reference_sex")}),
        (
            _("Muscle power (MRC 0–5)"),
            {
                "fields": tuple(
                    tuple(mrc_field_name(group, side) for side, _side in BODY_SIDES)
                    for group, _label in MUSCLE_GROUPS
                ),
                "description": _mrc_legend(),
            },
        ),
        (_("Grip strength"), {"fields": (("grip_left_kg", "grip_right_kg"), "dynamometer")}),
        (_("Chair stand"), {"fields": ("five_sit_to_stand_seconds", "chair_stand_30s_count")}),
        (_("Gait"), {"fields": ("walk_4m_seconds", "gait_speed_display")}),
        (
            _("Body measures"),
            {"fields": ("calf_circumference_cm", ("weight_kg", "height_cm"), "bmi_display")},
        ),
        (_("Notes"), {"fields": ("notes",)}),
    )


@admin.register(Examination)
class ExaminationAdmin(admin.ModelAdmin):
    fieldsets = examination_fieldsets()
    list_display = ("examined_on", "submission", "patient_name", "examiner_name")
    list_select_related = ("submission",)
    list_filter = (("examined_on", admin.DateFieldListFilter), "reference_sex")
    search_fields = ("submission__reference", "submission__full_name")
    date_hierarchy = "examined_on"
    raw_id_fields = ("submission",)
    readonly_fields = ("gait_speed_display", "bmi_display")

    class Media:
        css = {"all": ("css/staff_admin.css",)}

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        record_listing(
            request,
            response,
            action=Action.EXAMINATION,
            reference_of=lambda examination: examination.submission.reference,
        )
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and request.method == "GET":  # opened, not saved with errors
            record_access(user=request.user, action=Action.EXAMINATION, submission=obj.submission)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_readonly_fields(self, request, obj=None):
        # An examination stays with the visit it was recorded at.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "submission"] if obj is not None else fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "submission":
            kwargs["queryset"] = IntakeSubmission.objects.sent()  # never a patient's draft
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change or (obj.examined_by_id is None and not obj.examiner_name):
            obj.examined_by = request.user
            obj.examiner_name = request.user.get_full_name() or request.user.get_username()
        super().save_model(request, obj, form, change)

    def _back_to_the_visit(self, request, obj, response):
        """Saved (not "add another" or "continue editing"): back to the visit's form."""
        if any(key in request.POST for key in ("_continue", "_addanother", "_saveasnew")):
            return response
        if not request.user.has_perm("intake.view_intakesubmission"):
            return response
        return HttpResponseRedirect(
            reverse("admin:intake_intakesubmission_change", args=[obj.submission_id])
        )

    def response_add(self, request, obj, post_url_continue=None):
        return self._back_to_the_visit(
            request, obj, super().response_add(request, obj, post_url_continue)
        )

    def response_change(self, request, obj):
        return self._back_to_the_visit(request, obj, super().response_change(request, obj))

    @admin.display(description=_("patient"), ordering="submission__full_name")
    def patient_name(self, obj):
        return obj.submission.full_name

    @admin.display(description=_("gait speed"))
    def gait_speed_display(self, obj):
        speed = gait_speed(obj.walk_4m_seconds) if obj else None
        return f"{speed:.2f} m/s" if speed is not None else "–"

    @admin.display(description=_("body mass index"))
    def bmi_display(self, obj):
        value = bmi(obj.weight_kg, obj.height_cm) if obj else None
        return f"{value} kg/m²" if value is not None else "–"


# --- The submission's change page ---------------------------------------------------------------


@admin.display(description=_("Examination findings"))
def examination_findings(obj):
    """The latest of the patient's examinations, the change since the first, a link to each,
    and "Record an examination" for those who may. One query."""
    examinations = patient_examinations(obj)
    latest = examinations[-1] if examinations else None
    return render_to_string(
        "admin/intake/examination/findings_field.html",
        {
            "latest": latest,
            "findings": findings_for(latest) if latest else [],
            "changes": change_since_first(examinations),
            "examinations": [
                (e, reverse("admin:intake_examination_change", args=[e.pk])) for e in examinations
            ],
            "add_url": (
                f"{reverse('admin:intake_examination_add')}?submission={obj.pk}"
                if getattr(obj, "may_record_examination", False)
                else ""
            ),
        },
    )


IntakeSubmissionAdmin.examination_findings = staticmethod(examination_findings)
