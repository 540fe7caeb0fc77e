"""Proposals, their cost lines, translations, image, timeline and progress updates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import db
from app.places.models import Alliance, Neighbourhood
from app.proposals.lifecycle import EDITABLE_STATUSES, PUBLIC_STATUSES, Status, check_transition
from app.roles import Role
from app.types import UTCDateTime, utcnow

ORIGINS = ("council", "buurt_meeting", "school", "organisation", "alliance", "other")


class Proposal(db.Model):
    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="nl")
    domain: Mapped[str] = mapped_column(String(20), index=True)
    alliance_id: Mapped[int | None] = mapped_column(ForeignKey("alliance.id", ondelete="SET NULL"), index=True)
    #: None means district-wide (the whole of Nieuw-West).
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="SET NULL"), index=True
    )
    origin: Mapped[str] = mapped_column(String(20), default="other")
    origin_detail: Mapped[str] = mapped_column(String(200), default="")
    backers_count: Mapped[int] = mapped_column(default=0)
    status: Mapped[Status] = mapped_column(
        db.Enum(Status, native_enum=False, length=20), default=Status.draft, index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Feasibility review
    feasible: Mapped[bool | None] = mapped_column()
    adjusted_cost_cents: Mapped[int | None] = mapped_column()
    public_reason: Mapped[str] = mapped_column(Text, default="")
    internal_note: Mapped[str] = mapped_column(Text, default="")
    review_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    alliance: Mapped[Alliance | None] = relationship()
    neighbourhood: Mapped[Neighbourhood | None] = relationship()
    author: Mapped[User | None] = relationship()
    cost_lines: Mapped[list[CostLine]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="CostLine.position"
    )
    translations: Mapped[list[ProposalTranslation]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan"
    )
    events: Mapped[list[ProposalEvent]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalEvent.id"
    )
    progress_updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProgressUpdate.happened_on"
    )
    image: Mapped[ProposalImage | None] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", uselist=False
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("status", Status.draft)  # the state machine needs a state before the first flush
        super().__init__(**kwargs)

    # --- derived values -------------------------------------------------------------
    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.cost_lines)

    @property
    def ballot_cost_cents(self) -> int:
        """What the proposal costs on a ballot: the reviewer's estimate when there is one."""
        return self.adjusted_cost_cents or self.total_cents

    @property
    def spent_cents(self) -> int:
        return sum(update.spent_cents for update in self.progress_updates)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def translation(self, locale: str) -> ProposalTranslation | None:
        return next((t for t in self.translations if t.locale == locale), None)

    def text_in(self, locale: str) -> tuple[str, str, bool]:
        """Title and summary in `locale`, and whether that is the original's fallback."""
        if locale == self.language:
            return self.title, self.summary, False
        found = self.translation(locale)
        if found and found.title:
            return found.title, found.summary or self.summary, False
        return self.title, self.summary, True

    # --- access -----------------------------------------------------------------------
    def can_edit(self, user: User) -> bool:
        if not self.is_editable or not user.has_role(Role.aanjager):
            return False
        return self.author_id == user.id or (self.alliance is not None and user in self.alliance.aanjagers)

    def can_see_internal(self, user: User) -> bool:
        return user.has_role(Role.reviewer, Role.board, Role.admin)

    # --- lifecycle ----------------------------------------------------------------------
    def move_to(self, target: Status, actor: User | None, reason: str = "") -> ProposalEvent:
        """The one way to change the status: checks the move and records it on the timeline."""
        check_transition(self.status, target, reason)
        event = ProposalEvent(from_status=self.status, to_status=target, actor=actor, reason=reason.strip())
        self.events.append(event)
        self.status = target
        return event

    def submit(self, actor: User) -> None:
        self.move_to(Status.submitted, actor)

    def withdraw(self, actor: User, reason: str = "") -> None:
        self.move_to(Status.withdrawn, actor, reason)


class CostLine(db.Model):
    __tablename__ = "cost_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column()

    proposal: Mapped[Proposal] = relationship(back_populates="cost_lines")


class ProposalTranslation(db.Model):
    __tablename__ = "proposal_translation"
    __table_args__ = (UniqueConstraint("proposal_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(120), default="")
    summary: Mapped[str] = mapped_column(String(300), default="")

    proposal: Mapped[Proposal] = relationship(back_populates="translations")


class ProposalImage(db.Model):
    """The re-encoded image (metadata stripped) and a small thumbnail for lists and ballots."""

    __tablename__ = "proposal_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), unique=True)
    content_type: Mapped[str] = mapped_column(String(30))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    thumbnail: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    alt_text: Mapped[str] = mapped_column(String(200), default="")

    proposal: Mapped[Proposal] = relationship(back_populates="image")


class ProposalEvent(db.Model):
    """One step on the public timeline: who moved it, when, from where to where, and why."""

    __tablename__ = "proposal_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    from_status: Mapped[Status] = mapped_column(db.Enum(Status, native_enum=False, length=20))
    to_status: Mapped[Status] = mapped_column(db.Enum(Status, native_enum=False, length=20))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class ProgressUpdate(db.Model):
    __tablename__ = "progress_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    happened_on: Mapped[date] = mapped_column()
    text: Mapped[str] = mapped_column(Text)
    spent_cents: Mapped[int] = mapped_column(default=0)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="progress_updates")
