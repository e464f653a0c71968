"""The forms behind each step of "Prepare for your visit".

Following the GOV.UK Design System: a label and hint for every question, "(optional)" on the
optional ones, groups of radios and checkboxes as fieldsets with a legend, memorable dates as three
small boxes, numbers as text boxes with a numeric keypad, and error messages that say what to fix.
Only what the clinic truly needs is required (name and date of birth, the five SARC-F answers so
the screen can be scored, and consent). Every text is bounded.
"""

import datetime
import re
from dataclasses import dataclass

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from .models import (
    LONG_STANDING_ALLOWED,
    ActivityLevel,
    Appetite,
    BodyRegion,
    Condition,
    Course,
    FilledBy,
    HardActivity,
    Injury,
    IntakeSubmission,
    Onset,
    OtherSymptom,
    Side,
    StartedWhen,
    SuggestedQuestion,
    TestDone,
    UrgencyTier,
    UrgentSymptom,
    WalkingChange,
    WeaknessLimit,
    YesNo,
    YesNoNotSure,
    offered_choices,
)

#: The most rows a patient can add for medicines or injuries.
MAX_ROWS = 30
EARLIEST_YEAR = 1900

_FIELDSET_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.MultiWidget)


# --- Accessible markup --------------------------------------------------------------------------


class AccessibleFormMixin:
    """Adds Bootstrap classes, `aria-invalid` and `aria-describedby` (hint and error) to widgets,
    and lists errors for the summary at the top of the page.

    Ids follow Django's: the hint of field `x` is `id_x_helptext` (Django already points plain
    inputs at it), its error message `id_x_error`. Fieldsets carry their own aria-describedby in
    the template (intake/includes/field.html).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(
                widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput
            ):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.MultiWidget):
                css = ""
            else:
                css = "form-control"
            existing = widget.attrs.get("class", "")
            widget.attrs["class"] = f"{css} {existing}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name == NON_FIELD_ERRORS or name not in self.fields:
                continue
            bound = self[name]
            widget = self.fields[name].widget
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
            if not isinstance(widget, _FIELDSET_WIDGETS):
                ids = [f"{bound.auto_id}_error"]
                if self.fields[name].help_text:
                    ids.insert(0, f"{bound.auto_id}_helptext")
                widget.attrs["aria-describedby"] = " ".join(ids)

    def error_list(self) -> list[tuple[str, str]]:
        """(link target, message) pairs for the error summary, in the order of the fields."""
        items = []
        for message in self.non_field_errors():
            items.append(("", message))
        for name in self.fields:
            if name in self.errors:
                target = first_input_id(self[name])
                items.extend((target, message) for message in self.errors[name])
        return items


def first_input_id(bound_field) -> str:
    """The id of the first input of a field: where an error summary link should land."""
    if isinstance(bound_field.field.widget, _FIELDSET_WIDGETS):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


class TextInput(forms.TextInput):
    def __init__(self, width=None, attrs=None):
        attrs = dict(attrs or {})
        if width:
            attrs["class"] = f"input-width-{width}"
        super().__init__(attrs)


class NumberInput(forms.TextInput):
    """A text box with a numeric keypad: GOV.UK advises against <input type=number>."""

    def __init__(self, width=3, attrs=None):
        attrs = {"inputmode": "numeric", "class": f"input-width-{width}", **(attrs or {})}
        super().__init__(attrs)


def textarea(rows=4, maxlength=None):
    attrs = {"rows": rows}
    if maxlength:
        attrs["maxlength"] = maxlength
    return forms.Textarea(attrs=attrs)


def interpolated(message, values: dict):
    """`message % values`, worked out each time it is shown, so it is in the reader's language.

    `gettext_lazy(...) % values` would translate once, when this module is imported (English).
    """
    return lazy(lambda: str(message) % {key: str(value) for key, value in values.items()}, str)()


def whole_number(label, low, high, help_text=""):
    """An optional whole number between low and high, with messages that say the range."""
    message = interpolated(
        _("%(label)s must be a whole number from %(low)s to %(high)s"),
        {"label": label, "low": low, "high": high},
    )
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        help_text=help_text,
        widget=NumberInput(),
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


# --- Memorable dates ----------------------------------------------------------------------------


class MemorableDateWidget(forms.MultiWidget):
    """Day, month and year as three small labelled boxes (GOV.UK "memorable date").

    `parts` names the boxes, in order, by the date attribute each one holds; a subclass may ask
    for fewer (month and year).
    """

    template_name = "intake/widgets/memorable_date.html"
    use_fieldset = True
    parts = ("day", "month", "year")
    _labels = {"day": _("Day"), "month": _("Month"), "year": _("Year")}

    def __init__(self, attrs=None):
        boxes = [forms.TextInput(attrs={"inputmode": "numeric"}) for _part in self.parts]
        super().__init__(boxes, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [getattr(value, part) for part in self.parts]
        return [None] * len(self.parts)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, part in zip(context["widget"]["subwidgets"], self.parts, strict=True):
            subwidget["label"] = self._labels[part]
            # The wrapper's class would replace each box's own class; keep the box's.
            attrs = subwidget["attrs"]
            attrs["class"] = "form-control date-part" + (
                " date-part--year" if part == "year" else ""
            )
            if context["widget"]["attrs"].get("aria-invalid"):
                attrs["class"] += " is-invalid"
        return context


class MemorableDateField(forms.MultiValueField):
    """A date typed as day, month and year ("3" or "03"), checked against a sane range.

    `earliest` and `latest` are callables returning dates, so "today" is worked out per request.
    """

    widget = MemorableDateWidget

    def __init__(
        self, *, label, earliest, latest, too_early, too_late, missing="", required=False, **kwargs
    ):
        self.earliest, self.latest = earliest, latest
        self.too_early, self.too_late = too_early, too_late
        fields = [forms.CharField(max_length=4, required=False) for _ in range(3)]
        super().__init__(
            fields,
            label=label,
            required=required,
            require_all_fields=False,
            error_messages={"required": missing or _("Enter a date")},
            **kwargs,
        )

    def clean(self, value):
        parts = [str(v).strip() if v is not None else "" for v in (value or ["", "", ""])]
        name = str(self.label)
        if not any(parts):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        missing = [
            str(label)
            for part, label in zip(parts, (_("a day"), _("a month"), _("a year")), strict=True)
            if not part
        ]
        if missing:
            raise ValidationError(
                _("%(name)s must include %(missing)s")
                % {"name": name, "missing": _(" and ").join(missing)},
                code="incomplete",
            )
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        if not all(part.isdecimal() for part in parts):
            raise ValidationError(
                _("%(name)s must be a real date, in numbers") % {"name": name}, code="invalid"
            )
        if len(parts[2]) != 4:
            raise ValidationError(
                _("Year must include 4 numbers, for example 1956"), code="invalid_year"
            )
        try:
            # A day or month of many digits is too big for int() or for a date: not a real date.
            day, month, year = (int(p) for p in parts)
            value = datetime.date(year, month, day)
        except (ValueError, OverflowError):
            raise ValidationError(
                _("%(name)s must be a real date") % {"name": name}, code="invalid"
            ) from None
        if value < self.earliest():
            raise ValidationError(self.too_early, code="too_early")
        if value > self.latest():
            raise ValidationError(self.too_late, code="too_late")
        return value

    def compress(self, data_list):  # clean() above does the work
        raise NotImplementedError

    def has_changed(self, initial, data):
        return True


class MonthYearWidget(MemorableDateWidget):
    """Month and year as two small labelled boxes ("3 2025"), for dates people know roughly."""

    parts = ("month", "year")


class MonthYearField(MemorableDateField):
    """A month and year ("3" and "2025"), stored as the first day of that month."""

    widget = MonthYearWidget

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields = [forms.CharField(max_length=4, required=False) for _ in range(2)]

    def clean(self, value):
        parts = [str(v).strip() if v is not None else "" for v in (value or ())]
        month, year = (parts + ["", ""])[:2]
        if not month and not year:
            return super().clean(None)
        if not month or not year:
            raise ValidationError(
                _("Enter both the month and the year, or leave both empty"), code="incomplete"
            )
        try:
            return super().clean(["1", month, year])
        except ValidationError as error:
            if error.code in ("invalid", "incomplete"):
                raise ValidationError(
                    _("Enter the month and the year in numbers, for example 3 2025"),
                    code="invalid",
                ) from None
            raise


def _today():
    return timezone.localdate()


# --- Step forms ---------------------------------------------------------------------------------


@dataclass
class LayoutItem:
    """One question on a step page, with what each of its choices reveals when chosen.

    `choices` pairs each radio or checkbox with the fields it reveals (shown below it once it is
    chosen, by CSS alone; every field shows where the browser cannot hide them) and the one
    nested checkbox of another field that belongs to it, if any.
    """

    field: forms.BoundField
    choices: list[tuple[object, list[forms.BoundField], object]]
    nested_label: str = ""
    #: The field whose checkboxes sit under this one's (its error shows here, in the fieldset).
    nested_field: forms.BoundField | None = None


class RevealingLayoutMixin:
    """Lays a form's questions out with follow-ups under the choice that calls for them.

    `revealed_by` names the fields shown only after a choice of an earlier question
    ({"family_history": ("family_history_known", "yes")}); `nested_in` names a checkbox field
    whose options each sit under the same option of another field ({"long_standing_symptoms":
    "urgent_symptoms"}). Both work without JavaScript.
    """

    revealed_by: dict[str, tuple[str, str]] = {}
    nested_in: dict[str, str] = {}

    def layout(self) -> list[LayoutItem]:
        items = []
        for bound in self:
            if bound.name in self.revealed_by or bound.name in self.nested_in:
                continue
            reveals = {}
            for name, (parent, value) in self.revealed_by.items():
                if parent == bound.name:
                    reveals.setdefault(value, []).append(self[name])
            nested, nested_label, nested_field = {}, "", None
            for name, parent in self.nested_in.items():
                if parent == bound.name:
                    nested_field = self[name]
                    nested.update({sub.data["value"]: sub for sub in nested_field})
                    nested_label = self.fields[name].label
            choices = []
            if reveals or nested:
                choices = [
                    (
                        choice,
                        reveals.get(choice.data["value"], []),
                        nested.get(choice.data["value"]),
                    )
                    for choice in bound
                ]
            items.append(
                LayoutItem(
                    field=bound,
                    choices=choices,
                    nested_label=nested_label,
                    nested_field=nested_field,
                )
            )
        return items


class StepForm(RevealingLayoutMixin, AccessibleFormMixin, forms.ModelForm):
    """A step that edits fields of the submission itself."""

    def save_step(self, submission: IntakeSubmission) -> None:
        """Copy this step's answers onto `submission` and save only those columns."""
        for name in self.Meta.fields:
            setattr(submission, name, self.cleaned_data[name])
        submission.save(update_fields=[*self.Meta.fields, "steps_completed", "updated_at"])


def multiple_choice(choices, label, help_text=""):
    return forms.MultipleChoiceField(
        label=label,
        choices=offered_choices(choices),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


def single_choice(choices, label, help_text="", required=False, inline=False):
    return forms.ChoiceField(
        label=label,
        choices=choices.choices,
        required=required,
        widget=forms.RadioSelect(attrs={"class": "inline-choices"} if inline else None),
        help_text=help_text,
    )


class AboutYouForm(StepForm):
    """Step 1: about you and your visit."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        help_text=_("The patient's name, as the clinic has it on record."),
        widget=TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter your full name"),
            "max_length": _("Full name must be 200 characters or fewer"),
        },
    )
    date_of_birth = MemorableDateField(
        label=_("Date of birth"),
        required=True,
        help_text=_("For example, 27 3 1956"),
        earliest=lambda: datetime.date(EARLIEST_YEAR, 1, 1),
        latest=_today,
        too_early=_("Date of birth must be after 1900"),
        too_late=_("Date of birth must be today or in the past"),
        missing=_("Enter your date of birth"),
    )
    appointment_date = MemorableDateField(
        label=_("Appointment date"),
        help_text=_("If you know it. For example, 14 5 2026"),
        earliest=lambda: _today() - datetime.timedelta(days=365),
        latest=lambda: _today() + datetime.timedelta(days=2 * 365),
        too_early=_("Appointment date must be within the last year or in the future"),
        too_late=_("Appointment date must be within the next 2 years"),
    )
    clinician = forms.CharField(
        label=_("Doctor or clinician you will see"),
        max_length=200,
        required=False,
        help_text=_("If you know their name."),
        error_messages={"max_length": _("Name must be 200 characters or fewer")},
    )
    visit_reason = forms.CharField(
        label=_("What is the main reason for your visit?"),
        max_length=2000,
        required=False,
        help_text=_("In your own words. For example: my legs feel weak and I fall more often."),
        widget=textarea(rows=4),
        error_messages={"max_length": _("Reason must be 2000 characters or fewer")},
    )

    phone = PhoneNumberField(
        label=_("Phone number"),
        required=False,
        help_text=_("So the clinic can call you if your answers need it."),
        widget=TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=254,
        widget=TextInput(attrs={"autocomplete": "email", "spellcheck": "false", "type": "email"}),
        error_messages={
            "invalid": _("Enter an email address in the right format, like name@example.com"),
            "max_length": _("Email address must be 254 characters or fewer"),
        },
    )

    filled_by = single_choice(FilledBy, _("Who is filling in this form?"))
    helper_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        required=False,
        widget=TextInput(attrs={"spellcheck": "false"}),
        error_messages={"max_length": _("Name must be 200 characters or fewer")},
    )
    helper_relationship = forms.CharField(
        label=_("How do you know the patient?"),
        help_text=_("For example: daughter, husband, carer, friend."),
        max_length=100,
        required=False,
        error_messages={"max_length": _("This must be 100 characters or fewer")},
    )
    interpreter_needed = single_choice(
        YesNo, _("Do you need an interpreter at the visit?"), inline=True
    )
    interpreter_language = forms.CharField(
        label=_("Which language?"),
        max_length=100,
        required=False,
        error_messages={"max_length": _("This must be 100 characters or fewer")},
    )
    access_needs = forms.CharField(
        label=_("Is there anything that would help you at the visit?"),
        help_text=_(
            "For example: wheelchair access, a hearing loop, large print, or someone to help "
            "with forms."
        ),
        max_length=1000,
        required=False,
        widget=textarea(rows=2),
        error_messages={"max_length": _("This must be 1000 characters or fewer")},
    )

    class Meta:
        model = IntakeSubmission
        fields = [
            "filled_by",
            "helper_name",
            "helper_relationship",
            "full_name",
            "date_of_birth",
            "phone",
            "email",
            "appointment_date",
            "clinician",
            "visit_reason",
            "interpreter_needed",
            "interpreter_language",
            "access_needs",
        ]

    revealed_by = {
        "helper_name": ("filled_by", FilledBy.HELPER),
        "helper_relationship": ("filled_by", FilledBy.HELPER),
        "interpreter_language": ("interpreter_needed", YesNo.YES),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        phone = self.fields["phone"]
        phone.error_messages["invalid"] = phone_number_message()
        if phone_needed(self.instance):
            phone.required = True
            phone.help_text = _("The clinic needs it to call you about the signs you told us.")
            phone.error_messages["required"] = _(
                "Enter a phone number, so the clinic can call you about the signs you told us"
            )


def phone_needed(submission) -> bool:
    """A phone number is required once the answers show a sign for today or for now."""
    return submission is not None and submission.urgency_tier in (
        UrgencyTier.EMERGENCY,
        UrgencyTier.TODAY,
    )


def phone_number_message():
    """ "Enter a phone number, like 201-555-0123 ...": an example for the clinic's own country."""

    def message():
        region = settings.PHONENUMBER_DEFAULT_REGION
        example = phonenumbers.example_number_for_type(
            region, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE
        )
        national = (
            phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
            if example
            else "+1 201 555 0123"
        )
        return str(
            _(
                "Enter a phone number, like %(example)s, or one that starts with + and the "
                "country code"
            )
        ) % {"example": national}

    return lazy(message, str)()


class SymptomsForm(StepForm):
    """Step 2: your symptoms."""

    weakness_regions = multiple_choice(
        BodyRegion,
        _("Where do you have weakness or muscle loss?"),
        _("Tick all that apply."),
    )
    weakness_side = single_choice(Side, _("Which side of your body?"))
    started_when = single_choice(StartedWhen, _("When did it start?"))
    started_details = forms.CharField(
        label=_("When did it start, as best you know?"),
        max_length=200,
        required=False,
        help_text=_("A rough date or a description. For example: March 2024, after my fall."),
        error_messages={"max_length": _("This must be 200 characters or fewer")},
    )
    onset = forms.ChoiceField(
        label=_("How quickly did the weakness come on?"),
        choices=offered_choices(Onset),
        required=False,
        widget=forms.RadioSelect,
    )
    course = forms.ChoiceField(
        label=_("Is it getting worse, staying the same or getting better?"),
        choices=offered_choices(Course),
        required=False,
        widget=forms.RadioSelect,
    )
    spreading = single_choice(
        YesNoNotSure,
        _("Is the weakness spreading to other parts of your body over hours or days?"),
        _("For example, moving up from your feet to your legs."),
        inline=True,
    )
    walking_change = single_choice(
        WalkingChange, _("Can you walk and stand as well as you could a month ago?")
    )
    weakness_limit = single_choice(WeaknessLimit, _("How much does the weakness limit you?"))
    urgent_symptoms = multiple_choice(
        UrgentSymptom,
        _("Do you have any of these now?"),
        _("Tick all that apply, even if a doctor already knows about them."),
    )
    long_standing_symptoms = forms.MultipleChoiceField(
        label=_("I have had this for months, a doctor knows, and it is not getting worse"),
        choices=[(sign.value, sign.label) for sign in LONG_STANDING_ALLOWED],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_symptoms = multiple_choice(
        OtherSymptom, _("Do you have any of these as well?"), _("Tick all that apply.")
    )
    hard_activities = multiple_choice(
        HardActivity,
        _("Which daily activities are hard for you?"),
        _("Tick all that apply."),
    )

    class Meta:
        model = IntakeSubmission
        fields = [
            "weakness_regions",
            "weakness_side",
            "started_when",
            "started_details",
            "onset",
            "course",
            "spreading",
            "walking_change",
            "weakness_limit",
            "urgent_symptoms",
            "long_standing_symptoms",
            "other_symptoms",
            "hard_activities",
        ]

    nested_in = {"long_standing_symptoms": "urgent_symptoms"}

    def clean(self):
        cleaned = super().clean()
        # "Long-standing" only belongs to a sign that is ticked; a box left checked under a sign
        # the patient then unticked (hidden by the page) means nothing.
        ticked = set(cleaned.get("urgent_symptoms") or ())
        cleaned["long_standing_symptoms"] = [
            code for code in cleaned.get("long_standing_symptoms") or () if code in ticked
        ]
        return cleaned


def _sarc_f_question(label, answers, missing):
    """One SARC-F question with the published answers, scored 0, 1 and 2 (Malmstrom 2013)."""
    return forms.TypedChoiceField(
        label=label,
        choices=list(enumerate(answers)),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": missing},
    )


class StrengthCheckForm(StepForm):
    """Step 3: the SARC-F questionnaire, in its published wording (see shared/reference)."""

    sarc_f_strength = _sarc_f_question(
        _("How much difficulty do you have lifting and carrying 10 pounds (about 4.5 kg)?"),
        [_("None"), _("Some"), _("A lot, or unable")],
        _("Select how much difficulty you have lifting and carrying"),
    )
    sarc_f_walking = _sarc_f_question(
        _("How much difficulty do you have walking across a room?"),
        [_("None"), _("Some"), _("A lot, use aids, or unable")],
        _("Select how much difficulty you have walking across a room"),
    )
    sarc_f_chair = _sarc_f_question(
        _("How much difficulty do you have moving from a chair or bed?"),
        [_("None"), _("Some"), _("A lot, or unable without help")],
        _("Select how much difficulty you have moving from a chair or bed"),
    )
    sarc_f_stairs = _sarc_f_question(
        _("How much difficulty do you have climbing a flight of 10 stairs?"),
        [_("None"), _("Some"), _("A lot, or unable")],
        _("Select how much difficulty you have climbing stairs"),
    )
    sarc_f_falls = _sarc_f_question(
        _("How many times have you fallen in the past year?"),
        [_("None"), _("1 to 3 falls"), _("4 or more falls")],
        _("Select how many times you have fallen in the past year"),
    )

    class Meta:
        model = IntakeSubmission
        fields = [
            "sarc_f_strength",
            "sarc_f_walking",
            "sarc_f_chair",
            "sarc_f_stairs",
            "sarc_f_falls",
        ]


class MedicalHistoryForm(StepForm):
    """Step 4: medical history."""

    conditions = multiple_choice(
        Condition,
        _("Have you ever been told you have any of these?"),
        _("Tick all that apply."),
    )
    conditions_other = forms.CharField(
        label=_("If you ticked something else, what is it?"),
        max_length=500,
        required=False,
        error_messages={"max_length": _("This must be 500 characters or fewer")},
    )
    family_history_known = single_choice(
        YesNoNotSure,
        _("Has anyone in your family had a muscle or nerve disease?"),
        inline=True,
    )
    family_history = forms.CharField(
        label=_("Who, and what did they have?"),
        help_text=_("If you know."),
        max_length=2000,
        required=False,
        widget=textarea(rows=3),
        error_messages={"max_length": _("This must be 2000 characters or fewer")},
    )
    takes_statin = single_choice(
        YesNoNotSure,
        _("Do you take a statin?"),
        _("A medicine to lower cholesterol, such as atorvastatin, simvastatin or rosuvastatin."),
        inline=True,
    )
    statin_started = MonthYearField(
        label=_("When did you start it?"),
        help_text=_("If you know. For example, 3 2025"),
        earliest=lambda: datetime.date(EARLIEST_YEAR, 1, 1),
        latest=_today,
        too_early=_("The date you started it must be after 1900"),
        too_late=_("The date you started it must be this month or in the past"),
    )
    takes_steroid = single_choice(
        YesNoNotSure,
        _("Do you take steroid tablets or injections?"),
        _("Such as prednisolone, prednisone or dexamethasone. Not creams or inhalers."),
        inline=True,
    )
    surgeries = forms.CharField(
        label=_("Operations you have had"),
        help_text=_("What, and roughly when. For example: hip replacement, 2015."),
        max_length=2000,
        required=False,
        widget=textarea(rows=3),
        error_messages={"max_length": _("This must be 2000 characters or fewer")},
    )
    allergies = forms.CharField(
        label=_("Allergies"),
        help_text=_("To medicines, foods or anything else, and what happens."),
        max_length=1000,
        required=False,
        widget=textarea(rows=2),
        error_messages={"max_length": _("This must be 1000 characters or fewer")},
    )

    class Meta:
        model = IntakeSubmission
        fields = [
            "conditions",
            "conditions_other",
            "family_history_known",
            "family_history",
            "takes_statin",
            "statin_started",
            "takes_steroid",
            "surgeries",
            "allergies",
        ]

    revealed_by = {
        "conditions_other": ("conditions", Condition.OTHER),
        "family_history": ("family_history_known", YesNoNotSure.YES),
        "statin_started": ("takes_statin", YesNoNotSure.YES),
    }

    def clean(self):
        cleaned = super().clean()
        if (
            Condition.OTHER in cleaned.get("conditions", [])
            and not cleaned.get("conditions_other", "").strip()
        ):
            self.add_error(
                "conditions_other",
                _("Tell us the other condition, or untick “Something else”"),
            )
        return cleaned


class LifestyleForm(StepForm):
    """Step 7: lifestyle."""

    activity_level = single_choice(ActivityLevel, _("How active are you on a usual day?"))
    sitting_hours = whole_number(
        _("Hours sitting or lying down a day"), 0, 24, _("Not counting sleep at night.")
    )
    exercise_days_per_week = whole_number(
        _("Days a week you exercise"),
        0,
        7,
        _("Exercise that makes you a little out of breath, such as a brisk walk."),
    )
    recent_immobilisation = single_choice(
        YesNo,
        inline=True,
        label=_(
            "In the last 6 months, have you spent a week or more in bed, in a cast or a brace?"
        ),
    )
    recent_immobilisation_details = forms.CharField(
        label=_("If yes, what happened and for how long?"),
        max_length=500,
        required=False,
        error_messages={"max_length": _("This must be 500 characters or fewer")},
    )
    alcohol_drinks_per_week = whole_number(
        _("Alcoholic drinks a week"),
        0,
        200,
        _("A drink is a small glass of wine, a bottle of beer or a single measure of spirits."),
    )
    appetite = single_choice(Appetite, _("How is your appetite?"))
    unplanned_weight_loss = single_choice(
        YesNoNotSure,
        inline=True,
        label=_("Have you lost weight without trying in the last 6 months?"),
    )
    unplanned_weight_loss_amount = forms.CharField(
        label=_("If yes, about how much, and over how long?"),
        help_text=_("For example: about 4 kg (9 pounds) over 3 months."),
        max_length=200,
        required=False,
        error_messages={"max_length": _("This must be 200 characters or fewer")},
    )

    class Meta:
        model = IntakeSubmission
        fields = [
            "activity_level",
            "sitting_hours",
            "exercise_days_per_week",
            "recent_immobilisation",
            "recent_immobilisation_details",
            "alcohol_drinks_per_week",
            "appetite",
            "unplanned_weight_loss",
            "unplanned_weight_loss_amount",
        ]

    revealed_by = {
        "recent_immobilisation_details": ("recent_immobilisation", YesNo.YES),
        "unplanned_weight_loss_amount": ("unplanned_weight_loss", YesNoNotSure.YES),
    }


class QuestionsForm(StepForm):
    """Step 9: questions for the doctor."""

    suggested_questions = multiple_choice(
        SuggestedQuestion,
        _("Questions other people ask. Tick any you want to ask too."),
    )
    questions = forms.CharField(
        label=_("Your own questions"),
        help_text=_("Write each one on its own line."),
        max_length=3000,
        required=False,
        widget=textarea(rows=5),
        error_messages={"max_length": _("Questions must be 3000 characters or fewer")},
    )

    class Meta:
        model = IntakeSubmission
        fields = ["suggested_questions", "questions"]


class SendForm(AccessibleFormMixin, forms.Form):
    """Step 10: consent before sending."""

    consent = forms.BooleanField(
        label=_("I understand this is not a diagnosis, and that the clinic will see my answers."),
        error_messages={
            "required": _("Tick the box to say you understand, before you send your answers")
        },
    )


class UrgentCarryOnForm(AccessibleFormMixin, forms.Form):
    """The emergency stop page: carry on only if a doctor already knows about these signs."""

    doctor_knows = forms.BooleanField(
        label=_("A doctor already knows about these signs, and they are not new or worse."),
        error_messages={
            "required": _(
                "Tick the box only if a doctor already knows about these signs. If not, get "
                "emergency help now"
            )
        },
    )


# --- Repeating rows -----------------------------------------------------------------------------

_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")


def check_not_future_year(text: str) -> None:
    """Refuse a free-text 'when' that names a year in the future or before 1900."""
    for match in _YEAR.finditer(text or ""):
        year = int(match.group(1))
        if year > _today().year:
            raise ValidationError(_("The year cannot be in the future"), code="future")
        if year < EARLIEST_YEAR:
            raise ValidationError(_("The year must be after 1900"), code="too_early")


class RowForm(AccessibleFormMixin, forms.Form):
    """One repeating row. An empty row is ignored; a started row needs its main field."""

    main_field = ""
    main_missing = ""

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(str(v).strip() for v in data.values() if v is not None)

    def clean(self):
        cleaned = super().clean()
        anything = any(str(v).strip() for v in cleaned.values() if v is not None)
        main_missing = not str(cleaned.get(self.main_field, "") or "").strip()
        if anything and main_missing and self.main_field not in self.errors:
            self.add_error(self.main_field, self.main_missing)
        return cleaned


class MedicineForm(RowForm):
    main_field = "name"
    main_missing = _("Enter the name of the medicine, or remove this one")

    name = forms.CharField(
        label=_("Name of the medicine"),
        max_length=200,
        required=False,
        help_text=_("As it says on the box or label."),
        error_messages={"max_length": _("Name must be 200 characters or fewer")},
    )
    dose = forms.CharField(
        label=_("Dose"),
        max_length=100,
        required=False,
        help_text=_("For example: 20 mg, or 1 tablet."),
        widget=TextInput(width=10),
        error_messages={"max_length": _("Dose must be 100 characters or fewer")},
    )
    frequency = forms.CharField(
        label=_("How often"),
        max_length=100,
        required=False,
        help_text=_("For example: twice a day, or when needed."),
        error_messages={"max_length": _("This must be 100 characters or fewer")},
    )


class InjuryForm(RowForm):
    main_field = "body_part"
    main_missing = _("Enter the part of the body that was hurt, or remove this injury")

    body_part = forms.CharField(
        label=_("Part of the body"),
        max_length=100,
        required=False,
        help_text=_("For example: left knee, lower back."),
        error_messages={"max_length": _("This must be 100 characters or fewer")},
    )
    when = forms.CharField(
        label=_("When did it happen?"),
        max_length=100,
        required=False,
        help_text=_("Roughly. For example: 2019, or last month."),
        widget=TextInput(width=20),
        validators=[check_not_future_year],
        error_messages={"max_length": _("This must be 100 characters or fewer")},
    )
    what_happened = forms.CharField(
        label=_("What happened?"),
        max_length=1000,
        required=False,
        widget=textarea(rows=2),
        error_messages={"max_length": _("This must be 1000 characters or fewer")},
    )
    treatment = forms.CharField(
        label=_("What treatment did you have?"),
        max_length=1000,
        required=False,
        widget=textarea(rows=2),
        error_messages={"max_length": _("This must be 1000 characters or fewer")},
    )
    still_troubling = forms.ChoiceField(
        label=_("Does it still trouble you?"),
        choices=Injury.StillTroubling.choices,
        required=False,
        widget=forms.RadioSelect,
    )


class TestDoneForm(AccessibleFormMixin, forms.Form):
    """Step 8: one kind of test, with a fixed prefix per kind (the page shows them all)."""

    __test__ = False  # not a pytest test class

    done = single_choice(YesNoNotSure, _("Have you had this test?"), inline=True)
    when = forms.CharField(
        label=_("Roughly when?"),
        max_length=100,
        required=False,
        widget=TextInput(width=20),
        validators=[check_not_future_year],
        error_messages={"max_length": _("This must be 100 characters or fewer")},
    )
    where = forms.CharField(
        label=_("Where?"),
        max_length=200,
        required=False,
        help_text=_("The hospital, clinic or surgery."),
        error_messages={"max_length": _("This must be 200 characters or fewer")},
    )

    def __init__(self, *args, test_type, **kwargs):
        self.test_type = TestDone.TestType(test_type)
        super().__init__(*args, prefix=f"test-{test_type}", **kwargs)

    @property
    def title(self):
        return self.test_type.label

    def has_answer(self) -> bool:
        return any(self.cleaned_data.get(name) for name in ("done", "when", "where"))


class TestsChecklistForm(RevealingLayoutMixin, AccessibleFormMixin, forms.Form):
    """Step 8: one checklist of the tests the patient has had; when and where only for the ones
    ticked (it was seven cards of three questions each, most of them about tests never had)."""

    __test__ = False  # not a pytest test class

    tests_had = multiple_choice(
        TestDone.TestType,
        _("Which of these tests have you had?"),
        _("Tick any you have had. Leave the others empty."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.revealed_by = {}
        for test_type in TestDone.TestType:
            when, where = f"{test_type.value}_when", f"{test_type.value}_where"
            self.fields[when] = forms.CharField(
                label=interpolated(_("%(test)s: roughly when?"), {"test": test_type.label}),
                max_length=100,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control input-width-20"}),
                validators=[check_not_future_year],
                error_messages={"max_length": _("This must be 100 characters or fewer")},
            )
            self.fields[where] = forms.CharField(
                label=interpolated(_("%(test)s: where?"), {"test": test_type.label}),
                help_text=_("The hospital, clinic or surgery."),
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control"}),
                error_messages={"max_length": _("This must be 200 characters or fewer")},
            )
            self.revealed_by[when] = ("tests_had", test_type.value)
            self.revealed_by[where] = ("tests_had", test_type.value)


class BaseRowFormSet(forms.BaseFormSet):
    """Rows of medicines or injuries; at most MAX_ROWS filled rows."""

    too_many = ""

    def clean(self):
        if any(self.errors):
            return
        if len(self.filled_rows()) > MAX_ROWS:
            raise ValidationError(self.too_many % {"max": MAX_ROWS}, code="too_many")

    def filled_rows(self) -> list[dict]:
        return [
            form.cleaned_data
            for form in self.forms
            if hasattr(form, "cleaned_data") and not form.is_blank()
        ]

    def error_list(self) -> list[tuple[str, str]]:
        items = [("", message) for message in self.non_form_errors()]
        for form in self.forms:
            items.extend(form.error_list())
        return items


class MedicineFormSet(BaseRowFormSet):
    too_many = _(
        "You can list up to %(max)s medicines here. Bring a list of any others to your visit."
    )


class InjuryFormSet(BaseRowFormSet):
    too_many = _(
        "You can list up to %(max)s injuries here. Tell the doctor about any others at your visit."
    )


def medicine_formset(**kwargs):
    cls = forms.formset_factory(
        MedicineForm, formset=MedicineFormSet, extra=0, max_num=MAX_ROWS + 5, absolute_max=60
    )
    return cls(prefix="medicine", **kwargs)


def injury_formset(**kwargs):
    cls = forms.formset_factory(
        InjuryForm, formset=InjuryFormSet, extra=0, max_num=MAX_ROWS + 5, absolute_max=60
    )
    return cls(prefix="injury", **kwargs)
