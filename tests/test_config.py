import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from config import ProductionConfig
from tests.conftest import BACKEND


@pytest.mark.parametrize("key", ["", "dev", "you-will-never-guess", "short-key"])
def test_production_refuses_a_missing_or_weak_secret_key(key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, SECRET_KEY=key, SQLALCHEMY_DATABASE_URI="sqlite://")


def test_production_starts_with_a_real_secret_and_secure_cookies():
    app = create_app(ProductionConfig, SECRET_KEY="x" * 48, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.debug


def test_production_refuses_demo_data():
    app = create_app(ProductionConfig, SECRET_KEY="x" * 48, SQLALCHEMY_DATABASE_URI="sqlite://")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "refused in production" in result.output


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite pragmas only apply to the SQLite backend")
def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(app):
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


@pytest.mark.skipif(BACKEND != "sqlite", reason="BEGIN IMMEDIATE only applies to the SQLite backend")
def test_sqlite_transactions_take_the_write_lock_at_begin(app):
    """A second connection cannot start a transaction while the first one holds one:
    proof that BEGIN is IMMEDIATE, not deferred."""
    import sqlite3

    with app.app_context(), db.engine.connect() as connection:
        connection.begin()
        connection.execute(text("SELECT 1"))
        other = sqlite3.connect(db.engine.url.database, timeout=0.1, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


@pytest.mark.skipif(BACKEND != "sqlite", reason="deferred read transactions only apply to the SQLite backend")
def test_read_only_pages_are_served_while_a_writer_holds_the_lock(database_factory):
    """Under WAL a deferred read needs no lock: the public pages keep working while a
    long write is in progress; a page that writes waits (and, past the timeout, says so), and
    a wrong ticket code, which is only read, does not wait."""
    import sqlite3
    import time
    from datetime import timedelta

    from app.councils import services as council_services
    from app.councils.models import Council, CouncilStatus
    from app.types import utcnow
    from tests.conftest import make_app

    app = make_app(database_factory("readonly"), SQLITE_BUSY_TIMEOUT_MS=300)
    client = app.test_client()
    with app.app_context():
        path = db.engine.url.database
        start = utcnow()
        council = Council(
            title="Avond",
            venue="Tagerijn",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            languages=["nl"],
            status=CouncilStatus.open,
        )
        db.session.add(council)
        db.session.flush()
        [(_ticket, code)] = council_services.generate_tickets(council, 1, None)
        db.session.commit()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        assert client.get("/proposals").status_code == 200
        assert client.get("/finance").status_code == 200
        assert time.monotonic() - started < 0.3 * 2
        # an unknown code is only read: it is refused without waiting for the lock
        assert client.post("/t", data={"code": "K7F-93Q-P2M"}).status_code == 303
        assert time.monotonic() - started < 0.3 * 3
        assert client.post("/t", data={"code": code}).status_code == 503  # a sign-in writes: it must wait
    finally:
        writer.execute("ROLLBACK")
        writer.close()
