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
