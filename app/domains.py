"""The five domains every proposal belongs to. Codes are ours; names are translated."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Domain:
    code: str
    name: object  # a lazy string, rendered in the visitor's language
    icon: str  # id of the symbol in static/icons.svg


# Youth first: it is the programme's focus for the first years.
DOMAINS: tuple[Domain, ...] = (
    Domain("youth", _l("Opportunities for young people"), "youth"),
    Domain("democracy", _l("Ownership, inclusion and democracy"), "democracy"),
    Domain("safety", _l("Safety"), "safety"),
    Domain("work", _l("Work and a secure income"), "work"),
    Domain("housing", _l("Housing and living environment"), "housing"),
)
DOMAIN_CODES = tuple(d.code for d in DOMAINS)
_BY_CODE = {d.code: d for d in DOMAINS}


def domain(code: str) -> Domain:
    return _BY_CODE[code]


def domain_choices() -> list[tuple[str, object]]:
    return [(d.code, d.name) for d in DOMAINS]
