import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.councils.models import Council, Ticket
from app.proposals.lifecycle import Status
from app.roles import Role
from app.voting.models import Ballot, RoundStatus
from tests.voting.conftest import approved_proposal


def sign_in(client, code):
    assert client.get(f"/t/{code}").headers["Location"] == "/t/welcome"


def token_of(html):
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)


def ballot_count(db):
    return db.session.scalar(select(func.count()).select_from(Ballot))


def test_resident_votes_and_gets_a_receipt(client, make_round, ticket_for, db):
    round_ = make_round()
    sign_in(client, ticket_for(round_))
    page = client.get("/vote")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Plan A" in html
    option = round_.options[0]
    response = client.post("/vote", data={"token": token_of(html), "choice": [str(option.id)]})
    assert response.status_code == 303 and response.headers["Location"] == "/vote/done"
    done = client.get("/vote/done").get_data(as_text=True)
    receipt = re.search(r'class="receipt" dir="ltr">([0-9A-Z-]+)<', done).group(1)
    assert len(receipt.replace("-", "")) == 10 and "Plan A" in done
    ballot = db.session.scalar(select(Ballot))
    assert ballot.receipt == receipt.replace("-", "") and ballot.channel == "council"
    assert db.session.scalar(select(Ticket)).voted is True


def test_a_ballot_row_holds_nothing_that_links_it_to_a_voter(app):
    from app.voting.models import Ballot

    columns = set(Ballot.__table__.columns.keys())
    assert columns == {
        "id",
        "round_id",
        "sub_budget_id",
        "channel",
        "choices",
        "receipt",
        "cast_on",
        "paper_batch_id",
        "confirmed",
    }
    assert str(Ballot.__table__.columns["cast_on"].type) == "DATE"
    assert not any(fk.column.table.name in ("ticket", "user") for fk in Ballot.__table__.foreign_keys)


def test_the_ballot_page_is_small_and_self_contained(client, make_round, ticket_for):
    round_ = make_round("knapsack", costs=[10_000_00 + i for i in range(12)], budget=50_000_00)
    sign_in(client, ticket_for(round_))
    response = client.get("/vote")
    html = response.get_data(as_text=True)
    css = client.get("/static/css/app.css").get_data()
    js = client.get("/static/js/ballot.js").get_data()
    assert len(response.get_data()) + len(css) + len(js) < 50 * 1024
    assert "https://" not in html and "http://" not in html.replace("http://localhost", "")
    assert 'id="left"' in html  # the remaining budget is rendered by the server


def test_resubmitting_the_same_form_returns_the_same_receipt(app, client, make_round, ticket_for, db):
    round_ = make_round()
    sign_in(client, ticket_for(round_))
    token = token_of(client.get("/vote").get_data(as_text=True))
    data = {"token": token, "choice": [str(round_.options[1].id)]}
    client.post("/vote", data=data)
    first = client.get("/vote/done").get_data(as_text=True)
    # The connection dropped: the browser sends the same form again, without the new cookie.
    replay = app.test_client()
    replay.set_cookie("session", client.get_cookie("session").value)
    response = replay.post("/vote", data=data)
    assert response.headers["Location"] == "/vote/done"
    assert ballot_count(db) == 1
    assert re.search(r'class="receipt"[^>]*>([^<]+)<', first).group(1) in replay.get("/vote/done").get_data(
        as_text=True
    )


def test_a_second_form_with_a_used_ticket_is_refused(client, make_round, ticket_for, db):
    client.set_cookie("lang", "en")
    round_ = make_round()
    sign_in(client, ticket_for(round_))
    html = client.get("/vote").get_data(as_text=True)
    client.post("/vote", data={"token": token_of(html), "choice": [str(round_.options[0].id)]})
    again = client.post(
        "/vote", data={"token": "another-form", "choice": [str(round_.options[1].id)]}, follow_redirects=True
    )
    page = again.get_data(as_text=True)
    # The refusal beside the form, and the page for a ticket that has voted.
    assert '<p class="flash flash-error">This ticket has already been used to vote.</p>' in page
    assert "<p>This ticket has already been used to vote. Thank you!</p>" in page
    assert ballot_count(db) == 1


def test_knapsack_over_budget_keeps_the_choices_and_explains(client, make_round, ticket_for, db):
    client.set_cookie("lang", "en")
    round_ = make_round("knapsack", budget=60_000_00)
    sign_in(client, ticket_for(round_))
    html = client.get("/vote").get_data(as_text=True)
    a, b = round_.options[0].id, round_.options[1].id
    response = client.post("/vote", data={"token": token_of(html), "choice": [str(a), str(b)]})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "more than the budget" in page
    assert f'value="{a}" id="option-{a}" checked' in page and f'value="{b}" id="option-{b}" checked' in page
    assert ballot_count(db) == 0 and not db.session.scalar(select(Ticket)).voted


@pytest.mark.parametrize(
    "ballot_type,settings,fields,ok",
    [
        ("approval", {"max_choices": 1}, lambda o: {"choice": [str(o[0].id), str(o[1].id)]}, False),
        ("approval", {"max_choices": 2}, lambda o: {"choice": [str(o[0].id), str(o[1].id)]}, True),
        (
            "cumulative",
            {"points_total": 10, "points_max_per_project": 6},
            lambda o: {f"points_{o[0].id}": "6", f"points_{o[1].id}": "4"},
            True,
        ),
        (
            "cumulative",
            {"points_total": 10, "points_max_per_project": 6},
            lambda o: {f"points_{o[0].id}": "6", f"points_{o[1].id}": "6"},
            False,
        ),
        ("ranking", {"max_choices": 2}, lambda o: {f"rank_{o[2].id}": "1", f"rank_{o[0].id}": "2"}, True),
        ("ranking", {"max_choices": 3}, lambda o: {f"rank_{o[2].id}": "1", f"rank_{o[0].id}": "1"}, False),
        ("approval", {}, lambda o: {"choice": ["999999"]}, False),
    ],
)
def test_every_ballot_type_is_checked_on_the_server(
    client, make_round, ticket_for, db, ballot_type, settings, fields, ok
):
    round_ = make_round(ballot_type, **settings)
    sign_in(client, ticket_for(round_))
    html = client.get("/vote").get_data(as_text=True)
    response = client.post("/vote", data={"token": token_of(html), **fields(round_.options)})
    assert (response.status_code == 303) is ok
    assert ballot_count(db) == (1 if ok else 0)


def test_waiting_page_until_the_vote_opens_and_a_cached_status(app, client, make_round, ticket_for, make_user, db):
    round_ = make_round(status=RoundStatus.draft)
    sign_in(client, ticket_for(round_))
    html = client.get("/vote").get_data(as_text=True)
    assert "js/wait." in html
    status = client.get(f"/rounds/{round_.id}/status.json")
    assert status.get_json() == {"status": "draft"}
    assert (
        client.get(f"/rounds/{round_.id}/status.json", headers={"If-None-Match": status.headers["ETag"]}).status_code
        == 304
    )
    # The facilitator opens the vote from a laptop of their own while the phone waits.
    facilitator = app.test_client()
    staff = make_user(Role.facilitator)
    council = db.session.get(Council, round_.council_id)
    council.facilitators.append(staff)  # only the council's own facilitator
    db.session.commit()
    with facilitator.session_transaction() as staff_session:
        staff_session["_user_id"] = staff.get_id()
        staff_session["_fresh"] = True
    assert facilitator.post(f"/staff/rounds/{round_.id}/status/open?back=live").status_code == 303
    # The phone's cached status is stale at once: the old ETag no longer matches.
    fresh = client.get(f"/rounds/{round_.id}/status.json", headers={"If-None-Match": status.headers["ETag"]})
    assert fresh.status_code == 200 and fresh.get_json() == {"status": "open"}
    assert 'id="ballot"' in client.get("/vote").get_data(as_text=True)


def test_rules_are_frozen_once_open(client, login_as, make_round, db):
    round_ = make_round()
    extra = approved_proposal(db, "Laat plan", 100_00)
    db.session.commit()
    login_as(Role.board)
    assert client.get(f"/staff/rounds/{round_.id}/edit").status_code == 409
    assert client.post(f"/staff/rounds/{round_.id}/edit", data={"name": "x", "budget": "1"}).status_code == 409
    assert client.post(f"/staff/rounds/{round_.id}/options", data={"proposal_id": str(extra.id)}).status_code == 409
    assert client.post(f"/staff/rounds/{round_.id}/options/{round_.options[0].id}/remove").status_code == 409
    assert client.post(f"/staff/rounds/{round_.id}/split", data={"mode": "none"}).status_code == 409
    db.session.refresh(round_)
    assert len(round_.options) == 3 and extra.status == Status.approved


def test_only_approved_plans_go_on_the_ballot(client, login_as, make_round, db):
    round_ = make_round(status=RoundStatus.draft)
    login_as(Role.board)
    extra = approved_proposal(db, "Nieuw plan", 500_00)
    db.session.commit()
    assert client.post(f"/staff/rounds/{round_.id}/options", data={"proposal_id": str(extra.id)}).status_code == 303
    db.session.refresh(extra)
    assert extra.status == Status.on_ballot
    assert client.post(f"/staff/rounds/{round_.id}/options", data={"proposal_id": str(extra.id)}).status_code == 303
    db.session.refresh(round_)
    assert len(round_.options) == 4  # not offered twice


def test_sub_budgets_by_weight_and_the_voters_buurt(client, login_as, make_round, ticket_for, buurten, db):
    wildeman, osdorp = buurten
    round_ = make_round("approval", status=RoundStatus.draft, costs=(), budget=90_000_00)
    login_as(Role.board)
    local = approved_proposal(db, "Speeltuin Wildeman", 10_000_00, wildeman)
    other = approved_proposal(db, "Bankjes Osdorp", 10_000_00, osdorp)
    db.session.commit()
    for proposal in (local, other):
        client.post(f"/staff/rounds/{round_.id}/options", data={"proposal_id": str(proposal.id)})
    split = {"mode": "weights", f"weight_{wildeman.id}": "2", f"weight_{osdorp.id}": "1"}
    assert client.post(f"/staff/rounds/{round_.id}/split", data=split).status_code == 303
    db.session.refresh(round_)
    assert {s.neighbourhood_id: s.amount_cents for s in round_.sub_budgets} == {
        wildeman.id: 60_000_00,
        osdorp.id: 30_000_00,
    }
    client.post(f"/staff/rounds/{round_.id}/status/open")
    client.post("/logout")
    resident = client.application.test_client()
    sign_in(resident, ticket_for(round_, buurt=wildeman))
    html = resident.get("/vote").get_data(as_text=True)
    assert "Speeltuin Wildeman" in html and "Bankjes Osdorp" not in html
    unbound = client.application.test_client()
    sign_in(unbound, ticket_for(round_))
    assert unbound.get("/vote").headers["Location"] == "/vote/buurt"
    unbound.post("/vote/buurt", data={"neighbourhood_id": str(osdorp.id)})
    assert "Bankjes Osdorp" in unbound.get("/vote").get_data(as_text=True)


def test_explicit_amounts_must_add_up(client, login_as, make_round, buurten, db):
    client.set_cookie("lang", "en")
    wildeman, osdorp = buurten
    round_ = make_round(status=RoundStatus.draft, budget=1_000_00)
    login_as(Role.board)
    bad = client.post(
        f"/staff/rounds/{round_.id}/split",
        data={"mode": "amounts", f"amount_{wildeman.id}": "600", f"amount_{osdorp.id}": "300"},
    )
    assert bad.status_code == 400 and "add up to the total budget" in bad.get_data(as_text=True)
    good = client.post(
        f"/staff/rounds/{round_.id}/split",
        data={"mode": "amounts", f"amount_{wildeman.id}": "700", f"amount_{osdorp.id}": "300"},
    )
    assert good.status_code == 303


def test_paper_ballots_need_a_desk_sign_in_and_show_as_paper(client, login_facilitator, make_round, ticket_for, db):
    round_ = make_round()
    phone_code, paper_code = ticket_for(round_), ticket_for(round_)
    login_facilitator(round_)
    page = client.get(f"/staff/rounds/{round_.id}/paper").get_data(as_text=True)
    data = {"token": token_of(page), "paper-code": paper_code, "choice": [str(round_.options[0].id)]}
    refused = client.post(f"/staff/rounds/{round_.id}/paper", data=data)
    assert refused.status_code == 400 and ballot_count(db) == 0
    client.post(f"/staff/councils/{round_.council_id}/desk", data={"code": paper_code})
    assert client.post(f"/staff/rounds/{round_.id}/paper", data=data).status_code == 303
    from app.voting.models import PaperBatch

    batch_id = db.session.scalar(select(PaperBatch.id))
    login_facilitator(round_)  # every paper ballot is confirmed by a second facilitator
    assert client.post(f"/staff/rounds/{round_.id}/paper/{batch_id}/confirm").status_code == 303
    phone = client.application.test_client()
    sign_in(phone, phone_code)
    html = phone.get("/vote").get_data(as_text=True)
    phone.post("/vote", data={"token": token_of(html), "choice": [str(round_.options[1].id)]})
    live = client.get(f"/staff/rounds/{round_.id}/live").get_data(as_text=True)
    numbers = re.findall(r"<dd>(\d+)</dd>", live)
    assert numbers == ["2", "2", "1", "1"]  # ballots, signed in, by phone, on paper
    assert {b.channel for b in db.session.scalars(select(Ballot))} == {"paper", "council"}


def test_four_eyes_on_paper_batches(app, client, login_facilitator, make_round, ticket_for, make_user, db):
    round_ = make_round()  # four eyes always, whatever the round's setting
    code = ticket_for(round_)
    first = login_facilitator(round_)
    client.post(f"/staff/councils/{round_.council_id}/desk", data={"code": code})
    page = client.get(f"/staff/rounds/{round_.id}/paper").get_data(as_text=True)
    client.post(
        f"/staff/rounds/{round_.id}/paper",
        data={"token": token_of(page), "paper-code": code, "choice": [str(round_.options[0].id)]},
    )
    # Until a second facilitator confirms it, the paper ballot waits sealed in the ballot box, held back.
    from app.ballot_box import BoxEntry
    from app.voting.models import PaperBatch

    assert db.session.scalar(select(Ballot)) is None
    [held] = db.session.scalars(select(BoxEntry)).all()
    batch_id = db.session.scalar(select(PaperBatch.id))
    assert held.held_by_batch_id == batch_id
    client.post(f"/staff/rounds/{round_.id}/paper/{batch_id}/confirm")
    db.session.expire_all()
    assert db.session.scalar(select(Ballot)) is None  # the same person cannot confirm their own entry
    login_facilitator(round_)
    client.post(f"/staff/rounds/{round_.id}/paper/{batch_id}/confirm")
    ballot = db.session.scalar(select(Ballot))
    assert ballot.confirmed is True and ballot.paper_batch_id == batch_id and first is not None
    assert db.session.scalar(select(func.count()).select_from(BoxEntry)) == 0


def test_presenter_shows_results_only_after_closing(client, login_facilitator, make_round, ticket_for, db):
    round_ = make_round()
    resident = client.application.test_client()
    sign_in(resident, ticket_for(round_))
    html = resident.get("/vote").get_data(as_text=True)
    resident.post("/vote", data={"token": token_of(html), "choice": [str(round_.options[2].id)]})
    login_facilitator(round_)
    before = client.get(f"/staff/rounds/{round_.id}/present").get_data(as_text=True)
    assert "budget-bar" not in before and "Plan C" not in before
    client.post(f"/staff/rounds/{round_.id}/status/closed", data={"confirm": "y", "confirming": "1"})
    after = client.get(f"/staff/rounds/{round_.id}/present").get_data(as_text=True)
    assert "budget-bar" in after and "Plan C" in after


def test_receipt_check_before_and_after_closing(client, login_as, make_round, ticket_for, db):
    client.set_cookie("lang", "en")
    round_ = make_round()
    sign_in(client, ticket_for(round_))
    html = client.get("/vote").get_data(as_text=True)
    client.post("/vote", data={"token": token_of(html), "choice": [str(round_.options[1].id)]})
    receipt = db.session.scalar(select(Ballot.receipt))
    during = client.post("/receipt", data={"receipt": receipt.lower()}).get_data(as_text=True)
    assert "is in the count" in during and "Plan B" not in during
    login_as(Role.board)
    client.post(f"/staff/rounds/{round_.id}/status/closed", data={"confirm": "y", "confirming": "1"})
    after = client.post("/receipt", data={"receipt": receipt}).get_data(as_text=True)
    assert "Plan B" in after
    assert "cannot find" in client.post("/receipt", data={"receipt": "0000000000"}).get_data(as_text=True)


def test_the_voting_window_is_enforced(client, make_round, ticket_for, db):
    from datetime import timedelta

    from app.types import utcnow

    client.set_cookie("lang", "en")
    round_ = make_round()
    sign_in(client, ticket_for(round_))
    html = client.get("/vote").get_data(as_text=True)
    round_.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.post(
        "/vote", data={"token": token_of(html), "choice": [str(round_.options[0].id)]}, follow_redirects=True
    )
    assert "Voting is closed" in response.get_data(as_text=True)
    assert ballot_count(db) == 0 and not db.session.scalar(select(Ticket)).voted


def test_voter_codes_for_a_district_wide_round(client, login_as, make_round, buurten, db):
    import csv
    import io

    wildeman, _osdorp = buurten
    round_ = make_round(status=RoundStatus.draft, eligibility="codes", council_id=None)
    login_as(Role.board)
    response = client.post(
        f"/staff/rounds/{round_.id}/codes", data={"count": "3", "neighbourhood_id": str(wildeman.id), "output": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3 and {r["buurt"] for r in rows} == {"Wildeman"}
    client.post(f"/staff/rounds/{round_.id}/status/open")
    voter = client.application.test_client()
    sign_in(voter, rows[0]["code"])
    html = voter.get("/vote").get_data(as_text=True)
    assert voter.post("/vote", data={"token": token_of(html), "choice": [str(round_.options[0].id)]}).status_code == 303
    ballot = db.session.scalar(select(Ballot))
    assert ballot.channel == "online" and ballot.round_id == round_.id
    pdf = client.post(f"/staff/rounds/{round_.id}/codes", data={"count": "2", "neighbourhood_id": "0", "output": "pdf"})
    assert pdf.get_data().startswith(b"%PDF")


def test_a_ballot_waiting_in_the_box_is_counted_and_found_by_its_receipt(
    app, client, login_facilitator, make_round, ticket_for, db, monkeypatch
):
    from app.ballot_box import BoxEntry
    from app.voting import services

    monkeypatch.setitem(app.config, "BALLOT_MIX_SIZE", 10)  # the production batch size: one ballot stays in the box
    round_ = make_round()
    resident = app.test_client()
    resident.set_cookie("lang", "en")
    sign_in(resident, ticket_for(round_))
    resident.post(
        "/vote",
        data={"token": token_of(resident.get("/vote").get_data(as_text=True)), "choice": [str(round_.options[1].id)]},
    )
    done = resident.get("/vote/done").get_data(as_text=True)
    receipt = re.search(r'class="receipt" dir="ltr">([0-9A-Z-]+)<', done).group(1)
    assert "Plan B" in done
    assert ballot_count(db) == 0 and db.session.scalar(select(func.count()).select_from(BoxEntry)) == 1
    assert services.turnout(db.session.get(type(round_), round_.id)).ballots == 1
    checked = resident.post("/receipt", data={"receipt": receipt}).get_data(as_text=True)
    assert "in the ballot box of Jeugdbudget and will be counted" in checked
    login_facilitator(round_)
    client.post(f"/staff/rounds/{round_.id}/status/closed", data={"confirm": "y", "confirming": "1"})
    db.session.expire_all()
    assert ballot_count(db) == 1 and db.session.scalar(select(func.count()).select_from(BoxEntry)) == 0
    assert "in the count of Jeugdbudget" in resident.post("/receipt", data={"receipt": receipt}).get_data(as_text=True)


def test_ballot_receipt_and_welcome_pages_are_never_cached(client, make_round, ticket_for):
    round_ = make_round()
    sign_in(client, ticket_for(round_))
    assert client.get("/t/welcome").headers["Cache-Control"] == "no-store"
    page = client.get("/vote")
    assert page.headers["Cache-Control"] == "no-store"
    client.post("/vote", data={"token": token_of(page.get_data(as_text=True)), "choice": [str(round_.options[0].id)]})
    assert client.get("/vote/done").headers["Cache-Control"] == "no-store"
    assert client.get("/receipt").headers["Cache-Control"] == "no-store"


def test_voter_codes_issued_on_29_february_expire_a_year_later(client, login_as, make_round, db, monkeypatch):
    """Without a closing time, voter codes last a year; from 29 February that is 28 February."""
    from app.voting import services

    leap_day = datetime(2028, 2, 29, 10, 0, tzinfo=UTC)
    monkeypatch.setattr(services, "utcnow", lambda: leap_day)
    round_ = make_round(status=RoundStatus.draft, eligibility="codes", council_id=None)
    round_.closes_at = None
    db.session.commit()
    login_as(Role.board)
    response = client.post(
        f"/staff/rounds/{round_.id}/codes", data={"count": "2", "neighbourhood_id": "0", "output": "csv"}
    )
    assert response.status_code == 200
    expiries = db.session.scalars(select(Ticket.expires_at).where(Ticket.round_id == round_.id)).all()
    assert expiries == [datetime(2029, 2, 28, 10, 0, tzinfo=UTC)] * 2
