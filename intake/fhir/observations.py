"""The latest examination of a visit as FHIR R4 Observations (plain dicts, JSON-ready).

One Observation per finding recorded (intake/findings.py reads the same fields): status
"final", effectiveDateTime the day of the examination, the patient as a contained Patient
referenced as "#patient", as in the QuestionnaireResponse (resources.py), so each Observation
stands on its own in a Bundle.

Codes: LOINC only where we have verified the code, the three the FHIR R4 vital-signs profile
names: body weight 29463-7, body height 8302-2 and BMI 39156-5, with UCUM units (kg, cm,
kg/m2). Every other finding has `code.text` only: a wrong code would be worse than none. Add a
verified LOINC (or SNOMED CT) coding beside the text where the comments say so.

The examiner's free-text notes are not exported: they are a working note for the clinic.
"""

from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import translation
from django.utils.translation import gettext as _

from ..findings import bmi, gait_speed
from ..models import BODY_SIDES, MUSCLE_GROUPS, Examination, mrc_field_name
from .definition import canonical_base

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"

#: LOINC codes of the FHIR R4 vital-signs profile (the only codes used here).
VITAL_SIGNS = {
    "weight": ("29463-7", "Body weight"),
    "height": ("8302-2", "Body height"),
    "bmi": ("39156-5", "Body mass index (BMI) [Ratio]"),
}


def latest_examination_id() -> Subquery:
    """An annotation: the pk of a submission's latest examination (None without one), so a
    Bundle needs no query per submission to know which have findings."""
    return Subquery(
        Examination.objects.filter(submission=OuterRef("pk"))
        .order_by("-examined_on", "-pk")
        .values("pk")[:1]
    )


def latest_examination(submission) -> Examination | None:
    """The latest examination recorded at this visit (one query)."""
    return submission.examinations.order_by("-examined_on", "-pk").first()


def _category(code: str, display: str) -> list[dict]:
    return [{"coding": [{"system": CATEGORY_SYSTEM, "code": code, "display": display}]}]


def _quantity(value, unit: str) -> dict:
    # FHIR decimals keep their precision: 26.9, not 26.900000000000002.
    return {"value": float(Decimal(value)), "unit": unit, "system": UCUM, "code": unit}


def _vital_sign(key: str) -> dict:
    code, display = VITAL_SIGNS[key]
    return {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display}


def _text_only(text: str) -> dict:
    # No verified code: the text says what was measured. A verified LOINC coding goes here.
    return {"text": text}


def _findings(examination: Examination) -> list[tuple[str, dict, dict, dict]]:
    """(slug, category, code, value) for every finding recorded."""
    exam = _category("exam", "Exam")
    vital = _category("vital-signs", "Vital Signs")
    found = []
    for group, label in MUSCLE_GROUPS:
        for side, side_label in BODY_SIDES:
            grade = getattr(examination, mrc_field_name(group, side))
            if grade:
                text = _("Muscle power (MRC grade), %(muscle)s, %(side)s") % {
                    "muscle": str(label).lower(),
                    "side": side_label,
                }
                slug = f"mrc-{group}-{side}".replace("_", "-")
                found.append((slug, exam, _text_only(text), {"valueString": grade}))
    numbers = (
        ("grip-left", _("Grip strength, left hand"), examination.grip_left_kg, "kg"),
        ("grip-right", _("Grip strength, right hand"), examination.grip_right_kg, "kg"),
        (
            "five-sit-to-stand",
            _("Five sit-to-stands, time"),
            examination.five_sit_to_stand_seconds,
            "s",
        ),
        ("walk-4m", _("4-metre walk at usual pace, time"), examination.walk_4m_seconds, "s"),
        (
            "gait-speed",
            _("Gait speed, 4 m at usual pace"),
            gait_speed(examination.walk_4m_seconds),
            "m/s",
        ),
        ("calf", _("Calf circumference"), examination.calf_circumference_cm, "cm"),
    )
    for slug, text, value, unit in numbers:
        if value is not None:
            if slug == "gait-speed":
                value = Decimal(value).quantize(Decimal("0.01"))
            found.append((slug, exam, _text_only(text), {"valueQuantity": _quantity(value, unit)}))
    if examination.chair_stand_30s_count is not None:
        found.append(
            (
                "chair-stand-30s",
                exam,
                _text_only(_("Chair stands in 30 seconds")),
                {"valueInteger": examination.chair_stand_30s_count},
            )
        )
    for key, value, unit in (
        ("weight", examination.weight_kg, "kg"),
        ("height", examination.height_cm, "cm"),
        ("bmi", bmi(examination.weight_kg, examination.height_cm), "kg/m2"),
    ):
        if value is not None:
            found.append((key, vital, _vital_sign(key), {"valueQuantity": _quantity(value, unit)}))
    return found


def observations(examination: Examination, patient: dict, *, language: str) -> list[dict]:
    """The examination's findings as Observations about `patient` (the contained Patient)."""
    reference = examination.submission.reference
    with translation.override(language):
        findings = _findings(examination)
        method = {"text": examination.dynamometer} if examination.dynamometer else None
    documents = []
    for slug, category, code, value in findings:
        observation = {
            "resourceType": "Observation",
            "id": f"{reference}-exam{examination.pk}-{slug}",
            "language": language,
            "contained": [patient],
            "status": "final",
            "category": category,
            "code": code,
            "subject": {"reference": "#patient"},
            "effectiveDateTime": examination.examined_on.isoformat(),
        }
        if examination.examiner_name:
            observation["performer"] = [{"display": examination.examiner_name}]
        observation.update(value)
        if method and slug.startswith("grip"):
            observation["method"] = method
        documents.append(observation)
    return documents


def observation_url(observation: dict) -> str:
    return f"{canonical_base()}/Observation/{observation['id']}"
