"""Counting a participatory budget: the ``greedy`` and ``mes`` rules (pure: no Flask, no database).

Plain values in, plain values out. Results equal those of the reference library pabutools 1.2.3
on the same data, including its tie-breaking (the smallest project id, compared as strings:
``"10" < "11" < "2"``); tests/voting/ checks this on real Pabulib files and on random elections.

Support of a project (what ``greedy`` ranks by, and ``Result.support``):

- ``approval`` and ``knapsack``: the number of ballots that include it;
- ``cumulative``: the sum of its points;
- ``ranking``: Borda points, ``k`` for a first place down to ``1`` for the k-th place, where
  ``k`` is ``ranking_length`` (the round's top-k) or, when not given, the longest ballot.

Rules:

- ``greedy``: projects by support, most first (ties: smallest id); each is funded when it fits
  in what is left, else skipped. This is pabutools' ``greedy_utilitarian_welfare`` with
  ``Cost_Sat`` for approval ballots (its "satisfaction per cost" is then the approval count).
  As in pabutools a project without support is funded too, last, if it fits, and a project
  costing 0 ranks as if it had no support (it always fits).
- ``mes``: the Method of Equal Shares with the "add1" completion, then greedy completion. The
  budget is split equally over all voters (empty ballots included); utilities are the cost
  for approval ballots (pabutools ``Cost_Sat``) and the points for cumulative and ranking
  ballots (``Additive_Cardinal_Sat``). MES is rerun with every voter's budget raised by
  ``budget_increment`` (default 1 money unit; the app counts cents and steps by 100: one euro,
  so that recounting its euro Pabulib file with pabutools gives the same outcome) until its outcome
  is exhaustive, i.e. no unfunded project with utility fits in the money left; if raising the
  budget makes the outcome cost more than the budget, the previous outcome is kept. Money
  still left is then filled by ``greedy``. This is pabutools' ``completion_by_rule_combination``
  of ``method_of_equal_shares(..., voter_budget_increment=1)`` and ``greedy_utilitarian_welfare``.
- ``mes-add1``: the same without the final greedy fill. This is what the Pabulib files of
  Assen 2024 and Swiecie 2023 record as their official outcome ("equalshares/add1"); in Assen
  the greedy fill would fund one more project.

Trace: one :class:`Step` per project, funded ones first in funding order, then the others in
greedy order. ``reason`` and ``data`` (money rounded to 2 decimals):

- ``funded``: greedy ``{left, needed}`` (money left before, cost); MES ``{round, supporters,
  voter_budget, max_share}`` (the starting budget per voter kept by add1, the largest amount one
  voter paid); a free project funded before MES starts has ``{round: 0, supporters}``;
- ``completion_funded``: funded by the greedy fill after MES, ``{left, needed}``;
- ``over_budget``: greedy, the cost exceeds what is left, ``{left, needed}``;
- ``supporters_spent``: MES, its supporters no longer had enough money together,
  ``{left, needed, supporters, available, spent_on}`` (``spent_on``: up to three funded
  projects that took most of its supporters' money, most first);
- ``no_support``: MES, nobody gets utility from it (no votes; or, with approval ballots, a
  project costing 0, which pabutools leaves to the completion), ``{left, needed}``.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain

from counting.record import FrozenRecord

# Only for annotations: typing, fractions and MES are imported when first used, so that a
# greedy count starts faster (``TYPE_CHECKING`` is false at run time, true for mypy).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from fractions import Fraction
    from typing import Any, Union

    from counting.mes import Electorate
    from counting.mes_run import Run

    Ballot = Union[Iterable[str], Mapping[str, int], Sequence[str]]

BALLOT_TYPES = ("approval", "knapsack", "cumulative", "ranking")
RULES = ("greedy", "mes", "mes-add1")


class Project(FrozenRecord):
    id: str
    cost: int  # integer money units (cents in the app)

    def __init__(self, id: str, cost: int) -> None:
        self._set(id=id, cost=cost)


class Step(FrozenRecord):
    """One line of the explanation of a result; the app turns it into words."""

    project_id: str
    funded: bool
    reason: str
    support: int
    data: dict[str, Any]

    def __init__(
        self, project_id: str, funded: bool, reason: str, support: int, data: dict[str, Any] | None = None
    ) -> None:
        self._set(
            project_id=project_id, funded=funded, reason=reason, support=support, data={} if data is None else data
        )


class Certificate(FrozenRecord):
    """Where MES's add1 completion stopped, so that anyone can confirm the outcome with two
    fixed-budget runs of another MES implementation (e.g. pabutools with the total budget
    ``voter_budget * voters``), however many steps add1 took:

    - MES with ``voter_budget`` per voter funds exactly ``funded`` (in this order);
    - ``reason == "exhaustive"``: no project outside ``funded`` (with utility) fits in the
      money left of the real budget; ``reason == "next_overspends"``: MES with
      ``voter_budget + increment`` per voter spends more than the real budget.

    (That no smaller step already stopped is what the engine's own proofs and runs settle.)"""

    voter_budget: Fraction  # per voter, in money units
    increment: int
    steps: int  # increments added to ``budget / voters``
    voters: int
    reason: str
    funded: tuple[str, ...]

    def __init__(
        self, voter_budget: Fraction, increment: int, steps: int, voters: int, reason: str, funded: tuple[str, ...]
    ) -> None:
        self._set(
            voter_budget=voter_budget, increment=increment, steps=steps, voters=voters, reason=reason, funded=funded
        )


class Result(FrozenRecord):
    rule: str
    budget: int
    selected: list[str]  # in selection order
    spent: int
    support: dict[str, int]
    trace: list[Step]
    certificate: Certificate | None  # MES rules with at least one voter

    def __init__(
        self,
        rule: str,
        budget: int,
        selected: list[str],
        spent: int,
        support: dict[str, int],
        trace: list[Step],
        certificate: Certificate | None = None,
    ) -> None:
        self._set(
            rule=rule,
            budget=budget,
            selected=selected,
            spent=spent,
            support=support,
            trace=trace,
            certificate=certificate,
        )


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while counting: a count builds many small objects and
    holds no cycles, and on a large vote (60,000 ballots) the collector's repeated passes over
    the heap took two thirds of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def count(
    budget: int,
    projects: Sequence[Project],
    ballots: Iterable[Ballot],
    ballot_type: str,
    rule: str,
    *,
    ranking_length: int | None = None,
    budget_increment: int = 1,
) -> Result:
    """Count ``ballots`` with ``rule``; identical ballots are merged first (it is faster).

    A ballot is, for ``approval``/``knapsack``, an iterable of project ids; for ``cumulative``,
    a mapping from project id to points (integers >= 0); for ``ranking``, the ids in order.
    """
    with paused_gc():
        if ballot_type in ("approval", "knapsack"):
            # tuples hash much faster than sets are built: merge identical lists first
            grouped: Counter = Counter()
            for ballot, m in Counter(map(tuple, ballots)).items():
                grouped[frozenset(ballot)] += m
        else:
            grouped = Counter(_ballot_key(ballot, ballot_type) for ballot in ballots)
        return count_grouped(
            budget,
            projects,
            grouped.items(),
            ballot_type,
            rule,
            ranking_length=ranking_length,
            budget_increment=budget_increment,
        )


def count_grouped(
    budget: int,
    projects: Sequence[Project],
    grouped_ballots: Iterable[tuple[Ballot, int]],
    ballot_type: str,
    rule: str,
    *,
    ranking_length: int | None = None,
    budget_increment: int = 1,
    explain: bool = True,
) -> Result:
    """Like :func:`count`, with ballots given as ``(ballot, number of voters who cast it)``.
    ``explain=False``: for a caller that needs only the outcome (``python -m counting``), MES
    gives the same result without its trace (an empty list) and skips recording the payments
    the trace explains (about a tenth of a count on Amsterdam 332); greedy keeps its trace."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; expected one of {RULES}")
    if not isinstance(budget, int) or budget < 0:
        raise ValueError("budget must be a non-negative integer")
    if not isinstance(budget_increment, int) or budget_increment <= 0:
        raise ValueError("budget_increment must be a positive integer")
    with paused_gc():
        election = _Election(budget, projects, grouped_ballots, ballot_type, ranking_length)
        if rule == "greedy":
            return election.greedy()
        return election.mes(budget_increment, completion=(rule == "mes"), explain=explain)


def greedy_by_support(budget: int, projects: Sequence[Project], support: Mapping[str, int]) -> Result:
    """``greedy`` when only each project's support is known: the number of approvals (approval
    and knapsack ballots) or the points (cumulative, ranking), which is all greedy ranks by.
    The same result as :func:`count` with ``rule="greedy"`` on ballots with that support."""
    if not isinstance(budget, int) or budget < 0:
        raise ValueError("budget must be a non-negative integer")
    election = _Election.__new__(_Election)
    election._projects(budget, projects)
    unknown = set(support).difference(election.index)
    if unknown:
        raise ValueError(f"ballot names unknown project {sorted(unknown)[0]!r}")
    election.support = [support.get(project_id, 0) for project_id in election.ids]
    election._order()
    return election.greedy()


# -- input ------------------------------------------------------------------------------------


def _ballot_key(ballot: Ballot, ballot_type: str) -> Any:
    """A hashable form of a ballot that :class:`_Election` accepts back."""
    if ballot_type in ("approval", "knapsack"):
        return frozenset(ballot)
    if ballot_type == "cumulative":
        return tuple(sorted(dict(ballot).items()))  # type: ignore[arg-type]
    if ballot_type == "ranking":
        return tuple(ballot)
    raise ValueError(f"unknown ballot type {ballot_type!r}; expected one of {BALLOT_TYPES}")


class _Election:
    """Projects and grouped ballots turned into indices, points and utilities."""

    def __init__(self, budget, projects, grouped_ballots, ballot_type, ranking_length) -> None:
        if ballot_type not in BALLOT_TYPES:
            raise ValueError(f"unknown ballot type {ballot_type!r}; expected one of {BALLOT_TYPES}")
        self._projects(budget, projects)
        grouped = [(ballot, multiplicity) for ballot, multiplicity in grouped_ballots]
        if any(not isinstance(m, int) or m < 0 for _, m in grouped):
            raise ValueError("ballot multiplicities must be non-negative integers")
        if ballot_type == "ranking" and ranking_length is None:
            ranking_length = max((len(list(b)) for b, _ in grouped), default=0)
        grouped = [(ballot, m) for ballot, m in grouped if m]
        self.voters = sum(m for _, m in grouped)
        self.multiplicity = [m for _, m in grouped]
        self.approval = ballot_type in ("approval", "knapsack")
        try:
            if self.approval:  # the bulk of real data: keep this loop lean
                index = self.index.__getitem__
                self.groups = [dict.fromkeys(map(index, ballot), 1) for ballot, _ in grouped]
            else:
                self.groups = [self._points(b, ballot_type, ranking_length) for b, _ in grouped]
        except KeyError as error:
            raise ValueError(f"ballot names unknown project {error.args[0]!r}") from None
        # supporters and support per project: Counter over the single ballots is fast
        single = [points for points, m in zip(self.groups, self.multiplicity) if m == 1]
        supporters = Counter(chain.from_iterable(single))
        support: Counter = Counter()
        if not self.approval:
            for points in single:
                support.update(points)
        for points, m in zip(self.groups, self.multiplicity):
            if m != 1:
                for p, value in points.items():
                    supporters[p] += m
                    support[p] += value * m
        if self.approval:
            support = supporters
        self.supporters = [supporters[p] for p in range(len(self.ids))]
        self.support = [support[p] for p in range(len(self.ids))]
        self._order()

    def _projects(self, budget: int, projects: Sequence[Project]) -> None:
        self.budget = budget
        self.ids = [p.id for p in projects]
        self.costs = [p.cost for p in projects]
        self.index = {project_id: i for i, project_id in enumerate(self.ids)}
        if len(self.index) != len(self.ids):
            raise ValueError("project ids must be unique")
        if any(not isinstance(c, int) or isinstance(c, bool) or c < 0 for c in self.costs):
            raise ValueError("project costs must be non-negative integers")

    def _order(self) -> None:
        # greedy order: support (0 for a project costing nothing, as in pabutools), then id
        self.greedy_order = sorted(
            range(len(self.ids)),
            key=lambda p: (-self.support[p] if self.costs[p] > 0 else 0, self.ids[p]),
        )

    def _points(self, ballot, ballot_type, ranking_length) -> dict[int, int]:
        if ballot_type == "cumulative":
            points = {}
            for project_id, value in dict(ballot).items():
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ValueError(f"points must be non-negative integers, got {value!r}")
                if value:
                    points[self.index[project_id]] = value
            return points
        ranked: dict[int, int] = {}
        for project_id in ballot:  # a repeated project keeps its first place, as in pabutools
            ranked.setdefault(self.index[project_id], ranking_length - len(ranked))
        if len(ranked) > ranking_length:
            raise ValueError(f"a ranking is longer than ranking_length={ranking_length}")
        return ranked

    def _mes_utility(self, p: int, points: int) -> int:
        return self.costs[p] if self.approval else points

    # -- greedy -----------------------------------------------------------------------------------

    def greedy(self) -> Result:
        selected, trace = self._greedy_fill([], "funded")
        return self._result("greedy", selected, trace)

    def _greedy_fill(self, selected: list[int], reason: str) -> tuple[list[int], list[Step]]:
        """Fund, in greedy order, every project not yet selected that fits in what is left."""
        left = self.budget - sum(self.costs[p] for p in selected)
        chosen, trace, taken = list(selected), [], set(selected)
        for p in self.greedy_order:
            if p in taken:
                continue
            fits = self.costs[p] <= left
            data = {"left": left, "needed": self.costs[p]}
            if fits:
                chosen.append(p)
                left -= self.costs[p]
            trace.append(self._step(p, fits, reason if fits else "over_budget", data))
        return chosen, trace

    # -- method of equal shares -------------------------------------------------------------------

    def mes(self, increment: int, completion: bool, explain: bool = True) -> Result:
        from counting.mes import Electorate

        if self.approval:  # utility: the cost
            electorate = Electorate(self.ids, self.costs, self.groups, self.multiplicity, utility_is_cost=True)
        else:
            utilities = [
                {p: u for p, points in group.items() if (u := self._mes_utility(p, points)) > 0}
                for group in self.groups
            ]
            electorate = Electorate(self.ids, self.costs, utilities, self.multiplicity)
        # costing nothing and giving utility: funded before MES starts, as in pabutools
        free = sorted(electorate.free, key=self.ids.__getitem__)
        run = electorate.add1(self.budget, increment, record=explain) if self.voters else None
        funded = run.funded if run else []
        selected = free + [f.project for f in funded]
        if completion:
            selected, fill = self._greedy_fill(selected, "completion_funded")
        trace: list[Step] = []
        if explain:
            trace += [self._step(p, True, "funded", {"round": 0, "supporters": self.supporters[p]}) for p in free]
            trace += self._mes_funded_steps(run)
            if completion:
                trace += [step for step in fill if step.funded]
            left = self.budget - sum(self.costs[p] for p in selected)
            chosen = set(selected)
            left_out = [p for p in self.greedy_order if p not in chosen]
            spending = _spending_matrix(self, electorate, run, left_out)
            spent_on = self._money_spent_on(run) if spending is None else {}  # small votes only
            for p in left_out:
                trace.append(self._mes_not_funded(p, electorate, run, spent_on, left, spending))
        certificate = None
        if run is not None:
            certificate = Certificate(
                voter_budget=run.exact_voter_budget,
                increment=increment,
                steps=run.add1_step,
                voters=self.voters,
                reason=run.stop_reason,
                funded=tuple(self.ids[f.project] for f in funded),
            )
        return self._result("mes" if completion else "mes-add1", selected, trace, certificate)

    def _mes_not_funded(self, p, electorate, run, spent_on, left, spending=None) -> Step:
        """Why MES (and the completion) left ``p`` out: no utility, or its supporters' money
        had gone to other projects (the three that took most of it are named)."""
        data = {"left": left, "needed": self.costs[p]}
        if not electorate.groups_of[p]:
            return self._step(p, False, "no_support", data)
        if spending is not None:  # large votes: the same sums with numpy
            spent, available = spending(p)
        else:
            spent = Counter()
            available = 0.0
            for g in electorate.groups_of[p]:
                m = self.multiplicity[g]
                available += m * run.group_approx[g]
                for q, amount in spent_on[g].items():
                    spent[q] += m * amount
        # rounded before ranking, so that summing in another order cannot swap equal amounts
        top = sorted((q for q in spent if spent[q] > 0), key=lambda q: (-round(spent[q], 4), self.ids[q]))[:3]
        return self._step(
            p,
            False,
            "supporters_spent",
            {
                **data,
                "supporters": self.supporters[p],
                "available": _money(max(0.0, available)),
                "spent_on": [self.ids[q] for q in top],
            },
        )

    def _mes_funded_steps(self, run: Run | None) -> list[Step]:
        steps: list[Step] = []
        if run is None:
            return steps
        for round_number, funded in enumerate(run.funded, start=1):
            p = funded.project
            steps.append(
                self._step(
                    p,
                    True,
                    "funded",
                    {
                        "round": round_number,
                        "supporters": self.supporters[p],
                        "voter_budget": _money(run.voter_budget),
                        "max_share": _money(max((funded.payments or {0: 0.0}).values())),
                    },
                )
            )
        return steps

    def _money_spent_on(self, run: Run | None) -> dict[int, dict[int, float]]:
        """Group -> funded project -> what one voter of the group paid for it."""
        spent_on: dict[int, dict[int, float]] = defaultdict(dict)
        for funded in run.funded if run else []:
            for g, amount in (funded.payments or {}).items():
                spent_on[g][funded.project] = amount
        return spent_on

    # -- output -----------------------------------------------------------------------------------

    def _step(self, p: int, funded: bool, reason: str, data: dict[str, Any]) -> Step:
        return Step(self.ids[p], funded, reason, self.support[p], data)

    def _result(
        self, rule: str, selected: list[int], trace: list[Step], certificate: Certificate | None = None
    ) -> Result:
        return Result(
            rule=rule,
            budget=self.budget,
            selected=[self.ids[p] for p in selected],
            spent=sum(self.costs[p] for p in selected),
            support={self.ids[p]: self.support[p] for p in range(len(self.ids))},
            trace=trace,
            certificate=certificate,
        )


def _spending_matrix(election: _Election, electorate: Electorate, run: Run | None, left_out: list[int]):
    """For a large vote: a function ``p -> (money its supporters paid per funded project,
    money they had left)`` computed with numpy; None for small votes or without numpy."""
    from counting import mes

    if run is None or not run.funded or len(election.groups) < mes.FLOAT_MIN_GROUPS or len(left_out) < 8:
        return None
    try:
        import numpy as np
    except ImportError:
        return None
    multiplicity = np.array(election.multiplicity, dtype=np.float64)
    paid = np.zeros((len(election.groups), len(run.funded)))
    for column, funded in enumerate(run.funded):
        payments = funded.payments or {}
        paid[np.fromiter(payments.keys(), dtype=np.intp, count=len(payments)), column] = list(payments.values())
    paid *= multiplicity[:, None]
    left = multiplicity * np.array(run.group_approx, dtype=np.float64)
    projects = [funded.project for funded in run.funded]

    def spending(p: int) -> tuple[dict[int, float], float]:
        groups = np.array(electorate.groups_of[p], dtype=np.intp)
        sums = paid[groups].sum(axis=0)
        return {q: float(value) for q, value in zip(projects, sums.tolist()) if value}, float(left[groups].sum())

    return spending


def _money(value: float) -> float:
    return round(float(value), 2)


def result_as_json(result: Result) -> dict[str, Any]:
    """The short JSON form the CLI prints: rule, selected ids, spent and budget."""
    return {
        "rule": result.rule,
        "selected": result.selected,
        "spent": result.spent,
        "budget": result.budget,
    }
