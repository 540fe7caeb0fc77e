"""POST /vote reads and checks the ballot before it takes the write lock (app/database.py
``reads_then_writes``): what can change meanwhile is checked again when the ballot is cast.
Each test changes the database while the view checks the choices, as a facilitator closing
the round or the desk releasing the ticket would at that moment."""

import pytest
from sqlalchemy import func, select, update

from app.councils.models import Ticket
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
