"""The council evening as one flow for the facilitator (issue 14): the evening page with its
checklist, the vote set up inside a budget the board prepared, one action that starts
council and vote, the desk page (sign in and paper ballot in one step, live counts, the
four-eyes check that shows each ballot's choices), closing with counts and confirmation,
and the printable paper ballot."""

import re
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.councils.models import Council, CouncilStatus, Ticket
from app.roles import Role
from app.types import utcnow
from app.voting.models import BudgetRound, RoundStatus
from tests.voting.conftest import approved_proposal
from tests.voting.test_ballot_routes import sign_in, token_of


def csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


@pytest.fixture
def setting(app, db, make_user, test_context):
    """A council tonight without a vote, a budget the board prepared (approval, 60k), and
    three approved plans."""
    from app.voting import services

    board = make_user(Role.board)
    start = utcnow() - timedelta(minutes=10)
    council = Council(
        title="Bewonersberaad De Aker",
        venue="Tagerijn",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        languages=["nl", "ar"],
        domains=["youth"],
    )
    db.session.add(council)
    with test_context():
        envelope = services.save_round(
            None,
            {
                "name": "Avondbudget",
                "budget_cents": 60_000_00,
                "ballot_type": "approval",
                "rule": "greedy",
                "eligibility": "council",
                "paper_four_eyes": True,
            },
            board,
        )
        plans = [
            approved_proposal(db, f"Plan {letter}", cost)
            for letter, cost in (("A", 40_000_00), ("B", 30_000_00), ("C", 20_000_00))
        ]
        db.session.commit()
    return {"council_id": council.id, "round_id": envelope.id, "plan_ids": [p.id for p in plans]}


@pytest.fixture
def own_facilitator(setting, login_facilitator, db):
    """Sign the test client in as a new facilitator of tonight's council (only they run it)."""
    return lambda: login_facilitator(db.session.get(Council, setting["council_id"]))


def ballots(db, round_id=None):
    """Ballots cast, wherever they are: in the ballot table or still sealed in the box."""
    from app.voting import services

    rounds = [db.session.get(BudgetRound, round_id)] if round_id else db.session.scalars(select(BudgetRound)).all()
    return sum(services.turnout(r).ballots + services.turnout(r).unconfirmed_paper for r in rounds)


def test_from_the_evening_page_to_the_open_vote(client, own_facilitator, setting, db):
    client.set_cookie("lang", "en")
    own_facilitator()
    url = f"/staff/councils/{setting['council_id']}/evening"
    page = client.get(url).get_data(as_text=True)
    assert "○</span>\n    Vote attached" in page and "Avondbudget" in page
    assert client.post(f"{url}/start", data={"csrf_token": csrf(page), "confirm": "1"}).status_code == 303
    assert db.session.get(BudgetRound, setting["round_id"]).status == RoundStatus.draft  # nothing to start yet
    client.post(f"{url}/budget", data={"csrf_token": csrf(page), "round_id": str(setting["round_id"])})
    for plan_id in setting["plan_ids"]:
        client.post(f"{url}/plans", data={"csrf_token": csrf(page), "proposal_id": str(plan_id)})
    page = client.get(url).get_data(as_text=True)
    assert "✓</span>\n    Vote attached" in page and "✓</span>\n    Plans on the ballot" in page
    response = client.post(f"{url}/start", data={"csrf_token": csrf(page), "confirm": "1"})
    assert response.headers["Location"] == f"/staff/rounds/{setting['round_id']}/desk"
    db.session.expire_all()
    assert db.session.get(BudgetRound, setting["round_id"]).status == RoundStatus.open
    assert db.session.get(Council, setting["council_id"]).status == CouncilStatus.open


def test_a_budget_already_used_cannot_be_taken_again(app, client, own_facilitator, setting, db):
    facilitator = own_facilitator()
    url = f"/staff/councils/{setting['council_id']}/evening"
    token = csrf(client.get(url).get_data(as_text=True))
    client.post(f"{url}/budget", data={"csrf_token": token, "round_id": str(setting["round_id"])})
    other = Council(
        title="Ander beraad",
        venue="Elders",
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=2),
        languages=["nl"],
        domains=["youth"],
        facilitators=[facilitator],  # theirs too: the refusal is about the budget, not the council
    )
    db.session.add(other)
    db.session.commit()
    assert (
        client.post(
            f"/staff/councils/{other.id}/evening/budget",
            data={"csrf_token": token, "round_id": str(setting["round_id"])},
        ).status_code
        == 400
    )
    db.session.expire_all()
    assert db.session.get(BudgetRound, setting["round_id"]).council_id == setting["council_id"]


def test_residents_cannot_reach_the_evening_or_the_desk(app, setting, login_as, client):
    visitor = app.test_client()
    assert visitor.get(f"/staff/councils/{setting['council_id']}/evening").status_code in (302, 303, 401)
    login_as(Role.aanjager)
    assert client.get(f"/staff/councils/{setting['council_id']}/evening").status_code == 403


@pytest.fixture
def running(app, client, own_facilitator, setting, db, make_user, test_context):
    """The evening started, with two tickets for paper voters."""
    from app.councils import services as council_services

    own_facilitator()
    url = f"/staff/councils/{setting['council_id']}/evening"
    token = csrf(client.get(url).get_data(as_text=True))
    client.post(f"{url}/budget", data={"csrf_token": token, "round_id": str(setting["round_id"])})
    for plan_id in setting["plan_ids"]:
        client.post(f"{url}/plans", data={"csrf_token": token, "proposal_id": str(plan_id)})
    client.post(f"{url}/start", data={"csrf_token": token, "confirm": "1"})
    with test_context():
        codes = [
            c
            for _t, c in council_services.generate_tickets(
                db.session.get(Council, setting["council_id"]), 3, make_user(Role.facilitator)
            )
        ]
        db.session.commit()
    return setting | {"codes": codes}


def test_the_desk_signs_in_and_enters_a_paper_ballot_in_one_step(app, client, running, db, own_facilitator):
    client.set_cookie("lang", "en")
    desk = f"/staff/rounds/{running['round_id']}/desk"
    round_ = db.session.get(BudgetRound, running["round_id"])
    a, b, c = (o.id for o in round_.options)
    html = client.get(desk).get_data(as_text=True)
    response = client.post(
        desk,
        data={
            "token": token_of(html),
            "csrf_token": csrf(html),
            "paper-code": running["codes"][0],
            "choice": [str(a), str(c)],
        },
    )
    assert response.status_code == 303
    ticket = db.session.scalars(select(Ticket).where(Ticket.sign_in_channel == "desk")).one()
    assert ticket.voted and ballots(db) == 1
    html = client.get(desk).get_data(as_text=True)
    receipt = re.search(r"Write this receipt on the paper: ([0-9A-Z]+)", html).group(1)
    assert '<dd id="count-pending">1</dd>' in html and '<dd id="count-paper">0</dd>' in html
    assert '<dd id="count-pending">1</dd>' in client.get(f"/staff/rounds/{running['round_id']}/live").get_data(
        as_text=True
    )
    # The same person cannot confirm; the listing shows the ballot's choices by receipt.
    assert "A second facilitator must confirm the ballots you entered." in html
    row = re.search(rf"<code>{receipt}</code></th>\s*<td>(.*?)</td>", html, re.S).group(1)
    assert re.findall(r'dir="auto">([^<]+)</span>', row) == ["Plan A", "Plan C"]

    # A wrong choice keeps the code and the ticks and signs nobody in.
    html = client.get(desk).get_data(as_text=True)
    bad = client.post(
        desk,
        data={
            "token": token_of(html),
            "csrf_token": csrf(html),
            "paper-code": running["codes"][1],
            "choice": ["999999"],
        },
    )
    assert bad.status_code == 400 and "error-summary" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.sign_in_channel == "desk")) == 1

    own_facilitator()  # a second facilitator
    html = client.get(desk).get_data(as_text=True)
    row = re.search(rf"<code>{receipt}</code></th>\s*<td>(.*?)</td>", html, re.S).group(1)
    assert re.findall(r'dir="auto">([^<]+)</span>', row) == ["Plan A", "Plan C"]
    action = re.search(r'action="(/staff/rounds/\d+/paper/\d+/confirm\?back=desk)"', html).group(1)
    assert client.post(action, data={"csrf_token": csrf(html)}).headers["Location"] == desk
    html = client.get(desk).get_data(as_text=True)
    assert '<dd id="count-pending">0</dd>' in html and '<dd id="count-paper">1</dd>' in html


def test_closing_shows_the_counts_asks_to_confirm_and_waits_for_paper(app, client, running, db, own_facilitator):
    client.set_cookie("lang", "en")
    round_id = running["round_id"]
    round_ = db.session.get(BudgetRound, round_id)
    phone = app.test_client()
    sign_in(phone, running["codes"][2])
    phone.post(
        "/vote",
        data={"token": token_of(phone.get("/vote").get_data(as_text=True)), "choice": [str(round_.options[0].id)]},
    )
    desk = f"/staff/rounds/{round_id}/desk"
    html = client.get(desk).get_data(as_text=True)
    client.post(
        desk,
        data={
            "token": token_of(html),
            "csrf_token": csrf(html),
            "paper-code": running["codes"][0],
            "choice": [str(round_.options[1].id)],
        },
    )
    page = client.get(f"/staff/rounds/{round_id}/close-evening").get_data(as_text=True)
    assert '<dd id="count-phone">1</dd>' in page and '<dd id="count-pending">1</dd>' in page
    assert "Yes, close the vote" not in page  # paper is waiting
    assert (
        client.post(
            f"/staff/rounds/{round_id}/close-evening", data={"csrf_token": csrf(page), "confirm": "1"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(BudgetRound, round_id).status == RoundStatus.open
    own_facilitator()
    html = client.get(desk).get_data(as_text=True)
    client.post(
        re.search(r'action="(/staff/rounds/\d+/paper/\d+/confirm\?back=desk)"', html).group(1),
        data={"csrf_token": csrf(html)},
    )
    page = client.get(f"/staff/rounds/{round_id}/close-evening").get_data(as_text=True)
    assert (
        '<dd id="count-phone">1</dd>' in page
        and '<dd id="count-paper">1</dd>' in page
        and "Yes, close the vote" in page
    )
    # Looking at the confirmation page never closes anything.
    client.get(f"/staff/rounds/{round_id}/close-evening?confirm=1")
    db.session.expire_all()
    assert db.session.get(BudgetRound, round_id).status == RoundStatus.open
    response = client.post(f"/staff/rounds/{round_id}/close-evening", data={"csrf_token": csrf(page), "confirm": "1"})
    assert response.headers["Location"] == f"/staff/rounds/{round_id}/present"
    db.session.expire_all()
    assert db.session.get(BudgetRound, round_id).status == RoundStatus.closed
    assert db.session.get(Council, running["council_id"]).status == CouncilStatus.closed


def test_the_paper_ballot_in_the_evenings_languages(app, client, running, db, tmp_path):
    client.set_cookie("lang", "en")
    response = client.get(f"/staff/rounds/{running['round_id']}/paper-ballot.pdf")
    assert response.mimetype == "application/pdf"
    path = tmp_path / "ballot.pdf"
    path.write_bytes(response.get_data())
    pages = (
        subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
        .stdout.decode()
        .split("\f")
    )
    dutch, arabic = pages[0], pages[1]
    # The same words as the phone ballot in Dutch: the round's instruction, the plans in ballot order.
    assert "Vink elk plan aan dat je steunt." in dutch
    positions = [dutch.index(f"Plan {letter}") for letter in "ABC"]
    assert positions == sorted(positions) and "Code van je kaartje" in dutch
    assert "€ 40.000,00" in dutch
    import unicodedata

    plain = "".join(ch for ch in unicodedata.normalize("NFKC", arabic) if unicodedata.category(ch) != "Cf")
    assert "رمز البطاقة" in plain and all(f"Plan {letter}" in arabic for letter in "ABC")
    from tests.councils.test_sheets import embedded_glyph_names

    assert (
        len({n for n in embedded_glyph_names(response.get_data()) if re.fullmatch(r"uniFE[7-9A-F][0-9A-F]", n)}) >= 5
    )  # shaped


def test_the_desk_moves_a_ticket_to_another_browser_on_the_same_phone(app, client, running, db):
    code = running["codes"][0]
    in_app_browser, own_browser = app.test_client(), app.test_client()
    sign_in(in_app_browser, code)
    assert own_browser.get(f"/t/{code}").headers["Location"] == "/t"  # refused: in use on another browser
    desk = f"/staff/rounds/{running['round_id']}/desk"
    html = client.get(desk).get_data(as_text=True)
    assert client.post(f"{desk}/release", data={"csrf_token": csrf(html), "code": code}).status_code == 303
    assert in_app_browser.get("/vote").headers["Location"] == "/t"  # the first browser lost it
    sign_in(own_browser, code)
    round_ = db.session.get(BudgetRound, running["round_id"])
    page = own_browser.get("/vote").get_data(as_text=True)
    assert (
        own_browser.post("/vote", data={"token": token_of(page), "choice": [str(round_.options[0].id)]}).status_code
        == 303
    )
    assert ballots(db) == 1
    # A ticket that voted is not released (that would let it vote twice).
    client.post(f"{desk}/release", data={"csrf_token": csrf(html), "code": code})
    db.session.expire_all()
    ticket = db.session.scalars(select(Ticket).where(Ticket.voted.is_(True))).one()
    assert ticket.device_hash is not None and ticket.signed_in_at is not None
