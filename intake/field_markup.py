"""One question of the patient's form, as markup: the "gds" template pack's field, in Python.

GOV.UK-style (see intake/forms.py): a label, or for radios, checkboxes and date boxes a fieldset
with a legend; "(optional)" beside optional questions on a page that has required ones; the hint
and the error message each with an id that the input or the fieldset names in
`aria-describedby`; an error as "Error: <message>" with a red bar (form-group--error); and for
a choice that calls for follow-ups, those questions (and a nested checkbox) in a `conditional`
block under that choice, which CSS reveals once it is chosen, with no JavaScript.

This was the template intake/includes/field.html. A step page has up to twenty questions and a
hundred inputs, and that template's few hundred variable lookups, tags and includes per page
were most of a step page's CPU (issue 18, bench/RESULTS.md "step pages"). The markup is the
template's, character for character, whitespace included; the inputs themselves come from the
form's renderer (intake/widget_renderer.py), as `{{ field }}` and `{{ choice.tag }}` gave them.

Step pages lay their questions out with crispy-forms (`QuestionBlock` in intake/forms.py calls
`field_html`); other pages write `{% gds_field field %}` (intake/templatetags/gds.py). After a
change to the markup, `bench/steps.py --html DIR` writes every step page (as shown, with errors,
sent) and the other pages with questions, to compare with the same run before the change.
"""

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from .widget_renderer import shown

_CHOICE_WIDGETS = ("radioselect", "checkboxselectmultiple")


def _error(element_id: str, errors) -> str:
    """`<p class="error-message">`, its messages as the template's `errors|join:" "` gave them."""
    messages = " ".join(conditional_escape(message) for message in errors)
    error = shown(gettext("Error:"))  # not inside the f-string: makemessages would not see it
    return (
        f'<p class="error-message" id="{element_id}_error"><span class="visually-hidden">'
        f"{error}</span> {messages}</p>"
    )


def _option(choice) -> str:
    """One radio or checkbox with its label."""
    return (
        f'<div class="form-check">{choice.tag()}<label class="form-check-label"'
        f' for="{shown(choice.id_for_label)}">{shown(choice.choice_label)}</label></div>\n      '
    )


def _options_with_follow_ups(choices, mark_optional: bool, nested_label) -> str:
    """The options of a question some of whose choices reveal follow-ups or a nested checkbox
    (`LayoutItem.choices`: each option with the fields and the nested checkbox it reveals)."""
    parts = []
    for choice, revealed, nested in choices:
        parts.append(_option(choice))
        if revealed or nested:
            nested_html = ""
            if nested:
                nested_html = (
                    f'<div class="form-check form-check--nested">{nested.tag()}'
                    f'<label class="form-check-label" for="{shown(nested.id_for_label)}">'
                    f'<span class="visually-hidden">{shown(choice.choice_label)}: </span>'
                    f"{shown(nested_label)}</label></div>"
                )
            follow_ups = "".join(
                field_html(field, mark_optional=mark_optional) for field in revealed
            )
            parts.append(
                f'<div class="conditional" id="conditional-{shown(choice.id_for_label)}">\n'
                f"        {nested_html}\n"
                f"        {follow_ups}\n"
                f"      </div>"
            )
        parts.append("\n      ")
    return "".join(parts)


def field_html(
    field, *, mark_optional=False, choices=(), nested_label="", nested_field=None
) -> SafeString:
    """The markup of bound field `field` (see the module's docstring).

    `mark_optional`: say "(optional)" when the field is not required. `choices`,
    `nested_label`, `nested_field`: a question's follow-ups, from `LayoutItem`.
    """
    field_id = shown(field.auto_id)
    errors = field.errors
    help_text = field.help_text
    widget = field.field.widget
    optional = ""
    if mark_optional and not field.field.required:
        word = shown(gettext("(optional)"))  # outside the f-string, where makemessages sees it
        optional = f' <span class="optional">{word}</span>'
    label = shown(field.label)
    hint = (
        f'<div class="form-text" id="{field_id}_helptext">{shown(help_text)}</div>'
        if help_text
        else ""
    )
    error = _error(field_id, errors) if errors else ""
    widget_type = field.widget_type
    if widget.use_fieldset:
        # The hint's id and the error's, as the template wrote them (" id_x_error" without a
        # hint: screen readers take the ids apart at the spaces).
        ids = (f"{field_id}_helptext" if help_text else "") + (
            f" {field_id}_error" if errors else ""
        )
        describedby = f' aria-describedby="{ids}"' if ids else ""
        nested_error = ""
        if nested_field and nested_field.errors:
            nested_error = _error(shown(nested_field.auto_id), nested_field.errors)
        if widget_type in _CHOICE_WIDGETS:
            inline = ""
            if "inline-choices" in (widget.attrs.get("class") or "") and not choices:
                inline = " choices--inline"
            if choices:
                options = _options_with_follow_ups(choices, mark_optional, nested_label)
            else:
                options = "".join(_option(choice) for choice in field)
            control = f'\n    <div class="choices{inline}">\n      {options}\n    </div>\n    '
        else:
            control = field.__html__()
        body = (
            f'\n  <fieldset class="form-fieldset"{describedby}>\n'
            f'    <legend class="form-legend">{label}{optional}</legend>\n'
            f"    {hint}\n"
            f"    {error}\n"
            f"    {nested_error}\n"
            f"    {control}\n"
            f"  </fieldset>\n"
        )
    elif widget_type == "checkbox":
        body = (
            f"\n  {error}\n"
            f'  <div class="form-check form-check--single">{field.__html__()}'
            f'<label class="form-check-label" for="{field_id}">{label}</label></div>\n'
            f"  {hint}\n"
        )
    else:
        body = (
            f'\n  <label class="form-label" for="{field_id}">{label}{optional}</label>\n'
            f"  {hint}\n"
            f"  {error}\n"
            f"  {field.__html__()}\n"
        )
    group = " form-group--error" if errors else ""
    # Every value above is escaped (`shown`, `conditional_escape`) or markup Django made safe.
    return SafeString(f'\n<div class="form-group{group}">\n{body}\n</div>\n\n')  # nosec B703
