"""One run of the Method of Equal Shares with a fixed budget per voter: exact, and fast.

Used by :mod:`app.voting.tally`; plain Python, no Flask. Every voter starts with the same budget.
In each round the project with the lowest *price per unit of utility* ``rho`` is funded: the
smallest ``rho`` at which its supporters can pay its cost when each supporter ``i`` pays
``min(budget_i, rho * utility_i)``. Ties go to the smallest project id as a string. Projects
whose supporters together have less money than the cost drop out; the run ends when none is left.

How it stays exact while being fast:

- Voters with identical ballots form *groups*. A voter's budget only depends on which funded
  projects they supported and with what utility, so groups with the same history share a
  *class* with one exact budget; funding a project moves its supporters to new classes.
- Exact budgets are integers over a common denominator: funding the t-th project multiplies
  the denominator by the (small) denominator of its price. A class stores its numerator and
  the round it was made in; no gcd is ever needed on the hot path.
- The search for the cheapest project runs on floats: each class budget is its exact value
  rounded once, so float errors are bounded. An evaluation returns an interval that provably
  holds the exact ``rho`` (a rounding-error bound on ``F(r) = sum_i min(budget_i, r*utility_i)``
  at both ends). When floats cannot decide (near-ties, exact ties, a cost equal to the
  supporters' money) exact integers decide. The funded project's price is always exact.
- ``rho`` never falls during a run (budgets only shrink), so an old lower bound stays valid and
  most projects need no re-evaluation in a round.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import accumulate, repeat
from operator import itemgetter, mul, truediv

EPS = 2.0**-52
WIDEN = 2.0**-32  # relative half-width of the interval tried around a float price

Key = tuple[int, int]  # (class, weight)


@dataclass
class Price:
    """Exact price of a project in the current round.

    A supporter with weight ``w`` pays ``w * share`` (or all she has, if in ``poor``), where
    ``share = q / (denominator * l)``; weights are 1 when all utilities are equal, else the
    utilities. ``rho = share / unit``.
    """

    rho: Fraction
    q: int
    l: int
    poor: frozenset[Key]


@dataclass
class Funded:
    project: int
    rho: Fraction
    payments: dict[int, float] | None = None  # group -> paid per voter (when recorded)


@dataclass
class Supporters:
    """The supporters of one project, as groups (identical ballots).

    Prices are searched over *entries*: one per group, or, when all utilities are equal and
    few ballots repeat, one per voter (``plain``: sorting bare floats is fastest)."""

    groups: list[int]
    weights: list[int]  # per group: 1 when all utilities are equal, else the utility
    voters: list[int]  # per group: how many voters cast that ballot
    unit: int  # the common utility when all are equal, else 1; rho = share / unit
    uniform: bool = field(init=False)  # all weights are 1
    plain: bool = field(init=False)  # entries are single voters with weight 1
    pick: itemgetter = field(init=False)  # by group -> values of the groups (+1 padding)
    pick_entries: itemgetter = field(init=False)  # by group -> values of the entries (+1)
    scaled: list[int] = field(init=False)  # entries' weight * voters (when not plain)
    weight_total: int = field(init=False)
    utility_total: int = field(init=False)
    voter_total: int = field(init=False)

    def __post_init__(self) -> None:
        self.uniform = all(w == 1 for w in self.weights)
        self.voter_total = sum(self.voters)
        self.plain = self.uniform and self.voter_total <= 2 * len(self.groups)
        self.pick = itemgetter(*self.groups, self.groups[0])  # padded: always a tuple
        if self.plain:
            entries = [g for g, m in zip(self.groups, self.voters) for _ in range(m)]
            self.pick_entries = itemgetter(*entries, entries[0])
        else:
            self.pick_entries = self.pick
        self.scaled = [w * m for w, m in zip(self.weights, self.voters)]
        self.weight_total = sum(self.scaled)
        self.utility_total = self.weight_total * self.unit

    @property
    def entries(self) -> int:
        return self.voter_total if self.plain else len(self.groups)

    def counts(self, group_class) -> Counter:
        """Voters per (class, weight) among these supporters."""
        if self.plain:
            return Counter(zip(self.pick_entries(group_class)[:-1], repeat(1)))
        counts: Counter = Counter()
        classes = self.pick(group_class)[:-1]
        for key, m in zip(zip(classes, self.weights), self.voters):
            counts[key] += m
        return counts


class Electorate:
    """The voters as MES needs them, prepared once and reused by every run.

    ``groups[g]`` maps project index -> utility (> 0) for ballot group ``g``; ``multiplicity[g]``
    is the number of voters who cast it. ``ids`` are the project ids (ties: smallest id string).
    """

    def __init__(
        self,
        ids: Sequence[str],
        costs: Sequence[int],
        groups: Sequence[dict[int, int]],
        multiplicity: Sequence[int],
    ) -> None:
        self.ids, self.costs, self.groups = ids, costs, groups
        self.voters = sum(multiplicity)
        supporters: dict[int, list[tuple[int, int]]] = {p: [] for p in range(len(costs))}
        for g, ballot in enumerate(groups):
            for p, utility in ballot.items():
                supporters[p].append((g, utility))
        self.supporters = supporters
        self.eligible = [p for p, pairs in supporters.items() if pairs and costs[p] > 0]
        self.rank = {p: i for i, p in enumerate(sorted(self.eligible, key=ids.__getitem__))}
        self.of: dict[int, Supporters] = {}
        for p in self.eligible:
            utilities = [u for _, u in supporters[p]]
            uniform = len(set(utilities)) == 1
            self.of[p] = Supporters(
                groups=[g for g, _ in supporters[p]],
                weights=[1] * len(utilities) if uniform else utilities,
                voters=[multiplicity[g] for g, _ in supporters[p]],
                unit=utilities[0] if uniform else 1,
            )

    def run(self, voter_budget: Fraction, record: bool = False, guide: Run | None = None) -> Run:
        run = Run(self, Fraction(voter_budget), record)
        run.execute(guide)
        return run

    def add1(self, budget: int, increment: int = 1) -> Run:
        """MES with pabutools' ``voter_budget_increment``: start each voter with
        ``budget / voters`` and add ``increment`` until the outcome is exhaustive (no unfunded
        eligible project fits in what is left of ``budget``); if an outcome costs more than
        ``budget``, keep the one before. Returns that run, with payments recorded.

        Two shortcuts, neither changing the result:

        - The outcome often stays the same over many budgets, so after a run we try to prove
          that the next ``step`` budgets give the same outcome (:meth:`Run.follows`) and skip
          them; ``step`` doubles after each success.
        - After a failed proof, the next ``block`` budgets are run without trying (``block``
          doubles, up to 16, while proofs fail): from the largest down, each run guided by
          the one just above it (see :meth:`Run.execute`), then checked from the smallest up.
        """
        start = Fraction(budget, self.voters)
        k, step, block = 0, 1, 1
        while True:
            runs, guide = [], None
            for j in reversed(range(k, k + block)):
                guide = self.run(start + j * increment, guide=guide)
                runs.append(guide)
            for j, run in enumerate(reversed(runs), start=k):
                chosen = {f.project for f in run.funded}
                left = budget - sum(self.costs[p] for p in chosen)
                if left < 0:  # j > 0 here: MES with budget / voters never overspends
                    return self.run(start + (j - 1) * increment, record=True)
                if all(self.costs[p] > left for p in self.eligible if p not in chosen):
                    return self.run(start + j * increment, record=True)
            k += block
            if self.same_outcome(runs[0], start + (k - 1 + step) * increment):
                k += step
                step, block = 2 * step, 1
            else:
                step, block = max(1, step // 2), min(16, 2 * block)

    def same_outcome(self, run: Run, voter_budget: Fraction) -> bool:
        """True if every budget from ``run``'s up to ``voter_budget`` gives ``run``'s outcome."""
        return Run(self, Fraction(voter_budget), record=False).follows(run)


class Run:
    """One MES run; read ``funded`` (in order), ``dropped`` and ``group_budget(g)`` after it."""

    def __init__(self, electorate: Electorate, voter_budget: Fraction, record: bool) -> None:
        self.e = electorate
        self.record = record
        self.voter_budget_exact = voter_budget
        self.voter_budget = float(voter_budget)
        # Class c was made in round made[c] from class parent[c], whose voters each paid
        # weight[c] * paid[made[c]] / denominators[made[c]]. Its exact budget numerator[c] /
        # denominators[made[c]] is only worked out when needed. Class 0: no money left.
        self.denominators = [voter_budget.denominator]
        self.paid = [0]
        self.parent, self.made, self.weight = [0, 0], [0, 0], [0, 0]
        self.numerator: list[int | None] = [0, voter_budget.numerator]
        self.approx = [0.0, self.voter_budget]  # |approx - exact| <= self.error
        self.error = 2 * EPS * self.voter_budget
        self.group_class = dict.fromkeys(range(len(electorate.groups)), 1)
        self.group_approx = dict.fromkeys(range(len(electorate.groups)), self.voter_budget)
        self.funded: list[Funded] = []
        self.dropped: list[int] = []  # projects that became unaffordable, in order
        self.bounds: list[dict[int, float]] = []  # per round: lower bounds of those left
        self._hints: dict[int, tuple[float, float]] = {}  # p -> share interval, this round
        self._factors: dict[tuple[int, int], int] = {}

    def group_budget(self, g: int) -> Fraction:
        c = self.group_class[g]
        return Fraction(self._numerator(c), self.denominators[self.made[c]])

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
            if t < len(hints) and guide.funded[t].project != winner:
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

    # -- exact values --------------------------------------------------------------------------

    def _numerator(self, c: int) -> int:
        """Exact budget numerator of class ``c`` over the denominator of its round."""
        numerator = self.numerator
        if numerator[c] is not None:
            return numerator[c]
        chain = []
        while numerator[c] is None:
            chain.append(c)
            c = self.parent[c]
        parents, made, weight, paid = self.parent, self.made, self.weight, self.paid
        for c in reversed(chain):
            parent, t = parents[c], made[c]
            numerator[c] = numerator[parent] * self._factor(made[parent], t) - weight[c] * paid[t]
        return numerator[c]

    def _factor(self, since: int, until: int) -> int:
        """``denominators[until] // denominators[since]``, cached."""
        key = (since, until)
        factor = self._factors.get(key)
        if factor is None:
            factor = self._factors[key] = self.denominators[until] // self.denominators[since]
        return factor

    def _today(self, c: int) -> int:
        """Exact budget numerator of class ``c`` over today's denominator."""
        return self._numerator(c) * self._factor(self.made[c], len(self.denominators) - 1)

    def _exact_key(self, c: int, w: int) -> Fraction:
        return Fraction(self._today(c), w)

    def _affordable(self, p: int) -> bool:
        sup = self.e.of[p]
        counts = sup.counts(self.group_class)
        money = sum(k * self._today(c) for (c, _), k in counts.items())
        return money >= self.e.costs[p] * self.denominators[-1]

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
            used: Sequence[int] = range(size + 1)
        else:
            order = sorted(range(size), key=keys.__getitem__)
            keys = [keys[i] for i in order]
            paid = [0.0, *accumulate(budgets[i] * sup.voters[i] for i in order)]
            used = [0, *accumulate(sup.scaled[i] for i in order)]

        def covered(share: float, j: int) -> float:  # F(share) if just the first j run short
            return paid[j] + share * (weight - used[j])

        lo, hi = 0, size - 1  # the first group that can pay its full share
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
            unit = sup.unit
            return math.nextafter(low / unit, -math.inf), math.nextafter(high / unit, math.inf), None
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
        with a proven float interval for the share (``self._hints``), those below it surely
        run short and those above it surely pay in full."""
        cost, sup, approx = self.e.costs[p], self.e.of[p], self.approx
        items = list(sup.counts(self.group_class).items())
        hint = self._hints.get(p)
        if hint is None:
            items.sort(key=lambda item: approx[item[0][0]] / item[0][1])
            items = _fix_near_ties(items, approx, self.error, self._exact_key)
            j = 0
        else:
            low = hint[0] * (1 - 4 * EPS) - self.error
            high = hint[1] * (1 + 4 * EPS) + self.error
            short, unsure, full = [], [], []
            for item in items:
                (c, w), _ = item
                key = approx[c] / w
                (short if key < low else unsure if key < high else full).append(item)
            unsure.sort(key=lambda item: self._exact_key(*item[0]))
            items, j = short + unsure + full, len(short)
        owed = cost * self.denominators[-1]  # cost over today's denominator
        paid_num = sum(k * self._today(c) for (c, _), k in items[:j])
        left = sup.weight_total - sum(k * w for (_, w), k in items[:j])

        def rich(i: int, paid_before: int, left_before: int) -> bool:
            (c, w), _ = items[i]
            return self._today(c) * left_before >= (owed - paid_before) * w

        while not rich(j, paid_num, left):  # boundary too early: move right
            (c, w), k = items[j]
            paid_num, left, j = paid_num + k * self._today(c), left - k * w, j + 1
        while j > 0:  # too late: move left while the previous one can pay in full
            (c, w), k = items[j - 1]
            before_paid, before_left = paid_num - k * self._today(c), left + k * w
            if not rich(j - 1, before_paid, before_left):
                break
            paid_num, left, j = before_paid, before_left, j - 1
        q = owed - paid_num
        rho = Fraction(q, self.denominators[-1] * left * sup.unit)
        return Price(rho, q, left, frozenset(key for key, _ in items[:j]))

    # -- paying --------------------------------------------------------------------------------

    def _fund(self, p: int, price: Price) -> None:
        """Charge every supporter ``min(budget, w * share)``; move them to new classes."""
        sup = self.e.of[p]
        divisor = math.gcd(price.q, price.l)
        q, l = price.q // divisor, price.l // divisor
        keys = list(zip(sup.pick(self.group_class)[:-1], sup.weights))
        distinct = set(keys)
        payments = self._payments(distinct, price.poor, q, l) if self.record else None
        self.denominators.append(self.denominators[-1] * l)
        self.paid.append(q)
        t = len(self.paid) - 1
        share = q / self.denominators[-1]
        rich = list(distinct.difference(price.poor))
        first = len(self.parent)
        moves: dict[Key, int] = dict.fromkeys(distinct.intersection(price.poor), 0)
        moves.update(zip(rich, range(first, first + len(rich))))
        rich_classes = [c for c, _ in rich]
        rich_weights = [w for _, w in rich]
        self.parent.extend(rich_classes)
        self.made.extend(repeat(t, len(rich)))
        self.weight.extend(rich_weights)
        self.numerator.extend(repeat(None, len(rich)))
        old = map(self.approx.__getitem__, rich_classes)
        self.approx.extend([max(0.0, a - w * share) for a, w in zip(old, rich_weights)])
        # each new class adds at most 1.5 EPS * voter budget to the float error
        self.error = (2 * t + 2) * EPS * self.voter_budget
        targets = list(map(moves.__getitem__, keys))
        self.group_class.update(zip(sup.groups, targets))
        self.group_approx.update(zip(sup.groups, map(self.approx.__getitem__, targets)))
        recorded = None if payments is None else dict(zip(sup.groups, map(payments.__getitem__, keys)))
        self.funded.append(Funded(p, price.rho, recorded))

    def _payments(self, keys, poor, q: int, l: int) -> dict[Key, float]:
        """What one voter of each (class, weight) pays, rounded (only for explanations)."""
        share = q / (self.denominators[-1] * l)
        return {(c, w): self.approx[c] if (c, w) in poor else w * share for c, w in keys}


def _fix_near_ties(items: list, approx: Sequence[float], error: float, exact_key) -> list:
    """``items`` (``((class, weight), count)``) are sorted by float budget per weight. Re-sort
    exactly each run of keys so close that rounding could have swapped them; elsewhere the
    float order is the exact order."""
    out, start = [], 0
    for i in range(1, len(items) + 1):
        if i < len(items):
            (c1, w1), _ = items[i - 1]
            (c2, w2), _ = items[i]
            if approx[c2] / w2 - approx[c1] / w1 <= 8 * EPS * (approx[c2] / w2) + 2 * error:
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
