"""The home page and the base layout every page shares."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_explains_the_two_paths(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/learn/"' in html
    assert 'href="/prepare/"' in html
    assert "Learn about muscle loss" in html
    assert "Prepare for your visit" in html


def test_base_layout_has_language_skip_link_and_navigation(client):
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    assert '<a class="skip-link" href="#main">' in html
    assert 'id="main"' in html
    assert '<nav aria-label="Main">' in html


def test_every_page_says_it_is_not_a_diagnosis_and_what_to_do_in_an_emergency(client, settings):
    settings.EMERGENCY_NUMBER = "999"
    html = client.get(reverse("home")).content.decode()
    assert "It is not a diagnosis" in html
    assert "In an emergency, call 999 now." in html


def test_unknown_page_gets_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'href="/"' in html


def test_server_error_page_is_friendly_and_standalone(rf):
    from atrophy_site.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Sorry, something went wrong" in response.content


def test_pages_have_no_inline_script_or_style(client):
    html = client.get(reverse("home")).content.decode()
    assert "<script>" not in html and "<style" not in html and "style=" not in html


def _current_section(html: str) -> list[str]:
    return re.findall(r'<a href="(/[a-z]*/?)" aria-current="page">', html)


def test_the_menu_marks_the_section_each_page_is_in(client):
    """The site's name and menu are drawn once per language and section (`include_cached`):
    each page still marks its own section."""
    for _ in range(2):  # drawn, then kept
        assert _current_section(client.get("/").content.decode()) == []
        assert _current_section(client.get("/learn/").content.decode()) == ["/learn/"]
        assert _current_section(client.get("/prepare/").content.decode()) == ["/prepare/"]


def test_the_menu_and_footer_follow_each_pages_language(client):
    for language, words in (
        ("en", "Prepare for your visit"),
        ("es", "Prepárese para su consulta"),
        ("en", "Prepare for your visit"),
    ):
        client.cookies["django_language"] = language
        html = client.get("/learn/").content.decode()
        header, footer = html.split("<main", 1)[0], html.rsplit("</main>", 1)[1]
        assert words in header and words in footer, language


def test_a_new_emergency_number_shows_at_once_in_the_footer(client, settings):
    settings.EMERGENCY_NUMBER = "999"
    assert "In an emergency, call 999 now." in client.get("/").content.decode()
    settings.EMERGENCY_NUMBER = "112"
    assert "In an emergency, call 112 now." in client.get("/").content.decode()
