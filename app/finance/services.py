"""Funding sources: seeded from the programme's own figures, kept by the board."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.domains import DOMAIN_CODES
from app.extensions import db
from app.finance.models import FundingSource
from app.finance.overview import Allocation, summarise
from app.places.models import Neighbourhood
from app.proposals.lifecycle import Status
from app.proposals.models import Proposal
from app.voting.models import BudgetRound, RoundOption

SOURCES_CSV = Path(__file__).resolve().parent.parent / "data" / "funding_sources.csv"


def seed_funding_sources(**_kwargs) -> None:
    existing = set(db.session.scalars(select(FundingSource.name)))
    for name, amount_cents, period, note in read_sources():
        if name not in existing:
            db.session.add(FundingSource(name=name, amount_cents=amount_cents, period=period, note=note))
    db.session.flush()


def read_sources() -> list[tuple[str, int, str, str]]:
    """The reference file has names with unquoted commas; the last three columns are
    always amount, period and note, so everything before them is the name."""
    with SOURCES_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return [(",".join(row[:-3]).strip(), int(row[-3]), row[-2].strip(), row[-1].strip()) for row in rows[1:] if row]


def funding_sources() -> list[FundingSource]:
    return list(db.session.scalars(select(FundingSource).order_by(FundingSource.name)))


def save_funding_source(
    source: FundingSource, name: str, amount_cents: int, period: str | None, note: str | None, actor: User
) -> None:
    """A new or edited funding stream; the names are unique (IntegrityError at the flush or commit)."""
    source.name, source.amount_cents = name.strip(), amount_cents
    source.period, source.note = (period or "").strip(), (note or "").strip()
    db.session.add(source)
    audit.record("finance.source.save", source, actor=actor, amount_cents=source.amount_cents)


def allocations():
    """Every funded plan with the round it was funded in (its cost on that ballot)."""
    funded = (Status.funded, Status.in_progress, Status.completed)
    query = (
        select(RoundOption, BudgetRound, Proposal)
        .join(BudgetRound, RoundOption.round_id == BudgetRound.id)
        .join(Proposal, RoundOption.proposal_id == Proposal.id)
        .where(Proposal.status.in_(funded))
    )
    result = []
    for option, round_, proposal in db.session.execute(query):
        buurt: Neighbourhood | None = proposal.neighbourhood
        result.append(
            Allocation(
                source_id=round_.funding_source_id,
                domain=proposal.domain,
                area=buurt.area.name if buurt and buurt.area else None,
                buurt=buurt.name if buurt else None,
                focus=bool(buurt and buurt.is_focus),
                allocated_cents=option.cost_cents,
                spent_cents=proposal.spent_cents,
            )
        )
    return result


def overview():
    sources = [
        (s.id, s.name, s.amount_cents)
        for s in db.session.scalars(select(FundingSource).order_by(FundingSource.amount_cents.desc()))
    ]
    return summarise(sources, allocations(), list(DOMAIN_CODES))
