"""Ticket and receipt codes: generation, normalisation, display and keyed hashing.

Codes use Crockford's base32 alphabet (digits and capitals without I, L, O and U),
so a resident who reads ``0`` as ``O`` or ``1`` as ``I``/``l`` still types a valid code.

* Ticket codes are 9 symbols = 45 random bits, shown as ``K7F-93Q-P2M``.
  They are the resident's key, so the database stores only ``hash_code(code, key)``.
* Receipt codes are 10 symbols = 50 random bits, shown as ``7KQ2M-X9HTP``.
  They let a voter find their own ballot again; they are not secret credentials.

This module is pure Python: no Flask, no database.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BITS_PER_SYMBOL = int(math.log2(len(ALPHABET)))  # 5

TICKET_CODE_LENGTH = 9
TICKET_CODE_GROUPS = (3, 3, 3)
TICKET_CODE_BITS = TICKET_CODE_LENGTH * BITS_PER_SYMBOL  # 45

RECEIPT_CODE_LENGTH = 10
RECEIPT_CODE_GROUPS = (5, 5)
RECEIPT_CODE_BITS = RECEIPT_CODE_LENGTH * BITS_PER_SYMBOL  # 50

# Longer input cannot be a code even with generous separators; refusing it early keeps
# the Unicode normalisation below cheap whatever a client sends.
_MAX_INPUT_LENGTH = 64

# Crockford decoding: read-alike letters become the digit they resemble.
_READ_ALIKES = {"O": "0", "I": "1", "L": "1"}
_SYMBOLS = frozenset(ALPHABET)


def random_code(length: int) -> str:
    """Return ``length`` symbols drawn uniformly from ALPHABET with ``secrets``."""
    if length < 1:
        raise ValueError("length must be positive")
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def canonicalize(text: str | None, length: int) -> str | None:
    """Return the canonical form (``length`` upper-case symbols) of what a person typed.

    Case, spaces, hyphens and other punctuation or invisible marks (such as the
    direction marks an Arabic keyboard inserts) are ignored; ``O`` reads as ``0`` and
    ``I``/``L`` as ``1``; full-width forms, accented look-alikes and other decimal
    digits (Arabic-Indic ``٣``) are folded to their ASCII symbol. Returns None when the
    text cannot be a code: a wrong number of symbols or a character outside the
    alphabet (``U`` included).
    """
    if not isinstance(text, str) or len(text) > _MAX_INPUT_LENGTH:
        return None
    symbols: list[str] = []
    # NFKD splits compatibility forms (full-width letters) and accents off their base
    # letter; Turkish dotted capital I becomes I plus a combining dot that is dropped.
    for char in unicodedata.normalize("NFKD", text):
        category = unicodedata.category(char)
        if category[0] in "ZP" or category in ("Cc", "Cf", "Mn"):
            continue  # separators, punctuation, control/format marks, combining marks
        if category == "Nd":
            symbols.append(str(unicodedata.decimal(char)))
            continue
        upper = char.upper()  # Turkish dotless i upper-cases to I
        symbol = _READ_ALIKES.get(upper, upper)
        if symbol not in _SYMBOLS:
            return None
        symbols.append(symbol)
        if len(symbols) > length:
            return None
    if len(symbols) != length:
        return None
    return "".join(symbols)


def group_code(code: str, groups: tuple[int, ...]) -> str:
    """Join a canonical code's symbols into hyphen-separated groups of the given sizes."""
    if len(code) != sum(groups):
        raise ValueError(f"expected {sum(groups)} symbols, got {len(code)}")
    parts = []
    start = 0
    for size in groups:
        parts.append(code[start : start + size])
        start += size
    return "-".join(parts)


# --- ticket codes ------------------------------------------------------------------


def new_ticket_code() -> str:
    """Return a fresh random ticket code in canonical form (9 symbols, 45 bits)."""
    return random_code(TICKET_CODE_LENGTH)


def normalize_code(text: str | None) -> str | None:
    """Return the canonical ticket code for typed or scanned ``text``, or None."""
    return canonicalize(text, TICKET_CODE_LENGTH)


def format_code(code: str) -> str:
    """Return the ticket code for display, grouped as ``K7F-93Q-P2M``.

    Accepts any form ``normalize_code`` accepts; raises ValueError otherwise.
    """
    canonical = normalize_code(code)
    if canonical is None:
        raise ValueError(f"not a ticket code: {code!r}")
    return group_code(canonical, TICKET_CODE_GROUPS)


def hash_code(code: str, key: bytes) -> str:
    """Return the HMAC-SHA256 (hex) of the canonical ticket code under the server key.

    Only this digest is stored, so a leaked database does not reveal usable tickets
    without the key; look a typed code up with ``hash_code(typed, key)``. The code is
    normalised first, so ``k7f-93q-p2m`` and ``K7F93QP2M`` give the same digest.
    Raises ValueError for text that is not a ticket code and for an empty key.
    """
    if not isinstance(key, (bytes, bytearray)):
        raise TypeError("key must be bytes")
    if not key:
        raise ValueError("key must not be empty")
    canonical = normalize_code(code)
    if canonical is None:
        raise ValueError(f"not a ticket code: {code!r}")
    return hmac.new(bytes(key), canonical.encode("ascii"), hashlib.sha256).hexdigest()


# --- receipt codes -----------------------------------------------------------------


def new_receipt_code() -> str:
    """Return a fresh random ballot receipt code in canonical form (10 symbols, 50 bits)."""
    return random_code(RECEIPT_CODE_LENGTH)


def normalize_receipt_code(text: str | None) -> str | None:
    """Return the canonical receipt code for typed ``text``, or None."""
    return canonicalize(text, RECEIPT_CODE_LENGTH)


def format_receipt_code(code: str) -> str:
    """Return the receipt code for display, grouped as ``7KQ2M-X9HTP``."""
    canonical = normalize_receipt_code(code)
    if canonical is None:
        raise ValueError(f"not a receipt code: {code!r}")
    return group_code(canonical, RECEIPT_CODE_GROUPS)
