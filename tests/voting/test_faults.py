"""When the database is busy or its connection dies mid-vote, the resident gets a 503 with
Retry-After and the friendly page (never a 500), nothing half-written is kept, and sending
the same ballot form again gives exactly one ballot.

The SQLite tests hold the write lock with a raw connection for longer than a short busy
timeout; they run in both test passes (they make their own SQLite file). The PostgreSQL
tests terminate the request's own backend with pg_terminate_backend at a chosen moment.
The slow faults (kill -9 of gunicorn during a burst) live in bench/faults/."""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from app.councils.models import Ticket
from app.extensions import db
from app.roles import Role
from app.voting.models import Ballot, Submission
from tests.conftest import BACKEND, make_app
from tests.voting.test_concurrency import _open_round_with_ticket

BUSY_TIMEOUT_MS = 200
FRIENDLY_503 = "Your choices are not lost. Please wait a few seconds and send them again."


# --- helpers ---------------------------------------------------------------------------
def _ballot_form(client, code: str, option_id: int) -> dict:
    assert client.get(f"/t/{code}").status_code == 303
    html = client.get("/vote").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    return {"token": token, "choice": [str(option_id)]}


def _receipt(client) -> str:
    page = client.get("/vote/done").get_data(as_text=True)
    return re.search(r'class="receipt" dir="ltr">([^<]+)<', page).group(1)


def _counts(app, round_id: int) -> tuple[int, int]:
    """(ballots in the round, tickets of its council marked as voted)."""
    with app.app_context():
        ballots = db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.round_id == round_id))
        voted = db.session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.voted.is_(True), Ticket.council_id == _council_of(round_id))
        )
        return ballots, voted


def _council_of(round_id: int) -> int:
    from app.voting.models import BudgetRound

    return db.session.get(BudgetRound, round_id).council_id


def _assert_friendly_503(response, started: float) -> None:
    assert response.status_code == 503
    # 5 s from our handler; on rate-limited routes Flask-Limiter raises it to its window's reset (<= 60 s).
    assert response.headers["Retry-After"].isdigit() and 1 <= int(response.headers["Retry-After"]) <= 60
    assert FRIENDLY_503 in response.get_data(as_text=True)
    assert time.monotonic() - started < 5  # the busy timeout, not a hang


# --- SQLite: the write lock held past the busy timeout ---------------------------------
@pytest.fixture
def sqlite_app(tmp_path):
    path = tmp_path / "faults.db"
    app = make_app(f"sqlite:///{path}", SQLITE_BUSY_TIMEOUT_MS=BUSY_TIMEOUT_MS)
    return app, path


@contextmanager
def write_lock(path):
    """Another process (here: a raw connection) holds SQLite's write lock."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_locked_sqlite_gives_503_and_the_resubmitted_form_one_ballot(sqlite_app):
    app, path = sqlite_app
    round_id, code, option_ids = _open_round_with_ticket(app)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = _ballot_form(client, code, option_ids[0])

    with write_lock(path):
        started = time.monotonic()
        refused = client.post("/vote", data=form)
        assert time.monotonic() - started >= BUSY_TIMEOUT_MS / 1000 * 0.9  # it did wait for the lock
    _assert_friendly_503(refused, started)
    assert _counts(app, round_id) == (0, 0)  # nothing half-written

    # The lock is gone: the resident sends the same form again (back button, send).
    again = client.post("/vote", data=form)
    assert again.status_code == 303 and again.headers["Location"] == "/vote/done"
    receipt = _receipt(client)
    replay = client.post("/vote", data=form)  # and once more, as an impatient resident would
    assert replay.headers["Location"] == "/vote/done" and _receipt(client) == receipt
    assert _counts(app, round_id) == (1, 1)


def test_locked_sqlite_during_sign_in_and_on_staff_pages_is_503_not_500(sqlite_app, caplog):
    app, path = sqlite_app
    _round_id, code, _options = _open_round_with_ticket(app)
    resident, staff = app.test_client(), app.test_client()
    with app.app_context():
        from app.auth.services import create_user

        user = create_user("faults-staff@wijkstem.example", "Staff", "x" * 12, [Role.board])
        db.session.commit()
        session_id = user.get_id()
    with staff.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_id, True

    with write_lock(path), caplog.at_level("ERROR", logger="wijkstem"):
        started = time.monotonic()
        _assert_friendly_503(resident.get(f"/t/{code}", headers={"Accept-Language": "en"}), started)
        # A staff page needs the database to load the user even for its error page: plain text then.
        page = staff.get("/staff/rounds", headers={"Accept-Language": "en"})
        assert page.status_code == 503 and page.headers["Retry-After"] and FRIENDLY_503 in page.get_data(as_text=True)
    assert not [r for r in caplog.records if r.levelname == "ERROR"], "a busy database is not a 500"
    assert resident.get(f"/t/{code}").status_code == 303  # and afterwards all is well


def test_other_database_errors_stay_500(sqlite_app):
    """Only busy/disconnected is a 503; a real bug must still show up as one."""
    from sqlalchemy import text

    app, _path = sqlite_app

    @app.route("/_broken")
    def broken():
        db.session.execute(text("SELECT * FROM no_such_table"))

    assert app.test_client().get("/_broken").status_code == 500


# --- PostgreSQL: the backend is terminated during a vote --------------------------------
needs_postgres = pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="terminating a backend needs PostgreSQL: run with WIJKSTEM_TEST_DATABASE=postgresql",
)


@pytest.fixture(scope="module")
def pg_app(database_factory):
    return make_app(database_factory("faults"))


def _terminate(admin_dsn: str, pid: int) -> None:
    import psycopg

    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):  # the signal is asynchronous: wait until the backend is gone
            if admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone() is None:
                return
            time.sleep(0.02)
    raise AssertionError(f"backend {pid} did not terminate")


@contextmanager
def terminate_backend_at(app, moment: str):
    """Terminate the request's own backend just before the ticket is claimed ("claim") or
    just before COMMIT ("commit"), once."""
    with app.app_context():
        engine = db.engine
    admin_dsn = (
        make_url(str(engine.url.render_as_string(hide_password=False)))
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )
    fired = []

    def before_execute(conn, cursor, statement, *_args):
        if not fired and statement.lstrip().upper().startswith("UPDATE TICKET SET VOTED"):
            fired.append(statement)
            _terminate(admin_dsn, cursor.connection.info.backend_pid)

    def before_commit(conn):
        if not fired and conn.info.get("cast"):
            fired.append("COMMIT")
            _terminate(admin_dsn, conn.connection.dbapi_connection.info.backend_pid)

    def mark_cast(conn, cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO BALLOT"):
            conn.info["cast"] = True

    listeners = (
        [("before_cursor_execute", before_execute)]
        if moment == "claim"
        else [("before_cursor_execute", mark_cast), ("commit", before_commit)]
    )
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield fired
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


@needs_postgres
@pytest.mark.parametrize("moment", ["claim", "commit"])
def test_terminated_backend_during_a_vote_is_a_clean_503_and_never_a_duplicate(pg_app, moment, caplog):
    round_id, code, option_ids = _open_round_with_ticket(pg_app)
    client = pg_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = _ballot_form(client, code, option_ids[1])

    with terminate_backend_at(pg_app, moment) as fired, caplog.at_level("ERROR", logger="wijkstem"):
        started = time.monotonic()
        response = client.post("/vote", data=form)
    assert fired, "the backend was not terminated: the test did not test anything"
    _assert_friendly_503(response, started)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert _counts(pg_app, round_id) == (0, 0)  # the transaction died with its connection

    again = client.post("/vote", data=form)  # the pool hands out a fresh connection
    assert again.headers["Location"] == "/vote/done"
    receipt = _receipt(client)
    assert client.post("/vote", data=form).headers["Location"] == "/vote/done" and _receipt(client) == receipt
    assert _counts(pg_app, round_id) == (1, 1)
    with pg_app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Ballot).where(Ballot.receipt == receipt.replace("-", ""))
            )
            == 1
        )
        # One form submission for the round (its receipt is sealed, so it is counted, not read).
        assert (
            db.session.scalar(select(func.count()).select_from(Submission).where(Submission.round_id == round_id)) == 1
        )


def test_a_compaction_postponed_by_a_busy_database_leaves_the_busy_timeout_as_it_was(sqlite_app):
    """Closing a round VACUUMs the file with a one-second wait; when the database is busy that
    is postponed, and the pooled connection must wait for the lock as usual afterwards (it
    kept a 1 s, or 0 s, timeout: the next requests on it failed at once under contention)."""
    from app import ballot_box

    app, path = sqlite_app
    with app.app_context():
        with write_lock(path):
            ballot_box.compact()  # VACUUM finds the write lock taken: postponed, logged
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
