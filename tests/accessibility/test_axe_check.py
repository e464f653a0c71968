"""The accessibility check itself finds problems, so a clean result means something."""

import pytest

from tests.accessibility.axe_check import wcag_violations

pytestmark = pytest.mark.browser

BROKEN_PAGE = """<!doctype html><html><head></head><body>
<img src="photo.png"><input type="text"><a href="/next/"> </a>
<p class="faint">Faint text</p></body></html>"""


def test_the_check_reports_every_rule_a_broken_page_breaks(page):
    page.set_content(BROKEN_PAGE)
    page.add_style_tag(content=".faint { color: #ccc; background: #fff; }")

    rules = {line.split(" ", 1)[0] for line in wcag_violations(page)}

    assert {"image-alt", "label", "link-name", "color-contrast", "html-has-lang"} <= rules
