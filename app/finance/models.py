"""Funding streams the board tracks (vliegwielmiddelen and others)."""

from __future__ import annotations

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class FundingSource(db.Model):
    __tablename__ = "funding_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    #: Funding streams run into the tens of millions of euros: more cents than 32 bits hold.
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    period: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    def __str__(self) -> str:
        return self.name
