"""Counting a round: fetch its ballots, hand them to the pure engine, explain the outcome."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.voting import tally
from app.voting.models import BudgetRound, RoundOption, SubBudget
from app.voting.rules import deserialize
from app.voting.services import ballots_for_count


@dataclass
class ProjectResult:
    option: RoundOption
    support: int
    funded: bool
    step: tally.Step | None


@dataclass
class PartResult:
    """The outcome for the whole round, or for one buurt's sub-budget."""

    sub_budget: SubBudget | None
    budget_cents: int
    spent_cents: int
    ballots: int
    projects: list[ProjectResult] = field(default_factory=list)

    @property
    def funded(self) -> list[ProjectResult]:
        return [p for p in self.projects if p.funded]


def _ballot_for_engine(ballot_type: str, stored: str):
    choices = deserialize(ballot_type, stored)
    if ballot_type == "cumulative":
        return {str(oid): points for oid, points in choices}
    return [str(oid) for oid in choices]


def count_part(round_: BudgetRound, sub_budget: SubBudget | None) -> PartResult:
    options = round_.options_for(sub_budget)
    budget = sub_budget.amount_cents if sub_budget else round_.budget_cents
    ballots = [_ballot_for_engine(round_.ballot_type, stored) for stored in ballots_for_count(round_, sub_budget)]
    projects = [tally.Project(id=str(o.id), cost=o.cost_cents) for o in options]
    outcome = tally.count(budget, projects, ballots, round_.ballot_type, round_.rule)
    steps = {step.project_id: step for step in outcome.trace}
    selected = set(outcome.selected)
    part = PartResult(sub_budget, budget, outcome.spent, len(ballots))
    for option in options:
        key = str(option.id)
        part.projects.append(ProjectResult(option, outcome.support.get(key, 0), key in selected, steps.get(key)))
    part.projects.sort(key=lambda p: (not p.funded, -p.support, p.option.position))
    return part


def round_results(round_: BudgetRound) -> list[PartResult]:
    if round_.sub_budgets:
        return [count_part(round_, sub) for sub in round_.sub_budgets]
    return [count_part(round_, None)]
