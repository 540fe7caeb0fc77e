"""The secret-ballot migration carries an existing installation over.

A database is built at the previous revision (5029be1528b6) the way the old code wrote it:
every ballot in its own transaction together with its ticket's update and its form
submission (plaintext receipt, rowid table), sign-in times to the microsecond, profiles and
contact details inserted together, desk sign-ins audit-logged with the ticket, a paper batch,
one round closed and one still open. Then `db upgrade`: the ballots, receipts and batches are
all there, the closed round counts to the outcome computed by hand below, and the old
linking traces are gone."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.conftest import BACKEND

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
PREVIOUS = "5029be1528b6"
BALLOTS = 40  # in the closed round: 18 for A, 13 for B, 9 for C (in a shuffled order of casting)


def _exec(connection, sql: str, **params):
    return connection.execute(text(sql), params)


def _old_installation(app) -> dict:
    """Rows as the old code wrote them, with raw SQL against the old schema."""
    now = datetime(2026, 11, 30, 19, 7, 13, 123456)
    cast_order: list[str] = []
    with db.engine.connect() as c:
        with c.begin():
            _exec(
                c,
                'INSERT INTO "user" (id, email, name, password_hash, active, session_version, created_at) '
                "VALUES (1, 'f@x.example', 'Fac', 'x', :t, 1, :now)",
                t=True,
                now=now,
            )
            _exec(
                c,
                "INSERT INTO council (id, title, venue, address, starts_at, ends_at, languages, domains, capacity, description, status, "
                "outcome_summary, outcome_decisions, created_at) VALUES (1, 'Avond', 'Tagerijn', '', :now, :end, '[\"nl\"]', "
                "'[\"youth\"]', 100, '', 'open', '', '{}', :now)",
                now=now,
                end=now + timedelta(hours=3),
            )
            for rid, status in ((1, "closed"), (2, "open")):
                _exec(
                    c,
                    "INSERT INTO budget_round (id, name, description, budget_cents, ballot_type, rule, eligibility, council_id, "
                    "split_mode, paper_four_eyes, status, created_at) VALUES (:id, :name, '', 10000, 'approval', 'greedy', "
                    "'council', 1, 'none', :f, :status, :now)",
                    id=rid,
                    name=f"Ronde {rid}",
                    f=False,
                    status=status,
                    now=now,
                )
            for pid, (title, cost) in enumerate((("A", 5000), ("B", 4000), ("C", 3000)), start=1):
                for rid in (1, 2):
                    proposal_id = pid + 10 * rid
                    _exec(
                        c,
                        "INSERT INTO proposal (id, title, summary, description, language, domain, origin, origin_detail, backers_count, "
                        "status, public_reason, internal_note, review_comment, created_at, updated_at) VALUES (:id, :t, :t, '', 'nl', "
                        "'youth', 'alliance', '', 0, 'on_ballot', '', '', '', :now, :now)",
                        id=proposal_id,
                        t=f"{title}{rid}",
                        now=now,
                    )
                    _exec(
                        c,
                        "INSERT INTO round_option (id, round_id, proposal_id, cost_cents, position) VALUES (:id, :r, :p, :cost, :pos)",
                        id=proposal_id,
                        r=rid,
                        p=proposal_id,
                        cost=cost,
                        pos=pid,
                    )
            _exec(
                c,
                "INSERT INTO paper_batch (id, round_id, entered_by_id, confirmed_by_id, created_at, confirmed_at) "
                "VALUES (1, 1, 1, NULL, :now, NULL)",
                now=now,
            )
            for index in range(60):
                _exec(
                    c,
                    "INSERT INTO ticket (id, code_hash, council_id, created_at, expires_at, signed_in_at, sign_in_channel, voted) "
                    "VALUES (:id, :h, 1, :now, :exp, :signed, :ch, :f)",
                    id=index + 1,
                    h=f"{index:064d}",
                    now=now,
                    exp=now + timedelta(days=1),
                    signed=now + timedelta(seconds=7 * index, microseconds=index),
                    ch="desk" if index % 10 == 0 else "phone",
                    f=False,
                )
            for index in range(0, 60, 10):
                _exec(
                    c,
                    "INSERT INTO audit_event (actor_id, action, object_type, object_id, detail, created_at) "
                    "VALUES (1, 'ticket.desk_sign_in', 'ticket', :id, '{}', :at)",
                    id=str(index + 1),
                    at=now + timedelta(seconds=7 * index),
                )
            for index in range(20):  # the welcome step: profile and contact in one transaction, in sign-in order
                _exec(
                    c,
                    "INSERT INTO attendance_profile (council_id, neighbourhood_id, age_band) VALUES (1, NULL, :band)",
                    band=["16_20", "21_26", "27_65"][index % 3],
                )
                _exec(
                    c,
                    "INSERT INTO outcome_subscriber (council_id, first_name, email, locale, consented_at) "
                    "VALUES (1, :name, :mail, 'nl', :at)",
                    name=f"Naam{index}",
                    mail=f"n{index}@example.org",
                    at=now + timedelta(seconds=7 * index, microseconds=3),
                )
        choices = [11] * 18 + [12] * 13 + [13] * 9 + [21, 22] * 5  # 40 in round 1, 10 in round 2
        random.Random(3).shuffle(choices)
        for index, option in enumerate(choices):  # one transaction per vote, as the old cast did
            rid = 1 if option < 20 else 2
            receipt = f"R{index:09d}"
            with c.begin():
                _exec(c, "UPDATE ticket SET voted = :t WHERE id = :id", t=True, id=index + 1)
                _exec(
                    c,
                    "INSERT INTO ballot (id, round_id, channel, choices, receipt, cast_on, paper_batch_id, confirmed) "
                    "VALUES (:id, :r, :ch, :choices, :receipt, :day, :batch, :conf)",
                    id=f"{random.Random(index).getrandbits(128):032x}",
                    r=rid,
                    ch="paper" if index % 10 == 0 else "council",
                    choices=json.dumps([option]),
                    receipt=receipt,
                    day=now.date(),
                    batch=1 if index % 10 == 0 else None,
                    conf=True,
                )
                _exec(
                    c,
                    "INSERT INTO ballot_submission (token_hash, receipt) VALUES (:h, :receipt)",
                    h=f"{index:064x}",
                    receipt=receipt,
                )
            cast_order.append(receipt)
    return {"cast_order": cast_order}


def _ballots(connection) -> set[tuple]:
    return {
        tuple(row)
        for row in _exec(
            connection,
            "SELECT round_id, sub_budget_id, channel, choices, receipt, cast_on, paper_batch_id, confirmed FROM ballot",
        )
    }


def _hits(observed: list[str], truth: list[str]) -> int:
    order = [r for r in truth if r in set(observed)]
    return sum(1 for a, b in zip(observed, order) if a == b)


def test_an_old_installation_upgrades_counts_the_same_and_loses_its_traces(database_factory):
    url = database_factory("migrate")
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=PREVIOUS)
        old = _old_installation(app)
        with db.engine.connect() as c:
            before = _ballots(c)
            if BACKEND == "postgresql":
                assert (
                    _exec(c, "SELECT count(*) FROM ticket t JOIN ballot b ON t.xmin::text = b.xmin::text").scalar()
                    == 50
                )
        db.engine.dispose()
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as c:
            assert _ballots(c) == before and len(before) == 50  # every ballot, receipt, choice and batch carried over
            assert _exec(c, "SELECT count(*) FROM paper_batch").scalar() == 1
            assert {r for (r,) in _exec(c, "SELECT publication FROM budget_round")} == {"receipts"}
            assert _exec(c, "SELECT count(*) FROM ballot_submission").scalar() == 0
            signed = [v for (v,) in _exec(c, "SELECT signed_in_at FROM ticket")]
            consented = [v for (v,) in _exec(c, "SELECT consented_at FROM outcome_subscriber")]
            audit = _exec(c, "SELECT action, object_type, object_id, created_at FROM audit_event").all()
            if BACKEND == "postgresql":
                # The upgrade rewrote every ballot in one transaction: a ticket's xmin now matches no ballot, or all 50 alike.
                joined = _exec(
                    c,
                    "SELECT t.id, count(b.id) FROM ticket t LEFT JOIN ballot b ON t.xmin::text = b.xmin::text "
                    "GROUP BY t.id",
                ).all()
                assert len(joined) == 60 and {n for _t, n in joined} <= {0, 50}
                assert _exec(c, "SELECT count(DISTINCT xmin::text) FROM ballot").scalar() == 1
                by_heap = [r for (r,) in _exec(c, "SELECT receipt FROM ballot ORDER BY ctid")]
                assert _hits(by_heap, old["cast_order"]) <= 8
    parse = lambda v: datetime.fromisoformat(v) if isinstance(v, str) else v  # noqa: E731
    assert all(parse(v).minute == parse(v).second == parse(v).microsecond == 0 for v in signed)
    assert all((parse(v).hour, parse(v).minute, parse(v).microsecond) == (0, 0, 0) for v in consented)
    assert not [row for row in audit if row.object_type == "ticket"]
    assert [(row.action, row.object_type, row.object_id) for row in audit] == [
        ("council.desk_sign_in", "council", "1")
    ] * 6
    assert all(parse(row.created_at).minute == 0 for row in audit)

    if BACKEND == "sqlite":
        path = Path(make_url(url).database)
        wal = Path(str(path) + "-wal")
        log = wal.read_bytes() if wal.exists() else b""
        assert not [
            r for r in old["cast_order"] if r.encode() in log
        ]  # checkpointed: only alembic's version row is left
        import sqlite3

        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA freelist_count").fetchone()[0] == 0  # VACUUM: no old pages left
            tables = dict(raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())
            for table in ("ballot", "ballot_submission", "attendance_profile", "ballot_box"):
                assert "WITHOUT ROWID" in tables[table].upper(), table
        data = path.read_bytes()
        by_page = [r for _offset, r in sorted((data.find(r.encode()), r) for r in old["cast_order"])]
        assert _hits(by_page, old["cast_order"]) <= 8
        assert (
            b"Naam0" in data
        )  # contact details stay (the purge deletes them later), without their old order of profiles

    # The closed round counts, after the upgrade, to the outcome computed by hand: greedy with a
    # budget of 100 funds A (18 votes, 50) and B (13 votes, 40); C (9 votes, 30) no longer fits.
    with app.test_request_context():
        from app.voting.models import BudgetRound
        from app.voting.results import round_results

        [part] = round_results(db.session.get(BudgetRound, 1))
        assert {p.option.proposal.title: (p.support, p.funded) for p in part.projects} == {
            "A1": (18, True),
            "B1": (13, True),
            "C1": (9, False),
        }
        assert part.ballots == BALLOTS
        db.session.remove()
    with app.app_context():
        db.engine.dispose()
