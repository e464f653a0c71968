"""The load test's client (bench/load.py) reads forms as a browser would send them.

Its form reader is a regular expression over the tags of a form, for speed (it shares the
machine's two cores with the server it measures). Here it reads every page a patient meets on
the way through the form, and must find what Python's HTMLParser finds, field for field.
"""

import importlib.util
import sys
import threading
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

BENCH = Path(__file__).resolve().parent.parent / "bench"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def load():
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_load", BENCH / "load.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_load"] = module  # its dataclasses look their module up there
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("bench_load", None)
        sys.path.remove(str(BENCH))


class ReferenceParser(HTMLParser):
    """The forms of a page by Python's HTMLParser: what the load client read before."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": [], "buttons": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "input":
            fields.append(
                {
                    "name": a.get("name"),
                    "type": (a.get("type") or "text").lower(),
                    "value": a.get("value") or "",
                    "checked": "checked" in a,
                }
            )
        elif tag == "textarea":
            self._textarea = True
            fields.append({"name": a.get("name"), "type": "textarea", "value": ""})
        elif tag == "select":
            self._select = a.get("name")
            fields.append({"name": self._select, "type": "select", "value": ""})
        elif tag == "option" and self._select:
            if "selected" in a or not fields[-1].get("seen_option"):
                fields[-1]["value"] = a.get("value") or ""
            fields[-1]["seen_option"] = True
        elif tag == "button" and a.get("name"):
            self._form["buttons"].append((a["name"], a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = False
            field = self._form["fields"][-1] if self._form else None
            if field and field["value"].startswith("\n"):  # as a browser reads a text area
                field["value"] = field["value"][1:]

    def handle_data(self, data):
        if self._textarea and self._form:
            self._form["fields"][-1]["value"] += data


def test_the_client_reads_escaped_values_bare_attributes_and_text_areas(load):
    page = "".join(
        [
            '<form method="post" action="/x/?a=1&amp;b=2">',
            '<input type="hidden" name="t" value="&lt;&quot;&gt;">',
            '<input type="checkbox" name="c" value="yes" checked>',
            '<textarea name="n" rows="3">\nTom &amp; Jerry</textarea>',
            '<select name="s"><option value="1">One</option>',
            '<option value="2" selected>Two</option></select>',
            '<button name="action" value="next">Go</button></form>',
            '<form method="get"><input name="q"></form>',
        ]
    )
    parser = load.FormParser()
    parser.feed(page)
    (form,) = parser.forms
    assert form["action"] == "/x/?a=1&b=2"
    assert [(f["name"], f["value"]) for f in form["fields"]] == [
        ("t", '<">'),
        ("c", "yes"),
        ("n", "Tom & Jerry"),
        ("s", "2"),
    ]
    assert form["fields"][1]["checked"] is True
    assert form["buttons"] == [("action", "next")]


def test_the_client_reads_every_page_of_the_form_as_htmlparser_does(load):
    pages = []

    class InProcess(load.Patient):
        """A load-test patient whose requests go to the test client."""

        def __init__(self):
            super().__init__("http://testserver", 1, load.Timings(), threading.Lock())
            self.client = Client()

        def request(self, path, data=None):
            path = urllib.parse.urlsplit(path).path or path
            if data is None:
                response = self.client.get(path, follow=True)
            else:
                body = urllib.parse.urlencode(data)
                response = self.client.post(
                    path, body, content_type="application/x-www-form-urlencoded", follow=True
                )
            assert response.status_code == 200, path
            html = response.content.decode()
            pages.append(html)
            final = response.redirect_chain[-1][0] if response.redirect_chain else path
            return html, "http://testserver" + urllib.parse.urlsplit(final).path

    assert InProcess().run(), "the patient did not reach the sent page"
    assert len(pages) >= 12
    for html in pages:
        ours, reference = load.FormParser(), ReferenceParser()
        ours.feed(html)
        reference.feed(html)
        assert ours.forms == reference.forms
