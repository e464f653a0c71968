"""Background exports in the admin: who asked sees progress and downloads; nobody else does.

The queue's "Export to CSV" and "Download FHIR (JSON)" actions start one past
INTAKE_EXPORT_AT_ONCE forms (`IntakeSubmissionAdmin.start_background_export`), then open this
list, which refreshes itself while an export runs. Exports cannot be added or changed here.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from atrophy_site.privacy import private_page

from . import export_jobs
from .audit import Action, record_access
from .models import Export

PERMISSION = {
    Export.Kind.CSV: "intake.export_intakesubmission",
    Export.Kind.FHIR: "intake.export_fhir_intakesubmission",
}


def may_export(user) -> bool:
    return any(user.has_perm(permission) for permission in PERMISSION.values())


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ("asked_column", "kind", "forms_column", "status_column")
    list_display_links = None
    list_filter = ("status", "kind")
    actions = None
    show_full_result_count = False
    change_list_template = "admin/intake/export/change_list.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("submission_ids")
        if request.user.is_superuser:
            return queryset.select_related("requested_by")
        return queryset.filter(requested_by=request.user).select_related("requested_by")

    def has_view_permission(self, request, obj=None):
        if obj is not None and obj.requested_by_id != request.user.pk:
            return request.user.is_superuser
        return request.user.is_superuser or may_export(request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description=_("asked for"), ordering="created_at")
    def asked_column(self, obj):
        when = formats.date_format(timezone.localtime(obj.created_at), "DATETIME_FORMAT")
        return format_html("{}<br><small>{}</small>", when, obj.requested_by.get_username())

    @admin.display(description=_("forms"))
    def forms_column(self, obj):
        return formats.number_format(obj.total, force_grouping=True)

    @admin.display(description=_("status"))
    def status_column(self, obj):
        if obj.status == Export.Status.DONE:
            if export_jobs.is_expired(obj):
                return gettext("Expired: ask for it again")
            url = reverse("admin:intake_export_download", args=[obj.pk])
            until = formats.date_format(
                timezone.localtime(export_jobs.expires_at(obj)), "DATETIME_FORMAT"
            )
            return format_html(
                '<a href="{}" class="export-download">{}</a> ({})<br><small>{}</small>',
                url,
                gettext("Download"),
                filesizeformat(obj.size),
                gettext("until %(when)s") % {"when": until},
            )
        if obj.status == Export.Status.FAILED:
            return format_html(
                '<strong class="export-failed">{}</strong><br>{}', gettext("Failed"), obj.error
            )
        if obj.status == Export.Status.RUNNING:
            return format_html(
                '<progress max="{}" value="{}"></progress> {}',
                obj.total or 1,
                obj.done,
                gettext("%(done)s of %(total)s forms")
                % {
                    "done": formats.number_format(obj.done, force_grouping=True),
                    "total": formats.number_format(obj.total, force_grouping=True),
                },
            )
        return obj.get_status_display()

    def changelist_view(self, request, extra_context=None):
        waiting = (
            self.get_queryset(request)
            .filter(status__in=[Export.Status.QUEUED, Export.Status.RUNNING])
            .exists()
        )
        extra_context = {
            "title": gettext("Exports: progress and downloads"),
            **(extra_context or {}),
            "refresh_seconds": 5 if waiting else None,
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        download = path(
            "<int:export_id>/download/",
            self.admin_site.admin_view(private_page(require_GET(self.download_view))),
            name="intake_export_download",
        )
        return [download, *super().get_urls()]

    def download_view(self, request, export_id):
        """The file, to who asked for it (still holding the permission) or a superuser."""
        export = get_object_or_404(Export, pk=export_id)
        own = export.requested_by_id == request.user.pk
        allowed = request.user.is_superuser or (
            own and request.user.has_perm(PERMISSION[export.kind])
        )
        if not allowed:
            raise PermissionDenied
        if export.status != Export.Status.DONE or export_jobs.is_expired(export):
            raise Http404
        record_access(
            user=request.user,
            action=Action.EXPORT_CSV if export.kind == Export.Kind.CSV else Action.EXPORT_FHIR,
            references=export_jobs.references(export),
        )
        content_type = (
            "text/csv; charset=utf-8" if export.kind == Export.Kind.CSV else "application/fhir+json"
        )
        response = StreamingHttpResponse(export_jobs.file_pieces(export), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{export_jobs.filename(export)}"'
        response["Content-Length"] = str(export.size)
        return response
