"""The ticket lifecycle (issue 13): issued -> signed_in -> voted; voided only from issued or
signed_in; a voided or expired ticket neither signs in nor votes, also from a session
that was already open; a council's tickets sign in only while it is open."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import AuditEvent
from app.councils.codes import format_code
from app.councils.models import Council, CouncilStatus, Ticket
from app.types import utcnow
from app.voting.models import Ballot
from tests.voting.test_ballot_routes import sign_in, token_of

CONFIRM = {"confirm": "y", "confirming": "1"}

#: Hand-written from the issue: which moves the ticket's state machine allows.
ALLOWED = {
    ("issued", "signed_in"),
    ("issued", "voided"),
    ("signed_in", "voted"),
    ("signed_in", "voided"),
}


def _ballots(db):
    """Ballots written, and ballots still sealed in the ballot box."""
    from app.ballot_box import BoxEntry

    box = db.session.scalar(select(func.count()).select_from(BoxEntry).where(BoxEntry.kind == "ballot"))
    return db.session.scalar(select(func.count()).select_from(Ballot)) + box


def _ticket(db):
    db.session.expire_all()
    return db.session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()


@pytest.mark.parametrize("state", ["issued", "signed_in", "voted", "voided"])
def test_voiding_follows_the_state_machine(state):
    from app.councils.models import TicketState, TicketStateError

    now = utcnow()
    ticket = Ticket(code_hash="x", expires_at=now + timedelta(hours=1), voted=False)
    if state in ("signed_in", "voted", "voided"):
        ticket.signed_in_at = now
    if state == "voted":
        ticket.voted = True
    if state == "voided":
        ticket.voided_at = now
    assert ticket.state == TicketState(state)
    if (state, "voided") in ALLOWED:
        ticket.void(now)
        assert ticket.state == TicketState.voided
    else:
        with pytest.raises(TicketStateError):
            ticket.void(now)


def test_a_voided_tickets_open_session_cannot_vote(app, client, db, make_round, ticket_for, login_facilitator):
    round_ = make_round()
    code = ticket_for(round_)
    resident = app.test_client()
    resident.set_cookie("lang", "en")
    sign_in(resident, code)
    form = token_of(resident.get("/vote").get_data(as_text=True))
    login_facilitator(round_)
    assert (
        client.post(f"/staff/councils/{round_.council_id}/void", data={"code": format_code(code)} | CONFIRM).status_code
        == 303
    )
    response = resident.post(
        "/vote", data={"token": form, "choice": [str(round_.options[0].id)]}, follow_redirects=True
    )
    assert _ballots(db) == 0 and not _ticket(db).voted
    assert "can no longer be used" in response.get_data(as_text=True)


def test_an_expired_tickets_open_session_cannot_vote(app, db, make_round, ticket_for):
    round_ = make_round()
    resident = app.test_client()
    sign_in(resident, ticket_for(round_))
    form = token_of(resident.get("/vote").get_data(as_text=True))
    ticket = _ticket(db)
    ticket.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    resident.post("/vote", data={"token": form, "choice": [str(round_.options[0].id)]})
    assert _ballots(db) == 0 and not _ticket(db).voted


def test_a_ticket_that_voted_cannot_be_voided_or_reissued(app, client, db, make_round, ticket_for, login_facilitator):
    round_ = make_round()
    code = ticket_for(round_)
    resident = app.test_client()
    sign_in(resident, code)
    html = resident.get("/vote").get_data(as_text=True)
    assert (
        resident.post("/vote", data={"token": token_of(html), "choice": [str(round_.options[0].id)]}).status_code == 303
    )
    login_facilitator(round_)
    client.set_cookie("lang", "en")
    for data in ({"code": code}, {"code": code, "reissue": "y"}):
        refused = client.post(f"/staff/councils/{round_.council_id}/void", data=data | CONFIRM)
        assert refused.status_code == 409 and "already been used to vote" in refused.get_data(as_text=True)
    assert _ticket(db).voided_at is None
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1  # no second ticket for the same person


def test_reissue_voids_the_old_ticket_and_the_audit_log_records_both(
    app, client, db, make_round, ticket_for, login_facilitator
):
    round_ = make_round()
    code = ticket_for(round_)
    old = _ticket(db)
    facilitator = login_facilitator(round_)
    response = client.post(f"/staff/councils/{round_.council_id}/void", data={"code": code, "reissue": "y"} | CONFIRM)
    assert response.mimetype == "application/pdf"
    new = _ticket(db)
    assert new.id != old.id and db.session.get(Ticket, old.id).voided_at is not None and new.voided_at is None
    events = {
        e.action: e
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(["ticket.void", "ticket.reissue"])))
    }
    assert events["ticket.void"].object_id == str(old.id) and events["ticket.void"].detail["replaced_by"] == new.id
    assert events["ticket.reissue"].object_id == str(new.id) and events["ticket.reissue"].detail["replaces"] == old.id
    assert {e.actor_id for e in events.values()} == {facilitator.id}


def test_a_planned_councils_ticket_does_not_sign_in(app, db, make_round, ticket_for):
    round_ = make_round()  # the round is open: the ticket would reach an open ballot
    council = db.session.get(Council, round_.council_id)
    council.status = CouncilStatus.planned
    db.session.commit()
    code = ticket_for(round_)
    resident = app.test_client()
    resident.set_cookie("lang", "en")
    response = resident.get(f"/t/{code}", follow_redirects=True)
    assert "has not started yet" in response.get_data(as_text=True)
    assert resident.get("/vote").headers["Location"].endswith("/t")
    assert _ticket(db).signed_in_at is None


@pytest.mark.parametrize(("minutes_to_start", "signs_in"), [(90, False), (61, False), (59, True), (-30, True)])
def test_tickets_sign_in_from_the_margin_before_the_start(app, db, make_round, ticket_for, minutes_to_start, signs_in):
    """TICKET_SIGN_IN_MARGIN_MINUTES (60 by default) before the start, with the council open."""
    round_ = make_round()
    council = db.session.get(Council, round_.council_id)
    council.starts_at = utcnow() + timedelta(minutes=minutes_to_start)
    council.ends_at = council.starts_at + timedelta(hours=2)
    db.session.commit()
    response = app.test_client().get(f"/t/{ticket_for(round_)}")
    assert (response.headers["Location"] == "/t/welcome") is signs_in


def test_a_closed_councils_unused_ticket_does_not_sign_in(app, db, make_round, ticket_for):
    round_ = make_round()
    code = ticket_for(round_)
    council = db.session.get(Council, round_.council_id)
    council.status = CouncilStatus.closed
    db.session.commit()
    assert app.test_client().get(f"/t/{code}").headers["Location"] == "/t"


def test_the_desk_signs_in_only_while_the_council_is_open(app, client, db, make_round, ticket_for, login_facilitator):
    round_ = make_round()
    code = ticket_for(round_)
    council = db.session.get(Council, round_.council_id)
    council.status = CouncilStatus.planned
    db.session.commit()
    login_facilitator(round_)
    client.post(f"/staff/councils/{round_.council_id}/desk", data={"code": code})
    assert _ticket(db).signed_in_at is None
