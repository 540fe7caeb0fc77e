"""One run of the Method of Equal Shares with a fixed starting budget per voter.

See :mod:`counting.mes` for the rule. Exactness and speed:

- A *class* holds voters with the same history, hence the same budget: the integer
  ``numerator[c]`` over ``denominators[made[c]]``, where ``made[c]`` is the round that made the
  class. Funding a project multiplies the denominator by the (small) denominator of its price,
  so no gcd is needed on the hot path. Class 0 has no money left.
- ``approx[c]`` is the budget as a float, off by at most ``self.error`` (each round adds at
  most 1.5 float ulps of the starting budget). Every float decision is checked against a
  proven bound on its rounding error; if the floats cannot decide, exact integers do.
- A supporter with weight ``w`` pays ``w * share`` (all she has if that is less). Weights are
  1 when all utilities for the project are equal (then ``rho = share / unit``), else the
  utilities (``rho = share``).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import deque
from fractions import Fraction
from itertools import accumulate, repeat
from operator import mul, truediv

TYPE_CHECKING = False  # (no typing at run time; true for mypy)
if TYPE_CHECKING:
    from counting.mes import Electorate

EPS = 2.0**-52
WIDEN = 2.0**-32  # relative half-width of the interval tried around a float price


class Price:
    """Exact price in the current round: ``share = q / (denominator * l)``; supporters whose
    key is in ``poor`` pay all they have."""

    __slots__ = ("rho", "q", "l", "poor")

    def __init__(self, rho: Fraction, q: int, l: int, poor: frozenset[int]) -> None:
        self.rho, self.q, self.l, self.poor = rho, q, l, poor


class Funded:
    """A funded project and its exact price per unit of utility; ``payments``: group -> paid
    per voter, rounded (if recorded)."""

    __slots__ = ("project", "rho", "payments")

    def __init__(self, project: int, rho: Fraction, payments: dict[int, float] | None = None) -> None:
        self.project, self.rho, self.payments = project, rho, payments


class Run:
    """One MES run; read ``funded`` (in order), ``dropped`` and ``group_approx`` after it."""

    def __init__(self, electorate: Electorate, voter_budget: Fraction, record: bool) -> None:
        self.e = electorate
        self.record = record
        self.voter_budget = float(voter_budget)
        self.denominators = [voter_budget.denominator]
        self.made = [0, 0]
        self.numerator = [0, voter_budget.numerator]
        self.approx = [0.0, self.voter_budget]
        self.error = 2 * EPS * self.voter_budget
        self.group_class = [1] * len(electorate.groups)
        self.group_approx = [self.voter_budget] * len(electorate.groups)
        self.funded: list[Funded] = []
        self.dropped: list[int] = []  # projects that became unaffordable, in order
        self.bounds: list[dict[int, float]] = []  # per round: lower bounds of those left
        self._hints: dict[int, tuple[float, float]] = {}  # p -> share interval, this round
        self._factors: dict[tuple[int, int], int] = {}
        self.exact_voter_budget = voter_budget
        self.add1_step = 0  # set by Electorate.add1: how many increments were added
        self.stop_reason = ""  # set by Electorate.add1: "exhaustive" or "next_overspends"

    def execute(self, guide: Run | None = None) -> None:
        """Fund projects until none is affordable.

        ``guide`` is a finished run that started with more money. While this run funds the
        same projects as the guide did, the guide's lower bounds hold here too (less money:
        prices are at least as high), and what it could not afford cannot be afforded here.
        """
        e = self.e
        lower = {p: _below(e.costs[p], e.of[p].utility_total) for p in e.eligible}
        hints = guide.bounds if guide else []
        while True:
            t = len(self.funded)
            if t < len(hints):
                for p, bound in [(p, hints[t].get(p)) for p in lower]:
                    if bound is None:
                        del lower[p]
                        self.dropped.append(p)
                    elif bound > lower[p]:
                        lower[p] = bound
            best_upper = math.inf
            self._hints = {}
            evaluated: dict[int, Price | None] = {}
            for p in sorted(lower, key=lambda p: (lower[p], e.rank[p])):
                if lower[p] > best_upper:
                    break  # this and all later ones cost more per utility than the best found
                found = self._float_price(p)
                if found is None:
                    del lower[p]
                    self.dropped.append(p)
                    continue
                lower[p], high, evaluated[p] = found
                best_upper = min(best_upper, high)
            self.bounds.append(dict(lower))
            pool = [p for p in evaluated if lower[p] <= best_upper]
            if not pool:
                return
            prices = {p: evaluated[p] or self._exact_price(p) for p in pool}
            winner = min(pool, key=lambda p: (prices[p].rho, e.rank[p]))
            del lower[winner]
            self._fund(winner, prices[winner])
            if t < len(hints) and guide is not None and guide.funded[t].project != winner:
                hints = []  # on another path than the guide: its bounds no longer hold

    def follows(self, other: Run) -> bool:
        """Fund ``other``'s projects in ``other``'s order, with this run's larger budget; True
        if that proves that every budget between the two gives ``other``'s outcome.

        With the same projects funded so far, more starting money leaves every voter at least
        as much money, so prices only fall and affordability only improves. Hence if at every
        round each project this run could afford costs more per utility here (ties: larger id)
        than ``other``'s choice cost there, and at the end this run can afford nothing more,
        then no budget in between can choose differently.
        """
        e = self.e
        lower = {p: _below(e.costs[p], e.of[p].utility_total) for p in e.eligible}
        for funded in other.funded:
            chosen, bound = funded.project, funded.rho
            bound_float = _above(bound)
            self._hints = {}
            for p in sorted(lower, key=lower.__getitem__):
                if lower[p] >= bound_float:
                    break
                if p == chosen:
                    continue
                found = self._float_price(p)
                if found is None:
                    del lower[p]
                    continue
                lower[p], _, price = found
                if lower[p] >= bound_float:
                    continue
                price = price or self._exact_price(p)
                if (price.rho, e.rank[p]) < (bound, e.rank[chosen]):
                    return False
            found = self._float_price(chosen)
            if found is None:  # cannot happen: more money than in ``other``
                return False
            del lower[chosen]
            self._fund(chosen, found[2] or self._exact_price(chosen))
        self._hints = {}
        return all(self._float_price(p) is None for p in lower)

    # -- exact budgets -------------------------------------------------------------------------

    def _factor(self, since: int, until: int) -> int:
        """``denominators[until] // denominators[since]``, cached."""
        key = (since, until)
        factor = self._factors.get(key)
        if factor is None:
            factor = self._factors[key] = self.denominators[until] // self.denominators[since]
        return factor

    def _today(self, c: int) -> int:
        """Exact budget numerator of class ``c`` over today's denominator."""
        return self.numerator[c] * self._factor(self.made[c], len(self.denominators) - 1)

    def _total(self, items) -> int:
        """Exact money of ``((class, weight), voters)`` items, over today's denominator."""
        by_round: dict[int, int] = {}
        made, numerator = self.made, self.numerator
        for (c, _), k in items:
            by_round[made[c]] = by_round.get(made[c], 0) + k * numerator[c]
        today = len(self.denominators) - 1
        return sum(value * self._factor(t, today) for t, value in by_round.items())

    def _affordable(self, p: int) -> bool:
        sup = self.e.of[p]
        items = [(sup.split(key), k) for key, k in sup.counts(self.group_class).items()]
        return self._total(items) >= self.e.costs[p] * self.denominators[-1]

    # -- prices --------------------------------------------------------------------------------

    def _float_price(self, p: int) -> tuple[float, float, Price | None] | None:
        """``(low, high, None)`` with ``low < rho <= high`` proven, or ``(low, high, price)``
        when the exact price was needed; None when the supporters cannot afford ``p``."""
        cost, sup = self.e.costs[p], self.e.of[p]
        size, voters, weight = sup.entries, sup.voter_total, sup.weight_total
        budgets = sup.pick_entries(self.group_approx)[:-1]
        money = sum(budgets) if sup.plain else sum(map(mul, budgets, sup.voters))
        slack = (voters + size + 8) * EPS * money + voters * self.error
        if money + slack < cost or (money - slack < cost and not self._affordable(p)):
            return None
        keys = budgets if sup.uniform else list(map(truediv, budgets, sup.weights))
        if min(keys) >= cost / weight * (1 + 16 * EPS) + self.error:  # nobody runs short
            return self._all_rich(p)
        if sup.plain:
            keys = sorted(keys)
            paid = [0.0, *accumulate(keys)]
            used: range | list[int] = range(size + 1)
        else:
            order = sorted(range(size), key=keys.__getitem__)
            keys = [keys[i] for i in order]
            paid = [0.0, *accumulate(budgets[i] * sup.voters[i] for i in order)]
            used = [0, *accumulate(sup.scaled[i] for i in order)]

        def covered(share: float, j: int) -> float:  # F(share) if just the first j run short
            return paid[j] + share * (weight - used[j])

        lo, hi = 0, size - 1  # the first entry that can pay its full share
        while lo < hi:
            mid = (lo + hi) // 2
            if covered(keys[mid], mid) >= cost:
                hi = mid
            else:
                lo = mid + 1
        share = (cost - paid[lo]) / (weight - used[lo])
        low, high = share * (1 - WIDEN), share * (1 + WIDEN)
        error = 2 * (voters + size + 8) * EPS * (money + high * weight) + voters * self.error
        if (
            covered(low, bisect_left(keys, low)) + error < cost
            and covered(high, bisect_left(keys, high)) - error >= cost
        ):
            self._hints[p] = (low, high)
            low, high = low / sup.unit, high / sup.unit
            return math.nextafter(low, -math.inf), math.nextafter(high, math.inf), None
        price = self._exact_price(p)
        return _below(price.rho.numerator, price.rho.denominator), _above(price.rho), price

    def _all_rich(self, p: int) -> tuple[float, float, Price]:
        cost, sup = self.e.costs[p], self.e.of[p]
        rho = Fraction(cost, sup.utility_total)
        price = Price(rho, cost * self.denominators[-1], sup.weight_total, frozenset())
        return _below(rho.numerator, rho.denominator), _above(rho), price

    def _exact_price(self, p: int) -> Price:
        """Walk the supporters from the poorest (per weight) up, in exact arithmetic.

        Only the supporters whose budget per weight is near the price need the exact order:
        given a proven float interval for the share (``self._hints``), those below it surely
        run short and those above it surely pay in full."""
        cost, sup, approx = self.e.costs[p], self.e.of[p], self.approx
        counts = sup.counts(self.group_class).items()
        if sup.uniform:
            items = [((key, 1), k) for key, k in counts]
        else:
            items = [(divmod(key, sup.modulus), k) for key, k in counts]
        hint = self._hints.get(p)
        if hint is None:
            items.sort(key=lambda item: approx[item[0][0]] / item[0][1])
            items = _fix_near_ties(items, approx, self.error, self._exact_key)
            j = 0
        else:  # sorted by float budget per weight; only the unsure middle needs exact order
            low = hint[0] * (1 - 4 * EPS) - self.error
            high = hint[1] * (1 + 4 * EPS) + self.error
            if sup.uniform:
                values = [approx[c] for (c, _), _ in items]
            else:
                values = [approx[c] / w for (c, w), _ in items]
            order = sorted(range(len(items)), key=values.__getitem__)
            items = [items[i] for i in order]
            values = [values[i] for i in order]
            j, end = bisect_left(values, low), bisect_left(values, high)
            items[j:end] = sorted(items[j:end], key=lambda item: self._exact_key(*item[0]))
        owed = cost * self.denominators[-1]  # cost over today's denominator
        paid = self._total(items[:j])
        left = sup.weight_total - sum(k * w for (_, w), k in items[:j])

        def rich(i: int, paid_before: int, left_before: int) -> bool:
            (c, w), _ = items[i]
            return self._today(c) * left_before >= (owed - paid_before) * w

        while not rich(j, paid, left):  # boundary too early: move right
            (c, w), k = items[j]
            paid, left, j = paid + k * self._today(c), left - k * w, j + 1
        while j > 0:  # too late: move left while the previous one can pay in full
            (c, w), k = items[j - 1]
            before_paid, before_left = paid - k * self._today(c), left + k * w
            if not rich(j - 1, before_paid, before_left):
                break
            paid, left, j = before_paid, before_left, j - 1
        q = owed - paid
        rho = Fraction(q, self.denominators[-1] * left * sup.unit)
        poor = frozenset(c * sup.modulus + w if not sup.uniform else c for (c, w), _ in items[:j])
        return Price(rho, q, left, poor)

    def _exact_key(self, c: int, w: int) -> Fraction:
        return Fraction(self._today(c), w)

    # -- paying --------------------------------------------------------------------------------

    def _fund(self, p: int, price: Price) -> None:
        """Charge every supporter ``min(budget, w * share)``; move them to new classes."""
        sup = self.e.of[p]
        divisor = math.gcd(price.q, price.l)
        q, l = price.q // divisor, price.l // divisor
        keys = sup.keys(self.group_class)
        distinct = set(keys)
        payments = self._payments(sup, distinct, price.poor, q, l) if self.record else None
        self.denominators.append(self.denominators[-1] * l)
        t = len(self.denominators) - 1
        share = q / self.denominators[-1]
        rich = list(distinct.difference(price.poor))
        first = len(self.made)
        moves = dict.fromkeys(distinct.intersection(price.poor), 0)
        moves.update(zip(rich, range(first, first + len(rich))))
        if sup.uniform:
            rich_classes, rich_weights = rich, [1] * len(rich)
        else:
            rich_classes = [key // sup.modulus for key in rich]
            rich_weights = [key % sup.modulus for key in rich]
        made, numerator = self.made, self.numerator
        factor = {m: self._factor(m, t) for m in {made[c] for c in rich_classes}}
        if sup.uniform:
            numerator.extend([numerator[c] * factor[made[c]] - q for c in rich_classes])
        else:
            numerator.extend([numerator[c] * factor[made[c]] - w * q for c, w in zip(rich_classes, rich_weights)])
        made.extend(repeat(t, len(rich)))
        old = map(self.approx.__getitem__, rich_classes)
        if sup.uniform:  # (may dip a rounding error below 0; ``self.error`` covers that)
            self.approx.extend([a - share for a in old])
        else:
            self.approx.extend([a - w * share for a, w in zip(old, rich_weights)])
        self.error = (2 * t + 2) * EPS * self.voter_budget
        targets = list(map(moves.__getitem__, keys))
        _scatter(self.group_class, sup.groups, targets)
        _scatter(self.group_approx, sup.groups, map(self.approx.__getitem__, targets))
        recorded = None
        if payments is not None:
            recorded = dict(zip(sup.groups, map(payments.__getitem__, keys)))
        self.funded.append(Funded(p, price.rho, recorded))

    def _payments(self, sup, keys, poor, q: int, l: int) -> dict[int, float]:
        """What one voter with each key pays, rounded (only for explanations)."""
        share = q / (self.denominators[-1] * l)
        payments = {}
        for key in keys:
            c, w = sup.split(key)
            payments[key] = max(0.0, self.approx[c]) if key in poor else w * share
        return payments


def _scatter(values: list, indices: list[int], new_values) -> None:
    """``values[i] = new`` for each pair, looping in C."""
    deque(map(values.__setitem__, indices, new_values), maxlen=0)


def _fix_near_ties(items: list, approx, error: float, exact_key) -> list:
    """``items`` (``((class, weight), count)``) are sorted by float budget per weight. Re-sort
    exactly each run of items so close that rounding could have swapped them; elsewhere the
    float order is the exact order."""
    out, start = [], 0
    for i in range(1, len(items) + 1):
        if i < len(items):
            (c1, w1), _ = items[i - 1]
            (c2, w2), _ = items[i]
            if approx[c2] / w2 - approx[c1] / w1 <= 8 * EPS * abs(approx[c2] / w2) + 2 * error:
                continue
        if i - start > 1:
            out.extend(sorted(items[start:i], key=lambda item: exact_key(*item[0])))
        else:
            out.extend(items[start:i])
        start = i
    return out


def _below(numerator: int, denominator: int) -> float:
    """A float strictly below ``numerator / denominator`` (correctly rounded, then one step)."""
    return math.nextafter(numerator / denominator, -math.inf)


def _above(value: Fraction) -> float:
    return math.nextafter(value.numerator / value.denominator, math.inf)
