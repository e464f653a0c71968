"""The forms behind each step of "Prepare for your visit".

Following the GOV.UK Design System: a label and hint for every question, "(optional)" on the
optional ones, groups of radios and checkboxes as fieldsets with a legend, memorable dates as three
small boxes, numbers as text boxes with a numeric keypad, and error messages that say what to fix.
Only what the clinic truly needs is required (name and date of birth, the five SARC-F answers so
the screen can be scored, and consent). Every text is bounded.
"""

import datetime
from dataclasses import dataclass
from functools import cache, lru_cache

import phonenumbers
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.utils import translation
from django.utils.functional import cached_property, lazy
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from .body_map import GROUPS, REGION_BY_CODE, REGIONS, Severity
from .field_markup import field_html
from .models import (
    Condition,
    IntakeSubmission,
    UrgencyTier,
)
from .questions import INJURIES, MEDICINES, TESTS, Kind, Question, Rows, Step
from .widget_renderer import WIDGET_RENDERER, shown

#: The most rows a patient can add for medicines or injuries.
MAX_ROWS = 30

_FIELDSET_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.MultiWidget)


# --- Accessible markup --------------------------------------------------------------------------


class AccessibleFormMixin:
    """Adds Bootstrap classes, `aria-invalid` and `aria-describedby` (hint and error) to widgets,
    and lists errors for the summary at the top of the page.

    Ids follow Django's: the hint of field `x` is `id_x_helptext` (Django already points plain
    inputs at it), its error message `id_x_error`. Fieldsets carry their own aria-describedby
    (intake/field_markup.py). The inputs are written by `WIDGET_RENDERER`
    (intake/widget_renderer.py): Django's own markup, without a template per input.
    """

    default_renderer = WIDGET_RENDERER

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


def _interpolate(message, values: dict) -> str:
    return str(message) % {key: str(value) for key, value in values.items()}


# Made lazy once, here: Django's `lazy()` defines a new class on every call, which a page would
# then leave for the garbage collector (a class refers to itself).
_interpolated = lazy(_interpolate, str)


def interpolated(message, values: dict):
    """`message % values`, worked out each time it is shown, so it is in the reader's language.

    `gettext_lazy(...) % values` would translate once, when this module is imported (English).
    """
    return _interpolated(message, values)


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
            # The box itself, by the form's renderer (in Python: intake/widget_renderer.py),
            # with the two line ends the template's include of it gave.
            subwidget["html"] = WIDGET_RENDERER.render(
                subwidget["template_name"], {"widget": subwidget}
            ) + SafeString("\n\n")
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
        if month.isdigit() and not 1 <= int(month) <= 12:  # say what is wrong: "13" is numbers
            raise ValidationError(
                _("Month must be a number from 1 to 12, for example 3 for March"),
                code="invalid_month",
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

    @cached_property  # crispy-forms asks for it twice per page
    def helper(self) -> FormHelper:
        """How crispy-forms lays the page out: every question in order, follow-ups inside."""
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True  # the step page's own form carries the token
        helper.template_pack = "gds"
        # "(optional)" only means something beside questions that must be answered.
        mark_optional = any(field.required for field in self.fields.values())
        helper.layout = Layout(*(QuestionBlock(item, mark_optional) for item in self.layout()))
        return helper

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


class QuestionBlock:
    """A crispy-forms layout object: one question with its follow-ups (see `LayoutItem`), in the
    project's own template pack ("gds": GOV.UK-style fieldsets, hints and errors), whose field
    markup is written in Python (intake/field_markup.py)."""

    def __init__(self, item: LayoutItem, mark_optional: bool):
        self.item = item
        self.mark_optional = mark_optional
        self.fields = [item.field.name]

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        form.rendered_fields.add(self.item.field.name)
        item = self.item
        html = field_html(
            item.field,
            mark_optional=self.mark_optional,
            choices=item.choices,
            nested_label=item.nested_label,
            nested_field=item.nested_field,
        )
        return html + SafeString("\n")


class StepForm(RevealingLayoutMixin, AccessibleFormMixin, forms.ModelForm):
    """A step that edits fields of the submission itself."""

    def clean(self):
        """A follow-up the patient's answer now hides is not kept, and its check cannot stop
        them: they said Yes, wrote a detail, then chose No. What they see is what the clinic
        gets (the summary would otherwise read "No (my mother...)", and the FHIR response would
        answer a question its enableWhen disables)."""
        cleaned = super().clean()
        for name, (parent, value) in self.revealed_by.items():
            chosen = cleaned.get(parent)
            if value in chosen if isinstance(chosen, list) else chosen == value:
                continue
            self._errors.pop(name, None)
            cleaned[name] = IntakeSubmission._meta.get_field(name).get_default()
        return cleaned

    def save_step(self, submission: IntakeSubmission) -> None:
        """Copy this step's answers onto `submission` and save only those columns."""
        for name in self.Meta.fields:
            setattr(submission, name, self.cleaned_data[name])
        submission.save(update_fields=[*self.Meta.fields, "steps_completed", "updated_at"])


# --- The body map ---------------------------------------------------------------------------


class BodyMapWidget(forms.Widget):
    """The regions of the body as grouped checkboxes, each with "how weak" in three words.

    Works with no JavaScript: a region's checkbox is `<name>` with the region's code as value,
    its strength the radios `<name>__<code>`; a stylesheet shows a region's strength once it is
    ticked. static/js/body_map.js turns the same inputs into the figure (front and back) with the
    chosen regions listed beside it: the answers are the same either way.
    """

    template_name = "intake/widgets/body_map.html"
    use_fieldset = True

    def value_from_datadict(self, data, files, name):
        chosen = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        return {code: data.get(f"{name}__{code}", "") for code in chosen}

    def value_omitted_from_data(self, data, files, name):
        return False  # no box ticked is an answer: nowhere

    def format_value(self, value):
        return value if isinstance(value, dict) else {}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = context["widget"]["value"]
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        regions = {
            region.code: {
                "code": region.code,
                "name": region.name,
                "side": region.side,
                "view": region.view,
                "checked": region.code in chosen,
                "severity": chosen.get(region.code, ""),
                "id": f"{base_id}_{region.code}",
                "severity_name": f"{name}__{region.code}",
            }
            for region in REGIONS
        }
        context["widget"]["groups"] = [
            {
                "key": key,
                "label": label,
                "regions": [r for r in regions.values() if REGION_BY_CODE[r["code"]].group == key],
            }
            for key, label in GROUPS
        ]
        context["widget"]["region_list"] = region_list_html(context["widget"])
        return context


def region_list_html(widget: dict) -> SafeString:
    """The body map's regions as checkboxes by group, each with its three strengths: the
    markup intake/widgets/body_map.html had in two loops (20 regions of four inputs, a few
    hundred template lookups per page), written here, character for character."""
    words = body_map_words(get_language())
    disabled = " disabled" if widget["attrs"].get("disabled") else ""
    name = shown(widget["name"])
    groups = []
    for group in widget["groups"]:
        regions = []
        for region in group["regions"]:
            code, region_id = shown(region["code"]), shown(region["id"])
            severity_name = shown(region["severity_name"])
            strengths = "".join(
                f'<div class="form-check">\n'
                f'              <input type="radio" class="form-check-input" name="{severity_name}"'
                f' value="{value}" id="{region_id}__{value}"'
                f"{' checked' if region['severity'] == raw_value else ''}{disabled}>\n"
                f'              <label class="form-check-label" for="{region_id}__{value}">'
                f"{label}</label>\n"
                f"            </div>\n"
                f"            "
                for raw_value, value, label in words["severities"]
            )
            region_name = words["regions"][region["code"]]
            regions.append(
                f"\n"
                f'      <div class="form-check body-map__region" data-region-item="{code}">\n'
                f'        <input type="checkbox" class="form-check-input body-map__check"'
                f' name="{name}" value="{code}" id="{region_id}"'
                f"{' checked' if region['checked'] else ''}{disabled}>\n"
                f'        <label class="form-check-label body-map__region-name"'
                f' for="{region_id}">{region_name}</label>\n'
                f'        <fieldset class="body-map__severity">\n'
                f'          <legend class="body-map__severity-title">{words["how_weak"]}'
                f'<span class="visually-hidden"> ({region_name})</span></legend>\n'
                f'          <div class="choices">\n'
                f"            {strengths}\n"
                f"          </div>\n"
                f"        </fieldset>\n"
                f"      </div>\n"
                f"      "
            )
        group_name = words["groups"][group["key"]]
        groups.append(
            f"\n"
            f'    <fieldset class="body-map__group" data-body-map-group>\n'
            f'      <legend class="body-map__group-title">{group_name}</legend>\n'
            f"      {''.join(regions)}\n"
            f"    </fieldset>\n"
            f"    "
        )
    html = "".join(groups)
    return SafeString(html)  # nosec B703 # every value in it escaped (`shown`, body_map_words)


@lru_cache(maxsize=16)
def body_map_words(language: str | None) -> dict:
    """The body map list's words in `language`, escaped: the regions' and groups' names, the
    strengths and "How weak is it?". They are lazy translations, the same for every patient
    reading that language: worked out once per process and language, not on every page."""
    with translation.override(language):
        return {
            "how_weak": shown(gettext("How weak is it?")),
            "regions": {region.code: shown(region.name) for region in REGIONS},
            "groups": {key: shown(label) for key, label in GROUPS},
            "severities": [
                (value, shown(value), shown(label)) for value, label in Severity.choices
            ],
        }


class BodyMapField(forms.Field):
    """{region code: severity code} from the body map; unknown regions or strengths refused."""

    widget = BodyMapWidget

    def to_python(self, value):
        return dict(value or {})

    def validate(self, value):
        super().validate(value)
        if any(code not in REGION_BY_CODE for code in value):
            raise ValidationError(_("Choose places from the list"), code="invalid_region")
        if any(severity not in ("", *Severity.values) for severity in value.values()):
            raise ValidationError(
                _("Choose how weak each place is: a little, quite a lot, or cannot move it"),
                code="invalid_severity",
            )

    def has_changed(self, initial, data):
        return (initial or {}) != (data or {})


# --- Step forms, generated from the question definition (intake/questions.py) --------------


def _max_length_message(question: Question, max_length: int):
    label = str(question.check_label).rstrip("?")
    return interpolated(
        _("%(label)s must be %(max)s characters or fewer"), {"label": label, "max": max_length}
    )


def form_field(question: Question, model) -> forms.Field:
    """The form field that asks `question`, its limits read from the model field."""
    kind = question.kind
    common = {"label": question.label, "help_text": question.hint, "required": question.required}
    errors = {"required": question.missing} if question.missing else {}
    if kind in (Kind.TEXT, Kind.LONG_TEXT, Kind.EMAIL):
        max_length = model._meta.get_field(question.slug).max_length
        errors["max_length"] = _max_length_message(question, max_length)
        if kind == Kind.LONG_TEXT:
            widget = textarea(rows=question.lines or 3)
        else:
            widget = TextInput(width=question.width, attrs=question.attrs)
        if kind == Kind.EMAIL:
            errors["invalid"] = _(
                "Enter an email address in the right format, like name@example.com"
            )
            return forms.EmailField(
                max_length=max_length, widget=widget, error_messages=errors, **common
            )
        return forms.CharField(
            max_length=max_length,
            widget=widget,
            validators=list(question.validators),
            error_messages=errors,
            **common,
        )
    if kind in (Kind.DATE, Kind.MONTH_YEAR):
        field_class = MemorableDateField if kind == Kind.DATE else MonthYearField
        limits = question.dates
        return field_class(
            earliest=limits.earliest,
            latest=limits.latest,
            too_early=limits.too_early,
            too_late=limits.too_late,
            missing=question.missing,
            **common,
        )
    if kind == Kind.NUMBER:
        return whole_number(question.label, question.low, question.high, question.hint)
    if kind == Kind.CHOICE:
        attrs = {"class": "inline-choices"} if question.inline else None
        return forms.ChoiceField(
            choices=question.offered_choices(),
            widget=forms.RadioSelect(attrs=attrs),
            error_messages=errors,
            **common,
        )
    if kind == Kind.BODY_MAP:
        return BodyMapField(**common)
    if kind == Kind.CHOICES:
        return forms.MultipleChoiceField(
            choices=question.offered_choices(),
            widget=forms.CheckboxSelectMultiple,
            error_messages=errors,
            **common,
        )
    if kind == Kind.SCORED:
        return forms.TypedChoiceField(
            choices=list(enumerate(question.scored_answers)),
            coerce=int,
            widget=forms.RadioSelect,
            error_messages=errors,
            **common,
        )
    if kind == Kind.PHONE:
        return PhoneNumberField(widget=TextInput(attrs=question.attrs), **common)
    raise ImproperlyConfigured(f"No form field for the question {question.slug!r} ({kind}).")


def phone_needed(submission) -> bool:
    """A phone number is required once the answers show a sign for today or for now."""
    return submission is not None and submission.urgency_tier in (
        UrgencyTier.EMERGENCY,
        UrgencyTier.TODAY,
    )


def _phone_number_message() -> str:
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
        _("Enter a phone number, like %(example)s, or one that starts with + and the country code")
    ) % {"example": national}


def phone_number_message():
    """ "Enter a phone number, like 201-555-0123 ...": an example for the clinic's own country
    (lazy: in the reader's language, for the region the settings name when it is shown)."""
    return _lazy_phone_number_message()


_lazy_phone_number_message = lazy(_phone_number_message, str)


class AboutYouChecks:
    """Step "about": a phone number becomes required once the answers show an urgent sign."""

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


class SignsChecks:
    def clean(self):
        cleaned = super().clean()
        # "Long-standing" only belongs to a sign that is ticked; a box left checked under a sign
        # the patient then unticked (hidden by the page) means nothing.
        ticked = set(cleaned.get("urgent_symptoms") or ())
        cleaned["long_standing_symptoms"] = [
            code for code in cleaned.get("long_standing_symptoms") or () if code in ticked
        ]
        return cleaned


class HistoryChecks:
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


#: Checks across the questions of one step, by the step's slug (the rest is in the definition).
STEP_CHECKS = {
    "about": AboutYouChecks,
    "effects": SignsChecks,
    "medical_history": HistoryChecks,
}


@cache
def form_for(step: Step) -> type[StepForm]:
    """The form of a "fields" step: one field per asked question, follow-ups under their answer."""
    asked = step.asked
    attrs = {question.slug: form_field(question, IntakeSubmission) for question in asked}
    attrs["Meta"] = type("Meta", (), {"model": IntakeSubmission, "fields": [q.slug for q in asked]})
    attrs["revealed_by"] = {q.slug: q.shown_when for q in asked if q.shown_when}
    attrs["nested_in"] = {q.slug: q.nested_in for q in asked if q.nested_in}
    attrs["__doc__"] = f"Step {step.number}: {step.slug}, generated from intake/questions.py."
    bases = (STEP_CHECKS[step.slug], StepForm) if step.slug in STEP_CHECKS else (StepForm,)
    name = "".join(part.title() for part in step.slug.split("_")) + "Form"
    return type(name, bases, attrs)


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


@cache
def row_form_for(rows: Rows) -> type[RowForm]:
    """The form of one row of a repeating step, from its questions in the definition."""
    attrs = {
        question.slug: form_field(question, rows.model)
        for question in rows.questions
        if question.asked
    }
    main = rows.question(rows.main)
    attrs.update(main_field=main.slug, main_missing=main.missing)
    name = rows.model.__name__ + "Form"
    return type(name, (RowForm,), attrs)


def _tests_checklist_form() -> type[forms.Form]:
    """The tests step: one checklist of the tests the patient has had; when and where only for
    the ones ticked (it was seven cards of three questions each, most about tests never had)."""
    rows = TESTS.rows
    kinds = rows.question("test_type")
    attrs = {
        "__test__": False,  # not a pytest test class
        "__doc__": _tests_checklist_form.__doc__,
        "tests_had": forms.MultipleChoiceField(
            label=kinds.label,
            help_text=kinds.hint,
            choices=kinds.offered_choices(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        ),
        "revealed_by": {},
    }
    labels = {"when": _("%(test)s: roughly when?"), "where": _("%(test)s: where?")}
    for test_type in kinds.choices:
        for slug, label in labels.items():
            name = f"{test_type.value}_{slug}"
            field = form_field(rows.question(slug), rows.model)
            field.label = interpolated(label, {"test": test_type.label})
            attrs[name] = field
            attrs["revealed_by"][name] = ("tests_had", test_type.value)
    return type(
        "TestsChecklistForm", (RevealingLayoutMixin, AccessibleFormMixin, forms.Form), attrs
    )


TestsChecklistForm = _tests_checklist_form()


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
        row_form_for(MEDICINES.rows),
        formset=MedicineFormSet,
        extra=0,
        max_num=MAX_ROWS + 5,
        absolute_max=60,
        renderer=WIDGET_RENDERER,
    )
    return cls(prefix="medicine", **kwargs)


def injury_formset(**kwargs):
    cls = forms.formset_factory(
        row_form_for(INJURIES.rows),
        formset=InjuryFormSet,
        extra=0,
        max_num=MAX_ROWS + 5,
        absolute_max=60,
        renderer=WIDGET_RENDERER,
    )
    return cls(prefix="injury", **kwargs)
