"""The patient's form renders its inputs in Python, not through one template per input (issue 18).

Django renders each input of a form through its form renderer, with Django's own widget
templates: every radio or checkbox of a question is four templates (radio_option.html, which
includes input_option.html, which includes input.html, which includes attrs.html), every text box
three. The step pages have up to a hundred inputs, so those small templates were a good part of a
step page's cost.

`WIDGET_RENDERER` writes the very same markup, character for character, for those templates
(Django 5.2's django/forms/templates/django/forms/widgets/: input, its one-line includes such as
text.html, input_option, textarea and attrs), from the context Django gives the template, and
renders every other template as Django's renderer does (our date boxes and body map, selects,
the formsets' management forms). The intake forms use it (`default_renderer`, and `renderer` on
the formsets); the staff admin keeps Django's. intake/tests/test_step_rendering.py compares the
two renderers on every input of every form a patient meets (as shown, with errors, disabled),
so a Django upgrade that changes its widget templates fails there.
"""

import html

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.functional import Promise
from django.utils.safestring import SafeData, SafeString, mark_safe

WIDGETS = "django/forms/widgets/"


class _TemplateContext:
    """What `render_value_in_context` reads of a template context: the form renderer's
    defaults (autoescape on, localisation and time zone as the settings say)."""

    autoescape = True
    use_l10n = None
    use_tz = None


_CONTEXT = _TemplateContext()


def shown(value) -> str:
    """`{{ value }}`: localised and escaped, as a template shows it."""
    # The usual cases first, as a template treats them: text is escaped (Django's `escape` is
    # `html.escape`, behind a check for lazy text that costs more than the escaping), and a lazy
    # translation is text in the active language (safe text stays as it is).
    if type(value) is str:
        return html.escape(value)
    if isinstance(value, Promise):
        text = str(value)
        return text if isinstance(text, SafeData) else html.escape(text)
    return render_value_in_context(value, _CONTEXT)


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}` (the filter keeps safe text safe)."""
    if type(value) is str:  # "%s" % text is the text
        return html.escape(value)
    text = stringformat(value, "s")
    if isinstance(value, SafeData):
        text = mark_safe(text)  # nosec B308 B703 # noqa: S308 (it was safe already)
    return shown(text)


def attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, ` name` for True, nothing for False."""
    return "".join(
        f" {shown(name)}" if value is True else f' {shown(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def input_html(widget: dict) -> str:
    """django/forms/widgets/input.html (and text.html, email.html... which only include it)."""
    value = widget["value"]
    # The template's own test, `widget.value != None`, kept as it is.
    shown_value = f' value="{_formatted(value)}"' if value != None else ""  # noqa: E711
    return (
        f'<input type="{shown(widget["type"])}" name="{shown(widget["name"])}"'
        f"{shown_value}{attrs_html(widget['attrs'])}>"
    )


def input_option_html(widget: dict) -> str:
    """django/forms/widgets/input_option.html (radio_option.html and checkbox_option.html)."""
    if not widget.get("wrap_label"):
        return input_html(widget)
    label_for = f' for="{shown(widget["attrs"]["id"])}"' if widget["attrs"].get("id") else ""
    # input.html's own line end stays inside the label, as the template includes it.
    return f"<label{label_for}>{input_html(widget)}\n {shown(widget['label'])}</label>"


def textarea_html(widget: dict) -> str:
    """django/forms/widgets/textarea.html."""
    value = shown(widget["value"]) if widget["value"] else ""
    name = shown(widget["name"])
    return f'<textarea name="{name}"{attrs_html(widget["attrs"])}>\n{value}</textarea>'


#: Django's widget templates this module writes, and how.
IN_PYTHON = {
    **{
        f"{WIDGETS}{name}.html": input_html
        for name in (
            "input",
            "text",
            "email",
            "hidden",
            "checkbox",
            "number",
            "password",
            "url",
            "tel",
            "search",
            "color",
            "date",
            "datetime",
            "time",
        )
    },
    f"{WIDGETS}input_option.html": input_option_html,
    f"{WIDGETS}radio_option.html": input_option_html,
    f"{WIDGETS}checkbox_option.html": input_option_html,
    f"{WIDGETS}textarea.html": textarea_html,
}


class WidgetRenderer(DjangoTemplates):
    """Django's form renderer, with its simplest widget templates written in Python."""

    def render(self, template_name, context, request=None):
        markup = IN_PYTHON.get(template_name)
        if markup is None:
            return super().render(template_name, context, request=request)
        html = markup(context["widget"])
        # Safe, as a template's output is: every value in it is escaped (`shown`).
        return SafeString(html)  # nosec B703


#: One for the process: a renderer keeps its template engine (and its cached templates).
WIDGET_RENDERER = WidgetRenderer()
