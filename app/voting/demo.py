"""Demo round: an open vote on youth plans for the upcoming council's tickets."""

from __future__ import annotations

from sqlalchemy import select

from app.councils.models import Council, CouncilStatus
from app.extensions import db
from app.finance.models import FundingSource
from app.finance.services import seed_funding_sources
from app.proposals.lifecycle import Status
from app.proposals.models import Proposal
from app.roles import Role
from app.voting import services
from app.voting.models import BudgetRound


def seed_rounds(users, **_kwargs) -> None:
    seed_funding_sources()
    if db.session.scalar(select(BudgetRound.id).limit(1)) is not None:
        return
    board = users[Role.board]
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
