"""The body map: where the weakness is, region by region, on the patient's own left and right.

Twenty regions (head and neck, each arm in four parts, chest or belly, back, each leg in four
parts), each with how weak it is in three words. Stored on the submission as
`weakness_map = {"left_hip_thigh": "quite_a_lot", "right_hand": "little", ...}` (a region chosen
without a strength is stored with ""). Left and right are always the patient's own.

One list for everything that shows or reads the map: the form (grouped checkboxes that the
script turns into the figure, intake/forms.py `BodyMapField`), the figure drawn on the form and
on the summary (intake/templates/intake/includes/body_figure.svg.html, its geometry in
intake/templatetags/body_figure.py), the words on the summary, the CSV,
the admin, FHIR (intake/fhir/resources.py) and the triage's reading of the side
(intake/triage.py).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Severity(models.TextChoices):
    """How weak a region is, in the patient's words."""

    LITTLE = "little", _("A little")
    QUITE_A_LOT = "quite_a_lot", _("Quite a lot")
    CANNOT_MOVE = "cannot_move", _("Cannot move it")


class Laterality(models.TextChoices):
    LEFT = "left", _("left")
    RIGHT = "right", _("right")
    MIDLINE = "", _("middle")


@dataclass(frozen=True)
class Region:
    code: str  # stable: stored, exported and used as the FHIR code
    name: str  # "Left hip or thigh", as the patient and the doctor read it
    side: str  # Laterality: the patient's own left or right, or "" for the middle
    group: str  # the checkbox group it is listed in without the figure
    view: str  # "front" or "back": where its control is on the figure


GROUPS = (
    ("head", _("Head and neck")),
    ("arms", _("Arms and hands")),
    ("trunk", _("Chest, belly and back")),
    ("legs", _("Legs and feet")),
)


def _pair(part: str, left_name, right_name, group: str) -> tuple[Region, Region]:
    return (
        Region(f"left_{part}", left_name, Laterality.LEFT, group, "front"),
        Region(f"right_{part}", right_name, Laterality.RIGHT, group, "front"),
    )


#: The regions, in the order they are listed and read: head to feet, the patient's left first.
REGIONS: tuple[Region, ...] = (
    Region("face", _("Face, eyes or mouth"), Laterality.MIDLINE, "head", "front"),
    Region("neck", _("Neck"), Laterality.MIDLINE, "head", "front"),
    *_pair("shoulder", _("Left shoulder"), _("Right shoulder"), "arms"),
    *_pair("upper_arm", _("Left upper arm"), _("Right upper arm"), "arms"),
    *_pair("forearm", _("Left forearm"), _("Right forearm"), "arms"),
    *_pair("hand", _("Left hand"), _("Right hand"), "arms"),
    Region("chest_belly", _("Chest or belly"), Laterality.MIDLINE, "trunk", "front"),
    Region("back", pgettext_lazy("part of the body", "Back"), Laterality.MIDLINE, "trunk", "back"),
    *_pair("hip_thigh", _("Left hip or thigh"), _("Right hip or thigh"), "legs"),
    *_pair("knee", _("Left knee"), _("Right knee"), "legs"),
    *_pair("lower_leg", _("Left lower leg"), _("Right lower leg"), "legs"),
    *_pair("foot", _("Left foot or ankle"), _("Right foot or ankle"), "legs"),
)
REGION_BY_CODE = {region.code: region for region in REGIONS}
REGION_CODES = tuple(REGION_BY_CODE)


def chosen_regions(body_map) -> list[tuple[Region, str]]:
    """(region, severity code) for each chosen region, in REGIONS order; unknown codes skipped."""
    body_map = body_map or {}
    return [(region, body_map[region.code]) for region in REGIONS if region.code in body_map]


def severity_words(severity: str) -> str:
    """ "quite a lot", or "" when the patient did not say how weak."""
    try:
        return str(Severity(severity).label).lower()
    except ValueError:
        return ""


def region_words(body_map) -> list[str]:
    """Each chosen region in words: ["Left hip or thigh (quite a lot)", "Right hand (a little)"]."""
    words = []
    for region, severity in chosen_regions(body_map):
        how = severity_words(severity)
        words.append(f"{region.name} ({how})" if how else str(region.name))
    return words


def sides(body_map) -> set[str]:
    """The patient's sides with a chosen region: {"left"}, {"left", "right"}, or set()."""
    return {region.side for region, _severity in chosen_regions(body_map) if region.side}


def one_side(body_map) -> str:
    """ "left" or "right" when every chosen region with a side is on that one side (regions in the
    middle, like the face, do not count against it); "" otherwise."""
    found = sides(body_map)
    return found.pop() if len(found) == 1 else ""


#: The regions as choices (stable codes, the patient's words): for FHIR's answer options.
BodyMapRegion = models.TextChoices(
    "BodyMapRegion", [(region.code.upper(), (region.code, region.name)) for region in REGIONS]
)

#: SNOMED CT laterality qualifier values for a region's side, as in HL7's body site laterality
#: value sets (e.g. HL7 Europe "siteLaterality-eu", expanded by tx.fhir.org): 7771000 Left,
#: 24028007 Right. Regions in the middle (face, neck, chest or belly, back) have none.
SNOMED = "http://snomed.info/sct"
SNOMED_LATERALITY = {
    Laterality.LEFT: ("7771000", "Left"),
    Laterality.RIGHT: ("24028007", "Right"),
}
