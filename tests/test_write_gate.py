"""SQLite writers queue at the write gate (app/database.py ``WriteGate``) before ``BEGIN
IMMEDIATE``: the gate is left however a transaction ends, a writer in another process
(another gunicorn worker) is waited for, and a gate held past the busy timeout gives the
same transient "database is locked" as SQLite's own lock (a 503 with "try again")."""

import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from app import is_transient_database_error
from app.database import GatedConnection, configure_engine, sqlite_engine_options

HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
released = time.time()
fcntl.flock(fd, fcntl.LOCK_UN)
print(released, flush=True)
"""


def gated_engine(path, busy_timeout_ms=10_000):
    url = f"sqlite:///{path}"
    engine = create_engine(url, **sqlite_engine_options(url, {}))
    configure_engine(engine, busy_timeout_ms)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS vote (id INTEGER PRIMARY KEY, who TEXT UNIQUE)"))
    return engine


def gate_of(engine):
    with engine.connect() as connection:
        dbapi_connection = connection.connection.dbapi_connection
        assert isinstance(dbapi_connection, GatedConnection)
        return dbapi_connection.gate


def write_in_thread(engine, who):
    done = {}

    def write():
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO vote (who) VALUES (:who)"), {"who": who})
        done["ok"] = True

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(timeout=5)
    return done.get("ok", False)


def hold_gate(engine, seconds):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, gate_of(engine).path, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_only_a_sqlite_file_gets_the_gate():
    assert sqlite_engine_options("sqlite://", {}) == {}
    assert sqlite_engine_options("sqlite:///:memory:", {}) == {}
    assert sqlite_engine_options("postgresql://127.0.0.1/test", {"pool_size": 5}) == {"pool_size": 5}
    assert sqlite_engine_options("sqlite:////tmp/x.db", {})["connect_args"]["factory"] is GatedConnection


def test_the_gate_is_left_after_a_commit_a_rollback_and_a_failed_statement(tmp_path):
    engine = gated_engine(tmp_path / "w.db")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO vote (who) VALUES ('a')"))
    assert write_in_thread(engine, "b")
    with engine.connect() as connection:
        with connection.begin() as transaction:
            connection.execute(text("INSERT INTO vote (who) VALUES ('c')"))
            transaction.rollback()
    assert write_in_thread(engine, "c")
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("INSERT INTO vote (who) VALUES ('a')"))  # unique: fails inside the transaction
    assert write_in_thread(engine, "d")  # another thread: a gate left held would keep it waiting 10 s
    with engine.connect() as connection:
        assert connection.execute(text("SELECT who FROM vote ORDER BY who")).scalars().all() == ["a", "b", "c", "d"]


def test_a_writer_in_another_process_is_waited_for(tmp_path):
    engine = gated_engine(tmp_path / "w.db")
    holder = hold_gate(engine, 0.5)
    with engine.begin() as connection:
        began = time.time()
        connection.execute(text("INSERT INTO vote (who) VALUES ('after')"))
    released = float(holder.stdout.readline())
    holder.wait(timeout=5)
    assert began >= released


def test_a_gate_held_past_the_busy_timeout_is_a_transient_lock(tmp_path):
    engine = gated_engine(tmp_path / "w.db", busy_timeout_ms=200)
    holder = hold_gate(engine, 3)
    try:
        with pytest.raises(OperationalError) as refused, engine.begin() as connection:
            connection.execute(text("INSERT INTO vote (who) VALUES ('late')"))
        assert is_transient_database_error(refused.value)
    finally:
        holder.kill()
        holder.wait(timeout=5)
    assert write_in_thread(engine, "next")  # the thread lock was given back
