"""One ticket, one ballot: also when the same ticket is submitted 50 times at once.

Runs against a database with real commits (no rolled-back test transaction), on SQLite
and on PostgreSQL, with 50 threads posting through the full stack."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.services import create_user
from app.councils import services as council_services
from app.councils.models import Council, CouncilStatus, Ticket
from app.extensions import db
from app.proposals.lifecycle import Status
from app.proposals.models import CostLine, Proposal
from app.roles import Role
from app.types import utcnow
from app.voting import services
from app.voting.models import Ballot, BudgetRound, Submission
from tests.conftest import make_app

THREADS = 50


@pytest.fixture(scope="module")
def committed_app(database_factory):
    return make_app(database_factory("concurrency"))


def _open_round_with_ticket(app) -> tuple[int, str, list[int]]:
    with app.test_request_context():
        board = create_user(f"board-{utcnow().timestamp()}@wijkstem.example", "Board", "x" * 12, [Role.board])
        start = utcnow()
        council = Council(
            title="Avond",
            venue="Tagerijn",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            languages=["nl"],
            domains=["youth"],
            status=CouncilStatus.open,
        )
        db.session.add(council)
        db.session.flush()
        round_ = services.save_round(
            None,
            {
                "name": "Race",
                "budget_cents": 100_00,
                "ballot_type": "approval",
                "eligibility": "council",
                "council_id": council.id,
            },
            board,
        )
        db.session.flush()
        for title in ("Een", "Twee"):
            proposal = Proposal(
                title=title,
                summary=title,
                domain="youth",
                cost_lines=[CostLine(position=0, description="x", amount_cents=50_00)],
            )
            db.session.add(proposal)
            for target in (Status.submitted, Status.in_review, Status.approved):
                proposal.move_to(target, board, "ok")
            services.add_option(round_, proposal, board)
        services.open_round(round_, board)
        [(_ticket, code)] = council_services.generate_tickets(council, 1, board)
        db.session.commit()
        return round_.id, code, [o.id for o in round_.options]


def _storm(app, cookie: str, forms: list[dict]) -> list:
    results: list = [None] * len(forms)
    barrier = threading.Barrier(len(forms))

    def submit(index: int) -> None:
        client = app.test_client()
        client.set_cookie("session", cookie)
        barrier.wait()
        response = client.post("/vote", data=forms[index])
        receipt = None
        if response.headers.get("Location") == "/vote/done":
            page = client.get("/vote/done").get_data(as_text=True)
            receipt = re.search(r'class="receipt" dir="ltr">([^<]+)<', page).group(1)
        results[index] = (response.status_code, response.headers.get("Location"), receipt)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _signed_in(app, code) -> tuple[str, str]:
    client = app.test_client()
    client.get(f"/t/{code}")
    html = client.get("/vote").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    return client.get_cookie("session").value, token


def _ballots(app, round_id) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.round_id == round_id))


def test_fifty_replays_of_one_form_make_one_ballot_and_one_receipt(committed_app):
    round_id, code, option_ids = _open_round_with_ticket(committed_app)
    cookie, token = _signed_in(committed_app, code)
    results = _storm(committed_app, cookie, [{"token": token, "choice": [str(option_ids[0])]}] * THREADS)
    assert all(status == 303 for status, _location, _receipt in results)
    receipts = {receipt for _status, location, receipt in results if location == "/vote/done"}
    assert len(receipts) == 1 and None not in receipts
    assert _ballots(committed_app, round_id) == 1
    with committed_app.app_context():
        assert db.session.scalar(
            select(Ticket.voted).where(Ticket.council_id == db.session.get(BudgetRound, round_id).council_id)
        )


def test_fifty_different_forms_with_one_ticket_make_one_ballot(committed_app):
    round_id, code, option_ids = _open_round_with_ticket(committed_app)
    cookie, _token = _signed_in(committed_app, code)
    with committed_app.app_context():  # the module's other tests share this database
        submissions_before = db.session.scalar(select(func.count()).select_from(Submission))
    forms = [{"token": f"form-{i}", "choice": [str(option_ids[i % 2])]} for i in range(THREADS)]
    results = _storm(committed_app, cookie, forms)
    done = [r for r in results if r[1] == "/vote/done"]
    refused = [r for r in results if r[1] == "/vote"]
    assert len(done) == 1 and len(refused) == THREADS - 1
    assert _ballots(committed_app, round_id) == 1
    with committed_app.app_context():
        # One form was accepted; the 49 refused ones leave no trace.
        assert db.session.scalar(select(func.count()).select_from(Submission)) - submissions_before == 1
