"""Engine tuning per database backend.

SQLite: WAL, foreign keys, a busy timeout, and every transaction begun with
``BEGIN IMMEDIATE``. Under WAL a deferred ``BEGIN`` that reads and then writes fails at
once with "database is locked" when another writer got there first, whatever the
timeout; taking the write lock up front makes writers queue behind the busy timeout
instead. pysqlite's own transaction handling is switched off so that we emit BEGIN.
"""
from __future__ import annotations

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
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
