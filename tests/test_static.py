"""Static files are served by whitenoise with hashed names and compressed copies."""

import re

import pytest
from django.templatetags.static import static
from django.test import Client


@pytest.mark.django_db
def test_whitenoise_serves_a_hashed_compressed_stylesheet(settings):
    url = static("css/site.css")
    assert re.search(r"/static/css/site\.[0-9a-f]{12}\.css$", url), url

    response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] in {"br", "gzip"}
    assert "max-age" in response.headers["Cache-Control"]


def test_bootstrap_is_vendored_with_its_licence():
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/bootstrap/bootstrap.min.css")
    assert finders.find("vendor/bootstrap/LICENSE")
