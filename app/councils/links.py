"""Extra links on a council's staff page, contributed by other domains (e.g. the evening vote)."""
from __future__ import annotations

from dataclasses import dataclass

LINK_PROVIDERS: list = []


@dataclass(frozen=True)
class Link:
    url: str
    label: str


def council_links(council) -> list[Link]:
    return [link for provider in LINK_PROVIDERS for link in provider(council)]


#: Public links on a council's page, its outcomes page and the outcomes e-mail (e.g. the
#: results of its vote); a provider takes the council and whether links must be absolute.
PUBLIC_LINK_PROVIDERS: list = []


def public_council_links(council, absolute: bool = False) -> list[Link]:
    return [link for provider in PUBLIC_LINK_PROVIDERS for link in provider(council, absolute)]
