"""Volunteers, teams and their activities, allowance claims, expenses, fiscal limits and payouts.

Payment records (claims, expenses, batches) are kept seven years for the tax authorities, so
nothing here cascades a delete into them; only contact details go when a volunteer leaves.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, event, inspect, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.compensation.errors import BatchExported, ClaimStateError, FourEyesError
from app.compensation.limits import FiscalLimit
from app.extensions import db
from app.types import UTCDateTime, utcnow


class ClaimStatus(str, enum.Enum):
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"
    paid = "paid"


CLAIM_TRANSITIONS = {
    ClaimStatus.submitted: {ClaimStatus.approved, ClaimStatus.rejected},
    ClaimStatus.approved: {ClaimStatus.paid},
    ClaimStatus.rejected: set(),
    ClaimStatus.paid: set(),
}
#: Claims that use up room under the caps (rejected ones do not).
COUNTING_STATUSES = (ClaimStatus.submitted, ClaimStatus.approved, ClaimStatus.paid)


volunteer_team = Table(
    "volunteer_team_member",
    db.metadata,
    Column("volunteer_id", ForeignKey("volunteer.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("volunteer_team.id", ondelete="CASCADE"), primary_key=True),
)


class Team(db.Model):
    """An opgaveteam, werkgroep or alliance board whose members are paid an allowance."""

    __tablename__ = "volunteer_team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[Volunteer]] = relationship(
        secondary=volunteer_team, back_populates="teams", order_by="Volunteer.name"
    )
    activities: Mapped[list[Activity]] = relationship(back_populates="team", order_by="Activity.held_on.desc()")


class Volunteer(db.Model):
    """A resident with an active role. Only birth year and month: enough to know whether they
    were under 21 on a date; never a full birth date, citizen service number or benefits."""

    __tablename__ = "volunteer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: The name on the bank account, in Latin script: SEPA files cannot carry other scripts.
    account_holder_name: Mapped[str] = mapped_column(String(70))
    birth_year: Mapped[int] = mapped_column()
    birth_month: Mapped[int] = mapped_column()
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    #: Compact form (no spaces), validated with schwifty.
    iban: Mapped[str] = mapped_column(String(34))
    #: A change of bank account waits here until another treasurer or an administrator confirms it.
    pending_iban: Mapped[str | None] = mapped_column(String(34))
    pending_account_holder_name: Mapped[str | None] = mapped_column(String(70))
    bank_change_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: Who asked for the last confirmed change: they may not export or pay a batch that pays this account.
    bank_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    started_on: Mapped[date] = mapped_column()
    ended_on: Mapped[date | None] = mapped_column()
    consent_text: Mapped[str] = mapped_column(Text)
    consent_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    teams: Mapped[list[Team]] = relationship(secondary=volunteer_team, back_populates="members", order_by=Team.name)
    claims: Mapped[list[Claim]] = relationship(
        back_populates="volunteer", order_by="Claim.worked_on.desc(), Claim.id.desc()"
    )
    expenses: Mapped[list[Expense]] = relationship(
        back_populates="volunteer", order_by="Expense.spent_on.desc(), Expense.id.desc()"
    )

    @property
    def birth(self) -> tuple[int, int]:
        return self.birth_year, self.birth_month

    @property
    def has_left(self) -> bool:
        return self.left_at is not None

    @property
    def masked_iban(self) -> str:
        return mask_iban(self.iban)

    @property
    def has_pending_bank_change(self) -> bool:
        return self.pending_iban is not None or self.pending_account_holder_name is not None

    @property
    def formatted_iban(self) -> str:
        compact = self.iban or ""
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def mask_name(name: str | None) -> str:
    """The first letter of each word: enough to recognise a change in the audit log, not to read it."""
    return " ".join(word[0] + "…" for word in (name or "").split())


def mask_iban(iban: str | None) -> str:
    """Country code and the last four characters; everything else hidden: NL•• •••• •••• 4300."""
    compact = (iban or "").replace(" ", "")
    if len(compact) < 8:
        return "•" * len(compact)
    return f"{compact[:2]}•• " + "•••• " * ((len(compact) - 8) // 4) + compact[-4:]


class Activity(db.Model):
    """A meeting of a team: the date and how long it lasted."""

    __tablename__ = "volunteer_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("volunteer_team.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    held_on: Mapped[date] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship(back_populates="activities")
    claims: Mapped[list[Claim]] = relationship(back_populates="activity", order_by="Claim.id")


class PayoutBatch(db.Model):
    """Approved claims paid together. Once exported, the batch and its claims never change:
    the files are stored as they were handed to the bank."""

    __tablename__ = "payout_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    execution_on: Mapped[date | None] = mapped_column()
    exported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str | None] = mapped_column(String(35))
    total_cents: Mapped[int | None] = mapped_column()
    transfer_count: Mapped[int | None] = mapped_column()
    sepa_xml: Mapped[str | None] = mapped_column(Text)
    csv_text: Mapped[str | None] = mapped_column(Text)
    paid_on: Mapped[date | None] = mapped_column()
    paid_marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    exported_by: Mapped[User | None] = relationship(foreign_keys=[exported_by_id])
    claims: Mapped[list[Claim]] = relationship(
        back_populates="batch", order_by="Claim.volunteer_id, Claim.worked_on, Claim.id"
    )
    expenses: Mapped[list[Expense]] = relationship(
        back_populates="batch", order_by="Expense.volunteer_id, Expense.spent_on, Expense.id"
    )

    @property
    def is_exported(self) -> bool:
        return self.exported_at is not None

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None

    @property
    def claims_total_cents(self) -> int:
        """Allowances and receipted expenses together: what the batch pays."""
        return sum(claim.amount_cents for claim in self.claims) + sum(e.amount_cents for e in self.expenses)

    @property
    def is_empty(self) -> bool:
        return not self.claims and not self.expenses

    def ensure_editable(self, what: str = "claims") -> None:
        if self.is_exported:
            raise BatchExported(what)


class Claim(db.Model):
    """Participation of one volunteer: minutes x rate, checked against the fiscal caps."""

    __tablename__ = "allowance_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_activity.id"), index=True)
    #: The activity's date, or the date worked for a claim without an activity.
    worked_on: Mapped[date] = mapped_column(index=True)
    minutes: Mapped[int] = mapped_column()
    rate_cents_per_hour: Mapped[int] = mapped_column()
    amount_cents: Mapped[int] = mapped_column()
    #: What minutes x rate came to before it was reduced to the caps (equal when not reduced).
    requested_cents: Mapped[int] = mapped_column()
    note: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[ClaimStatus] = mapped_column(
        db.Enum(ClaimStatus, native_enum=False, length=20), default=ClaimStatus.submitted, index=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str] = mapped_column(String(300), default="")
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payout_batch.id"), index=True)

    volunteer: Mapped[Volunteer] = relationship(back_populates="claims")
    activity: Mapped[Activity | None] = relationship(back_populates="claims")
    batch: Mapped[PayoutBatch | None] = relationship(back_populates="claims")
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    rejected_by: Mapped[User | None] = relationship(foreign_keys=[rejected_by_id])

    def __init__(self, **kwargs):
        kwargs.setdefault("status", ClaimStatus.submitted)
        super().__init__(**kwargs)

    @property
    def was_reduced(self) -> bool:
        return self.amount_cents < self.requested_cents

    def move_to(self, target: ClaimStatus) -> None:
        if target not in CLAIM_TRANSITIONS[self.status]:
            raise ClaimStateError(self.status, target)
        self.status = target

    def approve(self, actor: User) -> None:
        if self.recorded_by_id is not None and self.recorded_by_id == actor.id:
            raise FourEyesError()
        self.move_to(ClaimStatus.approved)
        self.approved_by_id, self.approved_at = actor.id, utcnow()

    def reject(self, actor: User, reason: str) -> None:
        self.move_to(ClaimStatus.rejected)
        self.rejected_by_id, self.rejected_at = actor.id, utcnow()
        self.rejection_reason = reason.strip()


#: Columns of a claim that must not change once its batch is exported (status may go to paid).
_FROZEN_CLAIM_COLUMNS = (
    "volunteer_id",
    "activity_id",
    "worked_on",
    "minutes",
    "rate_cents_per_hour",
    "amount_cents",
    "requested_cents",
    "batch_id",
    "approved_by_id",
    "approved_at",
)


def _exported_batch_among(connection, batch_ids) -> bool:
    ids = {batch_id for batch_id in batch_ids if batch_id is not None}
    if not ids:
        return False
    query = select(PayoutBatch.id).where(PayoutBatch.id.in_(ids), PayoutBatch.exported_at.is_not(None)).limit(1)
    return connection.execute(query).first() is not None


@event.listens_for(Claim, "before_update")
def _claims_in_exported_batches_are_frozen(_mapper, connection, claim: Claim) -> None:
    """A safety net under the services: whatever code path, an exported payout stays as exported.
    Reads what is stored (not what is loaded), so expired attributes cannot slip through."""
    state = inspect(claim)
    changed = [name for name in _FROZEN_CLAIM_COLUMNS if state.attrs[name].history.has_changes()]
    if not changed:
        return
    stored_batch = connection.execute(select(Claim.batch_id).where(Claim.id == claim.id)).scalar()
    if _exported_batch_among(connection, [stored_batch, *state.attrs.batch_id.history.added]):
        raise BatchExported(",".join(changed))


@event.listens_for(Claim, "before_delete")
def _claims_in_exported_batches_stay(_mapper, connection, claim: Claim) -> None:
    stored_batch = connection.execute(select(Claim.batch_id).where(Claim.id == claim.id)).scalar()
    if _exported_batch_among(connection, [stored_batch]):
        raise BatchExported("delete")


class Expense(db.Model):
    """A receipted expense, recorded apart from the allowance."""

    __tablename__ = "volunteer_expense"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    spent_on: Mapped[date] = mapped_column()
    description: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column()
    receipt_reference: Mapped[str] = mapped_column(String(80))
    #: Copied from the setting EXPENSES_COUNT_TOWARDS_CAPS when recorded, so later checks agree.
    counts_towards_caps: Mapped[bool] = mapped_column(default=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The same four-eyes path as a claim: submitted → approved | rejected → paid (in a payout batch).
    status: Mapped[ClaimStatus] = mapped_column(
        db.Enum(ClaimStatus, native_enum=False, length=20), default=ClaimStatus.submitted, index=True
    )
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str] = mapped_column(String(300), default="")
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payout_batch.id"), index=True)

    volunteer: Mapped[Volunteer] = relationship(back_populates="expenses")
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    batch: Mapped[PayoutBatch | None] = relationship(back_populates="expenses")

    def __init__(self, **kwargs):
        kwargs.setdefault("status", ClaimStatus.submitted)
        super().__init__(**kwargs)

    def move_to(self, target: ClaimStatus) -> None:
        if target not in CLAIM_TRANSITIONS[self.status]:
            raise ClaimStateError(self.status, target)
        self.status = target

    def approve(self, actor: User) -> None:
        if self.recorded_by_id is not None and self.recorded_by_id == actor.id:
            raise FourEyesError()
        self.move_to(ClaimStatus.approved)
        self.approved_by_id, self.approved_at = actor.id, utcnow()

    def reject(self, actor: User, reason: str) -> None:
        self.move_to(ClaimStatus.rejected)
        self.rejected_by_id, self.rejected_at = actor.id, utcnow()
        self.rejection_reason = reason.strip()


_FROZEN_EXPENSE_COLUMNS = ("volunteer_id", "spent_on", "amount_cents", "batch_id", "approved_by_id", "approved_at")


@event.listens_for(Expense, "before_update")
def _expenses_in_exported_batches_are_frozen(_mapper, connection, expense: Expense) -> None:
    state = inspect(expense)
    changed = [name for name in _FROZEN_EXPENSE_COLUMNS if state.attrs[name].history.has_changes()]
    if not changed:
        return
    stored_batch = connection.execute(select(Expense.batch_id).where(Expense.id == expense.id)).scalar()
    if _exported_batch_among(connection, [stored_batch, *state.attrs.batch_id.history.added]):
        raise BatchExported(",".join(changed))


class FiscalLimitRow(db.Model):
    """The fiscal limits of one year, seeded from data/fiscal_limits.csv and corrected by admin."""

    __tablename__ = "fiscal_limit"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    hourly_max_21_plus_cents: Mapped[int] = mapped_column()
    hourly_max_under_21_cents: Mapped[int] = mapped_column()
    monthly_max_cents: Mapped[int] = mapped_column()
    yearly_max_cents: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(200), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def as_row(self) -> dict:
        return {
            "year": self.year,
            "hourly_max_21_plus_cents": self.hourly_max_21_plus_cents,
            "hourly_max_under_21_cents": self.hourly_max_under_21_cents,
            "monthly_max_cents": self.monthly_max_cents,
            "yearly_max_cents": self.yearly_max_cents,
            "status": self.status,
        }

    def as_limit(self) -> FiscalLimit:
        return FiscalLimit(**self.as_row())

    @property
    def confirmed(self) -> bool:
        return self.status.strip().lower().startswith("confirmed")


_FROZEN_BATCH_COLUMNS = (
    "execution_on",
    "exported_at",
    "exported_by_id",
    "message_id",
    "total_cents",
    "transfer_count",
    "sepa_xml",
    "csv_text",
)


def _stored_export_time(connection, batch: PayoutBatch):
    return connection.execute(select(PayoutBatch.exported_at).where(PayoutBatch.id == batch.id)).scalar()


@event.listens_for(PayoutBatch, "before_update")
def _exported_batches_are_frozen(_mapper, connection, batch: PayoutBatch) -> None:
    """Only the payment date may be added once the files have gone to the bank."""
    state = inspect(batch)
    if not any(state.attrs[name].history.has_changes() for name in _FROZEN_BATCH_COLUMNS):
        return
    if _stored_export_time(connection, batch) is not None:
        raise BatchExported("files")


@event.listens_for(PayoutBatch, "before_delete")
def _exported_batches_stay(_mapper, connection, batch: PayoutBatch) -> None:
    if _stored_export_time(connection, batch) is not None:
        raise BatchExported("delete")
