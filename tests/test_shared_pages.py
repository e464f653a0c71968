"""Whole public pages kept per process for readers without a session (atrophy_site/shared_pages.py):
what a reader gets from a kept page is what a drawn page would give them, with their own CSRF
token, and nobody with a session, a message or another language ever gets someone else's copy."""

import re

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.test import Client, RequestFactory

from atrophy_site.shared_pages import SharedPageMiddleware
from education.models import Topic
from intake.tests.factories import IntakeSubmissionFactory
from intake.tokens import resume_link_for

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
SHARED_PATHS = ["/", "/learn/", "/learn/urgent-signs/"]


def without_tokens(html: str) -> str:
    return TOKEN.sub("TOKEN", html)


@pytest.fixture
def urgent_signs():
    return Topic.objects.get(slug="urgent-signs")  # the education content is in every database


@pytest.mark.parametrize("path", SHARED_PATHS)
def test_a_second_reader_gets_the_kept_page_with_no_database_query_and_a_token_of_their_own(
    path, urgent_signs, django_assert_num_queries
):
    first = Client().get(path)
    second_reader = Client()
    with django_assert_num_queries(0):
        second = second_reader.get(path)
    assert second.status_code == 200
    assert without_tokens(second.content.decode()) == without_tokens(first.content.decode())
    first_token = TOKEN.search(first.content.decode()).group(1)
    second_token = TOKEN.search(second.content.decode()).group(1)
    assert second_token != first_token
    assert second.cookies[django_settings.CSRF_COOKIE_NAME].value
    assert int(second["Content-Length"]) == len(second.content)


def test_a_kept_page_is_served_without_drawing_it_again(monkeypatch):
    from atrophy_site import views

    drawn = []
    render = views.render
    monkeypatch.setattr(views, "render", lambda *args, **kw: drawn.append(1) or render(*args, **kw))
    Client().get("/")
    Client().get("/")
    assert len(drawn) == 1
    patient = Client()
    patient.cookies["sessionid"] = "a-session-that-does-not-exist"
    patient.get("/")
    assert len(drawn) == 2


def test_the_token_on_a_kept_page_lets_its_reader_switch_language(urgent_signs):
    Client().get("/learn/urgent-signs/")  # kept
    reader = Client(enforce_csrf_checks=True)
    page = reader.get("/learn/urgent-signs/").content.decode()
    token = TOKEN.search(page).group(1)
    response = reader.post(
        "/i18n/setlang/",
        {"csrfmiddlewaretoken": token, "language": "es", "next": "/learn/urgent-signs/"},
    )
    assert response.status_code == 302
    assert reader.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert 'lang="es"' in reader.get("/learn/urgent-signs/").content.decode()


def test_a_reader_keeps_their_csrf_cookie_on_a_kept_page(urgent_signs):
    reader = Client(enforce_csrf_checks=True)
    reader.get("/")  # the reader's CSRF cookie is set here
    cookie = reader.cookies[django_settings.CSRF_COOKIE_NAME].value
    reader.get("/learn/")  # drawn for the first reader, kept
    response = reader.get("/learn/")  # kept
    # Sent again to renew its expiry, as Django does on a drawn page; the same secret.
    assert response.cookies[django_settings.CSRF_COOKIE_NAME].value == cookie
    token = TOKEN.search(response.content.decode()).group(1)
    accepted = reader.post("/i18n/setlang/", {"csrfmiddlewaretoken": token, "language": "en"})
    assert accepted.status_code == 302
    assert reader.cookies[django_settings.CSRF_COOKIE_NAME].value == cookie


def test_each_language_gets_its_own_kept_page(urgent_signs):
    Client().get("/learn/")
    spanish_by_header = Client(HTTP_ACCEPT_LANGUAGE="es").get("/learn/")
    assert spanish_by_header["Content-Language"] == "es"
    assert 'lang="es"' in spanish_by_header.content.decode()
    spanish_by_cookie = Client()
    spanish_by_cookie.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "es"
    assert spanish_by_cookie.get("/learn/")["Content-Language"] == "es"
    english = Client(HTTP_ACCEPT_LANGUAGE="es")
    english.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = english.get("/learn/")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_a_patient_with_a_form_under_way_gets_their_message_not_a_kept_page():
    Client().get("/")  # kept for readers without a session
    submission = IntakeSubmissionFactory()
    patient = Client()
    assert patient.get(resume_link_for(submission, submission.raw_token)).status_code == 302
    home = patient.get("/").content.decode()
    assert "Welcome back. Your answers are here" in home
    assert "Welcome back" not in Client().get("/").content.decode()


def test_an_edit_to_a_topic_shows_at_once_on_a_kept_page(urgent_signs):
    assert "When weakness needs emergency care" in Client().get("/learn/urgent-signs/").text
    urgent_signs.title = "Weakness that needs care now"
    urgent_signs.save()
    page = Client().get("/learn/urgent-signs/").content.decode()
    assert "Weakness that needs care now" in page


def test_a_kept_page_has_the_security_headers_of_a_drawn_one(urgent_signs):
    drawn = Client().get("/learn/urgent-signs/")
    kept = Client().get("/learn/urgent-signs/")
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Permissions-Policy",
        "Content-Language",
        "Content-Type",
    ):
        assert kept[header] == drawn[header], header
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in kept["Vary"].split(",")}


def test_a_kept_page_still_refuses_a_host_not_allowed(urgent_signs):
    assert Client().get("/learn/").status_code == 200
    assert Client(HTTP_HOST="evil.example").get("/learn/").status_code == 400


def request(path="/learn/", method="get", cookies=None, **extra):
    made = getattr(RequestFactory(), method)(path, **extra)
    made.COOKIES.update(cookies or {})
    return made


@pytest.mark.parametrize(
    "made",
    [
        pytest.param(lambda: request("/learn/?q=stroke"), id="a query string"),
        pytest.param(lambda: request(method="post"), id="a POST"),
        pytest.param(lambda: request(method="head"), id="a HEAD"),
        pytest.param(lambda: request(cookies={"sessionid": "abc"}), id="a session"),
        pytest.param(lambda: request(cookies={"messages": "abc"}), id="a message waiting"),
    ],
)
def test_these_requests_always_get_the_page_drawn(made):
    assert SharedPageMiddleware.key(made()) is None


def test_a_reader_with_only_the_csrf_and_language_cookies_may_get_a_kept_page():
    made = request(cookies={"csrftoken": "x" * 32, "django_language": "es"})
    assert SharedPageMiddleware.key(made) is not None


def test_nothing_is_kept_while_debug_is_on(settings):
    settings.DEBUG = True
    assert SharedPageMiddleware.key(request()) is None


def marked(response: HttpResponse) -> HttpResponse:
    response.shared_page = True
    return response


def test_only_a_marked_page_answering_200_without_other_cookies_is_kept():
    assert SharedPageMiddleware.keepable(marked(HttpResponse("page"))) is not None
    assert SharedPageMiddleware.keepable(HttpResponse("not marked")) is None
    assert SharedPageMiddleware.keepable(marked(HttpResponse("gone", status=404))) is None
    no_store = marked(HttpResponse("private"))
    no_store["Cache-Control"] = "no-store"
    assert SharedPageMiddleware.keepable(no_store) is None
    session = marked(HttpResponse("a session started"))
    session.set_cookie("sessionid", "abc")
    assert SharedPageMiddleware.keepable(session) is None
    csrf = marked(HttpResponse("a new reader"))
    csrf.set_cookie(django_settings.CSRF_COOKIE_NAME, "x" * 32)
    assert SharedPageMiddleware.keepable(csrf) is not None


def test_a_host_not_allowed_is_refused_before_a_kept_page_is_served():
    from atrophy_site.shared_pages import KeptPage

    with pytest.raises(DisallowedHost):
        SharedPageMiddleware.serve(request(HTTP_HOST="evil.example"), KeptPage({}, "page"))
