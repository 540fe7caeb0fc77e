"""Demo rounds: an open vote on the approved plans for the upcoming council's tickets, and
the 2023 vote that funded the demo's funded plans (so that the finance page counts them)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from sqlalchemy import select

from app.councils.codes import new_receipt_code
from app.councils.models import Council, CouncilStatus
from app.extensions import db
from app.finance.models import FundingSource
from app.finance.services import seed_funding_sources
from app.proposals.lifecycle import Status
from app.proposals.models import Proposal
from app.roles import Role
from app.voting import services
from app.voting.exports import ballot_list_hashes
from app.voting.models import BudgetRound, RoundOption, RoundStatus
from app.voting.results import round_results
from app.voting.rules import serialize

PAST_ROUND = "Bewonersbudget Nieuw-West 2023"
PAST_BALLOTS = 48


def seed_rounds(users, **_kwargs) -> None:
    seed_funding_sources()
    if db.session.scalar(select(BudgetRound.id).limit(1)) is not None:
        return
    board = users[Role.board]
    seed_past_round(board)
    council = db.session.scalar(
        select(Council).where(Council.status == CouncilStatus.open).order_by(Council.starts_at.desc())
    )
    source = db.session.scalar(select(FundingSource).where(FundingSource.name.like("Vliegwiel%")))
    round_ = services.save_round(
        None,
        {
            "name": "Bewonersbudget Nieuw-West 2026",
            "description": "Kies de plannen die jij het belangrijkst vindt. Het geld komt uit de vliegwielmiddelen.",
            "budget_cents": 150_000_00,
            "funding_source_id": source.id if source else None,
            "ballot_type": "knapsack",
            "rule": "mes",
            "eligibility": "council",
            "council_id": council.id if council else None,
        },
        board,
    )
    db.session.flush()
    for proposal in db.session.scalars(
        select(Proposal).where(Proposal.status == Status.approved).order_by(Proposal.id)
    ):
        if proposal.title != "Bewonersbudget voor kleine ideeën":  # keep one approved plan off the ballot
            services.add_option(round_, proposal, board)
    services.open_round(round_, board)
    db.session.flush()


def seed_past_round(board) -> None:
    """The vote of the first councils (October 2023) that funded the demo's funded plans:
    its ballots, its count and the board's approval are real, so the results page, the
    plans' status and the finance page agree. (Those plans walked their timeline to
    "funded" in the proposals demo; here they get the round they were funded in.)"""
    funded = list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.status.in_((Status.funded, Status.in_progress, Status.completed)))
            .order_by(Proposal.id)
        )
    )
    council = db.session.scalar(
        select(Council).where(Council.status == CouncilStatus.outcomes_published).order_by(Council.starts_at)
    )
    if not funded or council is None:
        return
    source = db.session.scalar(select(FundingSource).where(FundingSource.name.like("Vliegwiel%")))
    costs = [p.ballot_cost_cents for p in funded]
    round_ = BudgetRound(
        name=PAST_ROUND,
        description="De eerste bewonersberaden kozen de plannen voor 2024.",
        budget_cents=-(-(sum(costs) + 1) // 500_000) * 500_000,  # the next €5,000 above the plans
        funding_source_id=source.id if source else None,
        ballot_type="approval",
        rule="greedy",
        eligibility="council",
        council_id=council.id,
        status=RoundStatus.closed,
        opens_at=council.starts_at,
        closes_at=council.ends_at,
        options=[RoundOption(proposal=p, cost_cents=c, position=i) for i, (p, c) in enumerate(zip(funded, costs))],
    )
    db.session.add(round_)
    db.session.flush()
    rng = random.Random(2023)  # the same demo every time
    ids = [o.id for o in round_.options]
    cast_on = council.starts_at.date() if council.starts_at else date(2023, 10, 4)
    services._write_ballots(
        round_.id,
        [
            {
                "sub_budget_id": None,
                "channel": "council" if n % 6 else "paper",
                "choices": serialize(tuple(sorted(rng.sample(ids, rng.randint(1, len(ids)))))),
                "receipt": new_receipt_code(),
                "cast_on": cast_on.isoformat(),
                "paper_batch_id": None,
            }
            for n in range(PAST_BALLOTS)
        ],
    )
    db.session.flush()
    parts = round_results(round_)
    round_.status = RoundStatus.results_published
    round_.results_approved_by_id = board.id
    round_.results_approved_at = datetime(2023, 10, 11, 10, tzinfo=UTC)
    round_.results_hashes = ballot_list_hashes(round_, parts)
    round_.results_outcome = [sorted(p.option.id for p in part.projects if p.funded) for part in parts]
    db.session.flush()
