"""Every UI string ships translated in every locale: no empty, fuzzy or missing entry,
and the placeholders of each translation match the original."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.i18n import LANGUAGE_CODES

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


@pytest.fixture(scope="module")
def source_messages() -> set[str]:
    method_map = [("app/**.py", "python"), ("app/**/templates/**.html", "jinja2")]
    options = {"app/**/templates/**.html": {"trimmed": "true"}}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def load(locale: str):
    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"{path} is missing: run `make translations`"
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.mark.parametrize("locale", LANGUAGE_CODES)
def test_catalog_is_complete_and_not_fuzzy(locale, source_messages):
    catalog = load(locale)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(s.strip() for s in strings):
            problems.append(f"empty: {message.id!r}")
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    problems += [f"missing: {m!r}" for m in sorted(source_messages - ids)]
    assert problems == []


@pytest.mark.parametrize("locale", LANGUAGE_CODES)
def test_placeholders_survive_translation(locale):
    """Every placeholder of the original appears in the translation, and no other. For
    plural entries a form may leave out the count (`%(num)d`), as in "one plan"."""
    broken = []
    for message in load(locale):
        if not message.id:
            continue
        originals = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        allowed = set().union(*(PLACEHOLDER.findall(o) for o in originals))
        required = set(PLACEHOLDER.findall(originals[0])) - ({"num"} if len(originals) > 1 else set())
        for text in strings:
            found = set(PLACEHOLDER.findall(text))
            if text and (not found <= allowed or not required <= found):
                broken.append((originals[0], text))
    assert broken == []
