"""A result is a frozen record (issue 13).

The election is hand-computed. Plans A, B, C cost 40k, 30k, 20k; budget 60k; greedy.
Five phone ballots: A, A, A, BC, BC -> support A 3, B 2, C 2 -> A funded (20k left), B
does not fit, C fits: funded {A, C}. Two paper ballots for B make B 4: B funded (30k
left), A does not fit, C fits: funded {B, C}. So two late paper ballots flip the outcome,
which is what must never happen after approval."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess

from openpyxl import load_workbook
from sqlalchemy import select

from app.auth.models import AuditEvent
from app.councils.models import Council
from app.proposals.lifecycle import Status
from app.roles import Role
from app.voting.models import Ballot, BudgetRound, PaperBatch, RoundStatus
from tests.voting.test_ballot_routes import sign_in, token_of

CONFIRM = {"confirm": "y", "confirming": "1"}
PHONE_VOTES = [("A",), ("A",), ("A",), ("B", "C"), ("B", "C")]


def client_for(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    client.set_cookie("lang", "en")
    return client


def facilitator_of(make_user, db, round_):
    user = make_user(Role.facilitator)
    council = db.session.get(Council, round_.council_id)
    council.facilitators.append(user)
    db.session.commit()
    return user


def vote_by_phone(app, round_, ticket_for, letters):
    ids = {o.proposal.title[-1]: o.id for o in round_.options}
    phone = app.test_client()
    sign_in(phone, ticket_for(round_))
    html = phone.get("/vote").get_data(as_text=True)
    assert (
        phone.post("/vote", data={"token": token_of(html), "choice": [str(ids[x]) for x in letters]}).status_code == 303
    )


def enter_paper(facilitator, round_, ticket_for, letters):
    ids = {o.proposal.title[-1]: o.id for o in round_.options}
    code = ticket_for(round_)
    assert facilitator.post(f"/staff/councils/{round_.council_id}/desk", data={"code": code}).status_code == 303
    page = facilitator.get(f"/staff/rounds/{round_.id}/paper").get_data(as_text=True)
    data = {"token": token_of(page), "paper-code": code, "choice": [str(ids[x]) for x in letters]}
    assert facilitator.post(f"/staff/rounds/{round_.id}/paper", data=data).status_code == 303


def funded(db, round_):
    db.session.expire_all()
    return {
        o.proposal.title[-1]
        for o in db.session.get(BudgetRound, round_.id).options
        if o.proposal.status == Status.funded
    }


def evening(app, db, make_round, ticket_for, make_user):
    round_ = make_round(costs=(40_000_00, 30_000_00, 20_000_00), budget=60_000_00)
    for letters in PHONE_VOTES:
        vote_by_phone(app, round_, ticket_for, letters)
    first = client_for(app, facilitator_of(make_user, db, round_))
    enter_paper(first, round_, ticket_for, ("B",))
    enter_paper(first, round_, ticket_for, ("B",))
    return round_, first


def test_closing_is_refused_while_paper_ballots_wait(app, db, make_round, ticket_for, make_user):
    round_, first = evening(app, db, make_round, ticket_for, make_user)
    refused = first.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM)
    assert refused.status_code == 409 and "wait for a second facilitator" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(BudgetRound, round_.id).status == RoundStatus.open
    board = client_for(app, make_user(Role.board))
    assert board.post(f"/staff/rounds/{round_.id}/approve", data=CONFIRM).status_code in (404, 409)


def test_confirmed_paper_then_close_then_approve_records_hash_outcome_and_approver(
    app, db, make_round, ticket_for, make_user, tmp_path
):
    round_, first = evening(app, db, make_round, ticket_for, make_user)
    batch_id = db.session.scalar(select(PaperBatch.id))
    second = client_for(app, facilitator_of(make_user, db, round_))
    assert second.post(f"/staff/rounds/{round_.id}/paper/{batch_id}/confirm").status_code == 303
    question = first.post(f"/staff/rounds/{round_.id}/status/closed")
    assert question.status_code == 200 and "Ballots" in question.get_data(as_text=True)  # asks, with the counts
    assert first.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM).status_code == 303
    approver = make_user(Role.board, name="Bestuurder Fatima")
    board = client_for(app, approver)
    assert board.post(f"/staff/rounds/{round_.id}/approve").status_code == 200  # asks first
    assert funded(db, round_) == set()
    assert board.post(f"/staff/rounds/{round_.id}/approve", data=CONFIRM).status_code == 303
    assert funded(db, round_) == {"B", "C"}

    digest = hashlib.sha256(board.get(f"/rounds/{round_.id}/ballots.pb").get_data()).hexdigest()
    stored = db.session.get(BudgetRound, round_.id)
    assert stored.results_hashes == [digest] and stored.results_approved_by_id == approver.id
    ids = {o.proposal.title[-1]: o.id for o in stored.options}
    assert stored.results_outcome == [sorted([ids["B"], ids["C"]])]
    public = app.test_client()
    public.set_cookie("lang", "en")
    page = public.get(f"/rounds/{round_.id}/results").get_data(as_text=True)
    assert digest in page and "Approved by Bestuurder Fatima" in page
    rows = public.get(f"/rounds/{round_.id}/results.csv").get_data().decode("utf-8-sig")
    assert digest in rows and "Bestuurder Fatima" in rows
    approval = json.loads(public.get(f"/rounds/{round_.id}/results.json").get_data())["approval"]
    assert approval["approved_by"] == "Bestuurder Fatima" and approval["ballot_list_sha256"] == [digest]
    book = load_workbook(io.BytesIO(public.get(f"/rounds/{round_.id}/results.xlsx").get_data()))
    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["Approved by"] == "Bestuurder Fatima" and summary["SHA-256 of the ballot list 1"] == digest
    path = tmp_path / "report.pdf"
    path.write_bytes(public.get(f"/rounds/{round_.id}/results.pdf").get_data())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Bestuurder Fatima" in text and digest in re.sub(r"\s", "", text)


def test_after_approval_nothing_changes_the_result(app, db, make_round, ticket_for, make_user):
    """The issue's attack: a batch still unconfirmed when the vote closed (as old data can
    hold) is confirmed after approval. It is refused with 409; the outcome and the hash stay."""
    round_ = make_round(costs=(40_000_00, 30_000_00, 20_000_00), budget=60_000_00)
    for letters in PHONE_VOTES:
        vote_by_phone(app, round_, ticket_for, letters)
    board = client_for(app, make_user(Role.board))
    assert board.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM).status_code == 303
    assert board.post(f"/staff/rounds/{round_.id}/approve", data=CONFIRM).status_code == 303
    assert funded(db, round_) == {"A", "C"}
    before = board.get(f"/rounds/{round_.id}/ballots.pb").get_data()
    # Two unconfirmed paper ballots for B appear in a batch of this round.
    entered_by = facilitator_of(make_user, db, round_)
    batch = PaperBatch(round_id=round_.id, entered_by_id=entered_by.id)
    db.session.add(batch)
    db.session.flush()
    for n in range(2):
        option_b = next(o for o in db.session.get(BudgetRound, round_.id).options if o.proposal.title == "Plan B")
        db.session.add(
            Ballot(
                id=f"late{n}".ljust(32, "0"),
                round_id=round_.id,
                channel="paper",
                choices=json.dumps([option_b.id]),
                receipt=f"LATE{n}00000"[:10],
                cast_on=batch.created_at.date(),
                paper_batch_id=batch.id,
                confirmed=False,
            )
        )
    db.session.commit()
    second = client_for(app, facilitator_of(make_user, db, round_))
    refused = second.post(f"/staff/rounds/{round_.id}/paper/{batch.id}/confirm")
    assert refused.status_code == 409 and "can no longer change" in refused.get_data(as_text=True)
    assert not any(b.confirmed for b in db.session.scalars(select(Ballot).where(Ballot.paper_batch_id == batch.id)))
    assert board.get(f"/rounds/{round_.id}/ballots.pb").get_data() == before
    assert funded(db, round_) == {"A", "C"}
    # Entering a new paper ballot, reopening or approving again are refused too.
    assert second.post(f"/staff/rounds/{round_.id}/paper", data={"paper-code": "X"}).status_code in (400, 409)
    assert board.post(f"/staff/rounds/{round_.id}/reopen", data=CONFIRM | {"reason": "recount"}).status_code == 409
    assert board.post(f"/staff/rounds/{round_.id}/approve", data=CONFIRM).status_code == 409


def test_the_board_discards_waiting_paper_with_a_reason(app, db, make_round, ticket_for, make_user):
    round_, first = evening(app, db, make_round, ticket_for, make_user)
    board_user = make_user(Role.board)
    board = client_for(app, board_user)
    assert first.post(f"/staff/rounds/{round_.id}/paper/discard", data=CONFIRM | {"reason": "x"}).status_code == 403
    question = board.post(f"/staff/rounds/{round_.id}/paper/discard")
    assert question.status_code == 200 and "<dd>2</dd>" in question.get_data(as_text=True)  # the count it acts on
    no_reason = board.post(f"/staff/rounds/{round_.id}/paper/discard", data=CONFIRM)
    assert no_reason.status_code == 400 and "Write down why." in no_reason.get_data(as_text=True)
    done = board.post(
        f"/staff/rounds/{round_.id}/paper/discard", data=CONFIRM | {"reason": "Two forms without a ticket"}
    )
    assert done.status_code == 303
    from app.ballot_box import BoxEntry

    assert db.session.scalar(select(Ballot).where(Ballot.confirmed.is_(False))) is None
    assert db.session.scalar(select(BoxEntry).where(BoxEntry.held_by_batch_id.is_not(None))) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "paper.discard"))
    assert (
        event.actor_id == board_user.id
        and event.detail["ballots"] == 2
        and event.detail["reason"] == "Two forms without a ticket"
    )
    assert board.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM).status_code == 303
    assert board.post(f"/staff/rounds/{round_.id}/approve", data=CONFIRM).status_code == 303
    assert funded(db, round_) == {"A", "C"}


def test_reopening_is_the_boards_with_a_reason_before_approval_only(app, db, make_round, ticket_for, make_user):
    round_ = make_round()
    facilitator = client_for(app, facilitator_of(make_user, db, round_))
    assert facilitator.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM).status_code == 303
    assert facilitator.post(f"/staff/rounds/{round_.id}/reopen", data=CONFIRM | {"reason": "x"}).status_code == 403
    board_user = make_user(Role.board)
    board = client_for(app, board_user)
    assert board.post(f"/staff/rounds/{round_.id}/reopen", data=CONFIRM).status_code == 400  # no reason
    assert (
        board.post(
            f"/staff/rounds/{round_.id}/reopen", data=CONFIRM | {"reason": "The hall's wifi was down"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(BudgetRound, round_.id).status == RoundStatus.open
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.reopen"))
    assert event.actor_id == board_user.id and event.detail == {"reason": "The hall's wifi was down"}
    vote_by_phone(app, round_, ticket_for, ("A",))  # voting goes on
    assert board.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM).status_code == 303
    assert board.post(f"/staff/rounds/{round_.id}/approve", data=CONFIRM).status_code == 303
    assert board.post(f"/staff/rounds/{round_.id}/reopen", data=CONFIRM | {"reason": "again"}).status_code == 409
