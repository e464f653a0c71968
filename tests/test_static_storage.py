"""Static files' addresses are worked out once per name (atrophy_site/static_storage.py): the
same address the manifest gives, the unhashed one with DEBUG on, and none kept past a
collectstatic."""

import pytest
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage, staticfiles_storage
from django.templatetags.static import static
from whitenoise.storage import CompressedManifestStaticFilesStorage

from atrophy_site.static_storage import StaticFilesStorage


@pytest.fixture
def worked_out(monkeypatch):
    """The names the manifest storage was asked to work out an address for."""
    names = []
    original = ManifestStaticFilesStorage.url

    def counting(self, name, force=False):
        names.append(name)
        return original(self, name, force)

    monkeypatch.setattr(ManifestStaticFilesStorage, "url", counting)
    return names


def test_the_site_uses_the_storage_that_keeps_addresses():
    staticfiles_storage.url("css/site.css")  # set the lazy storage up
    assert isinstance(staticfiles_storage._wrapped, StaticFilesStorage)


def test_an_address_is_the_hashed_one_and_worked_out_once(settings, worked_out):
    settings.DEBUG = False
    storage = StaticFilesStorage()

    first = storage.url("css/site.css")
    again = storage.url("css/site.css")

    assert first == again
    assert first.startswith("/static/css/site.") and first.endswith(".css")
    assert first != "/static/css/site.css"  # the hashed name, cacheable for a year
    assert worked_out == ["css/site.css"]


def test_with_debug_on_the_address_is_the_plain_name(settings, worked_out):
    storage = StaticFilesStorage()
    settings.DEBUG = False
    hashed = storage.url("css/site.css")
    settings.DEBUG = True

    assert storage.url("css/site.css") == "/static/css/site.css" != hashed


def test_a_missing_file_is_an_error_every_time_not_an_address(settings):
    settings.DEBUG = False
    storage = StaticFilesStorage()
    for _ in range(2):
        with pytest.raises(ValueError):
            storage.url("css/no-such-file.css")


def test_collectstatic_forgets_the_kept_addresses(settings, worked_out, monkeypatch):
    settings.DEBUG = False
    storage = StaticFilesStorage()
    storage.url("css/site.css")
    # whitenoise's own post-processing (hashing, compressing) is not what is tested here.
    monkeypatch.setattr(
        CompressedManifestStaticFilesStorage, "post_process", lambda self, *a, **k: iter(())
    )

    list(storage.post_process({}))
    storage.url("css/site.css")

    assert worked_out == ["css/site.css", "css/site.css"]


def test_the_static_tag_gives_the_kept_address(settings):
    settings.DEBUG = False
    assert static("css/site.css") == StaticFilesStorage().url("css/site.css")
