"""Search text folded for comparison (pure: no Flask, no database).

"cafe" finds "Café", "CAFÉ" and "café"; "lodz" finds "Łódź"; "istanbul" finds "İstanbul"; Arabic
vowel marks are ignored. The text is compared as a plain substring, so `%` and `_` are
ordinary characters (no SQL LIKE is involved)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

#: Letters that carry no combining mark to strip, written out.
_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ـ": ""}
)  # the last: Arabic tatweel, a stretching stroke


def fold(text: str | None) -> str:
    """Case, accents and compatibility forms removed; runs of white space made one space."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_LETTERS)
    return " ".join(bare.split())


def matches(needle: str, texts: Iterable[str | None]) -> bool:
    folded = fold(needle)
    return bool(folded) and any(folded in fold(text) for text in texts)
