"""Password rules after OWASP ASVS 4.0 section 2.1 (pure: no Flask, no database).

- at least 12 characters (2.1.1), at most 128 (2.1.2), every character allowed, no composition
  rules (2.1.9);
- not one of the 30,000 most common passwords (zxcvbn's list, from breach corpora) or a Dutch,
  Turkish, Arabic or Polish favourite, also not with digits or punctuation stuck on the end (2.1.7);
- not easy to guess by zxcvbn's estimate (score 3 of 4 or better, with the person's name and
  e-mail address as known words) (2.1.8).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3
_LOCAL_LIST = Path(__file__).with_name("data") / "common-passwords-nl.txt"
_TRAILING = re.compile(r"[\d\W_]+$")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    local = [
        line.strip()
        for line in _LOCAL_LIST.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return frozenset([*FREQUENCY_LISTS["passwords"], *local])


def problem(password: str, *, known_words: tuple[str, ...] = ()) -> str | None:
    """Why a password is refused ("too_short", "too_long", "common", "guessable"), or None."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    lowered = password.casefold().strip()
    base = _TRAILING.sub("", lowered)
    listed = common_passwords()
    if lowered in listed or (len(base) >= 4 and base in listed):
        return "common"
    words = [w for word in known_words for w in re.split(r"[\s@._-]+", word.casefold()) if len(w) >= 3]
    words += [word.casefold().split("@")[0] for word in known_words if word]  # "fatima.elamrani" whole
    if zxcvbn(password[:MAX_LENGTH], user_inputs=words)["score"] < MIN_SCORE:
        return "guessable"
    return None
