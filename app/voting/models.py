"""Budget rounds, their options and sub-budgets, and the secret ballots."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.councils.models import Council
from app.errors import DomainError
from app.extensions import db
from app.finance.models import FundingSource
from app.places.models import Neighbourhood
from app.proposals.models import Proposal
from app.types import UTCDateTime, utcnow
from app.voting.rules import BallotRules


class RoundStatus(str, enum.Enum):
    draft = "draft"
    open = "open"
    closed = "closed"
    results_published = "results_published"


ROUND_TRANSITIONS = {
    RoundStatus.draft: {RoundStatus.open},
    RoundStatus.open: {RoundStatus.closed},
    # Reopening a closed round is the board's, with a reason, and only before approval.
    RoundStatus.closed: {RoundStatus.results_published, RoundStatus.open},
    RoundStatus.results_published: set(),
}


class RoundFrozen(DomainError):
    """Ballot type, rules, budgets and options cannot change once a round has opened."""

    def __init__(self, what: str = "rules"):
        super().__init__(f"round is frozen: {what}")
        self.what = what

    def describe(self) -> str:
        from flask_babel import gettext as _

        return _("This vote has opened. Its rules, budget and plans can no longer change.")


class RoundStateError(DomainError):
    def __init__(self, current: RoundStatus, target: RoundStatus, reason: str = ""):
        super().__init__(f"round {current.value} → {target.value} {reason}".strip())
        self.current, self.target, self.reason = current, target, reason

    def describe(self) -> str:
        from flask_babel import gettext as _

        if self.reason == "no_options":
            return _("Put at least one plan on the ballot before opening the vote.")
        if self.reason == "split":
            return _("The sub-budgets do not add up to the total budget.")
        if self.reason == "reason":
            return _("Write down why.")
        if self.reason == "paper_pending":
            return _("Some paper ballots still wait for a second facilitator. Confirm or discard them first.")
        return _("The vote cannot go from this step to that one.")


class ResultFrozen(DomainError):
    """After a round closes nothing changes a ballot; after approval nothing changes the result."""

    def __init__(self, what: str = "ballots"):
        super().__init__(f"result is frozen: {what}")
        self.what = what

    def describe(self) -> str:
        from flask_babel import gettext as _

        if self.what == "approved":
            return _("These results are approved. They can no longer change.")
        return _("This vote is closed. Its ballots can no longer change.")


class SecondPersonNeeded(DomainError):
    """Paper ballots are confirmed by a second facilitator, never by whoever entered them."""

    def __init__(self):
        super().__init__("a second facilitator must confirm these paper ballots")

    def describe(self) -> str:
        from flask_babel import gettext as _

        return _("A second facilitator must confirm the ballots you entered.")


class BudgetRound(db.Model):
    __tablename__ = "budget_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    budget_cents: Mapped[int] = mapped_column()
    funding_source_id: Mapped[int | None] = mapped_column(ForeignKey("funding_source.id", ondelete="SET NULL"))
    ballot_type: Mapped[str] = mapped_column(String(20), default="approval")
    rule: Mapped[str] = mapped_column(String(10), default="greedy")
    max_choices: Mapped[int | None] = mapped_column()
    min_share_percent: Mapped[int | None] = mapped_column()
    points_total: Mapped[int | None] = mapped_column()
    points_max_per_project: Mapped[int | None] = mapped_column()
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: "council": tickets of the round's council vote; "codes": voter codes issued for the round.
    eligibility: Mapped[str] = mapped_column(String(10), default="council")
    council_id: Mapped[int | None] = mapped_column(ForeignKey("council.id", ondelete="SET NULL"), index=True)
    #: "none", "weights" or "amounts": how sub-budgets per buurt are set.
    split_mode: Mapped[str] = mapped_column(String(10), default="none")
    paper_four_eyes: Mapped[bool] = mapped_column(default=False)
    #: How the public ballot list is published: "receipts" beside the choices (each voter can
    #: check their own ballot) or "choices" only, shuffled (no receipt to show a vote-buyer).
    publication: Mapped[str] = mapped_column(String(10), default="receipts")
    status: Mapped[RoundStatus] = mapped_column(
        db.Enum(RoundStatus, native_enum=False, length=20), default=RoundStatus.draft
    )
    results_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: Frozen at approval: when, the SHA-256 of each part's public ballot list, and the outcome
    #: (the funded option ids of each part), so that a later change can be seen.
    results_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    results_hashes: Mapped[list | None] = mapped_column(JSON)
    results_outcome: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    funding_source: Mapped[FundingSource | None] = relationship()
    council: Mapped[Council | None] = relationship()
    results_approved_by: Mapped[User | None] = relationship(foreign_keys=[results_approved_by_id])
    options: Mapped[list[RoundOption]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundOption.position"
    )
    sub_budgets: Mapped[list[SubBudget]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="SubBudget.id"
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("status", RoundStatus.draft)
        super().__init__(**kwargs)

    @property
    def is_editable(self) -> bool:
        return self.status == RoundStatus.draft

    @property
    def is_district_wide(self) -> bool:
        """Not the vote of one council evening: only the board opens and closes it."""
        return self.council_id is None or self.eligibility != "council"

    def ensure_ballots_open(self) -> None:
        """Ballots are added or confirmed only while the round is open."""
        if self.status == RoundStatus.results_published:
            raise ResultFrozen("approved")
        if self.status != RoundStatus.open:
            raise ResultFrozen("ballots")

    def accepts_votes(self, now: datetime) -> bool:
        """Open, and inside the voting window when the round has one."""
        if self.status != RoundStatus.open:
            return False
        return (self.opens_at is None or now >= self.opens_at) and (self.closes_at is None or now < self.closes_at)

    def ensure_editable(self, what: str = "rules") -> None:
        if not self.is_editable:
            raise RoundFrozen(what)

    def move_to(self, target: RoundStatus) -> None:
        if target not in ROUND_TRANSITIONS[self.status]:
            raise RoundStateError(self.status, target)
        if target == RoundStatus.open:
            if not self.options:
                raise RoundStateError(self.status, target, "no_options")
            if self.sub_budgets and sum(s.amount_cents for s in self.sub_budgets) != self.budget_cents:
                raise RoundStateError(self.status, target, "split")
        self.status = target

    def rules_for(self, sub_budget: SubBudget | None) -> BallotRules:
        return BallotRules(
            ballot_type=self.ballot_type,
            max_choices=self.max_choices,
            budget_cents=sub_budget.amount_cents if sub_budget else self.budget_cents,
            min_share_percent=self.min_share_percent,
            points_total=self.points_total,
            points_max_per_project=self.points_max_per_project,
        )

    def options_for(self, sub_budget: SubBudget | None) -> list[RoundOption]:
        if sub_budget is None:
            return list(self.options)
        return [o for o in self.options if o.sub_budget_id == sub_budget.id]

    def sub_budget_for(self, neighbourhood_id: int | None) -> SubBudget | None:
        return next((s for s in self.sub_budgets if s.neighbourhood_id == neighbourhood_id), None)


class SubBudget(db.Model):
    """Part of a round's budget for one buurt ("ongelijk investeren")."""

    __tablename__ = "sub_budget"
    __table_args__ = (UniqueConstraint("round_id", "neighbourhood_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_round.id", ondelete="CASCADE"), index=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhood.id", ondelete="CASCADE"))
    weight: Mapped[int] = mapped_column(default=1)
    amount_cents: Mapped[int] = mapped_column(default=0)

    round: Mapped[BudgetRound] = relationship(back_populates="sub_budgets")
    neighbourhood: Mapped[Neighbourhood] = relationship()


class RoundOption(db.Model):
    """A proposal on a round's ballot, with its cost frozen when it was added."""

    __tablename__ = "round_option"
    __table_args__ = (UniqueConstraint("round_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_round.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    sub_budget_id: Mapped[int | None] = mapped_column(ForeignKey("sub_budget.id", ondelete="SET NULL"))
    cost_cents: Mapped[int] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)

    round: Mapped[BudgetRound] = relationship(back_populates="options")
    proposal: Mapped[Proposal] = relationship()
    sub_budget: Mapped[SubBudget | None] = relationship()


class Ballot(db.Model):
    """A secret ballot: the round, the sub-budget, the channel, the choices and a receipt.
    Nothing links it to a ticket, a person, an address or a time finer than the day. Its
    key is random and the SQLite table has no rowid, so even the order of rows on disk
    does not tell who voted when."""

    __tablename__ = "ballot"
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_round.id", ondelete="CASCADE"), index=True)
    sub_budget_id: Mapped[int | None] = mapped_column(ForeignKey("sub_budget.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(10))
    choices: Mapped[str] = mapped_column(Text)
    receipt: Mapped[str] = mapped_column(String(10), unique=True)
    cast_on: Mapped[date] = mapped_column()
    #: Paper ballots wait for a second facilitator when the round asks for four eyes.
    paper_batch_id: Mapped[int | None] = mapped_column(ForeignKey("paper_batch.id", ondelete="CASCADE"))
    confirmed: Mapped[bool] = mapped_column(default=True)


class Submission(db.Model):
    """Makes a resubmitted ballot form (after a dropped connection) return the same
    receipt. Keyed by a keyed hash of the ticket and the random token in that one form; the
    receipt is sealed (see app/ballot_box.py), and the rows go when the round closes."""

    __tablename__ = "ballot_submission"
    __table_args__ = ({"sqlite_with_rowid": False},)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_round.id", ondelete="CASCADE"), index=True)
    sealed_receipt: Mapped[bytes] = mapped_column(LargeBinary)


class PaperBatch(db.Model):
    __tablename__ = "paper_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_round.id", ondelete="CASCADE"), index=True)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
