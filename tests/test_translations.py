"""The Spanish catalogue (locale/es/LC_MESSAGES/) is complete, current and compiled.

It fails when someone adds or changes a user-facing string without translating it, leaves a
translation fuzzy, breaks a placeholder, or forgets to compile the .mo (a fresh machine with only
Python gets Spanish from the committed .mo, without gettext tools).

To update the catalogue after changing strings (needs GNU gettext: apt-get install gettext):

    .venv/bin/python manage.py makemessages -l es --ignore=.venv --ignore=staticfiles \\
        --ignore=bench --no-obsolete --add-location=file
    # translate the new entries in locale/es/LC_MESSAGES/django.po, remove "fuzzy" flags, then
    .venv/bin/python manage.py compilemessages -l es --ignore=.venv

The check that every string in the code is in the catalogue runs makemessages on a copy of the
code, so it needs gettext: without it the test is skipped, except under CI=true, where it fails.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LANGUAGE = "es"
CATALOGUE = Path(settings.BASE_DIR) / "locale" / LANGUAGE / "LC_MESSAGES"
PO_FILE = CATALOGUE / "django.po"
MO_FILE = CATALOGUE / "django.mo"
MAKEMESSAGES = [
    "makemessages",
    "-l",
    LANGUAGE,
    "--ignore=.venv",
    "--ignore=staticfiles",
    "--ignore=bench",
    "--no-obsolete",
    "--add-location=file",
]
#: What a copy of the code for makemessages leaves out: tools, data and generated files.
NOT_CODE = shutil.ignore_patterns(
    ".venv",
    ".git",
    "staticfiles",
    "data",
    "test-artifacts",
    "node_modules",
    "__pycache__",
    ".ruff_cache",
    ".pytest_cache",
    ".env",
    "*.mo",
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfi]|%[sdfi]")


def _key(entry: polib.POEntry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def _catalogue() -> polib.POFile:
    assert PO_FILE.is_file(), f"{PO_FILE} is missing"
    return polib.pofile(str(PO_FILE))


def _active(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def _gettext_tools_or_skip() -> None:
    missing = [
        tool for tool in ("xgettext", "msgmerge", "msguniq", "msgfmt") if not shutil.which(tool)
    ]
    if not missing:
        return
    message = (
        f"GNU gettext is not installed ({', '.join(missing)} missing): apt-get install gettext"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def test_every_entry_of_the_spanish_catalogue_is_translated_and_not_fuzzy():
    entries = _active(_catalogue())
    assert len(entries) > 500
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    untranslated = [entry.msgid for entry in entries if not entry.translated()]
    assert not fuzzy, f"fuzzy translations to check: {fuzzy}"
    assert not untranslated, f"untranslated strings: {untranslated}"


def test_translations_keep_every_placeholder_of_the_english():
    """A dropped %(number)s would show the wrong text; an added one would crash the page."""
    broken = []
    for entry in _active(_catalogue()):
        if entry.msgid_plural:
            pairs = [
                (entry.msgid if index == 0 else entry.msgid_plural, text)
                for index, text in entry.msgstr_plural.items()
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for english, spanish in pairs:
            if sorted(_PLACEHOLDER.findall(english)) != sorted(_PLACEHOLDER.findall(spanish)):
                broken.append((english, spanish))
    assert not broken, f"placeholders differ: {broken}"


def test_the_compiled_catalogue_matches_the_po_file():
    """The .mo that Django reads holds exactly the .po's translations (run compilemessages)."""
    assert MO_FILE.is_file(), f"{MO_FILE} is missing: run compilemessages and commit it"
    mo = {_key(entry): entry for entry in polib.mofile(str(MO_FILE)) if entry.msgid}
    po = {_key(entry): entry for entry in _active(_catalogue())}
    assert set(mo) == set(po), "the .mo is out of date: run compilemessages"
    stale = [
        key[1]
        for key, entry in po.items()
        if (entry.msgstr_plural or entry.msgstr)
        != (mo[key].msgstr_plural if entry.msgid_plural else mo[key].msgstr)
    ]
    assert not stale, f"the .mo has older translations of: {stale}"


def test_the_catalogue_holds_every_string_in_the_code_and_nothing_else(tmp_path):
    """makemessages on a copy of the code finds the same strings as the committed catalogue."""
    _gettext_tools_or_skip()
    copy = tmp_path / "code"
    shutil.copytree(settings.BASE_DIR, copy, ignore=NOT_CODE)
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "ENV_FILE": "/nonexistent"},
    )
    assert result.returncode == 0, result.stderr
    fresh = {
        _key(entry)
        for entry in _active(polib.pofile(str(copy / PO_FILE.relative_to(settings.BASE_DIR))))
    }
    committed = {_key(entry) for entry in _active(_catalogue())}
    assert not fresh - committed, (
        f"strings in the code missing from the catalogue: {fresh - committed}"
    )
    assert not committed - fresh, f"catalogue entries no longer in the code: {committed - fresh}"


def test_the_po_file_compiles_cleanly_with_gettext():
    """msgfmt --check: header, plural forms and python-format placeholders are all valid."""
    _gettext_tools_or_skip()
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(PO_FILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
