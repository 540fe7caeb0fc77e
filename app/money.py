"""Reading amounts the way people in each locale type them (pure; Babel only, no Flask).

`1.250,50` in Dutch and `1,250.50` in English are both 125050 cents. Amounts are
stored as integer cents everywhere."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, get_group_symbol, parse_decimal

MAX_AMOUNT_CENTS = 10_000_000 * 100  # €10 million: nothing in this programme costs more
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_SPACES = ("\u00a0", "\u202f", " ", "\u2009")


class AmountError(ValueError):
    """`code` is one of: empty, invalid, not_positive, too_many_decimals, too_large."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def parse_amount(text: str | None, locale: str, *, allow_zero: bool = False) -> int:
    """Return the amount in cents, or raise AmountError."""
    raw = (text or "").strip()
    if not raw:
        raise AmountError("empty")
    raw = raw.translate(_ARABIC_DIGITS).replace("٫", ".").replace("٬", ",")
    raw = raw.replace("€", "").replace("EUR", "").replace("eur", "").strip()
    negative = raw.startswith(("-", "−"))
    raw = raw.lstrip("-−").strip()
    group = get_group_symbol(locale)
    for space in _SPACES:
        raw = raw.replace(space, group if group in _SPACES else "")
    if raw.endswith((",-", ".-")):  # Dutch shorthand for whole euros: 25,-
        raw = raw[:-2]
    if any(ch.isalpha() for ch in raw):
        raise AmountError("invalid")
    try:
        value = parse_decimal(raw, locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation):
        raise AmountError("invalid") from None
    if not value.is_finite():
        raise AmountError("invalid")
    if negative and value != 0:
        raise AmountError("not_positive")
    exponent = value.as_tuple().exponent  # an int for a finite value
    if isinstance(exponent, int) and exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise AmountError("too_many_decimals")
    cents = int(value * 100)
    if cents < 0 or (cents == 0 and not allow_zero):
        raise AmountError("not_positive")
    if cents > MAX_AMOUNT_CENTS:
        raise AmountError("too_large")
    return cents


def format_amount_for_input(cents: int | None, locale: str) -> str:
    """The value an input field shows, in the form this locale would type it back."""
    from babel.numbers import format_decimal

    if cents is None:
        return ""
    return format_decimal(Decimal(cents) / 100, format="#,##0.00", locale=locale)
