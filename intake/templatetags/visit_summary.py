"""Template tags for pages that point to the visit summary (the confirmation after sending)."""

from django import template

from intake.summary import summary_link_lifetime

register = template.Library()


@register.simple_tag
def summary_link_days() -> int:
    """For how many days after sending the patient's link opens their summary."""
    return summary_link_lifetime().days
