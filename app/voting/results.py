"""Counting a round: fetch its ballots, hand them to the pure engine, explain the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.cache import BoundedCache
from app.extensions import db
from app.voting.models import Ballot, BudgetRound, RoundOption, SubBudget
from app.voting.rules import deserialize
from counting import tally

CENTS_PER_EURO = 100


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
    ranking_length = round_.max_choices if round_.ballot_type == "ranking" else None
    # MES's add1 steps by one euro (100 cents): the step pabutools takes on the published
    # Pabulib file, whose amounts are in euros, so a recount there gives this very outcome.
    outcome = tally.count(
        budget,
        projects,
        ballots,
        round_.ballot_type,
        round_.rule,
        ranking_length=ranking_length,
        budget_increment=CENTS_PER_EURO,
    )
    steps = {step.project_id: step for step in outcome.trace}
    selected = set(outcome.selected)
    part = PartResult(sub_budget, budget, outcome.spent, len(ballots))
    for option in options:
        key = str(option.id)
        part.projects.append(ProjectResult(option, outcome.support.get(key, 0), key in selected, steps.get(key)))
    part.projects.sort(key=lambda p: (not p.funded, -p.support, p.option.position))
    return part


def round_results(round_: BudgetRound) -> list[PartResult]:
    """The outcome of every part. Counting a large round with MES takes seconds, and a
    closed round's ballots only change when paper ballots are confirmed, so each worker
    keeps the last count per round (keyed by its status and number of counted ballots)."""
    key = (round_.status.value, counted_ballots(round_))
    cached = COUNTS.get(round_.id)
    if cached is not None and cached[0] == key:
        return _rebind(round_, cached[1])
    parts = (
        [count_part(round_, sub) for sub in round_.sub_budgets] if round_.sub_budgets else [count_part(round_, None)]
    )
    # Keep plain values only: ORM rows belong to this request's session.
    COUNTS.set(
        round_.id,
        (
            key,
            [
                (
                    part.sub_budget.id if part.sub_budget else None,
                    part.budget_cents,
                    part.spent_cents,
                    part.ballots,
                    [(p.option.id, p.support, p.funded, p.step) for p in part.projects],
                )
                for part in parts
            ],
        ),
    )
    return parts


#: The last count of the rounds asked for most recently (only rounds that exist get here).
COUNTS = BoundedCache(maxsize=32)


def counted_ballots(round_: BudgetRound) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(Ballot).where(Ballot.round_id == round_.id, Ballot.confirmed.is_(True))
        )
        or 0
    )


def _rebind(round_: BudgetRound, cached: list) -> list[PartResult]:
    """The cached numbers joined to this request's own rows."""
    options = {o.id: o for o in round_.options}
    subs = {s.id: s for s in round_.sub_budgets}
    return [
        PartResult(
            subs.get(sub_id),
            budget,
            spent,
            ballots,
            [ProjectResult(options[option_id], support, funded, step) for option_id, support, funded, step in projects],
        )
        for sub_id, budget, spent, ballots, projects in cached
    ]


def ballots_for_count(round_: BudgetRound, sub_budget: SubBudget | None = None):
    query = select(Ballot.choices).where(Ballot.round_id == round_.id, Ballot.confirmed.is_(True))
    if sub_budget is not None:
        query = query.where(Ballot.sub_budget_id == sub_budget.id)
    return db.session.scalars(query.order_by(Ballot.receipt))
