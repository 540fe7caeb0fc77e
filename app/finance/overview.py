"""Where the money goes: per funding source, domain and buurt (pure arithmetic over rows)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Allocation:
    """One funded plan: where its money came from and went."""

    source_id: int | None
    domain: str
    area: str | None
    buurt: str | None
    focus: bool
    allocated_cents: int
    spent_cents: int


@dataclass
class Line:
    key: str
    total_cents: int = 0
    allocated_cents: int = 0
    spent_cents: int = 0
    plans: int = 0


@dataclass
class Overview:
    sources: list[Line] = field(default_factory=list)
    domains: list[Line] = field(default_factory=list)
    areas: list[Line] = field(default_factory=list)
    buurten: list[Line] = field(default_factory=list)
    focus: Line = field(default_factory=lambda: Line("focus"))
    other: Line = field(default_factory=lambda: Line("other"))

    @property
    def focus_share_percent(self) -> int:
        total = self.focus.allocated_cents + self.other.allocated_cents
        return round(100 * self.focus.allocated_cents / total) if total else 0


def summarise(sources: list[tuple[int, str, int]], allocations: list[Allocation], domain_order: list[str]) -> Overview:
    """sources: (id, name, total); allocations: one per funded plan."""
    by_source = {sid: Line(name, total_cents=total) for sid, name, total in sources}
    domains = {code: Line(code) for code in domain_order}
    areas: dict[str, Line] = defaultdict(lambda: Line(""))
    buurten: dict[str, Line] = defaultdict(lambda: Line(""))
    overview = Overview()
    for a in allocations:
        lines = [domains.setdefault(a.domain, Line(a.domain)), overview.focus if a.focus else overview.other]
        if a.source_id in by_source:
            lines.append(by_source[a.source_id])
        area_key = a.area or "—"
        buurt_key = a.buurt or "—"
        areas[area_key].key = area_key
        buurten[buurt_key].key = buurt_key
        lines += [areas[area_key], buurten[buurt_key]]
        for line in lines:
            line.allocated_cents += a.allocated_cents
            line.spent_cents += a.spent_cents
            line.plans += 1
    overview.sources = list(by_source.values())
    overview.domains = list(domains.values())
    overview.areas = sorted(areas.values(), key=lambda line: -line.allocated_cents)
    overview.buurten = sorted(buurten.values(), key=lambda line: -line.allocated_cents)
    return overview
