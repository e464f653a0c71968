"""The strict Content-Security-Policy only holds if no template relies on inline code.

Scans every template in the project for inline <script> blocks, <style> blocks, style=""
attributes and inline event handlers (onclick=...), which the CSP would block. Email templates
(`templates/**/email/`) are not pages: an email program shows them, with no CSP, and most only
honour styles written in the message; they may style themselves, but never run a script.
"""

import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_FILES = sorted(
    p
    for pattern in ("templates/**/*.html", "*/templates/**/*.html")
    for p in BASE_DIR.glob(pattern)
    if ".venv" not in p.parts and "staticfiles" not in p.parts and "email" not in p.parts
)
EMAIL_TEMPLATES = sorted(
    p for p in BASE_DIR.glob("*/templates/**/email/*.html") if ".venv" not in p.parts
)

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"href\s*=\s*[\"']\s*javascript:", re.IGNORECASE)


def inline_code_in(text: str) -> tuple[str, str] | None:
    """(what, the text found) of the first inline script, style or handler in `text`."""
    for name, pattern in (
        ("inline <script>", INLINE_SCRIPT),
        ("<style> block", STYLE_BLOCK),
        ("style= attribute", STYLE_ATTRIBUTE),
        ("inline event handler", EVENT_HANDLER),
        ("javascript: URL", JAVASCRIPT_URL),
    ):
        match = pattern.search(text)
        if match:
            return name, match.group(0)
    return None


def test_the_scan_finds_templates():
    assert len(TEMPLATE_FILES) >= 4


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_template_has_no_inline_script_style_or_event_handler(path):
    found = inline_code_in(path.read_text())
    assert found is None, f"{found[0]} in {path.name}: {found[1]!r}"


@pytest.mark.parametrize("path", EMAIL_TEMPLATES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_an_email_template_runs_no_script_and_loads_nothing(path):
    html = path.read_text()
    assert not re.search(r"<script", html, re.IGNORECASE)
    assert not EVENT_HANDLER.search(html)
    assert not JAVASCRIPT_URL.search(html)
    assert not re.search(r"<(img|link|iframe)\b", html, re.IGNORECASE)  # nothing fetched


@pytest.mark.django_db
def test_the_step_pages_markup_written_in_python_has_no_inline_code(client):
    """The questions, their inputs and the body map are written in Python, not in templates
    (intake/field_markup.py, intake/widget_renderer.py, the body map in intake/forms.py and
    intake/templatetags/body_figure.py), where the scan above cannot see them: the pages they
    make are checked instead, as shown and with errors."""
    from intake.questions import STEPS
    from intake.tests.factories import IntakeSubmissionFactory
    from intake.tokens import resume_link_for

    submission = IntakeSubmissionFactory()
    client.get(resume_link_for(submission, submission.raw_token))
    pages = [client.get(f"/prepare/step/{number}/", follow=True) for number in STEPS]
    pages.append(
        client.post(
            "/prepare/step/1/",
            {"form_reference": submission.reference, "family_name": "", "email": "x"},
        )
    )
    for response in pages:
        html = response.content.decode()
        assert 'class="form-group' in html, response.request["PATH_INFO"]
        found = inline_code_in(html)
        assert found is None, f"{found[0]} in {response.request['PATH_INFO']}: {found[1]!r}"
