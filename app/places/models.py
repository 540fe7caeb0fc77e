"""Areas (gebieden), neighbourhoods (buurten) and wijkallianties."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import db

alliance_aanjager = Table(
    "alliance_aanjager",
    db.metadata,
    Column("alliance_id", ForeignKey("alliance.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Area(db.Model):
    __tablename__ = "area"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    neighbourhoods: Mapped[list[Neighbourhood]] = relationship(back_populates="area", order_by="Neighbourhood.name")

    def __str__(self) -> str:
        return self.name


class Neighbourhood(db.Model):
    __tablename__ = "neighbourhood"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"), index=True)
    is_focus: Mapped[bool] = mapped_column(default=False)

    area: Mapped[Area | None] = relationship(back_populates="neighbourhoods")
    alliance: Mapped[Alliance | None] = relationship(back_populates="neighbourhood", uselist=False)

    def __str__(self) -> str:
        return self.name


class Alliance(db.Model):
    """A wijkalliantie: one per (focus) buurt, led by one or more aanjagers."""

    __tablename__ = "alliance"

    id: Mapped[int] = mapped_column(primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhood.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    meeting_place: Mapped[str] = mapped_column(String(200), default="")

    neighbourhood: Mapped[Neighbourhood] = relationship(back_populates="alliance")
    aanjagers: Mapped[list[User]] = relationship(secondary=alliance_aanjager, order_by=User.name)

    def __str__(self) -> str:
        return self.name
