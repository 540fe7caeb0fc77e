"""`flask backup DEST` while residents are voting: the copy opens as the database of a new
app and holds every ballot acknowledged before the backup began, each with its ticket used.

SQLite always (the test makes its own file); PostgreSQL with pg_dump/pg_restore when the
suite runs on PostgreSQL and the client tools are installed."""

from __future__ import annotations

import re
import secrets
import shutil
import sqlite3
import subprocess
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.backup import _shown, pg_dump_command
from app.councils import services as council_services
from app.councils.models import Council, Ticket
from app.extensions import db
from app.voting.models import Ballot, BudgetRound
from tests.conftest import BACKEND, PG_URL, make_app
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.voting.test_concurrency import _open_round_with_ticket

BEFORE, DURING = 12, 12


def _more_tickets(app, round_id: int, count: int) -> list[str]:
    with app.test_request_context():
        round_ = db.session.get(BudgetRound, round_id)
        from app.auth.models import User

        actor = db.session.scalars(select(User)).first()
        issued = council_services.generate_tickets(db.session.get(Council, round_.council_id), count, actor)
        db.session.commit()
        return [code for _ticket, code in issued]


def _vote(app, code: str, option_id: int) -> str:
    """Sign in, open the ballot, vote; return the receipt the resident was shown."""
    client = app.test_client()
    assert client.get(f"/t/{code}").status_code == 303
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', client.get("/vote").get_data(as_text=True)).group(
        1
    )
    assert client.post("/vote", data={"token": token, "choice": [str(option_id)]}).headers["Location"] == "/vote/done"
    page = client.get("/vote/done").get_data(as_text=True)
    return re.search(r'class="receipt" dir="ltr">([^<]+)<', page).group(1).replace("-", "")


def _backup_while_voting(app, destination) -> tuple[list[str], list[str], object]:
    """Vote BEFORE ballots, then back up while another thread keeps voting."""
    round_id, first_code, option_ids = _open_round_with_ticket(app)
    codes = [first_code] + _more_tickets(app, round_id, BEFORE + DURING - 1)
    acknowledged = [_vote(app, code, option_ids[i % 2]) for i, code in enumerate(codes[:BEFORE])]
    during: list[str] = []
    voters = threading.Thread(target=lambda: during.extend(_vote(app, c, option_ids[0]) for c in codes[BEFORE:]))
    voters.start()
    result = app.test_cli_runner().invoke(args=["backup", str(destination)])
    voters.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert len(during) == DURING
    return acknowledged, during, result


def _assert_restored(restored_app, acknowledged: list[str], during: list[str]) -> None:
    with restored_app.app_context():
        receipts = set(db.session.scalars(select(Ballot.receipt)))
        voted = db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.voted.is_(True)))
    assert set(acknowledged) <= receipts, "a ballot acknowledged before the backup is missing"
    assert receipts <= set(acknowledged) | set(during), "the copy holds a ballot nobody cast"
    assert len(receipts) == voted, "a ballot without its used ticket (or the other way round): not consistent"
    # The restored app serves the receipt check page for a ballot from the copy.
    client = restored_app.test_client()
    page = client.post("/receipt", data={"receipt": acknowledged[0]}).get_data(as_text=True)
    assert "We cannot find this receipt" not in page


def test_sqlite_online_backup_restores_every_ballot(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'live.db'}")
    copy = tmp_path / "backup.db"
    acknowledged, during, result = _backup_while_voting(app, copy)
    assert "integrity check ok" in result.output
    with sqlite3.connect(copy) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    assert not (tmp_path / "backup.db.partial").exists()
    _assert_restored(make_app(f"sqlite:///{copy}"), acknowledged, during)
    # A second backup to the same name is refused unless --force.
    again = app.test_cli_runner().invoke(args=["backup", str(copy)])
    assert again.exit_code != 0 and "--force" in again.output


def test_pg_dump_command_keeps_the_password_off_the_command_line():
    command, env = pg_dump_command("postgresql+psycopg://wijk:s3cret@db.example:5433/wijkstem", "/backups/w.dump")
    assert command[0] == "pg_dump" and "--format=custom" in command and "--file=/backups/w.dump" in command
    assert env == {
        "PGDATABASE": "wijkstem",
        "PGHOST": "db.example",
        "PGPORT": "5433",
        "PGUSER": "wijk",
        "PGPASSWORD": "s3cret",
    }
    assert "s3cret" not in " ".join(command) and "s3cret" not in _shown(command, env)


@pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="the pg_dump backup needs the PostgreSQL test pass (WIJKSTEM_TEST_DATABASE=postgresql)",
)
@pytest.mark.skipif(
    shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
    reason="pg_dump/pg_restore not installed (Debian: postgresql-client)",
)
def test_postgres_backup_with_pg_dump_restores_every_ballot(database_factory, tmp_path):
    app = make_app(database_factory("backup"))
    dump = tmp_path / "wijkstem.dump"
    acknowledged, during, result = _backup_while_voting(app, dump)
    assert "pg_dump" in result.output and dump.stat().st_size > 0
    name = f"wijkstem_restore_{secrets.token_hex(4)}"
    restored_url = create_postgres_database(PG_URL, name)
    try:
        dsn = make_url(restored_url).set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run(["pg_restore", "--no-owner", "--no-privileges", f"--dbname={dsn}", str(dump)], check=True)
        restored = make_app(restored_url)
        _assert_restored(restored, acknowledged, during)
        with restored.app_context():
            db.engine.dispose()
    finally:
        drop_postgres_database(PG_URL, name)
