"""FHIR over HTTP: the public Questionnaire, and the staff downloads of responses.

The Questionnaire holds questions only, no answers, so anyone may read it (and cache it).
Responses hold health data: only the admin serves them (intake/fhir/admin.py), to staff with
`intake.export_fhir_intakesubmission`, marked private (no-store, noindex) and as a download.
"""

import json
import logging

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from atrophy_site.privacy import mark_private

from . import FHIR_JSON
from .resources import bundle_json, fhir_queryset, questionnaire, questionnaire_response

logger = logging.getLogger(__name__)

#: The public Questionnaire may be cached this long (it changes only with a release).
QUESTIONNAIRE_MAX_AGE = 60 * 60


@require_GET
def questionnaire_view(request):
    """The intake's questions as a FHIR R4 Questionnaire (JSON), for anyone."""
    body = json.dumps(questionnaire(), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type=FHIR_JSON)
    response["Content-Disposition"] = 'inline; filename="Questionnaire-visit-preparation.json"'
    patch_cache_control(response, public=True, max_age=QUESTIONNAIRE_MAX_AGE)
    return response


def _download(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return mark_private(response)


def response_download(submission, *, exported_by=None) -> HttpResponse:
    """One sent submission's QuestionnaireResponse as a private download."""
    body = json.dumps(questionnaire_response(submission), ensure_ascii=False, indent=2)
    logger.info("intake.fhir_export user_id=%s responses=1", getattr(exported_by, "pk", None))
    return _download(
        HttpResponse(body, content_type=FHIR_JSON),
        f"QuestionnaireResponse-{submission.reference}.json",
    )


def bundle_download(queryset, *, exported_by=None) -> StreamingHttpResponse:
    """The sent submissions in `queryset` as a streamed Bundle of responses, a private download."""
    return _download(
        StreamingHttpResponse(
            bundle_json(queryset, exported_by=exported_by), content_type=FHIR_JSON
        ),
        f"visit-forms-{timezone.localdate():%Y-%m-%d}.fhir.json",
    )


def selection_download(queryset, *, exported_by=None):
    """What the admin action downloads: one response for one form, a Bundle for several."""
    first_two = list(queryset.sent().values_list("pk", flat=True)[:2])
    if len(first_two) == 1:
        submission = fhir_queryset(queryset).get(pk=first_two[0])
        return response_download(submission, exported_by=exported_by)
    return bundle_download(queryset, exported_by=exported_by)
