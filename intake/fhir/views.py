"""FHIR over HTTP: the public Questionnaire, and the staff downloads of responses.

The Questionnaire holds questions only, no answers, so anyone may read it (and cache it).
Responses hold health data: only the admin serves them (intake/fhir/admin.py), to staff with
`intake.export_fhir_intakesubmission`, marked private (no-store, noindex) and as a download.
"""

import json
import logging

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from atrophy_site.privacy import mark_private

from . import FHIR_JSON
from .observations import observation_url
from .resources import (
    bundle_json,
    code_system,
    examination_observations,
    fhir_queryset,
    questionnaire,
    questionnaire_response,
    response_url,
    transaction_bundle,
)

logger = logging.getLogger(__name__)

#: The public Questionnaire may be cached this long (it changes only with a release).
QUESTIONNAIRE_MAX_AGE = 60 * 60


def _public(document: dict, filename: str) -> HttpResponse:
    """A public FHIR document (questions and codes, never answers): cacheable, and readable by
    a form renderer on another site (CORS), as FHIR tools such as LHC-Forms fetch them."""
    body = json.dumps(document, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type=FHIR_JSON)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=QUESTIONNAIRE_MAX_AGE)
    return response


@require_GET
def questionnaire_view(request):
    """The intake's questions as a FHIR R4 Questionnaire (JSON), for anyone."""
    return _public(questionnaire(), "Questionnaire-visit-preparation.json")


@require_GET
def code_system_view(request, slug):
    """One of our answer code systems as a FHIR R4 CodeSystem, for anyone, at the path of its
    canonical URL (intake/fhir/definition.py `code_system_url`)."""
    try:
        document = code_system(slug)
    except KeyError:
        raise Http404("No such code system") from None
    return _public(document, f"CodeSystem-{slug}.json")


def _download(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return mark_private(response)


def response_download(submission, *, exported_by=None) -> HttpResponse:
    """One sent submission's QuestionnaireResponse as a private download; when the clinic has
    recorded an examination at this visit, a Bundle of the response and its Observations."""
    response = questionnaire_response(submission)
    found = examination_observations(submission)
    logger.info("intake.fhir_export user_id=%s responses=1", getattr(exported_by, "pk", None))
    if not found:
        body = json.dumps(response, ensure_ascii=False, indent=2)
        filename = f"QuestionnaireResponse-{submission.reference}.json"
    else:
        document = {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": timezone.localtime().isoformat(timespec="seconds"),
            "entry": [
                {"fullUrl": response_url(submission), "resource": response},
                *({"fullUrl": observation_url(o), "resource": o} for o in found),
            ],
        }
        body = json.dumps(document, ensure_ascii=False, indent=2)
        filename = f"visit-form-{submission.reference}.fhir.json"
    return _download(HttpResponse(body, content_type=FHIR_JSON), filename)


def transaction_download(submission, *, exported_by=None) -> HttpResponse:
    """One sent form as a FHIR transaction Bundle, ready to POST to a FHIR server's base URL."""
    document = transaction_bundle(submission)
    logger.info("intake.fhir_export user_id=%s responses=1", getattr(exported_by, "pk", None))
    body = json.dumps(document, ensure_ascii=False, indent=2)
    filename = f"visit-form-{submission.reference}.transaction.fhir.json"
    return _download(HttpResponse(body, content_type=FHIR_JSON), filename)


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
