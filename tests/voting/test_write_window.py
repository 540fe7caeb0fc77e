"""POST /vote reads and checks the ballot before it takes the write lock (app/database.py
``reads_then_writes``): what can change meanwhile is checked again when the ballot is cast.
Each test changes the database while the view checks the choices, as a facilitator closing
the round or the desk releasing the ticket would at that moment."""

import pytest
from sqlalchemy import func, select, update

from app.councils.models import Ticket
from app.types import utcnow
from app.voting import services
from app.voting.models import BudgetRound, RoundStatus
from tests.voting.test_ballot_routes import ballot_count, sign_in, token_of


@pytest.fixture
def while_checking(monkeypatch, db):
    """Run ``change`` (a SQL statement) in the middle of the next vote's checks."""

    def arrange(statement):
        check = services.check_choices

        def checking(*args, **kwargs):
            stored = check(*args, **kwargs)
            # as another request would: the objects the view holds do not see it
            db.session.execute(statement, execution_options={"synchronize_session": False})
            return stored

        monkeypatch.setattr(services, "check_choices", checking)

    return arrange


def vote(client, round_):
    html = client.get("/vote").get_data(as_text=True)
    return client.post("/vote", data={"token": token_of(html), "choice": [str(round_.options[0].id)]})


def test_a_round_closed_while_the_ballot_is_checked_takes_no_vote(client, make_round, ticket_for, db, while_checking):
    round_ = make_round()
    sign_in(client, ticket_for(round_))
    while_checking(update(BudgetRound).where(BudgetRound.id == round_.id).values(status=RoundStatus.closed))
    response = vote(client, round_)
    assert response.status_code == 303 and response.headers["Location"] == "/vote"
    assert ballot_count(db) == 0 and services.ballot_box.waiting("ballot", round_.id) == 0
    assert db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.voted.is_(True))) == 0


def test_a_ticket_released_to_another_phone_meanwhile_does_not_vote_here(
    client, make_round, ticket_for, db, while_checking
):
    round_ = make_round()
    sign_in(client, ticket_for(round_))
    while_checking(update(Ticket).values(device_hash="another phone"))
    response = vote(client, round_)
    assert response.status_code == 303 and response.headers["Location"] == "/vote"
    assert ballot_count(db) == 0 and services.ballot_box.waiting("ballot", round_.id) == 0
    assert db.session.scalar(select(Ticket.voted)) is False


def test_without_a_change_the_same_steps_cast_the_ballot(client, make_round, ticket_for, db, while_checking):
    round_ = make_round()
    sign_in(client, ticket_for(round_))
    while_checking(select(1))
    response = vote(client, round_)
    assert response.headers["Location"] == "/vote/done"
    assert db.session.scalar(select(Ticket.voted)) is True


# --- signing in: GET /t/<code> checks the ticket before it takes the write lock -------------
@pytest.fixture
def before_the_claim(monkeypatch, db):
    """Run ``change`` (a SQL statement) after the sign-in's checks, just before its claim."""
    from app.councils import resident_routes

    def arrange(statement):
        start_writing = resident_routes.start_writing

        def changed_first():
            db.session.execute(statement, execution_options={"synchronize_session": False})
            start_writing()

        monkeypatch.setattr(resident_routes, "start_writing", changed_first)

    return arrange


def test_a_ticket_voided_while_the_sign_in_checks_it_does_not_sign_in(
    client, make_round, ticket_for, db, before_the_claim
):
    round_ = make_round()
    code = ticket_for(round_)
    before_the_claim(update(Ticket).values(voided_at=utcnow()))
    client.set_cookie("lang", "en")
    response = client.get(f"/t/{code}")
    assert response.status_code == 303 and response.headers["Location"] == "/t"
    assert "can no longer be used" in client.get("/t").get_data(as_text=True)
    assert db.session.scalar(select(Ticket.signed_in_at)) is None
    assert client.get("/vote").headers["Location"] == "/t"


def test_a_ticket_claimed_by_another_phone_meanwhile_does_not_sign_in_here(
    client, make_round, ticket_for, db, before_the_claim
):
    round_ = make_round()
    code = ticket_for(round_)
    before_the_claim(update(Ticket).values(signed_in_at=utcnow(), device_hash="another phone"))
    client.set_cookie("lang", "en")
    response = client.get(f"/t/{code}")
    assert response.headers["Location"] == "/t"
    assert "already in use on another phone" in client.get("/t").get_data(as_text=True)
    assert db.session.scalar(select(Ticket.device_hash)) == "another phone"


def test_without_a_change_the_sign_in_claims_the_ticket(client, make_round, ticket_for, db, before_the_claim):
    round_ = make_round()
    code = ticket_for(round_)
    before_the_claim(select(1))
    assert client.get(f"/t/{code}").headers["Location"] == "/t/welcome"
    assert db.session.scalar(select(Ticket.signed_in_at)) is not None
