"""`{% include_cached %}`: a part of every page that is the same for every visitor, drawn once.

The site's name and menu and its footer (the education disclaimer, the emergency line, the
footer links) are the same on every page for a language and a section of the site, yet were
drawn on every request: a dozen translations and five URL reversals, a quarter to a third of the
CPU of a light page (the home page, the Learn index, a step of the form; issue 18). This tag
draws such a template once per process for each language and set of arguments, and keeps it.

    {% include_cached "includes/site_footer.html" number=EMERGENCY_NUMBER %}

The template sees only its arguments and LANGUAGE_CODE, never the request, the user or the
session, so nothing personal can be kept and shown to someone else: whatever else it depends on
must be an argument, which is part of the key. With DEBUG on (a developer editing templates),
it is drawn every time.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def include_cached(template_name: str, **arguments):
    if settings.DEBUG:
        return _render(template_name, get_language(), tuple(sorted(arguments.items())))
    return _cached(template_name, get_language(), tuple(sorted(arguments.items())))


def _render(template_name: str, language: str | None, arguments: tuple) -> str:
    return render_to_string(template_name, {"LANGUAGE_CODE": language, **dict(arguments)})


# A few languages times a few sections: 64 is far more than the site has.
_cached = lru_cache(maxsize=64)(_render)
