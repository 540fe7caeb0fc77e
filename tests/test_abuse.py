"""Abuse: code guessing, forged forms, SQL in query parameters, script in every user-written
council and round field.

Covered elsewhere, not repeated here:
- 300 sign-ins from one address (a venue) all succeed:
  tests/councils/test_routes.py::test_three_hundred_sign_ins_from_one_address_all_succeed
- rules changed after a round opened are refused (409):
  tests/voting/test_ballot_routes.py::test_rules_are_frozen_once_open
- script in every proposal field: tests/proposals/test_xss.py
- rate-limit storage shared by workers (Redis) or not (memory): tests/test_ratelimit_redis.py
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import time
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from werkzeug.exceptions import TooManyRequests
from werkzeug.test import EnvironBuilder

from app.councils.codes import new_ticket_code
from app.councils.models import Council, CouncilStatus
from app.places.models import Neighbourhood
from app.roles import Role
from app.types import utcnow
from app.voting.models import RoundStatus
from tests.conftest import make_app
from tests.support.xss import PAYLOADS, assert_inert
from tests.voting.conftest import make_round, ticket_for  # noqa: F401  (fixtures of the voting tests)

GUESSES = 10_000
FULL_STACK_GUESSES = 100  # through the test client, error pages and all; the rest in a cheaper loop
ATTACKER, NEIGHBOUR = "198.51.100.66", "198.51.100.77"


# --- guessing ticket codes ---------------------------------------------------------------
def _guess_cheaply(app, environ: dict, code: str):
    """One guess through the real limiter and the real view, without rendering the 429 page:
    returns "throttled", or the response of the view after the limiter's after-request
    bookkeeping (which is where failed guesses are counted)."""
    with app.request_context({**environ, "PATH_INFO": f"/t/{code}"}):
        try:
            result = app.preprocess_request() or app.dispatch_request()
        except TooManyRequests:
            return "throttled"
        return app.finalize_request(result)


def test_ten_thousand_guesses_from_one_address_hit_nothing_and_are_throttled_early(
    app, client, db, test_context, monkeypatch
):
    from app.councils import services

    # Real tickets exist (a council with 300, open), so a lucky guess could really sign in.
    start = utcnow() + timedelta(minutes=30)
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
    db.session.commit()
    with test_context():
        real = {code for _t, code in services.generate_tickets(db.session.get(Council, council.id), 300, None)}
        db.session.commit()
    lookups = []
    original_find = services.find_ticket
    monkeypatch.setattr(services, "find_ticket", lambda code: lookups.append(code) or original_find(code))

    guesses = [new_ticket_code() for _ in range(GUESSES)]
    assert not real & set(guesses)  # 45-bit codes: a collision here would be a broken generator
    statuses = [
        client.get(f"/t/{code}", environ_base={"REMOTE_ADDR": ATTACKER}) for code in guesses[:FULL_STACK_GUESSES]
    ]
    codes = [r.status_code for r in statuses]
    assert all(r.headers.get("Location") != "/t/welcome" for r in statuses), "a guess signed in"
    first_refusal = codes.index(429)
    assert first_refusal <= 40, f"first 429 only after {first_refusal} guesses"
    assert set(codes[:first_refusal]) == {303} and set(codes[first_refusal:]) == {429}
    assert "Retry-After" in statuses[-1].headers

    environ = EnvironBuilder(path="/t/", environ_base={"REMOTE_ADDR": ATTACKER}).get_environ()
    started = time.monotonic()
    outcomes = [_guess_cheaply(app, environ, code) for code in guesses[FULL_STACK_GUESSES:]]
    minutes = math.ceil((time.monotonic() - started) / 60) + 1  # each minute the loop spans allows 40 again
    hits = [o for o in outcomes if o != "throttled" and o.headers.get("Location") == "/t/welcome"]
    # Every guess is looked up (a valid code always signs in, so that nobody's wrong codes
    # keep residents behind the same address out: tests/councils/test_throttling.py), and
    # every wrong one past the allowance of a minute is refused.
    assert hits == [] and outcomes.count("throttled") >= GUESSES - FULL_STACK_GUESSES - 40 * minutes
    assert len(lookups) == GUESSES

    # Residents elsewhere still get in (and a new code is not blocked by its own limit).
    neighbour = app.test_client()
    response = neighbour.get(f"/t/{sorted(real)[0]}", environ_base={"REMOTE_ADDR": NEIGHBOUR})
    assert response.status_code == 303 and response.headers["Location"] == "/t/welcome"


# --- forged forms (CSRF) -----------------------------------------------------------------
@pytest.fixture(scope="module")
def csrf_app():
    return make_app("sqlite://", WTF_CSRF_ENABLED=True)


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize(
    "url, data",
    [
        ("/t", {"code": "K7F93QP2M"}),
        ("/login", {"email": "board@wijkstem.example", "password": "x"}),
        ("/vote", {"token": "t", "choice": ["1"]}),
        ("/receipt", {"receipt": "ABCDE12345"}),
    ],
)
def test_forms_without_a_csrf_token_are_refused(csrf_app, url, data):
    response = csrf_app.test_client().post(url, data=data)
    assert response.status_code == 400


def test_a_token_from_another_session_or_a_foreign_origin_is_refused(csrf_app):
    attacker, victim = csrf_app.test_client(), csrf_app.test_client()
    foreign_token = _csrf_token(attacker.get("/t").get_data(as_text=True))
    victim.get("/t")
    assert victim.post("/t", data={"code": "K7F93QP2M", "csrf_token": foreign_token}).status_code == 400
    assert victim.post("/t", data={"code": "K7F93QP2M", "csrf_token": "forged"}).status_code == 400

    # Over HTTPS Flask-WTF also checks the Referer: a page on another site cannot post,
    # even with a token it somehow obtained; the same form from our own page goes through.
    https = csrf_app.test_client()
    token = _csrf_token(https.get("/t", base_url="https://wijkstem.example").get_data(as_text=True))
    form = {"code": "K7F93QP2M", "csrf_token": token}
    foreign = https.post(
        "/t", data=form, base_url="https://wijkstem.example", headers={"Referer": "https://evil.example/x"}
    )
    assert foreign.status_code == 400
    assert https.post("/t", data=form, base_url="https://wijkstem.example").status_code == 400  # no Referer at all
    own = https.post(
        "/t", data=form, base_url="https://wijkstem.example", headers={"Referer": "https://wijkstem.example/t"}
    )
    assert own.status_code == 303  # accepted (an unknown code: back to the code page)


# --- SQL in filter, sort and paging parameters ----------------------------------------------
SQL_INJECTIONS = [
    ("/proposals", "domain=youth' OR pg_sleep(5)--"),
    ("/proposals", "domain=youth%27%3B%20SELECT%20pg_sleep(5)%3B--"),
    ("/proposals", "status=approved' OR '1'='1"),
    ("/proposals", "buurt=1 OR 1=1"),
    ("/proposals", "buurt=1;SELECT pg_sleep(5)"),
    ("/proposals", "page=-1"),
    ("/proposals", "size=7"),
    ("/proposals.json", "domain=youth' AND (SELECT 1 FROM pg_sleep(5))=1--"),
    ("/staff/review", "status=submitted' OR 1=1--"),
    ("/staff/allowances/claims", "status=paid' OR pg_sleep(5)--"),
    ("/proposals", "size=1;DROP TABLE proposal"),
    ("/proposals", "page=1 OR 1=1"),
    ("/proposals.json", "size=10;DROP TABLE ballot"),
    ("/staff/audit", "page=1;DELETE FROM audit_event"),
]


@pytest.mark.parametrize("path, query", SQL_INJECTIONS)
def test_sql_in_query_parameters_is_a_fast_400(client, login_as, path, query):
    login_as(Role.reviewer, Role.treasurer, Role.admin)
    started = time.monotonic()
    response = client.get(f"{path}?{query}")
    assert time.monotonic() - started < 1.0  # no pg_sleep ran
    assert response.status_code == 400


def test_free_text_search_is_a_parameter_not_sql(client, login_as, db):
    started = time.monotonic()
    response = client.get("/proposals?q=' OR 1=1; SELECT pg_sleep(5)--")
    assert response.status_code == 200 and time.monotonic() - started < 1.0


# --- script in council fields -------------------------------------------------------------
def _csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";") for cell in row]


def _assert_cells_neutralised(cells: list[str]) -> None:
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@")), f"CSV cell would run as a formula: {cell!r}"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_council_fields_render_inert(client, login_as, db, payload):
    buurt = Neighbourhood(name=payload[:100], is_focus=True)
    start = utcnow() + timedelta(days=2)
    council = Council(
        title=payload[:160],
        venue=payload[:160],
        address=payload[:200],
        description=payload,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        languages=["nl", "ar"],
        domains=["youth"],
        outcome_summary=payload,
        outcome_decisions={"youth": payload, "safety": payload},
    )
    db.session.add_all([buurt, council])
    db.session.commit()
    council.status = CouncilStatus.outcomes_published  # its outcomes are public (and the council still upcoming)
    db.session.commit()

    for url in ("/", "/councils", f"/councils/{council.id}", f"/councils/{council.id}/outcomes"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True), payload)
    facilitator = login_as(Role.facilitator, Role.admin)
    council.facilitators.append(facilitator)  # the council's own facilitator
    db.session.commit()
    for url in (
        "/staff/councils",
        f"/staff/councils/{council.id}",
        f"/staff/councils/{council.id}/edit",
        f"/staff/councils/{council.id}/outcomes",
        "/staff/audit",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True), payload)
    tickets = client.post(
        f"/staff/councils/{council.id}/tickets", data={"count": "3", "neighbourhood_id": str(buurt.id), "output": "csv"}
    )
    assert tickets.status_code == 200 and tickets.mimetype == "text/csv"
    cells = _csv_cells(tickets.get_data())
    _assert_cells_neutralised(cells)
    assert any(cell.endswith(payload[:100]) for cell in cells), cells  # the buurt is there, as text


# --- script in round fields -----------------------------------------------------------------
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_round_fields_render_inert(
    app, client, login_as, make_round, ticket_for, db, test_context, payload
):
    from app.voting import services
    from app.voting.results import round_results

    round_ = make_round(name=payload[:160], description=payload)
    resident = app.test_client()
    assert resident.get(f"/t/{ticket_for(round_)}").status_code == 303
    for url in ("/", "/vote", f"/rounds/{round_.id}"):
        response = resident.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True), payload)
    board = login_as(Role.board, Role.facilitator)
    with test_context():
        services.close_round(round_, board)
        services.approve_results(round_, round_results(round_), board)
        db.session.commit()
    assert round_.status == RoundStatus.results_published
    for url in (
        f"/rounds/{round_.id}",
        f"/rounds/{round_.id}/results",
        "/staff/rounds",
        f"/staff/rounds/{round_.id}",
        f"/staff/rounds/{round_.id}/live",
        f"/staff/rounds/{round_.id}/present",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True), payload)

    exported = client.get(f"/rounds/{round_.id}/results.json")
    assert exported.mimetype == "application/json" and exported.headers["X-Content-Type-Options"] == "nosniff"
    assert json.loads(exported.get_data())["round"]["name"] == payload[:160]  # data, not markup
    _assert_cells_neutralised(_csv_cells(client.get(f"/rounds/{round_.id}/results.csv").get_data()))
    workbook = load_workbook(io.BytesIO(client.get(f"/rounds/{round_.id}/results.xlsx").get_data()))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.value for c in cells if c.data_type == "f"], "a text cell became a formula"
    assert any(c.value in (payload[:160], "'" + payload[:160]) for c in cells)
