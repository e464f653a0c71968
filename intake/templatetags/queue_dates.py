"""The queue's appointment-date hierarchy (years, months, days above the table), at any size.

Django's own (`admin_list.date_hierarchy`) lists the years, or a year's months, that hold at
least one form of the view: a DISTINCT over every form of it, about 25 ms of SQL on each page of
"All forms" with 100,000 forms (bench/scale.py), and growing with the table. Here the years and
months are those from the view's first appointment to its last: two index probes (MIN and MAX on
intake_appointment_date or intake_status_appointment), whatever the size. A month without a form
in between is listed too, and shows an empty list; a clinic has appointments every month. Once a
month is chosen, Django's own lists its days that hold a form (one month's forms at most).
"""

import datetime

from django import template
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.db.models import Max, Min
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext

register = template.Library()


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first day of each month from `first`'s to `last`'s, both included."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def queue_date_hierarchy(cl) -> dict:
    """What admin/date_hierarchy.html shows, as Django's `date_hierarchy(cl)` returns it."""
    field = cl.date_hierarchy
    year_field, month_field, day_field = (f"{field}__{part}" for part in ("year", "month", "day"))
    if cl.params.get(month_field) or cl.params.get(day_field):
        return admin_list.date_hierarchy(cl)  # the days of one month

    def link(filters):
        return cl.get_query_string(filters, [f"{field}__"])

    year = cl.params.get(year_field)
    span = cl.queryset.aggregate(first=Min(field), last=Max(field))
    first, last = span["first"], span["last"]
    if first is None:
        back = {"link": link({}), "title": gettext("All dates")} if year else None
        return {"show": True, "back": back, "choices": []}
    if year is None and first.year == last.year:
        year = first.year
        if first.month == last.month:  # as Django: open on that month's days
            return {
                "show": True,
                "back": {"link": link({year_field: year}), "title": str(year)},
                "choices": [
                    {
                        "link": link(
                            {year_field: year, month_field: day.month, day_field: day.day}
                        ),
                        "title": capfirst(formats.date_format(day, "MONTH_DAY_FORMAT")),
                    }
                    for day in cl.queryset.dates(field, "day")
                ],
            }
    if year is not None:
        return {
            "show": True,
            "back": {"link": link({}), "title": gettext("All dates")},
            "choices": [
                {
                    "link": link({year_field: year, month_field: month.month}),
                    "title": capfirst(formats.date_format(month, "YEAR_MONTH_FORMAT")),
                }
                for month in months_between(first, last)
            ],
        }
    return {
        "show": True,
        "back": None,
        "choices": [
            {"link": link({year_field: str(each)}), "title": str(each)}
            for each in range(first.year, last.year + 1)
        ],
    }


@register.tag(name="queue_date_hierarchy")
def queue_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=queue_date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )
