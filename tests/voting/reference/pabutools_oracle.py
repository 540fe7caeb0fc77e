"""pabutools as a test oracle for app.voting.tally.

This module only *calls* pabutools (GPL) as a black box to produce expected outcomes;
none of its code lives in the application. Test code imports this module by file path.

How our rules map onto pabutools (see app/voting/tally.py for the rules themselves):

- approval / knapsack, greedy: ``greedy_utilitarian_welfare(sat_class=Cost_Sat)``.
- approval / knapsack, mes: ``completion_by_rule_combination`` of ``method_of_equal_shares``
  (``Cost_Sat``, ``voter_budget_increment=1``) and greedy with ``Cost_Sat``.
- cumulative and ranking, greedy: greedy with a satisfaction of ``points x cost`` (so that the
  greedy density, satisfaction per cost, is the point total); pabutools has no such class
  built in, so ``PointsTimesCostSat`` below defines it through pabutools' public
  ``AdditiveSatisfaction`` API.
- cumulative and ranking, mes: MES with ``Additive_Cardinal_Sat`` (points are utilities) and
  ``voter_budget_increment=1``, completed by the greedy rule above.
- mes-add1: the MES part alone (``method_of_equal_shares(..., voter_budget_increment=1)``).
- ranking ballots are first turned into cardinal ballots with Borda points ``k - position``
  (``k`` for the first place ... ``1`` for the k-th), because pabutools' own
  ``Additive_Borda_Sat`` gives ``len(ballot) - 1 - position`` (0 for the last place) and is
  not additive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pabutools.election import (
    Additive_Cardinal_Sat,
    AdditiveSatisfaction,
    ApprovalBallot,
    ApprovalProfile,
    CardinalBallot,
    CardinalProfile,
    Cost_Sat,
    Instance,
    Project,
    parse_pabulib,
)
from pabutools.election.profile import AbstractApprovalProfile, AbstractOrdinalProfile
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)


def _points_times_cost(instance, profile, ballot, project, precomputed_values):
    return ballot.get(project, 0) * project.cost


class PointsTimesCostSat(AdditiveSatisfaction):
    """Satisfaction ``points x cost``: greedy then orders projects by their point total."""

    def __init__(self, instance, profile, ballot):
        AdditiveSatisfaction.__init__(self, instance, profile, ballot, _points_times_cost)


def run_rule(instance: Instance, profile, rule: str) -> list[str]:
    """Count a pabutools (multi)profile with our rule ``rule``; returns ids in selection order."""
    if isinstance(profile, AbstractApprovalProfile):
        mes_sat, greedy_sat = Cost_Sat, Cost_Sat
    else:
        mes_sat, greedy_sat = Additive_Cardinal_Sat, PointsTimesCostSat
    if rule == "greedy":
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=greedy_sat)
    elif rule == "mes-add1":
        outcome = method_of_equal_shares(instance, profile, sat_class=mes_sat, voter_budget_increment=1)
    elif rule == "mes":
        outcome = completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": mes_sat, "voter_budget_increment": 1}, {"sat_class": greedy_sat}],
        )
    else:
        raise ValueError(f"unknown rule {rule!r}")
    return [project.name for project in outcome]


def ranking_as_cardinal(instance: Instance, profile, length: int) -> CardinalProfile:
    """Turn an ordinal profile into cardinal ballots with points ``length - position``."""
    ballots = []
    for ballot in profile:
        ranked = list(ballot)
        for _ in range(profile.multiplicity(ballot)):
            ballots.append(CardinalBallot({project: length - place for place, project in enumerate(ranked)}))
    return CardinalProfile(ballots, instance=instance)


def count_file(path, rule: str) -> list[str]:
    """Parse a Pabulib file with pabutools and count it with ``rule``."""
    instance, profile = parse_pabulib(str(path))
    if isinstance(profile, AbstractOrdinalProfile):
        length = int(instance.meta.get("max_length") or max((len(b) for b in profile), default=0))
        profile = ranking_as_cardinal(instance, profile, length)
    return run_rule(instance, profile.as_multiprofile(), rule)


def count(
    budget: int,
    projects: Sequence[tuple[str, int]],
    ballots: Sequence,
    ballot_type: str,
    rule: str,
    ranking_length: int | None = None,
) -> list[str]:
    """Count plain values with pabutools (same inputs as ``tally.count``)."""
    by_id = {project_id: Project(project_id, cost) for project_id, cost in projects}
    instance = Instance(by_id.values(), budget_limit=budget)
    if ballot_type in ("approval", "knapsack"):
        profile = ApprovalProfile([ApprovalBallot(by_id[p] for p in ballot) for ballot in ballots], instance=instance)
    elif ballot_type == "cumulative":
        profile = CardinalProfile([_cardinal(by_id, ballot) for ballot in ballots], instance=instance)
    elif ballot_type == "ranking":
        length = ranking_length or max((len(b) for b in ballots), default=0)
        profile = CardinalProfile(
            [_cardinal(by_id, {p: length - i for i, p in enumerate(b)}) for b in ballots],
            instance=instance,
        )
    else:
        raise ValueError(f"unknown ballot type {ballot_type!r}")
    return run_rule(instance, profile.as_multiprofile(), rule)


def _cardinal(by_id: Mapping[str, Project], points: Mapping[str, int]) -> CardinalBallot:
    return CardinalBallot({by_id[p]: value for p, value in points.items() if value})
