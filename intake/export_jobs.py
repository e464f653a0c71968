"""Exports that never die: large CSV and FHIR exports run in the background worker.

A download that runs inside a request is killed by the server's timeout (about 30 s: some
10,000 forms), cutting the file off with no error to the person who asked. So the admin's export
actions download at once only up to INTAKE_EXPORT_AT_ONCE forms; past that they start an
`Export`: the worker writes the file (the same CSV and Bundle generators as the direct download,
a fixed number of queries per batch of forms) into the database in pieces, showing its progress,
and the person gets a download link that only they and superusers can open, for
INTAKE_EXPORT_KEEP_HOURS. A failed export says so. The daily cleanup removes expired exports.

Who may: the same permissions as the direct downloads (CSV: export_intakesubmission, FHIR:
export_fhir_intakesubmission). Downloads go into the staff access log.
"""

import logging
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Export, ExportPart, IntakeSubmission

logger = logging.getLogger(__name__)

#: Bytes per stored piece of an export's file.
PART_BYTES = 1024 * 1024
#: Forms named in one query: a database takes only so many parameters (PostgreSQL 65,535).
IDS_PER_QUERY = 5_000


def at_once_limit() -> int:
    """Selections up to this many forms download straight away (INTAKE_EXPORT_AT_ONCE)."""
    return getattr(settings, "INTAKE_EXPORT_AT_ONCE", 200)


def keep_for() -> timedelta:
    return timedelta(hours=getattr(settings, "INTAKE_EXPORT_KEEP_HOURS", 24))


def expires_at(export: Export):
    return export.created_at + keep_for()


def is_expired(export: Export, now=None) -> bool:
    return (now or timezone.now()) >= expires_at(export)


def selected(export: Export) -> Iterator:
    """The export's forms as querysets of at most IDS_PER_QUERY forms each, in order."""
    ids = export.submission_ids
    for start in range(0, len(ids), IDS_PER_QUERY):
        yield IntakeSubmission.objects.filter(pk__in=ids[start : start + IDS_PER_QUERY]).order_by(
            "pk"
        )


def references(export: Export) -> list[str]:
    """The reference codes of the export's forms (for the access log)."""
    return [ref for part in selected(export) for ref in part.values_list("reference", flat=True)]


def _pieces(export: Export, progress) -> Iterator[str]:
    """The export's file as text, the selection read a slice at a time (one header, one
    Bundle around every slice's entries); `progress(forms so far)` as it goes."""
    from .export import csv_lines
    from .fhir.resources import bundle_around, bundle_entries

    finished = 0  # forms written in the slices before this one
    last = 0  # forms written so far in this slice

    def slice_progress(count: int) -> None:
        nonlocal last
        last = count
        progress(finished + count)

    if export.kind == Export.Kind.CSV:
        for number, part in enumerate(selected(export)):
            last = 0
            lines = csv_lines(part, exported_by=export.requested_by, progress=slice_progress)
            header = next(lines)
            if number == 0:
                yield header
            yield from lines
            finished += last
        return

    def entries() -> Iterator[str]:
        nonlocal finished, last
        for part in selected(export):
            last = 0
            yield from bundle_entries(part, progress=slice_progress)
            finished += last

    yield from bundle_around(entries())


def start_export(*, kind: str, queryset, user) -> Export:
    """Record an export of the sent forms in `queryset` and queue it for the worker."""
    from .tasks import run_export_task

    ids = list(queryset.sent().order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        export = Export.objects.create(
            kind=kind, requested_by=user, submission_ids=ids, total=len(ids)
        )
        transaction.on_commit(lambda: run_export_task.enqueue(export.pk))
    logger.info("intake export queued id=%s kind=%s forms=%d", export.pk, kind, len(ids))
    return export


class _PartWriter:
    """Collects text into pieces of PART_BYTES and saves each as an ExportPart."""

    def __init__(self, export: Export):
        self.export = export
        self.buffer = bytearray()
        self.number = 0
        self.size = 0

    def write(self, text: str) -> None:
        self.buffer += text.encode("utf-8")
        if len(self.buffer) >= PART_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        ExportPart.objects.create(export=self.export, number=self.number, data=bytes(self.buffer))
        self.number += 1
        self.size += len(self.buffer)
        self.buffer = bytearray()


def run_export(export_id: int) -> str:
    """Write the export's file; returns its final status. Never raises for a failed export."""
    with transaction.atomic():
        export = Export.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status != Export.Status.QUEUED:
            return export.status if export else "missing"
        export.status = Export.Status.RUNNING
        export.save(update_fields=["status"])

    def progress(count: int) -> None:
        Export.objects.filter(pk=export_id).update(done=count)

    writer = _PartWriter(export)
    try:
        ExportPart.objects.filter(export=export).delete()  # a retried run starts afresh
        for piece in _pieces(export, progress):
            writer.write(piece)
        writer.flush()
    except Exception:
        logger.exception("intake export failed id=%s", export_id)
        ExportPart.objects.filter(export=export).delete()
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED,
            finished_at=timezone.now(),
            error="The export stopped with an error; the log has the details. Try again.",
        )
        return Export.Status.FAILED
    Export.objects.filter(pk=export_id).update(
        status=Export.Status.DONE, finished_at=timezone.now(), size=writer.size
    )
    logger.info("intake export done id=%s bytes=%d", export_id, writer.size)
    return Export.Status.DONE


def file_pieces(export: Export):
    """The export's file, piece by piece (one piece in memory at a time)."""
    for data in (
        ExportPart.objects.filter(export=export)
        .order_by("number")
        .values_list("data", flat=True)
        .iterator(chunk_size=1)
    ):
        yield bytes(data)


def filename(export: Export) -> str:
    suffix = "csv" if export.kind == Export.Kind.CSV else "fhir.json"
    return f"visit-forms-{timezone.localtime(export.created_at):%Y-%m-%d-%H%M}.{suffix}"


def purge_expired_exports(now=None) -> int:
    """Delete exports (and their files) past their keeping time; return how many."""
    cutoff = (now or timezone.now()) - keep_for()
    deleted, by_model = Export.objects.filter(created_at__lt=cutoff).delete()
    return by_model.get(Export._meta.label, 0)
