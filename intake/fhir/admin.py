"""The staff side of FHIR: the "Download FHIR (JSON)" action and the change page's button.

Who may: staff holding `intake.export_fhir_intakesubmission` ("Can export visit preparation
forms (FHIR)"), which a superuser grants person by person, like the CSV export's permission and
apart from it. The Clinic staff group does not have it (intake/staff_group.py: least privilege).
Only sent forms: the admin's own queryset has no drafts. Every download is in the staff access
log (intake/audit.py).
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from ..audit import Action, record_access, record_export
from .views import response_download, selection_download, transaction_download

EXPORT_FHIR_CODENAME = "export_fhir_intakesubmission"


class FhirExportAdminMixin:
    """For IntakeSubmissionAdmin: add "download_fhir" to its actions to offer the action."""

    def has_export_fhir_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.{EXPORT_FHIR_CODENAME}")

    @admin.action(description=_("Download FHIR (JSON)"), permissions=["export_fhir"])
    def download_fhir(self, request, queryset):
        """One form: its QuestionnaireResponse; several: a Bundle of them. Logged in the audit.
        Past INTAKE_EXPORT_AT_ONCE forms, a background export (intake/export_jobs.py)."""
        from ..export_jobs import at_once_limit
        from ..models import Export

        if queryset.count() > at_once_limit():
            return self.start_background_export(request, queryset, kind=Export.Kind.FHIR)
        record_export(user=request.user, action=Action.EXPORT_FHIR, queryset=queryset.sent())
        return selection_download(queryset, exported_by=request.user)

    def _exported(self, request, object_id):
        """The form a change page's FHIR button downloads, its rows read with it; 403 without
        the permission. The download is in the access log."""
        if not self.has_export_fhir_permission(request):
            raise PermissionDenied
        submission = get_object_or_404(
            self.get_queryset(request).prefetch_related("medicines", "injuries", "tests_done"),
            pk=object_id,
        )
        record_access(user=request.user, action=Action.EXPORT_FHIR, submission=submission)
        return submission

    def fhir_view(self, request, object_id):
        """The change page's button: this form's QuestionnaireResponse."""
        submission = self._exported(request, object_id)
        return response_download(submission, exported_by=request.user)

    def fhir_transaction_view(self, request, object_id):
        """This form as a FHIR transaction Bundle (Patient, response, Observations) to POST to
        the clinic's FHIR server."""
        submission = self._exported(request, object_id)
        return transaction_download(submission, exported_by=request.user)

    def fhir_url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_fhir"

    def get_urls(self):
        # Before the admin's own patterns: "<object_id>/" would otherwise catch ".../fhir/".
        own = [
            path(
                "<path:object_id>/fhir/",
                self.admin_site.admin_view(require_GET(self.fhir_view)),
                name=self.fhir_url_name(),
            ),
            path(
                "<path:object_id>/fhir/transaction/",
                self.admin_site.admin_view(require_GET(self.fhir_transaction_view)),
                name=f"{self.fhir_url_name()}_transaction",
            ),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if self.has_export_fhir_permission(request):
            extra_context["fhir_download_url"] = reverse(
                f"admin:{self.fhir_url_name()}", args=[object_id], current_app=self.admin_site.name
            )
            extra_context["fhir_transaction_url"] = reverse(
                f"admin:{self.fhir_url_name()}_transaction",
                args=[object_id],
                current_app=self.admin_site.name,
            )
        return super().change_view(request, object_id, form_url, extra_context)
