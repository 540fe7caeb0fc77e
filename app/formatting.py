"""Showing money and times in the visitor's language and Amsterdam's time zone."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency
from flask_babel import format_date, format_datetime, get_locale
from markupsafe import Markup, escape

from app.money import format_amount_for_input


def money(cents: int | None, whole: bool = False) -> str:
    if cents is None:
        return ""
    return _money(str(get_locale() or "nl"), cents, whole and cents % 100 == 0)


@lru_cache(maxsize=4096)  # a ballot page shows each plan's cost; Babel's formatting is slow
def _money(locale: str, cents: int, whole: bool) -> str:
    if whole:
        # The locale's own pattern without decimals: "€ 40.000" in Dutch, "40 000 €" in Polish,
        # so whole and exact amounts put the sign in the same place.
        pattern = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
        whole_pattern = pattern.replace("#,##0.00", "#,##0").replace("0.00", "0")
        return format_currency(cents // 100, "EUR", format=whole_pattern, currency_digits=False, locale=locale)
    return format_currency(Decimal(cents) / 100, "EUR", locale=locale)


def local_datetime(value: datetime | None, style: str = "medium") -> str:
    return format_datetime(value, style) if value else ""


def local_date(value: date | datetime | None, style: str = "medium") -> str:
    return format_date(value, style) if value else ""


def amount_example() -> str:
    """How 1,250.50 is typed in the visitor's language (for hints next to amount fields)."""
    return format_amount_for_input(125050, str(get_locale() or "nl"))


def paragraphs(text: str | None) -> Markup:
    """User text as paragraphs: escaped first, then split on blank lines and line breaks."""
    if not text:
        return Markup("")
    blocks = [b.strip() for b in str(text).replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("".join(f"<p>{escape(b)}</p>".replace("\n", "<br>") for b in blocks))
