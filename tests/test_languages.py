"""Choosing the language: the browser's Accept-Language, or the header's switch (no JavaScript).

The switch is a small form per page that posts to Django's set_language view; the choice lives
in a cookie, so URLs (private links included) are the same in every language.
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def switch_buttons(html: str) -> dict[str, str]:
    """The language switch's buttons: {language code: label}."""
    return dict(
        re.findall(r'name="language" value="([a-z-]+)" lang="[a-z-]+">([^<]+)</button>', html)
    )


def test_every_page_offers_english_and_spanish_in_the_header_without_javascript(client):
    html = client.get("/").content.decode()
    form = html[html.index('<form class="language-switch"') :]
    form = form[: form.index("</form>")]
    assert f'action="{reverse("set_language")}" method="post"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="hidden" name="next" value="/">' in form
    assert (
        '<span class="language-switch__current" lang="en" aria-current="true">English</span>'
        in (form)
    )
    assert switch_buttons(form) == {"es": "Español"}
    assert "<script" not in form


def test_the_switch_stores_the_choice_and_returns_to_the_same_page(client):
    response = client.post(
        reverse("set_language"), {"language": "es", "next": "/learn/exercise/#what-helps"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/learn/exercise/#what-helps"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"

    html = client.get("/learn/exercise/").content.decode()
    assert '<html lang="es">' in html
    assert switch_buttons(html) == {"en": "English"}

    client.post(reverse("set_language"), {"language": "en", "next": "/learn/exercise/"})
    assert '<html lang="en">' in client.get("/learn/exercise/").content.decode()


def test_the_switch_never_sends_people_to_another_site(client):
    response = client.post(
        reverse("set_language"), {"language": "es", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_chosen_language_wins_over_the_browsers(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en">' in html


@pytest.mark.parametrize("header", ["es", "es-ES", "es-MX,es;q=0.9,en;q=0.8", "es-419"])
def test_a_browser_set_to_spanish_gets_spanish_pages(client, header):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in response.content.decode()
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("header", ["", "en-GB", "fr-FR", "de,fr;q=0.5"])
def test_other_browsers_get_english(client, header):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert response["Content-Language"] == "en"


def test_pages_that_depend_on_the_language_cookie_say_so_to_caches(client):
    """A shared cache must not hand a Spanish page to an English reader (Vary: Cookie)."""
    response = client.get("/learn/")
    assert "Cookie" in response["Vary"]


#: The switch as its template wrote it before `{% language_switch %}` wrote it in Python.
SWITCH_AS_A_TEMPLATE = """{% load i18n %}<form class="language-switch" action="{% url 'set_language' %}" method="post">
  {% csrf_token %}<input type="hidden" name="next" value="{{ request.get_full_path }}">
  <ul class="language-switch__list" aria-label="Language / Idioma">
    {% for code, name in SITE_LANGUAGES %}<li>{% if code == LANGUAGE_CODE %}<span class="language-switch__current" lang="{{ code }}" aria-current="true">{{ name }}</span>{% else %}<button class="language-switch__button" type="submit" name="language" value="{{ code }}" lang="{{ code }}">{{ name }}</button>{% endif %}</li>{% endfor %}
  </ul>
</form>"""  # noqa: E501


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("token", ["a1B2c3", "NOTPROVIDED", ""])
def test_the_switch_is_the_markup_its_template_wrote(rf, language, token):
    """Written in Python (it is on every page), character for character what the template
    wrote: the page to come back to escaped, the visitor's CSRF token, the current language."""
    from django.template import Context, Template

    from atrophy_site.templatetags.site_chrome import language_switch

    request = rf.get("/learn/?q=<b>&page=2")
    values = {
        "request": request,
        "csrf_token": token,
        "LANGUAGE_CODE": language,
        "SITE_LANGUAGES": settings.LANGUAGES,
    }

    written = language_switch(Context(values))

    assert written == Template(SWITCH_AS_A_TEMPLATE).render(Context(values))
    assert 'value="/learn/?q=%3Cb%3E&amp;page=2"' in written


def test_the_switch_on_a_page_drawn_without_a_request_is_what_its_template_wrote():
    """The summary's PDF is drawn by the worker, with no request: no page to come back to."""
    from django.template import Context, Template

    from atrophy_site.templatetags.site_chrome import language_switch

    values = {"LANGUAGE_CODE": "en", "SITE_LANGUAGES": settings.LANGUAGES}

    written = language_switch(Context(values))

    assert written == Template(SWITCH_AS_A_TEMPLATE).render(Context(values))
    assert '<input type="hidden" name="next" value="">' in written
