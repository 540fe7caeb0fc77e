"""Engine tuning per database backend.

SQLite: WAL, foreign keys, a busy timeout, and every transaction that may write begun
with ``BEGIN IMMEDIATE`` (views marked ``read_only`` begin deferred, and so does the reading
part of a view marked ``reads_then_writes``). Under WAL a deferred ``BEGIN`` that reads and then writes fails at
once with "database is locked" when another writer got there first, whatever the
timeout; taking the write lock up front makes writers queue behind the busy timeout
instead. pysqlite's own transaction handling is switched off so that we emit BEGIN.
"""

from __future__ import annotations

from functools import wraps

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    if not is_sqlite(engine) or getattr(engine, "_wijkstem_configured", False):
        return
    engine._wijkstem_configured = True  # type: ignore[attr-defined]
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted rows (sealed ballot-box entries, purged contacts) are overwritten, not left in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return  # VACUUM and checkpoints run outside any transaction
        connection.exec_driver_sql("BEGIN" if _reads_only() else "BEGIN IMMEDIATE")


def _reads_only() -> bool:
    return has_request_context() and bool(g.get("read_only_transaction"))


def read_only(view):
    """For GET views that never write: on SQLite their transaction begins deferred, so
    the hot public pages (ballot, results, status polls) do not queue behind writers for
    the write lock. A view that may write must not carry this."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method in ("GET", "HEAD"):
            g.read_only_transaction = True
        return view(*args, **kwargs)

    return wrapped


def reads_then_writes(view):
    """For a view that reads and checks a lot before it writes a little (casting a ballot):
    its first transaction begins deferred, as in a ``read_only`` view, and
    :func:`start_writing` ends it; the next one takes the write lock. On SQLite the write
    lock (one for the whole database) is then held while writing, not while the form is
    checked. Whatever must still hold when writing is checked again in the write transaction."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.read_only_transaction = True
        return view(*args, **kwargs)

    return wrapped


def end_reading() -> None:
    """End the request's transaction now, keeping what it loaded (only with nothing pending
    to write): a page that only reads frees the database before its template renders."""
    from app.extensions import db

    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def start_writing() -> None:
    """In a ``reads_then_writes`` view: end the reading transaction (keeping what it loaded);
    the next transaction begins with the write lock."""
    end_reading()
    g.read_only_transaction = False
