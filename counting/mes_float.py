"""A fast MES run in floating point (numpy) that gives up when floats cannot decide.

:meth:`Electorate.add1 <counting.mes.Electorate.add1>` needs the *outcome* of MES at many
budgets per voter, one currency unit apart; on a large vote (Łódź 2025: 60,272 voters, ~110
budgets) the exact run of :mod:`counting.mes_run` costs tens of milliseconds each. This run
does the same rounds on numpy arrays of float budgets and returns the funded projects only if
every comparison it made had a margin of more than ``TOLERANCE`` (relative): prices of two
projects, the supporters' money against the cost, the poorest supporter against an equal
share. Otherwise it gives up and the caller runs the exact engine for that budget.

Why the margin is safe in practice, and what does not rest on it:

- Float rounding is ``2**-52`` per operation; a run of ``T`` rounds with sums over ``n``
  supporters typically drifts by ``T * log(n)`` such units, about ``1e-13`` here: the
  ``1e-6`` margin is ten million times wider. (A worst-case bound, where every rounding error
  conspires and a share's error feeds the next share, grows exponentially with the rounds and
  proves nothing useful, so none is claimed.) ``tests/counting/test_mes_float.py`` compares
  float and exact runs budget by budget on real votes.
- Exact ties, frequent in approval votes (a project whose supporters all pay the same share
  costs ``1 / supporters`` per unit of utility), are decided exactly: such an "all rich" price
  is the fraction ``cost / (weight * unit)``; ties go to the smallest id as a string, as in the
  exact engine.
- Floats only ever say "add1 does not stop at this budget". The budget where add1 stops is
  always counted again by the exact engine, which must confirm the stop (an exhaustive outcome,
  or an overspending next step); if it does not, the whole add1 is redone in exact arithmetic.
  So the published outcome and its certificate (:class:`counting.tally.Certificate`) are exact.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import accumulate, chain

TYPE_CHECKING = False  # (no typing at run time; true for mypy)
if TYPE_CHECKING:
    from typing import Any

    from counting.mes import Electorate

EPS = 2.0**-52
TOLERANCE = 1e-6


def trusted(projects: int, voters: int) -> bool:
    """Sizes at which even a pessimistic drift (``eps`` per voter and round) stays far
    inside ``TOLERANCE``."""
    return max(projects, 1) * max(voters, 1) * EPS < TOLERANCE / 100


class Uncertain(Exception):
    """A comparison was too close for floats: the exact engine decides."""


class FloatRun:
    """A float MES run: ``funded`` in order; ``bounds[t]``: the price of the ``t``-th as
    ``(low, high, exact or None)`` (so that the run can start a float proof);
    ``rounds[t]``: after round ``t``'s search, arrays over all projects of (a lower bound of
    the price, a share not above the share, still affordable), the bounds lowered by the
    tolerance; ``exact_voter_budget``: the budget per voter as a fraction."""

    def __init__(self, voter_budget: Fraction) -> None:
        self.exact_voter_budget = voter_budget
        self.voter_budget = float(voter_budget)
        self.funded: list[int] = []
        self.bounds: list[tuple[float, float, Fraction | None]] = []
        self.rounds: list[tuple[Any, Any, Any]] = []


class FloatProof:
    """A float proof's run: ``funded`` in order, ``bounds[t]`` the price of the ``t``-th as
    ``(low, high, exact or None)``; ``exact_voter_budget``: where it ran."""

    def __init__(self, voter_budget: Fraction, funded: list[int], bounds: list[tuple[float, float, Fraction | None]]):
        self.exact_voter_budget, self.funded, self.bounds = voter_budget, funded, bounds


class FloatElectorate:
    """numpy arrays of an :class:`~counting.mes.Electorate`, built once per count."""

    def __init__(self, electorate: Electorate) -> None:
        import numpy as np

        self.np = np
        self.e = electorate
        self.groups = len(electorate.groups)
        self.index: dict[int, Any] = {}
        self.weights: dict[int, Any] = {}
        self.voters: dict[int, Any] = {}
        self.scaled: dict[int, Any] = {}  # weight * voters, per supporting group
        self.uniform: dict[int, bool] = {}
        self.exact_all_rich: dict[int, Fraction] = {}
        self.info: dict[int, tuple] = {}
        count = len(electorate.costs)
        self.lowest = np.zeros(count)  # a lower bound of every price: all pay alike
        self.eligible = np.zeros(count, dtype=bool)
        supporters = [electorate.of[p] for p in electorate.eligible]
        # One array per field for all projects, cut into a view per project; weights only where
        # utilities differ (else all are 1, and weight * voters is voters). One conversion
        # per project and field cost as much as a float run.
        ends = list(accumulate(len(sup.groups) for sup in supporters))
        total = ends.pop() if ends else 0

        def per_project(field: str, dtype) -> list:
            values = chain.from_iterable(getattr(sup, field) for sup in supporters)
            return np.split(np.fromiter(values, dtype=dtype, count=total), ends)

        all_voters = per_project("voters", np.float64)
        arrays = zip(
            per_project("groups", np.intp),
            all_voters,
            all_voters if all(sup.uniform for sup in supporters) else per_project("scaled", np.float64),
        )
        for p, sup, (index, voters, scaled) in zip(electorate.eligible, supporters, arrays):
            self.index[p], self.voters[p], self.scaled[p] = index, voters, scaled
            self.weights[p] = None if sup.uniform else np.array(sup.weights, dtype=np.float64)
            self.uniform[p] = sup.uniform
            rho = Fraction(electorate.costs[p], sup.utility_total)
            self.exact_all_rich[p] = rho
            self.lowest[p] = float(rho) * (1 - 4 * EPS)
            self.eligible[p] = True
            # what _price reads, in one tuple (weight: an integer, exact as a float)
            self.info[p] = (
                self.index[p],
                self.voters[p],
                self.scaled[p],
                self.weights[p],  # None when all weights are 1
                float(electorate.costs[p]),
                float(sup.weight_total),
                sup.unit,
                rho,
            )

    def funded(self, voter_budget: Fraction, guide: FloatRun | None = None) -> FloatRun | None:
        """MES with ``voter_budget`` per voter: a finished :class:`FloatRun` (read ``funded``),
        or None if a comparison was too close. ``guide``: a finished run with more money
        per voter; while this run funds what the guide funded, every voter has at most the
        guide's money, so the guide's lower bounds hold here and what it could not afford
        cannot be afforded here either."""
        run = FloatRun(voter_budget)
        try:
            self._run(run, guide)
        except Uncertain:
            return None
        return run

    def _run(self, run: FloatRun, guide: FloatRun | None) -> None:
        np = self.np
        budgets = np.full(self.groups, run.voter_budget, dtype=np.float64)
        lower = self.lowest.copy()  # lower bounds of the prices (they rise in a run)
        shares = np.zeros(len(lower))  # per project: where to start the search for its share
        alive = self.eligible.copy()  # possibly affordable
        hints = guide.rounds if guide is not None else []
        funded = run.funded
        while True:
            t = len(funded)
            if t < len(hints):
                hint_lower, hint_shares, hint_alive = hints[t]
                np.maximum(lower, hint_lower, out=lower)
                np.maximum(shares, hint_shares, out=shares)
                alive &= hint_alive
            candidates = alive.nonzero()[0]
            order = candidates[lower[candidates].argsort(kind="stable")].tolist()
            best_upper = float("inf")
            prices: dict[int, tuple[float, float, Fraction | None, float]] = {}
            for p in order:
                if lower[p] > best_upper:
                    break  # this and all later ones surely cost more per utility
                found = self._price(p, budgets, float(shares[p]))
                if found is None:
                    alive[p] = False  # unaffordable now, hence for the rest of the run
                    continue
                prices[p] = found
                low, high, _exact, share = found
                lower[p], shares[p] = low, share
                best_upper = min(best_upper, high)
            run.rounds.append((lower * (1 - TOLERANCE), shares * (1 - TOLERANCE), alive.copy()))
            if not prices:
                return
            winner = self._winner(prices, best_upper)
            low, high, exact, share = prices[winner]
            self._pay(winner, budgets, share)
            alive[winner] = False
            funded.append(winner)
            run.bounds.append((low, high, exact))
            if t < len(hints) and guide is not None and guide.funded[t] != winner:
                hints = []  # another path than the guide's: its bounds no longer hold

    def follows(self, chosen: list[int], bounds: list[tuple[float, float, Fraction | None]], voter_budget: Fraction):
        """The float counterpart of :meth:`counting.mes_run.Run.follows`: fund ``chosen`` (the
        outcome of a run with less money, in its order; ``bounds[t]``: the price of its
        ``t``-th project there, as ``(low, high, exact or None)``) with ``voter_budget``, and
        check that at every round each other affordable project surely costs more per
        utility here than the chosen one did there, and that nothing is affordable at the end.
        Then every budget in between gives that outcome (the reasoning of ``Run.follows``).

        Returns a :class:`FloatProof` (the start of the next proof), None if a comparison
        surely fails, or raises :class:`Uncertain` when floats cannot tell (the exact proof
        decides). As with float runs, floats only ever say that add1 does not stop at these
        budgets; where it stops is always counted exactly."""
        np = self.np
        rank = self.e.rank
        budgets = np.full(self.groups, float(voter_budget), dtype=np.float64)
        lower = self.lowest.copy()
        shares = np.zeros(len(lower))
        alive = self.eligible.copy()
        found_bounds: list[tuple[float, float, Fraction | None]] = []
        for winner, (bound_low, bound_high, bound_exact) in zip(chosen, bounds):
            candidates = alive.nonzero()[0]
            for p in candidates[lower[candidates].argsort(kind="stable")].tolist():
                if lower[p] > bound_high:
                    break  # this and all later ones surely cost more
                if p == winner:
                    continue
                found = self._price(p, budgets, float(shares[p]))
                if found is None:
                    alive[p] = False
                    continue
                low, high, exact, share = found
                lower[p], shares[p] = low, share
                if low > bound_high:
                    continue
                if exact is not None and bound_exact is not None:
                    if (exact, rank[p]) < (bound_exact, rank[winner]):
                        return None
                    continue
                if high < bound_low:
                    return None  # surely cheaper here than the chosen one was there
                raise Uncertain
            found = self._price(winner, budgets, float(shares[winner]))
            if found is None:
                return None  # (cannot happen: more money than there)
            low, high, exact, share = found
            found_bounds.append((low, high, exact))
            self._pay(winner, budgets, share)
            alive[winner] = False
        for p in alive.nonzero()[0].tolist():
            if self._price(p, budgets, float(shares[p])) is not None:
                return None  # something more is affordable here
        return FloatProof(voter_budget, list(chosen), found_bounds)

    def _pay(self, p: int, budgets, share: float) -> None:
        """Each supporter of ``p`` pays ``weight * share``, or all she has if that is less."""
        index = self.index[p]
        if self.uniform[p]:
            budgets[index] = self.np.maximum(budgets[index] - share, 0.0)
        else:
            budgets[index] = self.np.maximum(budgets[index] - self.weights[p] * share, 0.0)

    def _winner(self, prices: dict[int, tuple[float, float, Fraction | None, float]], best_upper: float) -> int:
        """The cheapest project (ties: smallest id), or :class:`Uncertain`."""
        rank = self.e.rank
        close = [p for p, found in prices.items() if found[0] <= best_upper]
        if len(close) == 1:
            return close[0]
        exact = [prices[p][2] for p in close]
        if any(value is None for value in exact):
            raise Uncertain  # intervals overlap and not all prices are known exactly
        return min(close, key=lambda p: (prices[p][2], rank[p]))

    def _price(self, p: int, budgets, start: float) -> tuple[float, float, Fraction | None, float] | None:
        """``(low, high, exact rho or None, share)``, ``rho`` surely in ``[low, high]``; None if
        the supporters surely cannot pay ``p``. ``start``: a share known not to exceed it."""
        np = self.np
        index, voters, scaled, weights, cost, weight, unit, rho = self.info[p]
        money_of = budgets.take(index)
        money = float(money_of @ voters)
        if money < cost * (1 - TOLERANCE):
            return None
        if money <= cost * (1 + TOLERANCE):
            raise Uncertain  # the supporters have about exactly the cost
        keys = money_of if weights is None else money_of / weights
        share = cost / weight
        smallest = float(np.minimum.reduce(keys))
        if smallest >= share * (1 + TOLERANCE):  # everybody pays the same share: exact price
            value = float(rho)
            return value * (1 - 4 * EPS), value * (1 + 4 * EPS), rho, share
        # The share solves F(s) = sum of voters * min(money, weight * s) = cost. Start with
        # those below ``start`` paying all they have; raise the share while more fall short:
        # it stops at the one solution.
        # (sums over a mask as dot products with it, and counts with count_nonzero: these
        # small arrays cost numpy's call overhead more than arithmetic)
        money_times_voters = money_of * voters
        count_nonzero = np.count_nonzero
        short = keys < max(share, start)
        count = count_nonzero(short)
        for _ in range(64):
            paid = float(money_times_voters @ short)
            left = weight - float(scaled @ short)
            if left <= 0:
                raise Uncertain
            share = (cost - paid) / left
            now = keys < share
            now_count = count_nonzero(now)
            if now_count == count:
                break
            short, count = now, now_count
        else:
            raise Uncertain
        price = share / unit
        return price * (1 - TOLERANCE), price * (1 + TOLERANCE), None, share
