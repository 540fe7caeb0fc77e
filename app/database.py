"""Engine tuning per database backend.

SQLite: WAL, foreign keys, a busy timeout, and every transaction that may write begun
with ``BEGIN IMMEDIATE`` (views marked ``read_only`` begin deferred, and so does the reading
part of a view marked ``reads_then_writes``). Under WAL a deferred ``BEGIN`` that reads and then writes fails at
once with "database is locked" when another writer got there first, whatever the
timeout; taking the write lock up front makes writers queue behind the busy timeout
instead. pysqlite's own transaction handling is switched off so that we emit BEGIN.

Writers also queue at a :class:`WriteGate` before ``BEGIN IMMEDIATE``: SQLite's busy
handler polls a held lock with sleeps that grow to 100 ms, so under a burst of votes the
lock sat free while sixteen waiting threads slept. At the gate they wait on a thread lock
and a file lock instead, and the next one goes as soon as the previous commits. The gate
only orders the app's own writers; SQLite's lock still does the locking (a CLI command or
a backup that does not queue at the gate is held off by the busy timeout as before).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from functools import wraps

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class WriteGate:
    """One writing transaction at a time for one database file: a thread lock among this
    process's threads, then an exclusive ``flock`` on ``<database>-writers`` among the
    processes (gunicorn workers). Not on the database file itself: closing any descriptor
    of that file would drop SQLite's own POSIX locks."""

    def __init__(self, database_path: str, timeout_s: float):
        self.path = f"{database_path}-writers"
        self.timeout_s = timeout_s
        self._threads = threading.Lock()
        self._owner: int | None = None
        self._fd: int | None = None
        self._pid: int | None = None

    def _descriptor(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked child opens its own
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def enter(self) -> bool:
        """Wait for the gate (at most the busy timeout); False when this thread already holds
        it (a nested connection) and so must not release it."""
        if self._owner == threading.get_ident():
            return False
        deadline = time.monotonic() + self.timeout_s
        if not self._threads.acquire(timeout=self.timeout_s):
            raise _locked()
        try:
            fd = self._descriptor()
            pause = 0.0002
            while True:  # a non-blocking try in a loop: a blocking flock could not time out
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise _locked() from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.001)
        except BaseException:
            self._threads.release()
            raise
        self._owner = threading.get_ident()
        return True

    def leave(self) -> None:
        self._owner = None
        try:
            fcntl.flock(self._descriptor(), fcntl.LOCK_UN)
        finally:
            self._threads.release()


def _locked() -> OperationalError:
    """What SQLite's own lock gives after the busy timeout (a 503 with "try again")."""
    reason = sqlite3.OperationalError("database is locked (waited at the gate for the other writers)")
    return OperationalError("BEGIN IMMEDIATE", None, reason)


class GatedConnection(sqlite3.Connection):
    """A pysqlite connection that leaves its :class:`WriteGate` once its transaction ends
    (SQLAlchemy commits and rolls back through these methods)."""

    gate: WriteGate | None = None
    in_gate = False

    def leave_gate(self) -> None:
        if self.in_gate and self.gate is not None:
            self.in_gate = False
            self.gate.leave()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.leave_gate()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.leave_gate()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.leave_gate()


def sqlite_engine_options(uri: str, options: dict) -> dict:
    """Engine options for a SQLite file: its connections are :class:`GatedConnection`."""
    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or _in_memory(url.database):
        return options
    connect_args = {"factory": GatedConnection, **options.get("connect_args", {})}
    return {**options, "connect_args": connect_args}


def _in_memory(database: str | None) -> bool:
    return database in (None, "", ":memory:")


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    if not is_sqlite(engine) or getattr(engine, "_wijkstem_configured", False):
        return
    engine._wijkstem_configured = True  # type: ignore[attr-defined]
    in_memory = _in_memory(engine.url.database)
    gate = None if in_memory else WriteGate(str(engine.url.database), busy_timeout_ms / 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        if isinstance(dbapi_connection, GatedConnection):
            dbapi_connection.gate = gate
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
        if _reads_only():
            connection.exec_driver_sql("BEGIN")
            return
        dbapi_connection = connection.connection.dbapi_connection
        if isinstance(dbapi_connection, GatedConnection) and dbapi_connection.gate is not None:
            dbapi_connection.in_gate = dbapi_connection.gate.enter()
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if isinstance(dbapi_connection, GatedConnection):
                dbapi_connection.leave_gate()
            raise


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
