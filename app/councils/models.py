"""Resident councils (bewonersberaden), their tickets, attendance and outcomes."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime, timedelta

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.places.models import Area, Neighbourhood
from app.roles import Role
from app.types import UTCDateTime, utcnow


class CouncilStatus(str, enum.Enum):
    planned = "planned"
    open = "open"
    closed = "closed"
    outcomes_published = "outcomes_published"


COUNCIL_TRANSITIONS = {
    CouncilStatus.planned: {CouncilStatus.open},
    CouncilStatus.open: {CouncilStatus.closed},
    CouncilStatus.closed: {CouncilStatus.outcomes_published, CouncilStatus.open},
    CouncilStatus.outcomes_published: set(),
}

AGE_BANDS = ("under_16", "16_20", "21_26", "27_65", "over_65")

#: The facilitators who run a council: only they act on its tickets, desk, paper ballots and vote.
council_facilitator = Table(
    "council_facilitator",
    db.metadata,
    Column("council_id", ForeignKey("council.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class CouncilStateError(DomainError):
    def __init__(self, current: CouncilStatus, target: CouncilStatus):
        super().__init__(f"council {current.value} → {target.value}")
        self.current, self.target = current, target

    def describe(self) -> str:
        from flask_babel import gettext as _

        return _("The council cannot go from this step to that one.")


class Council(db.Model):
    __tablename__ = "council"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"), index=True)
    venue: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int] = mapped_column(default=60)
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CouncilStatus] = mapped_column(
        db.Enum(CouncilStatus, native_enum=False, length=20), default=CouncilStatus.planned
    )
    outcome_summary: Mapped[str] = mapped_column(Text, default="")
    #: Decisions per domain code, as written by the facilitator.
    outcome_decisions: Mapped[dict] = mapped_column(JSON, default=dict)
    outcomes_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area | None] = relationship()
    facilitators: Mapped[list[User]] = relationship(secondary=council_facilitator, order_by=User.name)
    tickets: Mapped[list[Ticket]] = relationship(back_populates="council", lazy="dynamic")

    def __init__(self, **kwargs):
        kwargs.setdefault("status", CouncilStatus.planned)
        super().__init__(**kwargs)

    def can_manage(self, user: User) -> bool:
        """Edit the council and assign its facilitators: its own facilitators, the board, an admin."""
        return user.has_role(Role.board, Role.admin) or self.is_facilitator(user)

    def is_facilitator(self, user: User) -> bool:
        """Run the evening (tickets, desk, paper ballots, the vote): an assigned facilitator only."""
        return user.has_role(Role.facilitator) and any(f.id == user.id for f in self.facilitators)

    def accepts_sign_ins(self, now: datetime, margin: timedelta) -> bool:
        """Tickets sign in only while the council is open, and not before its start minus the margin."""
        return self.status == CouncilStatus.open and now >= self.starts_at - margin

    def move_to(self, target: CouncilStatus) -> None:
        if target not in COUNCIL_TRANSITIONS[self.status]:
            raise CouncilStateError(self.status, target)
        self.status = target

    @property
    def is_upcoming(self) -> bool:
        return self.ends_at > utcnow()


class Ticket(db.Model):
    """A single-use credential. Only the keyed hash of its code is stored."""

    __tablename__ = "ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    council_id: Mapped[int | None] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"), index=True)
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhood.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: "phone" (the resident's own device) or "desk" (signed in by a facilitator).
    sign_in_channel: Mapped[str | None] = mapped_column(String(10))
    #: Hash of a random token kept in the signing-in browser's session: the second device is refused.
    device_hash: Mapped[str | None] = mapped_column(String(64))
    #: Voter codes of a district-wide round are bound to that round instead of a council.
    round_id: Mapped[int | None] = mapped_column(ForeignKey("budget_round.id", ondelete="CASCADE"), index=True)
    #: Whether this ticket has been used for its ballot. Deliberately no time and no link to the ballot.
    voted: Mapped[bool] = mapped_column(default=False)

    council: Mapped[Council | None] = relationship(back_populates="tickets")
    neighbourhood: Mapped[Neighbourhood | None] = relationship()

    def is_valid(self, now: datetime) -> bool:
        return self.voided_at is None and now < self.expires_at

    # The lifecycle: issued -> signed_in -> voted; voided only from issued or signed_in.
    # Expired is not a stored state: a ticket past its expiry can do nothing any more.
    @property
    def state(self) -> TicketState:
        if self.voted:
            return TicketState.voted
        if self.voided_at is not None:
            return TicketState.voided
        if self.signed_in_at is not None:
            return TicketState.signed_in
        return TicketState.issued

    def may_vote(self, now: datetime) -> bool:
        return self.state == TicketState.signed_in and self.is_valid(now)

    def void(self, now: datetime) -> None:
        if self.state not in TICKET_TRANSITIONS or TicketState.voided not in TICKET_TRANSITIONS[self.state]:
            raise TicketStateError(self.state, TicketState.voided)
        self.voided_at = now


class TicketState(str, enum.Enum):
    issued = "issued"
    signed_in = "signed_in"
    voted = "voted"
    voided = "voided"


TICKET_TRANSITIONS = {
    TicketState.issued: {TicketState.signed_in, TicketState.voided},
    TicketState.signed_in: {TicketState.voted, TicketState.voided},
    TicketState.voted: set(),
    TicketState.voided: set(),
}


class TicketStateError(DomainError):
    def __init__(self, current: TicketState, target: TicketState):
        super().__init__(f"ticket {current.value} → {target.value}")
        self.current, self.target = current, target

    def describe(self) -> str:
        from flask_babel import gettext as _

        if self.current == TicketState.voted:
            return _("This ticket has already been used to vote. It cannot be voided or replaced.")
        return _("This ticket is already void.")


class AttendanceProfile(db.Model):
    """Optional, anonymous facts a resident shares at sign-in (not linked to the ticket)."""

    __tablename__ = "attendance_profile"
    __table_args__ = ({"sqlite_with_rowid": False},)

    #: Random: written in shuffled batches from the sealed box (app/ballot_box.py), never in sign-in order.
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: secrets.token_hex(16))
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"), index=True)
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhood.id", ondelete="SET NULL"))
    age_band: Mapped[str | None] = mapped_column(String(10))
    #: "yes", "no" or "unsaid" (the resident chose "rather not say"); None when not asked.
    first_time: Mapped[str | None] = mapped_column(String(8))
    #: The language of the page the resident answered on.
    language: Mapped[str | None] = mapped_column(String(5))


MAIL_PENDING, MAIL_SENT, MAIL_FAILED = "pending", "sent", "failed"


class OutcomeSubscriber(db.Model):
    """Contact data, kept only with explicit consent, only to send the outcomes, and
    deleted after the retention period."""

    __tablename__ = "outcome_subscriber"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"), index=True)
    first_name: Mapped[str] = mapped_column(String(80), default="")
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: "pending" until the outcomes e-mail went out ("sent") or the mail server refused it
    #: ("failed": the facilitator can send it again).
    mail_status: Mapped[str] = mapped_column(String(8), default=MAIL_PENDING, server_default=MAIL_PENDING)
