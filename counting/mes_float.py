"""A fast MES run in floating point (numpy) that knows when it can be trusted.

:class:`Electorate.add1 <counting.mes.Electorate.add1>` needs the *outcome* of MES at many
budgets per voter, one euro apart; on a large vote (Łódź 2025: 60,272 voters, ~110 budgets)
the exact run of :mod:`counting.mes_run` costs tens of milliseconds each. This run does the
same rounds with numpy arrays of float budgets, and returns the funded projects only if every
decision it took is *certain*: it returns ``None`` (and the caller runs the exact engine) as
soon as one comparison is too close to call.

A decision is certain when its two sides differ by more than ``TOLERANCE`` (relative). The
float error is far smaller: each group's budget is the starting budget minus at most one
payment per round, each payment ``w * share`` with ``share`` computed from sums over at most
``n`` supporters; so after ``T`` rounds a budget is off by at most about ``c * T * n * eps``
times the starting budget (``eps = 2**-52``, ``c`` a small constant), and a sum of money over
supporters by the same relative amount. :func:`trusted` only lets this run work while
``64 * T * n * eps`` stays below ``TOLERANCE / 16``, where ``T`` is the number of projects and
``n`` the number of voters (e.g. 150 projects and 100,000 voters: 2.1e-7 < 6.3e-7).

Exact ties, frequent in approval votes (projects whose supporters all pay the same share have
the price ``1 / supporters``), are decided exactly: the price of such an "all rich" project is
the fraction ``cost / (weight * unit)``; ties then go to the smallest id as a string, as in the
exact engine. Any other near tie returns ``None``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from counting.mes import Electorate

TOLERANCE = 1e-5
EPS = 2.0**-52


def trusted(projects: int, voters: int) -> bool:
    """The float error bound of the module docstring stays well inside ``TOLERANCE``."""
    return 64 * max(projects, 1) * max(voters, 1) * EPS < TOLERANCE / 16


class Uncertain(Exception):
    """A comparison was too close for floats: the exact engine decides."""


class FloatRun:
    """A float MES run: ``funded`` in order; ``rounds[t]``: per project still in the race
    after round ``t``'s search, ``(lower bound of its price, its share or None)``."""

    def __init__(self, voter_budget: float) -> None:
        self.voter_budget = voter_budget
        self.funded: list[int] = []
        self.rounds: list[dict[int, tuple[float, float | None]]] = []


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
        for p in electorate.eligible:
            sup = electorate.of[p]
            self.index[p] = np.array(sup.groups, dtype=np.intp)
            self.weights[p] = np.array(sup.weights, dtype=np.float64)
            self.voters[p] = np.array(sup.voters, dtype=np.float64)
            self.scaled[p] = np.array(sup.scaled, dtype=np.float64)
            self.uniform[p] = sup.uniform
            self.exact_all_rich[p] = Fraction(electorate.costs[p], sup.utility_total)

    def funded(self, voter_budget: Fraction, guide: FloatRun | None = None) -> FloatRun | None:
        """MES with ``voter_budget`` per voter: a finished :class:`FloatRun` (read ``funded``),
        or None if a decision was too close for floats. ``guide``: a finished run with more
        money per voter; while this run funds what the guide funded, the guide's prices are
        lower bounds here, and what it could not afford cannot be afforded here either."""
        run = FloatRun(float(voter_budget))
        try:
            self._run(run, guide)
        except Uncertain:
            return None
        return run

    def _run(self, run: FloatRun, guide: FloatRun | None) -> None:
        np, e = self.np, self.e
        budgets = np.full(self.groups, run.voter_budget, dtype=np.float64)
        lower = {p: float(self.exact_all_rich[p]) for p in e.eligible}  # the lowest price possible
        shares: dict[int, float] = {}  # p -> a share surely not above p's share now
        hints = guide.rounds if guide is not None else []
        funded = run.funded
        while lower:
            t = len(funded)
            if t < len(hints):
                for p in list(lower):
                    hint = hints[t].get(p)
                    if hint is None:
                        del lower[p]
                        continue
                    lower[p] = max(lower[p], hint[0] * (1 - TOLERANCE))
                    if hint[1] is not None:
                        shares[p] = max(shares.get(p, 0.0), hint[1] * (1 - TOLERANCE))
            best: tuple[float, int] | None = None  # (price, project)
            prices: dict[int, tuple[float, Fraction | None, float]] = {}
            for p in sorted(lower, key=lower.__getitem__):
                if best is not None and lower[p] * (1 - TOLERANCE) > best[0] * (1 + TOLERANCE):
                    break  # surely dearer than the best found
                found = self._price(p, budgets, shares.get(p, 0.0))
                if found is None:
                    del lower[p]  # unaffordable now, hence for the rest of the run
                    continue
                prices[p] = found
                lower[p] = found[0]
                shares[p] = found[2]
                if best is None or found[0] < best[0]:
                    best = (found[0], p)
            run.rounds.append({p: (lower[p], shares.get(p)) for p in lower})
            if best is None:
                return
            winner = self._winner(prices, best)
            _rho, _exact, share = prices[winner]
            index = self.index[winner]
            if self.uniform[winner]:
                budgets[index] = np.maximum(budgets[index] - share, 0.0)
            else:
                budgets[index] = np.maximum(budgets[index] - self.weights[winner] * share, 0.0)
            del lower[winner]
            funded.append(winner)
            if t < len(hints) and guide is not None and guide.funded[t] != winner:
                hints = []  # another path than the guide's: its bounds no longer hold

    def _winner(self, prices: dict[int, tuple[float, Fraction | None, float]], best: tuple[float, int]) -> int:
        """The cheapest project (ties: smallest id), or :class:`Uncertain`."""
        rank = self.e.rank
        close = [p for p, (rho, _, _) in prices.items() if rho <= best[0] * (1 + 2 * TOLERANCE)]
        if len(close) == 1:
            return close[0]
        exact = [prices[p][1] for p in close]
        if any(value is None for value in exact):
            raise Uncertain
        return min(close, key=lambda p: (prices[p][1], rank[p]))

    def _price(self, p: int, budgets, start: float) -> tuple[float, Fraction | None, float] | None:
        """``(rho, exact rho or None, share)``; None if the supporters cannot pay ``p``.
        ``start``: a share known not to exceed the answer (0.0 if none is known)."""
        np = self.np
        cost = float(self.e.costs[p])
        sup = self.e.of[p]
        money_of = budgets[self.index[p]]
        money = float(money_of @ self.voters[p])
        if money < cost * (1 - TOLERANCE):
            return None
        if money <= cost * (1 + TOLERANCE):
            raise Uncertain  # the supporters have about exactly the cost
        weight = float(sup.weight_total)
        keys = money_of if self.uniform[p] else money_of / self.weights[p]
        share = cost / weight
        smallest = float(keys.min())
        if smallest >= share * (1 + TOLERANCE):  # everybody pays the same share: exact price
            return share / sup.unit, self.exact_all_rich[p], share
        if smallest > share * (1 - TOLERANCE):
            raise Uncertain  # is the poorest supporter short or not?
        # The share solves F(s) = sum over supporters of voters * min(money, weight * s) = cost.
        # Start with everybody paying in full and move those who cannot to "pays all she has":
        # each step raises the share, and it stops when nobody else falls short.
        money_times_voters = money_of * self.voters[p]
        short = keys < max(share, start)
        for _ in range(64):
            paid = float(money_times_voters[short].sum())
            left = weight - float(self.scaled[p][short].sum())
            if left <= 0:
                raise Uncertain  # rounding: all short although the money sufficed
            share = (cost - paid) / left
            now = keys < share
            if int(now.sum()) == int(short.sum()):
                break
            short = now
        else:
            raise Uncertain
        return share / sup.unit, None, share
