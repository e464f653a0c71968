"""FHIR R4 for the clinic's record system: the intake as a Questionnaire, answers as responses.

- `definition.py`: the questions, read from the step forms (intake/forms.py) so the wording never
  drifts from what patients see, with stable linkIds ("about.full_name") and one code system URL
  per set of choices (the `TextChoices` in intake/models.py).
- `resources.py`: plain dicts in FHIR R4 JSON shape: the `Questionnaire`, a sent submission's
  `QuestionnaireResponse` (with the patient as a contained `Patient`), and a streamed `Bundle`.
- `views.py`: the public Questionnaire (no personal data) and the staff downloads.
- `admin.py`: the "Download FHIR (JSON)" admin action and change-page link, for staff holding
  `intake.export_fhir_intakesubmission` (not the Clinic staff group by default).

No FHIR library is needed at run time; the tests validate every document with `fhir.resources`,
using its R4B models (the package has no R4 ones; R4B is R4 with a few resources updated, and
these documents use only R4 elements, e.g. a single QuestionnaireResponse.identifier).
"""

FHIR_JSON = "application/fhir+json; charset=utf-8"
