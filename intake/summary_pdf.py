"""The visit summary as a PDF file, drawn by WeasyPrint from the summary page's own HTML and CSS.

The PDF views (intake/summary_views.py) render the same template from the same `VisitSummary`
as the page, with `pdf=True`, and hand the HTML to `render_summary_pdf`. WeasyPrint lays it out
with the print stylesheet (static/css/summary.css, `@media print`), so paper and PDF agree.

This module imports WeasyPrint, which needs Pango and HarfBuzz from the system (README "PDF").
Only the PDF views import it, when a PDF is asked for, so the site starts and serves every other
page without them.

WeasyPrint fetches what the HTML links to (our stylesheets). It must never reach the network or
the file system beyond our own static files: the summary is personal health data and the HTML
holds text the patient typed. `StaticFilesFetcher` serves only files under STATIC_URL, from the
collected static files (or, in development, the app's static folders) and refuses anything else.
See WeasyPrint's "Security" notes on untrusted HTML and URL fetchers.
"""

import logging
import mimetypes
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)


def static_name_for_url(url: str, *, base_url: str) -> str | None:
    """The static file a URL in the summary's HTML points to ("css/summary.css"), or None.

    Only URLs under STATIC_URL on `base_url`'s own origin count; a query or fragment is
    dropped. Anything else (another host, another path, `file:`, `data:`, a path that climbs out
    with "..") is None, so the fetcher refuses it.
    """
    prefix = urlsplit(urljoin(base_url, settings.STATIC_URL))
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc):
        return None
    if not parts.path.startswith(prefix.path):
        return None
    name = unquote(parts.path[len(prefix.path) :])
    segments = name.split("/")
    if not name or "\\" in name or "\x00" in name or any(s in ("", ".", "..") for s in segments):
        return None
    return name


def read_static_file(name: str) -> bytes | None:
    """The bytes of one of our static files by its (possibly hashed) name, or None.

    Looked up as the site serves it: the collected files (hashed names, as `{% static %}` writes
    them outside DEBUG), and the app's static folders (source names). In DEBUG the folders come
    first, as whitenoise serves them, so an edited stylesheet shows without collectstatic. Both
    refuse names that would leave their folders.
    """
    lookups = (_from_finders, _from_storage) if settings.DEBUG else (_from_storage, _from_finders)
    for lookup in lookups:
        try:
            body = lookup(name)
        except Exception:  # noqa: BLE001 - a refused name (SuspiciousFileOperation) or I/O error
            logger.warning("intake.summary_pdf static file unreadable name=%s", name[:200])
            return None
        if body is not None:
            return body
    return None


def _from_storage(name: str) -> bytes | None:
    if not staticfiles_storage.exists(name):
        return None
    with staticfiles_storage.open(name) as file:
        return file.read()


def _from_finders(name: str) -> bytes | None:
    path = finders.find(name)
    if path is None:
        return None
    with open(path, "rb") as file:
        return file.read()


class StaticFilesFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves our own static files and refuses everything else."""

    def __init__(self, *, base_url: str):
        super().__init__(allowed_protocols=())  # never WeasyPrint's own network or file access
        self.base_url = base_url

    def fetch(self, url, headers=None):
        name = static_name_for_url(url, base_url=self.base_url)
        body = read_static_file(name) if name else None
        if body is None:
            logger.warning("intake.summary_pdf refused url=%s", url[:200])
            raise ValueError(f"Refused a resource that is not one of our static files: {url}")
        mime_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, headers={"Content-Type": mime_type})


def render_summary_pdf(html: str, *, base_url: str) -> bytes:
    """The PDF of a rendered summary page; `base_url` is the site's root, for its static URLs.

    Tagged (headings, lists, tables), so screen readers and reflowing viewers can read it; its
    language and title come from the page's `lang` and <title>.
    """
    fetcher = StaticFilesFetcher(base_url=base_url)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher, media_type="print")
    return document.write_pdf(pdf_tags=True)
