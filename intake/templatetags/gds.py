"""The "gds" template pack's tags for pages that write their questions themselves (the rows of
medicines and injuries, the check page, the emergency stop page, the "Email me my link" form);
see intake/field_markup.py."""

from django import template
from django.utils.html import format_html_join

from intake.field_markup import field_html

register = template.Library()


@register.simple_tag
def gds_field(field):
    """One question: label or legend, hint, error and input."""
    return field_html(field)


@register.simple_tag
def gds_management_form(formset):
    """`{{ formset.management_form }}`: its hidden inputs. Django writes a form through a
    template (and its error list through another) even when, as here, it is only hidden inputs
    without errors; those are written directly, the same markup. A management form with errors
    (a tampered post) still goes through Django's template."""
    form = formset.management_form
    fields = list(form)
    if form.errors or not all(field.is_hidden for field in fields):
        return form.render()
    return format_html_join("", "{}", ((field,) for field in fields))
