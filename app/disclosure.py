"""The one rule for publishing counts of people (pure: no Flask, no database).

Counts from 1 to 4 are never shown: they read "fewer than 5". Where the cells of a table add
up to a total that is shown (ballots by phone and on paper; attendees by age band), hiding one
small cell is not enough, since the total minus the other cells gives it back. So more cells
are hidden ("hidden"), smallest first, until no hidden small count can be worked out from the
total, the shown cells and what the labels say (a "fewer than 5" cell holds 1 to 4, a "hidden"
cell at least 5 and at most the smallest shown cell). If even that is not enough, the total is
hidden too. A zero is shown: it says nothing about anyone.

Sums over several tables (the same figure over a half-year) are shown only when every part
is shown (`combine`), so no hidden cell of one council comes back by subtracting the others.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

THRESHOLD = 5

SHOWN, SMALL, COMPLEMENT = "shown", "small", "complement"


@dataclass(frozen=True)
class Count:
    """A count as it may be published: `value` is None unless `state` is "shown"."""

    value: int | None
    state: str = SHOWN

    @property
    def shown(self) -> bool:
        return self.state == SHOWN

    def share_of(self, total: Count) -> float | None:
        """The share (0..1) when both are shown and the total is not zero."""
        if not (self.shown and total.shown) or not total.value:
            return None
        return self.value / total.value


def single(n: int) -> Count:
    """A count on its own (nothing to subtract it from)."""
    return Count(n) if n == 0 or n >= THRESHOLD else Count(None, SMALL)


def _recoverable(hidden: dict, kinds: dict, remainder: int, ceiling: int | None) -> bool:
    """Whether any small hidden cell has exactly one value left, given that the hidden cells
    add up to `remainder`, small ones lie in 1..4 and complementary ones in 5..ceiling."""
    lows = {k: 1 if kinds[k] == SMALL else THRESHOLD for k in hidden}
    highs = {k: THRESHOLD - 1 if kinds[k] == SMALL else (ceiling if ceiling is not None else remainder) for k in hidden}
    low_sum, high_sum = sum(lows.values()), sum(highs.values())
    for key in hidden:
        if kinds[key] != SMALL:
            continue
        low = max(lows[key], remainder - (high_sum - highs[key]))
        high = min(highs[key], remainder - (low_sum - lows[key]))
        if low >= high:
            return True
    return False


def table(cells: Mapping[Hashable, int], total: int | None = None) -> tuple[dict[Hashable, Count], Count]:
    """Apply the rule to cells that add up to `total` (their sum when None).

    Returns the published cells, in the given order, and the published total."""
    total = sum(cells.values()) if total is None else total
    if 0 < total < THRESHOLD:
        # Every cell is then 0..4: hide them all except zeros (nothing to learn from those).
        return {k: Count(0) if n == 0 else Count(None, SMALL) for k, n in cells.items()}, Count(None, SMALL)
    kinds = {k: SMALL for k, n in cells.items() if 0 < n < THRESHOLD}
    candidates = sorted((n, index, k) for index, (k, n) in enumerate(cells.items()) if n >= THRESHOLD)
    total_hidden = False
    while kinds:
        hidden = {k: cells[k] for k in kinds}
        remainder = total - sum(n for k, n in cells.items() if k not in kinds)
        rest = [n for n, _i, k in candidates if k not in kinds]
        if not _recoverable(hidden, kinds, remainder, min(rest) if rest else None):
            break
        if not rest:
            total_hidden = True
            break
        _n, _i, key = next(c for c in candidates if c[2] not in kinds)
        kinds[key] = COMPLEMENT
    published = {k: Count(None, kinds[k]) if k in kinds else Count(n) for k, n in cells.items()}
    return published, Count(None, COMPLEMENT) if total_hidden else Count(total)


def combine(parts: Iterable[Count]) -> Count:
    """The sum of published counts from separate tables: shown only when every part is."""
    parts = list(parts)
    if len(parts) == 1:
        return parts[0]
    if all(p.shown for p in parts):
        return single(sum(p.value for p in parts))
    return Count(None, COMPLEMENT)
