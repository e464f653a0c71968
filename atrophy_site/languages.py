"""The site's languages: listed once, in settings.LANGUAGES; everything else is derived here.

Names come from Django's own language list (`get_language_info`), translated into the reader's
language: as a label ("Spanish", "Español") or inside a sentence ("en inglés", lower case in
Spanish). Model fields take `language_choices` as a callable, so adding a language to the
settings needs no migration.
"""

from django.conf import settings
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_info


def language_name(code: str) -> str:
    """A language's name as a label, in the reader's language: "Spanish", "Español" (lazy)."""
    return capfirst(get_language_info(code)["name_translated"])


#: Languages that write the names of languages in lower case inside a sentence ("en inglés").
LOWER_CASE_LANGUAGE_NAMES = frozenset({"es", "fr", "it", "pt", "ca", "gl", "ro"})


def _in_a_sentence(code: str) -> str:
    name = str(get_language_info(code)["name_translated"])
    reader = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return name.lower() if reader in LOWER_CASE_LANGUAGE_NAMES else name


def language_name_in_a_sentence(code: str) -> str:
    """A language's name inside a sentence, in the reader's language: "English", "inglés"
    (lazy: worked out in the language active where it is shown)."""
    return _lazy_in_a_sentence(code)


# Made lazy once: Django's `lazy()` defines a new class on every call.
_lazy_in_a_sentence = lazy(_in_a_sentence, str)


def language_choices() -> list[tuple[str, str]]:
    """Every language of the site, for a model field's choices."""
    return [(code, language_name(code)) for code, _native in settings.LANGUAGES]


def translation_language_choices() -> list[tuple[str, str]]:
    """The languages content is translated into: all but the one it is written in."""
    return [(code, name) for code, name in language_choices() if code != settings.LANGUAGE_CODE]
