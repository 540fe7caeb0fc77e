"""The reference distribution: how many residents live in each buurt, per age band."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.places.models import Neighbourhood


class ReferencePopulation(db.Model):
    """Residents of one buurt in one age band, as uploaded by the board (public statistics,
    no personal data). An upload replaces the whole table."""

    __tablename__ = "reference_population"
    __table_args__ = ({"sqlite_with_rowid": False},)

    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhood.id", ondelete="CASCADE"), primary_key=True)
    age_band: Mapped[str] = mapped_column(String(10), primary_key=True)
    residents: Mapped[int] = mapped_column()

    neighbourhood: Mapped[Neighbourhood] = relationship()
