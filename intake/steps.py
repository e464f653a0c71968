"""The ten steps of "Prepare for your visit", in order: title, kind of page and form."""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import forms
from .models import STEP_COUNT


@dataclass(frozen=True)
class Step:
    number: int
    title: str | Promise
    kind: str  # "fields" (a StepForm), "medicines", "injuries", "tests" or "review"
    form_class: type | None = None
    intro: str | Promise = ""

    @property
    def is_first(self) -> bool:
        return self.number == 1

    @property
    def is_last(self) -> bool:
        return self.number == STEP_COUNT


STEPS: dict[int, Step] = {
    step.number: step
    for step in [
        Step(
            1,
            _("About you and your visit"),
            "fields",
            forms.AboutYouForm,
            _("So the clinic can match your answers to your records."),
        ),
        Step(
            2,
            _("Your symptoms"),
            "fields",
            forms.SymptomsForm,
            _("Tell us about the weakness or muscle loss. Answer what you can."),
        ),
        Step(
            3,
            _("Quick strength check"),
            "fields",
            forms.StrengthCheckForm,
            _(
                "Five short questions that doctors use to check for muscle loss with age "
                "(called SARC-F). Answer all five. It is a quick check, not a diagnosis."
            ),
        ),
        Step(4, _("Your medical history"), "fields", forms.MedicalHistoryForm),
        Step(
            5,
            _("Your medicines"),
            "medicines",
            intro=_(
                "List every medicine you take, including ones from a shop, vitamins and "
                "supplements. Some medicines, such as steroids and statins, can affect muscles."
            ),
        ),
        Step(
            6,
            _("Your injuries"),
            "injuries",
            intro=_(
                "List any injuries, old or new, even if they seem small. "
                "The doctor needs to hear about every one."
            ),
        ),
        Step(7, _("Your daily life"), "fields", forms.LifestyleForm),
        Step(
            8,
            _("Tests you have had"),
            "tests",
            intro=_("Tell us about tests for your muscles or nerves. Answer what you can."),
        ),
        Step(9, _("Questions for your doctor"), "fields", forms.QuestionsForm),
        Step(10, _("Check your answers and send"), "review"),
    ]
}

if len(STEPS) != STEP_COUNT:  # an if, not an assert: python -O would drop the check
    raise ImproperlyConfigured(f"intake.steps defines {len(STEPS)} steps, not {STEP_COUNT}")
