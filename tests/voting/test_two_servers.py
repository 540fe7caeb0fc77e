"""No guarantee rests on one process's memory: two app servers (gunicorn, two workers each,
the project's gunicorn.conf.py) on one database. Fifty copies of one resident's ballot form
sent at once to both servers make one ballot; thirty residents voting at once through both
servers all end up in the ballot table after closing, in batches of at least ten, each once."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pyotp
import pytest
from sqlalchemy import text

from app.auth import two_step
from app.auth.services import create_user
from app.councils import services as council_services
from app.councils.models import Council, CouncilStatus
from app.demo import DEMO_TOTP_SECRET
from app.extensions import db
from app.proposals.lifecycle import Status
from app.proposals.models import CostLine, Proposal
from app.roles import Role
from app.types import utcnow
from app.voting import services
from config import TestingConfig
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    def __init__(self):
        self.cookies: dict[str, str] = {}

    def call(self, port: int, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read().decode(errors="replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _eq, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        connection.close()
        return response.status, response.getheader("Location"), payload


def _hidden(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture(scope="module")
def two_servers(database_factory, tmp_path_factory):
    url = database_factory("twoservers")
    app = make_app(url, BALLOT_MIX_SIZE=10)
    with app.test_request_context():
        board = create_user("board-two@wijkstem.example", "Board", "x" * 12, [Role.board, Role.facilitator])
        two_step.enrol_with_known_secret(board, DEMO_TOTP_SECRET)  # the board signs in with two steps (issue 16)
        start = utcnow() - timedelta(minutes=5)
        council = Council(
            title="Twee",
            venue="Hal",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            languages=["nl"],
            domains=["youth"],
            status=CouncilStatus.open,
            facilitators=[board],
        )
        db.session.add(council)
        db.session.flush()
        round_ = services.save_round(
            None,
            {
                "name": "Twee servers",
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
        codes = [code for _t, code in council_services.generate_tickets(council, 31, board)]
        db.session.commit()
        info = {
            "round_id": round_.id,
            "council_id": council.id,
            "codes": codes,
            "options": [o.id for o in round_.options],
        }
    workdir = tmp_path_factory.mktemp("servers")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WIJKSTEM_")},
        "WIJKSTEM_CONFIG": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": TestingConfig.SECRET_KEY,
        "WIJKSTEM_INSTANCE_DIR": str(workdir),
        "RATELIMIT_STORAGE_URI": "memory://",
        "BALLOT_MIX_SIZE": "10",
        "GUNICORN_THREADS": "8",
    }
    ports, processes = [_free_port(), _free_port()], []
    for port in ports:
        log = open(workdir / f"gunicorn-{port}.log", "wb")
        processes.append(
            subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "--config",
                    str(ROOT / "gunicorn.conf.py"),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        for port in ports:
            deadline = time.monotonic() + 40
            while True:
                try:
                    if Browser().call(port, "GET", "/")[0] == 200:
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
        yield app, info, ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def _signed_in(port: int, code: str) -> tuple[Browser, dict]:
    browser = Browser()
    assert browser.call(port, "GET", f"/t/{code}")[0] == 303
    _status, _location, html = browser.call(port, "GET", "/vote")
    return browser, {"csrf_token": _hidden(html, "csrf_token"), "token": _hidden(html, "token")}


def _at_once(jobs):
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index):
        barrier.wait()
        results[index] = jobs[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _count(app, sql: str, **params) -> int:
    with app.app_context():
        value = db.session.execute(text(sql), params).scalar()
        db.session.rollback()
        return value


def test_fifty_copies_of_one_form_across_two_servers_make_one_ballot(two_servers):
    app, info, ports = two_servers
    browser, form = _signed_in(ports[0], info["codes"][0])
    form["choice"] = [str(info["options"][0])]
    cookie = dict(browser.cookies)

    def post(index):
        clone = Browser()
        clone.cookies = dict(cookie)
        status, location, _html = clone.call(ports[index % 2], "POST", "/vote", form)
        receipt = None
        if location == "/vote/done":
            receipt = re.search(
                r'class="receipt" dir="ltr">([^<]+)<', clone.call(ports[(index + 1) % 2], "GET", "/vote/done")[2]
            ).group(1)
        return status, location, receipt

    results = _at_once([lambda i=i: post(i) for i in range(50)])
    assert all(status == 303 and location == "/vote/done" for status, location, _r in results), results
    assert len({receipt for _s, _l, receipt in results}) == 1
    cast = _count(app, "SELECT count(*) FROM ballot WHERE round_id = :r", r=info["round_id"]) + _count(
        app, "SELECT count(*) FROM ballot_box WHERE kind = 'ballot' AND scope_id = :r", r=info["round_id"]
    )
    assert cast == 1


def test_thirty_residents_through_two_servers_are_mixed_and_all_counted(two_servers):
    app, info, ports = two_servers
    residents = [_signed_in(ports[i % 2], code) for i, code in enumerate(info["codes"][1:31])]

    def vote(index):
        browser, form = residents[index]
        status, location, _html = browser.call(
            ports[(index + 1) % 2], "POST", "/vote", {**form, "choice": [str(info["options"][index % 2])]}
        )
        html = browser.call(ports[index % 2], "GET", "/vote/done")[2]
        return re.search(r'class="receipt" dir="ltr">([^<]+)<', html).group(1).replace("-", "")

    receipts = _at_once([lambda i=i: vote(i) for i in range(30)])
    assert len(set(receipts)) == 30
    board = Browser()
    html = board.call(ports[1], "GET", "/login")[2]
    board.call(
        ports[1],
        "POST",
        "/login",
        {"csrf_token": _hidden(html, "csrf_token"), "email": "board-two@wijkstem.example", "password": "x" * 12},
    )
    code_page = board.call(ports[1], "GET", "/login/code")[2]
    board.call(
        ports[1],
        "POST",
        "/login/code",
        {"csrf_token": _hidden(code_page, "csrf_token"), "code": pyotp.TOTP(DEMO_TOTP_SECRET).now()},
    )
    manage = board.call(ports[1], "GET", f"/staff/rounds/{info['round_id']}")[2]
    assert (
        board.call(
            ports[1],
            "POST",
            f"/staff/rounds/{info['round_id']}/status/closed",
            {"csrf_token": _hidden(manage, "csrf_token"), "confirm": "y", "confirming": "1"},
        )[0]
        == 303
    )
    with app.app_context():
        stored = [
            r
            for (r,) in db.session.execute(
                text("SELECT receipt FROM ballot WHERE round_id = :r"), {"r": info["round_id"]}
            )
        ]
        boxed = db.session.execute(text("SELECT count(*) FROM ballot_box")).scalar()
        db.session.rollback()
    assert boxed == 0 and set(receipts) <= set(stored)
    assert len(stored) == 31 and len(set(stored)) == 31  # the 30 and the first test's ballot, each once
