"""Funding sources: seeded from the programme's own figures, kept by the board."""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.finance.models import FundingSource

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
