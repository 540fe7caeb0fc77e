"""Councils: scheduling, tickets, signing in, attendance and outcomes."""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mail import Message
from sqlalchemy import and_, case, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.attributes import set_committed_value

from app import ballot_box
from app.auth import audit
from app.auth.models import User
from app.councils.codes import hash_code, new_ticket_code, normalize_code
from app.councils.models import (
    MAIL_FAILED,
    MAIL_PENDING,
    MAIL_SENT,
    AttendanceProfile,
    Council,
    CouncilStatus,
    OutcomeSubscriber,
    Ticket,
)
from app.errors import DomainError
from app.extensions import db, mail
from app.roles import Role
from app.types import add_months, utcnow

log = logging.getLogger("wijkstem.tickets")
MAX_TICKETS_PER_BATCH = 2000


def ticket_key() -> bytes:
    config = current_app.config
    return (config.get("TICKET_HASH_KEY") or config["SECRET_KEY"]).encode()


def code_hash(code: str) -> str:
    return hash_code(code, ticket_key())


# --- scheduling ------------------------------------------------------------------------
def plan_next_round(councils: list[Council], actor: User, months: int = 6) -> list[Council]:
    """Copy councils half a year ahead: same place, languages and agenda, new dates."""
    copies = []
    for council in councils:
        copy = Council(
            title=council.title,
            area_id=council.area_id,
            venue=council.venue,
            address=council.address,
            starts_at=add_months(council.starts_at, months),
            ends_at=add_months(council.ends_at, months),
            languages=list(council.languages),
            capacity=council.capacity,
            domains=list(council.domains),
            description=council.description,
            created_by_id=actor.id,
            facilitators=list(council.facilitators),
        )
        db.session.add(copy)
        copies.append(copy)
    db.session.flush()
    audit.record(
        "council.plan_next", None, actor=actor, sources=[c.id for c in councils], copies=[c.id for c in copies]
    )
    return copies


def councils_newest_first(limit: int | None = None) -> list[Council]:
    return list(db.session.scalars(select(Council).order_by(Council.starts_at.desc()).limit(limit)))


def save_council(
    council: Council,
    area_id: int | None,
    starts_at: datetime,
    ends_at: datetime,
    actor: User,
    facilitator_ids: set[int] | None = None,
) -> None:
    """A new or edited council (the form has filled in its text fields) and who runs it."""
    council.area_id = area_id
    council.starts_at, council.ends_at = starts_at, ends_at
    chosen = set(facilitator_ids or [])
    if council.id is None and actor.has_role(Role.facilitator):
        chosen.add(actor.id)  # whoever plans a council runs it (others can be added)
    council.facilitators = list(db.session.scalars(select(User).where(User.id.in_(chosen))))
    db.session.add(council)
    audit.record("council.save", council, actor=actor, facilitators=sorted(chosen))


def move_council(council: Council, target: CouncilStatus, actor: User) -> None:
    """Open or close the evening."""
    council.move_to(target)
    if target == CouncilStatus.closed:
        mix_profiles(council.id, everything=True)  # the evening ends: its profiles leave the box in one shuffled batch
    audit.record(f"council.{target.value}", council, actor=actor)


def upcoming_councils(limit: int = 5) -> list[Council]:
    query = select(Council).where(Council.ends_at > utcnow()).order_by(Council.starts_at).limit(limit)
    return list(db.session.scalars(query))


def home_section(_sender) -> dict:
    """What the public home page shows of councils (signals.home_page)."""
    return {"councils": upcoming_councils(), "has_ticket_entry": True}


def past_councils() -> list[Council]:
    query = select(Council).where(Council.ends_at <= utcnow()).order_by(Council.starts_at.desc())
    return list(db.session.scalars(query))


# --- tickets ---------------------------------------------------------------------------
def ticket_expiry(council: Council) -> datetime:
    return council.ends_at + timedelta(hours=current_app.config["TICKET_GRACE_HOURS"])


def generate_tickets(
    council: Council | None,
    count: int,
    actor: User,
    *,
    neighbourhood_id: int | None = None,
    expires_at: datetime | None = None,
    round_id: int | None = None,
) -> list[tuple[Ticket, str]]:
    """Create `count` tickets and return them with their plain codes. The codes are not
    stored anywhere: whoever calls this must hand them out (PDF, CSV) at once."""
    if not 1 <= count <= MAX_TICKETS_PER_BATCH:
        raise ValueError("count out of range")
    expires_at = expires_at or ticket_expiry(council)
    issued: list[tuple[Ticket, str]] = []
    seen: set[str] = set()
    while len(issued) < count:
        code = new_ticket_code()
        digest = code_hash(code)
        if digest in seen:
            continue
        seen.add(digest)
        ticket = Ticket(code_hash=digest, council=council, neighbourhood_id=neighbourhood_id, expires_at=expires_at)
        if round_id is not None:
            ticket.round_id = round_id
        issued.append((ticket, code))
    db.session.add_all([t for t, _code in issued])
    db.session.flush()
    audit.record("tickets.generate", council, actor=actor, count=count, buurt=neighbourhood_id, round=round_id)
    return issued


def find_ticket(code: str) -> Ticket | None:
    canonical = normalize_code(code)
    if canonical is None:
        return None
    return db.session.scalar(select(Ticket).where(Ticket.code_hash == code_hash(canonical)))


def void_ticket(ticket: Ticket, actor: User, *, replaced_by: Ticket | None = None) -> None:
    """Void an unused ticket (issued or signed in); one that voted cannot be voided (409)."""
    ticket.void(utcnow())
    audit.record("ticket.void", ticket, actor=actor, replaced_by=replaced_by.id if replaced_by else None)


def reissue_ticket(ticket: Ticket, actor: User) -> tuple[Ticket, str]:
    """Void an unused ticket and issue one new ticket in its place; the audit log records both."""
    ticket.void(utcnow())  # refuses a ticket that voted before anything is issued
    ((new, code),) = generate_tickets(ticket.council, 1, actor, neighbourhood_id=ticket.neighbourhood_id)
    audit.record("ticket.void", ticket, actor=actor, replaced_by=new.id)
    audit.record("ticket.reissue", new, actor=actor, replaces=ticket.id)
    return new, code


def sign_in_margin() -> timedelta:
    return timedelta(minutes=current_app.config["TICKET_SIGN_IN_MARGIN_MINUTES"])


def council_accepts(ticket: Ticket, now: datetime) -> bool:
    """A council's tickets sign in only while that council is open (voter codes of a
    district-wide round have no council)."""
    return ticket.council is None or ticket.council.accepts_sign_ins(now, sign_in_margin())


# --- signing in ------------------------------------------------------------------------
@dataclass(frozen=True)
class SignIn:
    outcome: str  # "ok", "again" (same device), "unknown", "expired", "other_device", "not_open"
    ticket: Ticket | None = None


def device_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_device_token() -> str:
    return secrets.token_urlsafe(24)


def to_the_hour(moment: datetime) -> datetime:
    """Sign-in times are kept to the hour: finer times would line up with the order of voting."""
    return moment.replace(minute=0, second=0, microsecond=0)


def to_the_day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def sign_in(
    code: str,
    device_token: str | None,
    channel: str = "phone",
    session_ticket_id: int | None = None,
    before_claim: Callable[[], None] | None = None,
) -> tuple[SignIn, str | None]:
    """Exchange a code for a sign-in. Returns the outcome and the device token the browser
    must keep. A ticket already signed in on another device is refused. The browser's device
    token is only reused for the ticket its session already holds: a new ticket on a shared
    phone starts afresh, so two residents' tickets are never tied to one token.

    ``before_claim`` runs after the checks, before the claim writes (the resident's sign-in
    passes ``start_writing``: on SQLite the write lock is then held for the claim only). The
    claim itself checks again that the ticket is unused, not void and not expired."""
    ticket = find_ticket(code)
    now = utcnow()
    if ticket is not None and ticket.id != session_ticket_id:
        device_token = None
    if ticket is None:
        return SignIn("unknown"), device_token
    if not ticket.is_valid(now):
        return SignIn("expired", ticket), device_token
    if ticket.signed_in_at is None and not council_accepts(ticket, now):
        return SignIn("not_open", ticket), device_token
    if ticket.signed_in_at is not None:
        if device_token and ticket.device_hash == device_hash(device_token):
            return SignIn("again", ticket), device_token
        log.warning("ticket %s: sign-in refused on a second device", ticket.id)
        return SignIn("other_device", ticket), device_token
    token = device_token or new_device_token()
    signed_in = {"signed_in_at": to_the_hour(now), "sign_in_channel": channel, "device_hash": device_hash(token)}
    if before_claim is not None:
        before_claim()
    # Conditional update: of two devices racing with the same code, exactly one wins.
    claimed = db.session.execute(
        update(Ticket)
        .where(
            Ticket.id == ticket.id,
            Ticket.signed_in_at.is_(None),
            Ticket.voided_at.is_(None),
            Ticket.expires_at > now,
        )
        .values(**signed_in)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.refresh(ticket)
        if not ticket.is_valid(now):
            return SignIn("expired", ticket), device_token  # voided at the desk meanwhile
        same = ticket.device_hash == device_hash(token)
        return SignIn("again" if same else "other_device", ticket), token
    for name, value in signed_in.items():  # what the UPDATE wrote, without reading the row again
        set_committed_value(ticket, name, value)
    return SignIn("ok", ticket), token


def desk_sign_in(council: Council, code: str, actor: User) -> SignIn:
    """A facilitator signs in a resident who has no phone (the paper path)."""
    ticket = find_ticket(code)
    if ticket is None or ticket.council_id != council.id:
        return SignIn("unknown")
    if not ticket.is_valid(utcnow()):
        return SignIn("expired", ticket)
    if ticket.signed_in_at is not None:
        return SignIn("other_device", ticket)
    if not council_accepts(ticket, utcnow()):
        return SignIn("not_open", ticket)
    ticket.signed_in_at = to_the_hour(utcnow())
    ticket.sign_in_channel = "desk"
    # Who signed someone in at which council, to the hour; never which ticket.
    audit.record("council.desk_sign_in", council, actor=actor).created_at = to_the_hour(utcnow())
    return SignIn("ok", ticket)


def release_ticket(council: Council, code: str, actor: User) -> bool:
    """The desk releases a ticket signed in on one browser so that the resident can sign in
    again on another (an in-app browser, then the phone's own browser), without a new
    ticket. Only an unused, valid ticket of this council, signed in by phone, is released;
    the first browser loses it (its device no longer matches)."""
    ticket = find_ticket(code)
    if ticket is None or ticket.council_id != council.id or not ticket.is_valid(utcnow()):
        return False
    if ticket.voted or ticket.signed_in_at is None or ticket.sign_in_channel == "desk":
        return False
    ticket.signed_in_at, ticket.sign_in_channel, ticket.device_hash = None, None, None
    audit.record("ticket.release", ticket, actor=actor)
    return True


def save_profile(
    council_id: int,
    *,
    neighbourhood_id: int | None,
    age_band: str | None,
    consent: bool,
    first_name: str,
    email: str,
    locale: str,
    first_time: str | None = None,
) -> bool:
    """A submitted welcome form gives one profile: its answers and the page's language. It
    goes, sealed, into the box (app/ballot_box.py) and reaches the attendance_profile table
    later in a shuffled batch, so its place says nothing about the order of sign-ins. The
    e-mail address is kept to send the outcomes, with the day of consent. Returns whether the
    profile box is due a mix."""
    ballot_box.put(
        ballot_box.sealed_entry(
            "profile",
            council_id,
            {
                "neighbourhood_id": neighbourhood_id or None,
                "age_band": age_band or None,
                "first_time": first_time or None,
                "language": locale,
            },
        )
    )
    if consent and email:
        db.session.add(
            OutcomeSubscriber(
                council_id=council_id,
                first_name=first_name.strip(),
                email=email.strip(),
                locale=locale,
                consented_at=to_the_day(utcnow()),
            )
        )
    db.session.flush()
    return ballot_box.due("profile", council_id)


def _write_profiles(council_id: int, payloads: list[dict]) -> None:
    columns = set(AttendanceProfile.__table__.columns.keys()) - {"id", "council_id"}
    if payloads:
        db.session.execute(
            insert(AttendanceProfile),
            [
                {"id": secrets.token_hex(16), "council_id": council_id, **{k: v for k, v in p.items() if k in columns}}
                for p in payloads
            ],
        )


def mix_profiles(council_id: int, *, everything: bool = False) -> int:
    """Write a shuffled batch of the council's sealed profiles (the caller commits)."""
    return ballot_box.mix("profile", council_id, _write_profiles, everything=everything)


def mix_profiles_after_save(council_id: int) -> None:
    try:
        mix_profiles(council_id)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("council %s: mixing the profiles postponed", council_id, exc_info=True)


@dataclass(frozen=True)
class Attendance:
    signed_in: int
    by_phone: int
    at_desk: int
    tickets: int
    unused: int
    voided: int


def attendance(council: Council) -> Attendance:
    signed_in = Ticket.signed_in_at.is_not(None)
    total, voided_unused, phone, desk = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((and_(Ticket.voided_at.is_not(None), ~signed_in), 1), else_=0)), 0),
            func.coalesce(func.sum(case((Ticket.sign_in_channel == "phone", 1), else_=0)), 0),
            func.coalesce(func.sum(case((Ticket.sign_in_channel == "desk", 1), else_=0)), 0),
        ).where(Ticket.council_id == council.id)
    ).one()
    return Attendance(phone + desk, phone, desk, total, total - phone - desk - voided_unused, voided_unused)


# --- outcomes --------------------------------------------------------------------------
def save_outcomes(council: Council, summary: str, decisions: dict[str, str], actor: User) -> None:
    council.outcome_summary = summary.strip()
    council.outcome_decisions = {k: v.strip() for k, v in decisions.items() if v and v.strip()}
    audit.record("council.outcomes.save", council, actor=actor)


def publish_outcomes(council: Council, actor: User) -> None:
    """Publish the outcomes. The e-mails to the consenting attendees go out after the
    commit (send_outcome_mails): a slow or refusing mail server never holds the database."""
    council.move_to(CouncilStatus.outcomes_published)
    council.outcomes_published_at = utcnow()
    mix_profiles(council.id, everything=True)
    audit.record("council.outcomes.publish", council, actor=actor)


def queue_failed_outcome_mails(council: Council, actor: User) -> int:
    """The facilitator asks to send the refused e-mails again (after the commit, as above)."""
    if council.status != CouncilStatus.outcomes_published:
        raise DomainError("outcomes_not_published")
    failed = db.session.scalars(
        select(OutcomeSubscriber).where(
            OutcomeSubscriber.council_id == council.id, OutcomeSubscriber.mail_status == MAIL_FAILED
        )
    ).all()
    for subscriber in failed:
        subscriber.mail_status = MAIL_PENDING
    audit.record("council.outcomes.resend", council, actor=actor, count=len(failed))
    return len(failed)


@dataclass(frozen=True)
class MailCount:
    sent: int
    failed: int


def outcome_mail_count(council: Council) -> MailCount:
    rows = dict(
        db.session.execute(
            select(OutcomeSubscriber.mail_status, func.count())
            .where(OutcomeSubscriber.council_id == council.id)
            .group_by(OutcomeSubscriber.mail_status)
        ).all()
    )
    return MailCount(rows.get(MAIL_SENT, 0), rows.get(MAIL_FAILED, 0))


def send_outcome_mails(council_id: int) -> MailCount:
    """Send the pending outcome e-mails of a published council, each in its reader's language.

    Call it after the commit. The messages are written first and that read transaction is
    ended, so no transaction is open while the mail server is talked to; each recipient's
    state (sent or failed) is then written in a short transaction of its own. This one
    function commits, because its work happens after the request's commit."""
    council = db.session.get(Council, council_id)
    if council is None or council.status != CouncilStatus.outcomes_published:
        return MailCount(0, 0)
    subscribers = db.session.scalars(
        select(OutcomeSubscriber)
        .where(OutcomeSubscriber.council_id == council_id, OutcomeSubscriber.mail_status == MAIL_PENDING)
        .order_by(OutcomeSubscriber.id)
    ).all()
    messages = [(subscriber.id, _outcome_message(council, subscriber)) for subscriber in subscribers]
    db.session.commit()
    sent = failed = 0
    try:
        with mail.connect() as connection:
            for subscriber_id, message in messages:
                try:
                    connection.send(message)
                except (smtplib.SMTPException, OSError):
                    log.warning("council %s: an outcome e-mail was refused", council_id)
                    _mark_mail(subscriber_id, MAIL_FAILED)
                    failed += 1
                else:
                    _mark_mail(subscriber_id, MAIL_SENT)
                    sent += 1
    except (smtplib.SMTPException, OSError):
        log.exception("council %s: the mail server could not be reached", council_id)
        for subscriber_id, _message in messages[sent + failed :]:
            _mark_mail(subscriber_id, MAIL_FAILED)
            failed += 1
    return MailCount(sent, failed)


def _outcome_message(council: Council, subscriber: OutcomeSubscriber) -> Message:
    with force_locale(subscriber.locale):
        return Message(
            subject=_("Outcomes of %(title)s", title=council.title),
            recipients=[subscriber.email],
            body=render_template("councils/outcomes_mail.txt", council=council, subscriber=subscriber),
        )


def _mark_mail(subscriber_id: int, status: str) -> None:
    db.session.execute(
        update(OutcomeSubscriber)
        .where(OutcomeSubscriber.id == subscriber_id)
        .values(mail_status=status, sent_at=utcnow() if status == MAIL_SENT else None)
    )
    db.session.commit()


def purge_contacts(now: datetime | None = None) -> int:
    """Delete contact data once the retention period after publication has passed."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["CONTACT_RETENTION_DAYS"])
    expired_councils = select(Council.id).where(
        Council.outcomes_published_at.is_not(None), Council.outcomes_published_at < cutoff
    )
    subscribers = db.session.scalars(
        select(OutcomeSubscriber).where(OutcomeSubscriber.council_id.in_(expired_councils))
    ).all()
    for subscriber in subscribers:
        db.session.delete(subscriber)
    return len(subscribers)
