"""`{% include_cached %}`: a part of every page that is the same for every visitor, drawn once.

The site's name and menu and its footer (the education disclaimer, the emergency line, the
footer links) are the same on every page for a language and a section of the site, yet were
drawn on every request: a dozen translations and five URL reversals, a quarter to a third of the
CPU of a light page (the home page, the Learn index, a step of the form; issue 18); so are the
body map's shading patterns for a figure's prefix. This tag draws such a template once per
process for each language and set of arguments, and keeps it.

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
from django.urls import reverse
from django.utils.html import conditional_escape as shown
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def include_cached(template_name: str, **arguments):
    render = _render if settings.DEBUG else _cached
    return render(template_name, get_language(), tuple(sorted(arguments.items())))


def _render(template_name: str, language: str | None, arguments: tuple) -> str:
    return render_to_string(template_name, {"LANGUAGE_CODE": language, **dict(arguments)})


# Per language: the menu of each section, the footer, and the body map's shading patterns (six
# per figure prefix; the form, the summary and its PDF): 128 is well above what the site has.
_cached = lru_cache(maxsize=128)(_render)


#: The CSRF token of a page whose view asked for none: `{% csrf_token %}` writes nothing.
_NOT_PROVIDED = "NOTPROVIDED"


@register.simple_tag(takes_context=True)
def language_switch(context) -> str:
    """ "English | Español" in the header (templates/includes/language_switch.html says what it
    is): written here, as it is on every page and differs per visitor (their CSRF token, the page
    to come back to), so it cannot be kept like the menu; in template tags it cost a twentieth of
    a step page."""
    token = context.get("csrf_token")
    csrf = (
        format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
        if token and token != _NOT_PROVIDED
        else ""
    )
    current = context.get("LANGUAGE_CODE")
    items = "".join(
        (
            f'<li><span class="language-switch__current" lang="{shown(code)}"'
            f' aria-current="true">{shown(name)}</span></li>'
        )
        if code == current
        else (
            f'<li><button class="language-switch__button" type="submit" name="language"'
            f' value="{shown(code)}" lang="{shown(code)}">{shown(name)}</button></li>'
        )
        for code, name in context.get("SITE_LANGUAGES", ())
    )
    # A page drawn without a request (the summary's PDF, drawn by the worker) has no address.
    request = context.get("request")
    back_to = shown(request.get_full_path()) if request is not None else ""
    return SafeString(  # nosec B703 # every value in it escaped (`shown`, format_html)
        f'<form class="language-switch" action="{shown(reverse("set_language"))}" method="post">\n'
        f'  {csrf}<input type="hidden" name="next" value="{back_to}">\n'
        '  <ul class="language-switch__list" aria-label="Language / Idioma">\n'
        f"    {items}\n"
        "  </ul>\n"
        "</form>"
    )
