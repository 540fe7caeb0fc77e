"""The Method of Equal Shares with the "add1" completion: exact, and fast (pure Python).

Used by :mod:`counting.tally`. Every voter starts with the same budget. In each round the
project with the lowest *price per unit of utility* ``rho`` is funded: the smallest ``rho`` at
which its supporters can pay its cost when each supporter ``i`` pays
``min(budget_i, rho * utility_i)``. Ties go to the smallest project id as a string. Projects
whose supporters together have less money than the cost drop out; a run ends when none is left.
:meth:`Electorate.add1` repeats runs with more money per voter, as pabutools'
``voter_budget_increment`` does.

How it stays exact while being fast (details in :mod:`counting.mes_run`):

- Voters with identical ballots form *groups*. A voter's budget only depends on which funded
  projects they supported and with what utility, so groups with the same history share a
  *class* with one exact budget (an integer over a common denominator).
- The search for the cheapest project runs on floats with a proven error bound, so it knows
  when floats cannot decide (near-ties, exact ties, a cost exactly equal to the supporters'
  money); then exact integers decide. The funded project's price is always exact.
- ``rho`` never falls during a run (budgets only shrink), so an old lower bound stays valid
  and most projects need no re-evaluation in a round.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from itertools import chain, repeat
from operator import add, itemgetter, mul

from counting.mes_run import Run, _above, _below

TYPE_CHECKING = False  # (no typing at run time; true for mypy)
if TYPE_CHECKING:
    from typing import Any

#: Votes with at least this many distinct ballots use float runs inside add1 (tests lower it).
FLOAT_MIN_GROUPS = 400


class Supporters:
    """The supporters of one project, as groups (identical ballots).

    Supporters are told apart by a *key*: their class, or for unequal utilities
    ``class * modulus + weight``. Prices are searched over *entries*: one per group, or, when
    all utilities are equal and few ballots repeat, one per voter (``plain``: sorting bare
    floats is fastest).

    ``weights``: per group 1 when all utilities are equal (``uniform``), else the utility;
    ``voters``: per group how many voters cast that ballot; ``unit``: the common utility when
    all are equal, else 1 (``rho = share / unit``). (A plain class, not a dataclass: see
    :mod:`counting.record`; built once per project, for every count.)
    """

    __slots__ = (
        "groups",
        "weights",
        "voters",
        "unit",
        "uniform",
        "plain",
        "modulus",
        "pick",
        "pick_entries",
        "scaled",
        "weight_total",
        "utility_total",
        "voter_total",
    )

    def __init__(self, groups: list[int], utilities: list[int], voters: list[int]) -> None:
        self.groups, self.voters = groups, voters
        first = utilities[0]
        self.uniform = utilities.count(first) == len(utilities)  # all weights are 1
        self.unit = first if self.uniform else 1
        self.weights = [1] * len(utilities) if self.uniform else utilities
        self.voter_total = sum(voters)
        single = voters.count(1) == len(voters)  # nobody shares a ballot with another
        # entries are single voters with weight 1
        self.plain = self.uniform and self.voter_total <= 2 * len(groups)
        self.modulus = max(self.weights) + 1
        self.pick = itemgetter(*groups, groups[0])  # values of the groups (+1: always a tuple)
        if self.plain and not single:
            entries = list(chain.from_iterable(map(repeat, groups, voters)))
            self.pick_entries = itemgetter(*entries, entries[0])  # values of the entries (+1)
        else:
            self.pick_entries = self.pick
        if self.uniform:
            self.scaled = voters  # weight * voters, per group
        else:
            self.scaled = list(map(mul, self.weights, voters))
        self.weight_total = self.voter_total if self.uniform else sum(self.scaled)
        self.utility_total = self.weight_total * self.unit

    @property
    def entries(self) -> int:
        return self.voter_total if self.plain else len(self.groups)

    def keys(self, group_class) -> Sequence[int]:
        """The key of each group, given each group's class."""
        classes = self.pick(group_class)[:-1]
        if self.uniform:
            return classes
        return list(map(add, map(mul, classes, repeat(self.modulus)), self.weights))

    def split(self, key: int) -> tuple[int, int]:
        """``(class, weight)`` of a key."""
        return (key, 1) if self.uniform else divmod(key, self.modulus)

    def counts(self, group_class) -> Counter:
        """Voters per key."""
        if self.plain:
            return Counter(self.pick_entries(group_class)[:-1])
        counts: Counter = Counter()
        for key, m in zip(self.keys(group_class), self.voters):
            counts[key] += m
        return counts


class Electorate:
    """The voters as MES needs them, prepared once and reused by every run.

    ``groups[g]`` maps project index -> utility (> 0) for ballot group ``g``; ``multiplicity[g]``
    is the number of voters who cast it; ``groups_of[p]`` and ``utilities_of[p]`` are the groups
    that get utility from project ``p`` (in order) and that utility. ``ids`` are the project ids (ties: smallest id string).
    ``utility_is_cost``: each project a ballot names gives the utility of its cost (approval
    ballots, pabutools' ``Cost_Sat``), whatever the ballot's values; a project costing nothing
    then gives none.
    """

    def __init__(
        self,
        ids: Sequence[str],
        costs: Sequence[int],
        groups: Sequence[dict[int, int]],
        multiplicity: Sequence[int],
        utility_is_cost: bool = False,
    ) -> None:
        self.ids, self.costs, self.groups = ids, costs, groups
        self.voters = sum(multiplicity)
        # per project: the groups that get utility from it, in order, and their utilities
        self.groups_of: list[list[int]] = [[] for _ in costs]
        group_appends = [supporting.append for supporting in self.groups_of]
        if utility_is_cost:  # one pass over the vote cells, no utilities to collect
            for g, ballot in enumerate(groups):
                for p in ballot:
                    group_appends[p](g)
            for p, cost in enumerate(costs):
                if cost == 0:
                    self.groups_of[p] = []
            self.utilities_of = [[cost] * len(supporting) for cost, supporting in zip(costs, self.groups_of)]
        else:
            self.utilities_of = [[] for _ in costs]
            utility_appends = [utilities.append for utilities in self.utilities_of]
            for g, ballot in enumerate(groups):
                for p, utility in ballot.items():
                    group_appends[p](g)
                    utility_appends[p](utility)
        #: supported, costing nothing: funded before MES starts
        self.free = [p for p, supporting in enumerate(self.groups_of) if supporting and costs[p] == 0]
        self.eligible = [p for p, supporting in enumerate(self.groups_of) if supporting and costs[p] > 0]
        voters_of = multiplicity.__getitem__
        self.of: dict[int, Supporters] = {
            p: Supporters(self.groups_of[p], self.utilities_of[p], list(map(voters_of, self.groups_of[p])))
            for p in self.eligible
        }
        self.rank = {p: i for i, p in enumerate(sorted(self.eligible, key=ids.__getitem__))}

    def run(self, voter_budget: Fraction, record: bool = False, guide: Run | None = None) -> Run:
        """One MES run; ``record`` keeps what every group paid (for explanations)."""
        run = Run(self, Fraction(voter_budget), record)
        run.execute(guide)
        return run

    def add1(self, budget: int, increment: int = 1, record: bool = True) -> Run:
        """MES with pabutools' ``voter_budget_increment``: start each voter with
        ``budget / voters`` and add ``increment`` until the outcome is exhaustive (no unfunded
        eligible project fits in what is left of ``budget``); if an outcome costs more than
        ``budget``, keep the one before. Returns that run, with payments recorded (unless
        ``record`` is false), and with
        ``add1_step`` and ``stop_reason`` set (the certificate, see :class:`counting.tally.Certificate`).

        Shortcuts, none changing the result:

        - The outcome often stays the same over many budgets, so after a run we try to prove
          that the next ``step`` budgets give the same outcome (:meth:`Run.follows`) and skip
          them, halving ``step`` until a proof succeeds; ``step`` doubles after a success.
        - When even one budget cannot be skipped, the next ``block`` budgets are run without
          trying (``block`` doubles, up to 16, while that goes on); a proof is tried again
          once a whole block gave one outcome.
        - On large votes those runs are float runs (:mod:`counting.mes_float`) that return an
          outcome only when every comparison in them had a wide margin; else the exact run
          decides. Proofs there are float proofs with the same margins (else exact ones), and
          the budget where add1 stops is confirmed by the exact engine (else add1 is redone
          without floats).
        """
        fast = self._float_electorate()
        if fast is not None:
            run = self._add1(budget, increment, fast, record)
            if run is not None:
                return run
        run = self._add1(budget, increment, None, record)
        assert run is not None  # exact runs need no confirmation
        return run

    def _add1(self, budget: int, increment: int, fast, record: bool = True) -> Run | None:
        """:meth:`add1`; None if the exact engine did not confirm where float runs stopped."""
        start = Fraction(budget, self.voters)
        k, step, block = 0, 1, 1 if fast is None else 2  # floats: the first outcomes usually differ
        while True:
            # The block's budgets k .. top_step: the largest first, then the lower half from
            # the middle down and only then, if add1 did not stop there, the upper half, each
            # float run guided by the one above it (more money).
            top_step, middle = k + block - 1, k + block // 2
            use_float = fast is not None and block > 1  # a lone run is a proof's start
            found_at: dict[int, list[int]] = {}
            by_float: dict[int, bool] = {}
            found_at[top_step], top_guide, top = self._outcome(
                fast if use_float else None, start + top_step * increment, None
            )
            by_float[top_step] = top_guide is not None
            halves = (
                (range(middle - 1, k - 1, -1), range(k, middle)),
                (range(top_step - 1, middle - 1, -1), range(middle, top_step + 1)),
            )
            for counted, checked in halves:
                guide = top_guide
                for j in counted:
                    found_at[j], guide, _ = self._outcome(fast if use_float else None, start + j * increment, guide)
                    by_float[j] = guide is not None
                for j in checked:
                    funded = found_at[j]
                    if self._overspends(budget, funded):  # j > 0: MES with budget / voters never overspends
                        confirmed = None  # the exact run at j, when floats said it overspends
                        if by_float[j]:
                            confirmed = self.run(start + j * increment)
                            if not self._overspends(budget, [f.project for f in confirmed.funded]):
                                return None
                        return self._stop(budget, start, j - 1, increment, "next_overspends", record, confirmed)
                    if self._exhaustive(budget, funded):
                        return self._stop(budget, start, j, increment, "exhaustive", record)
            outcomes = [found_at[j] for j in range(k, k + block)]
            k += block
            if any(funded != outcomes[-1] for funded in outcomes):
                block = min(16, 2 * block)  # the outcome is changing: no proof would hold
                continue
            if top is None:  # a float run starts a float proof; else an exact run
                top = top_guide if fast is not None and top_guide is not None else self.run(start + (k - 1) * increment)
            skipped = False
            while True:  # skip as far as proofs reach, each proof run the start of the next
                proof = None
                while step and (proof := self._proof(top, start + (k - 1 + step) * increment, fast)) is None:
                    step //= 2
                if proof is None:
                    break
                k += step
                step, top, skipped = 2 * step, proof, True
            step, block = 1, (1 if skipped else min(16, 2 * block))

    def _outcome(self, fast, voter_budget: Fraction, guide) -> tuple[list[int], Any, Run | None]:
        """``(funded projects, the float run or None, the exact run or None)`` at one budget: by
        a float run (``fast``, guided by ``guide``) if floats can decide, else by an exact run."""
        found = fast.funded(voter_budget, guide) if fast is not None else None
        if found is not None:
            return found.funded, found, None
        exact = self.run(voter_budget)
        return [f.project for f in exact.funded], None, exact

    def _overspends(self, budget: int, funded: list[int]) -> bool:
        return sum(self.costs[p] for p in funded) > budget

    def _exhaustive(self, budget: int, funded: list[int]) -> bool:
        chosen = set(funded)
        left = budget - sum(self.costs[p] for p in chosen)
        return all(self.costs[p] > left for p in self.eligible if p not in chosen)

    def _float_electorate(self):
        """The float engine for large votes, when its error bound holds and numpy is there."""
        if len(self.groups) < FLOAT_MIN_GROUPS:
            return None
        from counting import mes_float

        if not mes_float.trusted(len(self.costs), self.voters):
            return None
        try:
            return mes_float.FloatElectorate(self)
        except ImportError:  # numpy missing: the exact engine alone
            return None

    def _stop(
        self,
        budget: int,
        start: Fraction,
        step: int,
        increment: int,
        reason: str,
        record: bool = True,
        guide: Run | None = None,
    ) -> Run | None:
        """The exact run where add1 stops, with payments recorded if asked; None if it does not confirm
        the stop that (float) runs found: within the budget, and exhaustive exactly when the
        reason says so. ``guide``: the exact run one step further, if there is one (its bounds
        spare this run work)."""
        run = self.run(start + step * increment, record=record, guide=guide)
        funded = [f.project for f in run.funded]
        if self._overspends(budget, funded) or self._exhaustive(budget, funded) != (reason == "exhaustive"):
            return None
        run.add1_step, run.stop_reason = step, reason
        return run

    def same_outcome(self, run: Run, voter_budget: Fraction) -> bool:
        """True if every budget from ``run``'s up to ``voter_budget`` gives ``run``'s outcome."""
        return self._proof(run, voter_budget) is not None

    def _proof(self, run: Any, voter_budget: Fraction, fast: Any = None) -> Any:
        """A run at ``voter_budget`` if it proves that every budget from ``run``'s up to it
        gives ``run``'s outcome (it funds the same projects in the same order: the start of
        the next proof), else None. With ``fast`` (the float engine) a float proof first
        (:meth:`counting.mes_float.FloatElectorate.follows`); where floats cannot tell, the
        exact one."""
        if fast is not None:
            from counting.mes_float import Uncertain

            floats = not isinstance(run, Run)  # a float run or a float proof
            if floats:
                projects, bounds = run.funded, run.bounds
            else:
                projects = [f.project for f in run.funded]
                bounds = [(_below(f.rho.numerator, f.rho.denominator), _above(f.rho), f.rho) for f in run.funded]
            try:
                return fast.follows(projects, bounds, Fraction(voter_budget))
            except Uncertain:
                if floats:
                    run = self.run(run.exact_voter_budget)
        proof = Run(self, Fraction(voter_budget), record=False)
        return proof if proof.follows(run) else None
