"""Budget rounds and ballots: setting up a round, casting a secret ballot, turnout."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, event, exists, func, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import joinedload, object_session

from app import ballot_box, disclosure
from app.auth import audit
from app.auth.models import User
from app.cache import BoundedCache
from app.councils.codes import new_receipt_code
from app.councils.models import Ticket
from app.councils.services import find_ticket, generate_tickets, mix_profiles
from app.extensions import db
from app.proposals.lifecycle import Status
from app.proposals.models import Proposal, ProposalImage
from app.types import add_months, utcnow
from app.voting.budget_split import check_explicit_split, split_budget
from app.voting.exports import ballot_list_hashes
from app.voting.models import (
    Ballot,
    BudgetRound,
    PaperBatch,
    ResultFrozen,
    RoundOption,
    RoundStateError,
    RoundStatus,
    SecondPersonNeeded,
    SubBudget,
    Submission,
)
from app.voting.rules import Option, serialize, validate

ROUND_FIELDS = (
    "name",
    "description",
    "budget_cents",
    "funding_source_id",
    "ballot_type",
    "rule",
    "max_choices",
    "min_share_percent",
    "points_total",
    "points_max_per_project",
    "opens_at",
    "closes_at",
    "eligibility",
    "council_id",
    "paper_four_eyes",
    "publication",
)
PUBLICATION_MODES = ("receipts", "choices")
log = logging.getLogger("wijkstem")


# --- setting up a round ----------------------------------------------------------------
def save_round(round_: BudgetRound | None, values: dict, actor: User) -> BudgetRound:
    if round_ is not None:
        round_.ensure_editable()
    round_ = round_ or BudgetRound()
    for name in ROUND_FIELDS:
        if name in values:
            setattr(round_, name, values[name])
    db.session.add(round_)
    if round_.sub_budgets:
        _recompute_split(round_)
    audit.record("round.save", round_, actor=actor)
    return round_


def add_option(round_: BudgetRound, proposal: Proposal, actor: User) -> RoundOption:
    """Only approved proposals go on a ballot; they become `on_ballot`."""
    round_.ensure_editable("options")
    proposal.move_to(Status.on_ballot, actor, round_.name)
    option = RoundOption(
        proposal=proposal,
        cost_cents=proposal.ballot_cost_cents,
        position=len(round_.options),
        sub_budget=round_.sub_budget_for(proposal.neighbourhood_id),
    )
    round_.options.append(option)
    audit.record("round.add_option", round_, actor=actor, proposal=proposal.id)
    return option


def remove_option(round_: BudgetRound, option: RoundOption, actor: User) -> None:
    round_.ensure_editable("options")
    option.proposal.move_to(Status.approved, actor, round_.name)
    round_.options.remove(option)
    audit.record("round.remove_option", round_, actor=actor, proposal=option.proposal_id)


def set_sub_budgets(round_: BudgetRound, mode: str, values: dict[int, int], actor: User) -> None:
    """values: buurt id -> weight (mode "weights") or amount in cents (mode "amounts")."""
    round_.ensure_editable("budgets")
    if mode == "none":
        values = {}
    if mode == "amounts":
        check_explicit_split(round_.budget_cents, values)
    existing = {s.neighbourhood_id: s for s in round_.sub_budgets}
    round_.sub_budgets = []
    for buurt_id, value in values.items():
        if value <= 0 and mode == "weights":
            continue
        sub = existing.get(buurt_id) or SubBudget(neighbourhood_id=buurt_id)
        sub.weight = value if mode == "weights" else 1
        sub.amount_cents = value if mode == "amounts" else 0
        round_.sub_budgets.append(sub)
    round_.split_mode = mode if round_.sub_budgets else "none"
    db.session.flush()
    _recompute_split(round_)
    for option in round_.options:
        option.sub_budget = round_.sub_budget_for(option.proposal.neighbourhood_id)
    audit.record("round.sub_budgets", round_, actor=actor, mode=mode, values={str(k): v for k, v in values.items()})


def _recompute_split(round_: BudgetRound) -> None:
    if round_.split_mode == "weights" and round_.sub_budgets:
        amounts = split_budget(round_.budget_cents, {s.neighbourhood_id: s.weight for s in round_.sub_budgets})
        for sub in round_.sub_budgets:
            sub.amount_cents = amounts[sub.neighbourhood_id]


def open_round(round_: BudgetRound, actor: User) -> None:
    round_.move_to(RoundStatus.open)
    audit.record("round.open", round_, actor=actor)
    forget_status(round_.id)


def close_round(round_: BudgetRound, actor: User) -> None:
    """Refused while paper ballots wait for their second facilitator: they are confirmed
    or discarded (by the board, with a reason) first, so the closed list is final.
    Closing empties the ballot box (all entries, in one shuffled batch), and forgets the
    resubmission rows: they are only needed while voting."""
    if round_.status == RoundStatus.open and pending_paper(round_):
        raise RoundStateError(round_.status, RoundStatus.closed, "paper_pending")
    round_.move_to(RoundStatus.closed)
    flush_box(round_)
    db.session.execute(delete(Submission).where(Submission.round_id == round_.id))
    if round_.council_id:
        mix_profiles(round_.council_id, everything=True)
    audit.record("round.close", round_, actor=actor, ballots=turnout(round_).ballots)
    forget_status(round_.id)


def reopen_round(round_: BudgetRound, actor: User, reason: str) -> None:
    """The board reopens a closed round, before its results are approved, with a reason."""
    if not reason.strip():
        raise RoundStateError(round_.status, RoundStatus.open, "reason")
    if round_.status != RoundStatus.closed:
        raise RoundStateError(round_.status, RoundStatus.open)
    round_.move_to(RoundStatus.open)
    audit.record("round.reopen", round_, actor=actor, reason=reason.strip())
    forget_status(round_.id)


def pending_paper(round_: BudgetRound) -> int:
    """Paper ballots still waiting for a second facilitator (held back in the ballot box, or
    unconfirmed rows of the ballot table as older data can hold)."""
    held = sum(count for (_label, is_held), count in ballot_box.counts("ballot", round_.id).items() if is_held)
    rows = (
        db.session.scalar(
            select(func.count()).select_from(Ballot).where(Ballot.round_id == round_.id, Ballot.confirmed.is_(False))
        )
        or 0
    )
    return held + rows


def discard_pending_paper(round_: BudgetRound, actor: User, reason: str) -> int:
    """The board throws away the unconfirmed paper ballots (never counted), with a reason."""
    if round_.status not in (RoundStatus.open, RoundStatus.closed):
        raise ResultFrozen("approved" if round_.status == RoundStatus.results_published else "ballots")
    if not reason.strip():
        raise RoundStateError(round_.status, round_.status, "reason")
    batches = db.session.scalars(
        select(PaperBatch).where(PaperBatch.round_id == round_.id, PaperBatch.confirmed_at.is_(None))
    ).all()
    count = db.session.execute(delete(Ballot).where(Ballot.round_id == round_.id, Ballot.confirmed.is_(False))).rowcount
    if batches:
        count += db.session.execute(
            delete(ballot_box.BoxEntry).where(ballot_box.BoxEntry.held_by_batch_id.in_([b.id for b in batches]))
        ).rowcount
    for batch in batches:
        db.session.delete(batch)
    audit.record(
        "paper.discard", round_, actor=actor, ballots=count, batches=[b.id for b in batches], reason=reason.strip()
    )
    return count


# --- which round a ticket votes in -----------------------------------------------------
def round_for_ticket(ticket: Ticket) -> BudgetRound | None:
    if ticket.round_id:
        return db.session.get(BudgetRound, ticket.round_id)
    if ticket.council_id:
        query = (
            select(BudgetRound)
            .where(BudgetRound.council_id == ticket.council_id, BudgetRound.eligibility == "council")
            .order_by(BudgetRound.id.desc())
        )
        rounds = db.session.scalars(query).all()
        return next((r for r in rounds if r.status == RoundStatus.open), rounds[0] if rounds else None)
    return None


def channel_for(ticket: Ticket, round_: BudgetRound) -> str:
    return "council" if ticket.council_id and ticket.council_id == round_.council_id else "online"


# --- casting ---------------------------------------------------------------------------
class VoteRefused(Exception):
    """`code`: closed, already_voted, wrong_round, not_at_desk."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Cast:
    receipt: str
    repeated: bool  # True when this was a resubmission of a form that had already voted
    mix_due: bool = False  # the ballot box holds enough for a batch: call mix_after_cast after the commit


def new_form_token(session_key: str | None = None) -> str:
    """A random form token; with the signed-in session's key it carries a MAC, so a cached
    ballot form of another sign-in on the same phone is recognised and refused."""
    token = secrets.token_urlsafe(18)
    return f"{token}.{_token_mac(session_key, token)}" if session_key else token


def _token_mac(session_key: str, token: str) -> str:
    return hmac.new(session_key.encode(), token.encode(), hashlib.sha256).hexdigest()[:22]


def form_token_matches(token: str, session_key: str | None) -> bool:
    """False for a token made for another sign-in (another session key). Tokens without a
    MAC (forms from before this check) are accepted: they are still one ballot per ticket."""
    body, dot, mac = token.rpartition(".")
    if not dot:
        return True
    return bool(session_key) and hmac.compare_digest(mac, _token_mac(session_key, body))


def _token_hash(ticket_id: int, token: str) -> str:
    return ballot_box.keyed_hash("submission", f"{ticket_id}:{token}")


def check_choices(round_: BudgetRound, sub_budget: SubBudget | None, raw) -> str:
    """Validate against the round's rules (raises BallotError) and return the stored form."""
    options = [Option(o.id, o.cost_cents) for o in round_.options_for(sub_budget)]
    return serialize(validate(round_.rules_for(sub_budget), options, raw))


def _accepts_votes(round_id: int, now):
    """SQL for :meth:`BudgetRound.accepts_votes`."""
    return exists().where(
        BudgetRound.id == round_id,
        BudgetRound.status == RoundStatus.open,
        or_(BudgetRound.opens_at.is_(None), BudgetRound.opens_at <= now),
        or_(BudgetRound.closes_at.is_(None), BudgetRound.closes_at > now),
    )


def _earlier_receipt(round_id: int, token_hash: str) -> str | None:
    earlier = db.session.get(Submission, token_hash)
    if earlier is None:
        return None
    payload = ballot_box.unseal(f"submission:{round_id}", earlier.sealed_receipt)
    return payload["receipt"] if payload else None


def cast_ballot(
    round_: BudgetRound,
    ticket_id: int,
    sub_budget: SubBudget | None,
    channel: str,
    choices: str,
    form_token: str,
    *,
    paper_batch: PaperBatch | None = None,
    device_hash: str | None = None,
    before_claim: Callable[[], None] | None = None,
) -> Cast:
    """Use up the ticket and put the ballot, sealed, in the ballot box (one transaction).

    Exactly one ballot per ticket, also under concurrent replays: the ticket is claimed
    with a conditional UPDATE (SQLite runs it inside BEGIN IMMEDIATE; PostgreSQL locks
    the row and re-checks it after a concurrent claim commits). This transaction writes
    nothing readable about the ballot: the box entry and the resubmission row are sealed
    (app/ballot_box.py), so its transaction id and its place in the log link the ticket to
    an opaque blob only. The plaintext ballot is written later, in a shuffled batch, by
    `mix_after_cast` or when the round closes. A replay of the same form by the same ticket
    gets the receipt of the ballot that form already cast.

    ``before_claim`` runs once the replay check is done and the entries are sealed, just
    before the first write (the resident's vote passes ``start_writing``: on SQLite the write
    lock is then held for the claim and the two inserts only). So everything that can change
    while the voter filled in the form, or meanwhile, is checked in the claim itself, not
    taken from what was read before: the round's status and window, and the ticket (unused,
    not void, not expired, and with ``device_hash`` still bound to the phone that signed in
    with it). A replay that commits meanwhile makes the claim fail, and is found then."""
    token_hash = _token_hash(ticket_id, form_token)
    receipt = _earlier_receipt(round_.id, token_hash)
    if receipt is not None:
        return Cast(receipt, repeated=True)
    receipt = new_receipt_code()
    held = paper_batch.id if paper_batch is not None else None  # every paper ballot waits for a second facilitator
    entry = ballot_box.sealed_entry(
        "ballot",
        round_.id,
        {
            "sub_budget_id": sub_budget.id if sub_budget else None,
            "channel": channel,
            "choices": choices,
            "receipt": receipt,
            "cast_on": date.today().isoformat(),
            "paper_batch_id": paper_batch.id if paper_batch else None,
        },
        lookup=receipt,
        label=channel,
        held_by_batch_id=held,
    )
    submission = {
        "token_hash": token_hash,
        "round_id": round_.id,
        "sealed_receipt": ballot_box.seal(f"submission:{round_.id}", {"receipt": receipt}),
    }
    if before_claim is not None:
        before_claim()
    now = utcnow()
    conditions = [
        Ticket.id == ticket_id,
        Ticket.voted.is_(False),
        Ticket.voided_at.is_(None),
        Ticket.expires_at > now,
        Ticket.signed_in_at.is_not(None),
        _accepts_votes(round_.id, now),  # read again in this transaction, in the same statement
    ]
    if device_hash is not None:  # the desk may have released the ticket to another phone meanwhile
        conditions.append(Ticket.device_hash == device_hash)
    claimed = db.session.execute(
        update(Ticket).where(*conditions).values(voted=True).execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.expire_all()
        earlier = _earlier_receipt(round_.id, token_hash)
        if earlier is not None:
            return Cast(earlier, repeated=True)
        if not round_.accepts_votes(utcnow()):  # reloaded: expire_all
            raise VoteRefused("closed")
        voted = db.session.execute(select(Ticket.voted).where(Ticket.id == ticket_id)).scalar()
        raise VoteRefused("already_voted" if voted else "ticket_void")
    ballot_box.put(entry)
    db.session.execute(insert(Submission).values(**submission))
    return Cast(receipt, repeated=False, mix_due=held is None and ballot_box.due("ballot", round_.id))


def _write_ballots(round_id: int, payloads: list[dict]) -> None:
    if payloads:
        db.session.execute(
            insert(Ballot),
            [
                {
                    "id": secrets.token_hex(16),
                    "round_id": round_id,
                    "sub_budget_id": p["sub_budget_id"],
                    "channel": p["channel"],
                    "choices": p["choices"],
                    "receipt": p["receipt"],
                    "cast_on": date.fromisoformat(p["cast_on"]),
                    "paper_batch_id": p["paper_batch_id"],
                    "confirmed": True,
                }
                for p in payloads
            ],
        )


def mix_box(round_id: int, *, everything: bool = False) -> int:
    """Write a shuffled batch of the round's ballot box to the ballot table (the caller commits)."""
    return ballot_box.mix("ballot", round_id, _write_ballots, everything=everything)


def flush_box(round_: BudgetRound) -> int:
    """Everything in the round's box that is not held back for a paper check, in one batch."""
    return mix_box(round_.id, everything=True)


def mix_after_cast(round_id: int) -> None:
    """After the cast's commit, in the same request: a transaction of its own that writes a
    batch if the box holds enough. A failure here loses nothing: the entries stay sealed in
    the box, and the next cast or the close writes them."""
    try:
        if not _still_due(round_id):
            return  # another request's batch got there first: no need to queue for the write lock
        mix_box(round_id)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("round %s: mixing the ballot box postponed", round_id, exc_info=True)


def _still_due(round_id: int) -> bool:
    """Check with a reading transaction (on SQLite it does not take the write lock)."""
    from flask import g, has_request_context

    reading = has_request_context() and not g.get("read_only_transaction")
    if reading:
        g.read_only_transaction = True
    try:
        due = ballot_box.due("ballot", round_id)
        db.session.commit()
    finally:
        if reading:
            g.read_only_transaction = False
    return due


def after_close(round_id: int) -> None:
    """After the commit that closed a round (or approved its results): compact the files.
    The full rebuild (SQLite VACUUM) waits until no other round is open: it would hold their
    voters back, and the ballots of those rounds are written in shuffled batches anyway."""
    others_open = db.session.scalar(
        select(func.count())
        .select_from(BudgetRound)
        .where(BudgetRound.status == RoundStatus.open, BudgetRound.id != round_id)
    )
    ballot_box.compact(vacuum=not others_open)


@dataclass(frozen=True)
class CastBallot:
    """A ballot found by its receipt, in the ballot table or still sealed in the box."""

    round_id: int
    choices: str
    confirmed: bool
    in_box: bool = False


def load_ballot_texts(round_: BudgetRound) -> None:
    """Load the plans on the round's ballot, and whether each has an image, in one query
    instead of two per plan when the ballot or the receipt page shows them. The image
    bytes stay unloaded: the pages only link to the thumbnail. (Translations still load
    when a plan is shown in a language other than its own.)"""
    round_.options  # noqa: B018 (load the collection first: it keeps the options, and so their plans, in the session)
    db.session.scalars(
        select(RoundOption)
        .where(RoundOption.round_id == round_.id)
        .options(
            joinedload(RoundOption.proposal)
            .joinedload(Proposal.image)
            .load_only(ProposalImage.id, ProposalImage.proposal_id)
        )
    ).all()


def find_ballot(receipt: str) -> CastBallot | None:
    ballot = db.session.scalar(select(Ballot).where(Ballot.receipt == receipt))
    if ballot is not None:
        return CastBallot(ballot.round_id, ballot.choices, ballot.confirmed)
    found = ballot_box.find("ballot", receipt)
    if found is None:
        # PostgreSQL reads each statement afresh: a batch may have moved it out of the box in between.
        ballot = db.session.scalar(select(Ballot).where(Ballot.receipt == receipt))
        return CastBallot(ballot.round_id, ballot.choices, ballot.confirmed) if ballot is not None else None
    entry, payload = found
    return CastBallot(entry.scope_id, payload["choices"], entry.held_by_batch_id is None, in_box=True)


# --- paper -----------------------------------------------------------------------------
def open_paper_batch(round_: BudgetRound, actor: User) -> PaperBatch:
    batch = PaperBatch(round_id=round_.id, entered_by_id=actor.id)
    db.session.add(batch)
    db.session.flush()
    return batch


def confirm_paper_batch(batch: PaperBatch, actor: User) -> None:
    """A second facilitator confirms a batch, while the round is still open: after close
    nothing changes a ballot."""
    db.session.get(BudgetRound, batch.round_id).ensure_ballots_open()
    if batch.entered_by_id == actor.id:
        raise SecondPersonNeeded()
    if batch.confirmed_at is not None:
        return
    batch.confirmed_by_id, batch.confirmed_at = actor.id, utcnow()
    db.session.execute(update(Ballot).where(Ballot.paper_batch_id == batch.id).values(confirmed=True))
    ballot_box.release(batch.id)  # into the pool: mixed with the others, nothing orders them within the batch
    round_ = db.session.get(BudgetRound, batch.round_id)
    if round_.status != RoundStatus.open:
        flush_box(round_)
    else:
        mix_box(round_.id)
    audit.record("paper.confirm", batch, actor=actor)


def paper_ticket(round_: BudgetRound, code: str) -> Ticket:
    """A paper ballot consumes a ticket that a facilitator signed in at the desk."""
    ticket = find_ticket(code)
    if ticket is None or round_for_ticket(ticket) is None or round_for_ticket(ticket).id != round_.id:
        raise VoteRefused("wrong_round")
    if ticket.sign_in_channel != "desk":
        raise VoteRefused("not_at_desk")
    if ticket.voted:
        raise VoteRefused("already_voted")
    if not ticket.may_vote(utcnow()):
        raise VoteRefused("ticket_void")
    return ticket


# --- turnout and live status -----------------------------------------------------------
@dataclass(frozen=True)
class Turnout:
    ballots: int
    by_channel: dict[str, int]
    attendees: int
    unconfirmed_paper: int

    def published(self):
        """The ballots by phone and on paper under the one rule for counts of people
        (`app.disclosure`): returns (total, {"phone": ..., "paper": ...}) as published counts."""
        cells = {
            "phone": self.by_channel.get("council", 0) + self.by_channel.get("online", 0),
            "paper": self.by_channel.get("paper", 0),
        }
        by_channel, total = disclosure.table(cells, self.ballots)
        return total, by_channel


def turnout(round_: BudgetRound) -> Turnout:
    rows = db.session.execute(
        select(Ballot.channel, Ballot.confirmed, func.count())
        .where(Ballot.round_id == round_.id)
        .group_by(Ballot.channel, Ballot.confirmed)
    ).all()
    by_channel = {"online": 0, "council": 0, "paper": 0}
    unconfirmed = 0
    for channel, confirmed, count in rows:
        if confirmed:
            by_channel[channel] = by_channel.get(channel, 0) + count
        else:
            unconfirmed += count
    for (label, held), count in ballot_box.counts("ballot", round_.id).items():
        if held:
            unconfirmed += count
        else:
            by_channel[label] = by_channel.get(label, 0) + count
    attendees = 0
    if round_.council_id:
        attendees = (
            db.session.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(Ticket.council_id == round_.council_id, Ticket.signed_in_at.is_not(None))
            )
            or 0
        )
    return Turnout(sum(by_channel.values()), by_channel, attendees, unconfirmed)


# Phones waiting for the vote poll this; it is answered from memory for a second at a
# time, so 300 phones cost a handful of queries per second and no writes at all. Only rounds
# that exist are kept: ids made up by a client never take a place in it.
STATUS_TTL_SECONDS = 1.0
STATUS_CACHE = BoundedCache(maxsize=256, ttl=STATUS_TTL_SECONDS)


def round_status(round_id: int) -> str | None:
    cached = STATUS_CACHE.get(round_id)
    if cached is not None:
        return cached
    status = db.session.scalar(select(BudgetRound.status).where(BudgetRound.id == round_id))
    if status is None:
        return None
    STATUS_CACHE.set(round_id, status.value)
    return status.value


def forget_status(round_id: int) -> None:
    STATUS_CACHE.forget(round_id)


# A round whose status changed is forgotten in this worker as soon as the change is
# committed (the results page and the polls of this worker see it at once); other
# workers see it within STATUS_TTL_SECONDS.
_CHANGED = "wijkstem.round_status_changed"


def watch_status_changes() -> None:
    """Connect the three listeners below (``create_app`` does; connecting again changes nothing)."""
    for target, name, listener in (
        (BudgetRound.status, "set", _status_set),
        (OrmSession, "after_commit", _forget_changed_statuses),
        (OrmSession, "after_rollback", _keep_statuses),
    ):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


def _status_set(target: BudgetRound, value, old, _initiator) -> None:
    session = object_session(target)
    if value != old and target.id is not None and session is not None:
        session.info.setdefault(_CHANGED, set()).add(target.id)


def _forget_changed_statuses(session: OrmSession) -> None:
    for round_id in session.info.pop(_CHANGED, ()):
        forget_status(round_id)


def _keep_statuses(session: OrmSession) -> None:
    session.info.pop(_CHANGED, None)


def rounds_newest_first() -> list[BudgetRound]:
    return list(db.session.scalars(select(BudgetRound).order_by(BudgetRound.id.desc())))


def unconfirmed_paper_batches(round_: BudgetRound) -> list[PaperBatch]:
    return list(
        db.session.scalars(
            select(PaperBatch).where(PaperBatch.round_id == round_.id, PaperBatch.confirmed_at.is_(None))
        )
    )


def current_paper_batch(round_: BudgetRound, actor: User) -> PaperBatch | None:
    """Paper ballots collect in the entering facilitator's open batch until a second
    facilitator confirms it (always: one person alone never enters a counted ballot)."""
    batch = db.session.scalar(
        select(PaperBatch).where(
            PaperBatch.round_id == round_.id, PaperBatch.entered_by_id == actor.id, PaperBatch.confirmed_at.is_(None)
        )
    )
    return batch or open_paper_batch(round_, actor)


def open_rounds() -> list[BudgetRound]:
    return list(
        db.session.scalars(select(BudgetRound).where(BudgetRound.status == RoundStatus.open).order_by(BudgetRound.id))
    )


def issue_voter_codes(round_: BudgetRound, counts: dict[int | None, int], actor: User):
    """Voter codes for a district-wide round: batches per buurt (None = unbound)."""
    expires = round_.closes_at or add_months(utcnow(), 12)  # 29 February: 28 February next year
    issued = []
    for buurt_id, count in counts.items():
        if count:
            issued += generate_tickets(
                None, count, actor, neighbourhood_id=buurt_id, expires_at=expires, round_id=round_.id
            )
    return issued


def approve_results(round_: BudgetRound, parts, actor: User) -> None:
    """The board approves the outcome: plans become funded or not funded (on their
    timelines) and the results are published. The outcome, the SHA-256 of each part's
    public ballot list and the approver are recorded: this is the frozen result."""
    if round_.status == RoundStatus.results_published:
        raise ResultFrozen("approved")
    if pending_paper(round_):
        raise RoundStateError(round_.status, RoundStatus.results_published, "paper_pending")
    hashes = ballot_list_hashes(round_, parts)
    round_.move_to(RoundStatus.results_published)
    round_.results_approved_by_id = actor.id
    round_.results_approved_at = utcnow()
    round_.results_hashes = list(hashes)
    round_.results_outcome = [sorted(p.option.id for p in part.projects if p.funded) for part in parts]
    for part in parts:
        for project in part.projects:
            target = Status.funded if project.funded else Status.not_funded
            project.option.proposal.move_to(target, actor, round_.name)
    audit.record(
        "round.approve_results",
        round_,
        actor=actor,
        funded=[p.option.proposal_id for part in parts for p in part.projects if p.funded],
        hashes=list(hashes),
    )
    forget_status(round_.id)


SUPPRESS_BELOW = 5  # smaller counts could reveal how a few people voted


def turnout_by_part(round_: BudgetRound) -> list[tuple[str, object]]:
    """Ballots per buurt (sub-budget) as published counts (`app.disclosure`: under 5 reads
    "fewer than 5", and complementary counts are hidden so the total gives none away)."""
    if not round_.sub_budgets:
        return []
    rows = dict(
        db.session.execute(
            select(Ballot.sub_budget_id, func.count())
            .where(Ballot.round_id == round_.id, Ballot.confirmed.is_(True))
            .group_by(Ballot.sub_budget_id)
        ).all()
    )
    cells = {s.id: rows.get(s.id, 0) for s in round_.sub_budgets}
    published, _total = disclosure.table(cells, sum(rows.values()))
    return [(s.neighbourhood.name, published[s.id]) for s in round_.sub_budgets]
