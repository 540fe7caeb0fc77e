"""Starting and stopping the real app under gunicorn on 127.0.0.1, a fresh database per run
(SQLite file in a temp dir, or a PostgreSQL database that is created and dropped), the
CLI steps, server CPU from /proc, and the invariants checked after every run."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
DEFAULT_PG_URL = "postgresql://127.0.0.1:5432/test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- databases -------------------------------------------------------------------------
@dataclass
class Database:
    url: str  # SQLAlchemy URL for DATABASE_URL
    kind: str  # "sqlite" or "postgresql"
    path: Path | None = None  # the SQLite file
    dsn: str | None = None  # libpq DSN for psycopg


@contextmanager
def fresh_database(workdir: Path, postgres: bool, pg_url: str = DEFAULT_PG_URL):
    if not postgres:
        path = workdir / "wijkstem.db"
        yield Database(f"sqlite:///{path}", "sqlite", path=path)
        return
    import psycopg

    name = f"wijkstem_bench_{secrets.token_hex(4)}"
    base = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    dsn = base.rsplit("/", 1)[0] + "/" + name
    try:
        yield Database(dsn.replace("postgresql://", "postgresql+psycopg://"), "postgresql", dsn=dsn)
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the app and its CLI ---------------------------------------------------------------
def app_environment(workdir: Path, database: Database, config: str = "production") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIJKSTEM_", "DATABASE_URL", "RATELIMIT_"))}
    env.update(
        {
            "WIJKSTEM_CONFIG": config,
            "WIJKSTEM_INSTANCE_DIR": str(workdir / "instance"),
            "DATABASE_URL": database.url,
            "SECRET_KEY": (workdir / "secret").read_text(),
            "RATELIMIT_STORAGE_URI": "memory://",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def new_workdir() -> Path:
    workdir = Path(tempfile.mkdtemp(prefix="wijkstem-bench-"))
    (workdir / "instance").mkdir()
    (workdir / "secret").write_text(secrets.token_urlsafe(48))
    return workdir


def flask_cli(env: dict[str, str], *args: str) -> str:
    # bench-setup refuses production (like seed-demo); the server itself runs as production.
    cli_env = {**env, "WIJKSTEM_CONFIG": "development"}
    finished = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=cli_env, capture_output=True, text=True, timeout=600
    )
    if finished.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{finished.stdout}\n{finished.stderr}")
    return finished.stdout


def setup_round(env: dict[str, str], workdir: Path, tickets: int, label: str) -> dict:
    out = workdir / f"round-{label}.json"
    flask_cli(env, "bench-setup", "--tickets", str(tickets), "--out", str(out))
    return json.loads(out.read_text())


class Server:
    """gunicorn with the project's gunicorn.conf.py, on 127.0.0.1 and a free port."""

    def __init__(
        self,
        env: dict[str, str],
        workdir: Path,
        workers: int,
        app: str = "wsgi:app",
        extra: tuple[str, ...] = (),
        label: str = "app",
    ):
        self.env, self.workdir, self.workers, self.app, self.extra, self.label = (
            env,
            workdir,
            workers,
            app,
            extra,
            label,
        )
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = workdir / f"gunicorn-{label}.log"

    def start(self, timeout: float = 30) -> Server:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                *self.extra,
                self.app,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2):
                    pass
                if len(self.worker_pids()) >= self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s: {self.log_tail()}")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    children.append(int(entry.name))
        return children

    def pids(self) -> list[int]:
        return ([self.process.pid] if self.process else []) + self.worker_pids()

    def cpu_seconds(self) -> float:
        """User + system CPU of the master and its live workers."""
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / CLOCK_TICKS

    def kill_hard(self) -> None:
        """kill -9 the master and every worker (our own processes, by id)."""
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process is not None:
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill_hard()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class CpuMeter:
    """Server and client CPU over a phase, as a share of one core."""

    def __init__(self, server: Server):
        self.server = server

    def __enter__(self) -> CpuMeter:
        self.wall0, self.server0, self.client0 = time.monotonic(), self.server.cpu_seconds(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.monotonic() - self.wall0
        self.server_seconds = self.server.cpu_seconds() - self.server0
        self.client_seconds = time.process_time() - self.client0

    def report(self) -> str:
        return (
            f"server CPU {self.server_seconds:6.1f} s = {100 * self.server_seconds / self.wall:5.0f}% of one core; "
            f"client CPU {self.client_seconds:5.1f} s = {100 * self.client_seconds / self.wall:4.0f}%; "
            f"wall {self.wall:5.1f} s"
        )


# --- invariants ------------------------------------------------------------------------
def _query(database: Database, sql: str, params=()) -> list[tuple]:
    if database.kind == "sqlite":
        with sqlite3.connect(database.path) as connection:
            return connection.execute(sql.replace("%s", "?"), params).fetchall()
    import psycopg

    with psycopg.connect(database.dsn) as connection:
        return connection.execute(sql, params).fetchall()


def _box_lookup(secret: str):
    """The keyed hash under which the sealed ballot box finds a receipt (app/ballot_box.py):
    the benchmark knows the server's secret, an adversary with the files does not."""
    import hashlib
    import hmac

    sys.path.insert(0, str(ROOT))
    from app.ballot_box import _derive

    key = _derive(secret.encode(), b"lookup:ballot")
    return lambda receipt: hmac.new(key, receipt.encode(), hashlib.sha256).hexdigest()


def cast_ballots(database: Database, round_id: int) -> int:
    """Ballots in the ballot table plus those still sealed in the ballot box."""
    [(ballots,)] = _query(database, "SELECT count(*) FROM ballot WHERE round_id = %s", (round_id,))
    [(boxed,)] = _query(
        database, "SELECT count(*) FROM ballot_box WHERE kind = 'ballot' AND scope_id = %s", (round_id,)
    )
    return ballots + boxed


def check_invariants(
    database: Database, rounds: list[dict], acknowledged: set[str], secret: str | None = None
) -> list[str]:
    """Return the broken invariants (empty when all hold) and print what was checked.
    A ballot is cast when it is in the ballot table or sealed in the ballot box."""
    problems = []
    for round_ in rounds:
        ballots = cast_ballots(database, round_["round_id"])
        [(used,)] = _query(
            database, "SELECT count(*) FROM ticket WHERE council_id = %s AND voted = %s", (round_["council_id"], True)
        )
        if ballots != used:
            problems.append(f"round {round_['round_id']}: {ballots} ballots but {used} used tickets")
        [(status,)] = _query(database, "SELECT status FROM budget_round WHERE id = %s", (round_["round_id"],))
        [(forms,)] = _query(
            database, "SELECT count(*) FROM ballot_submission WHERE round_id = %s", (round_["round_id"],)
        )
        if status == "open" and forms != used:
            problems.append(
                f"round {round_['round_id']}: {forms} form submissions for {used} cast ballots (half-written)"
            )
    duplicates = _query(database, "SELECT receipt FROM ballot GROUP BY receipt HAVING count(*) > 1")
    if duplicates:
        problems.append(f"{len(duplicates)} duplicate receipts")
    stored = {r for (r,) in _query(database, "SELECT receipt FROM ballot")}
    boxed = {r for (r,) in _query(database, "SELECT lookup FROM ballot_box WHERE kind = 'ballot'")}
    lookup = _box_lookup(secret or (ROOT / "instance" / "secret_key").read_text().strip())
    missing = {r for r in acknowledged - stored if lookup(r) not in boxed}
    if missing:
        problems.append(f"{len(missing)} acknowledged receipts missing")
    if database.kind == "sqlite":
        check = _query(database, "PRAGMA integrity_check")[0][0]
        if check != "ok":
            problems.append(f"integrity_check: {check}")
    total = _query(database, "SELECT count(*) FROM ballot")[0][0]
    print(
        f"  invariants: {total} ballots (+{len(boxed)} sealed in the box), {len(acknowledged)} acknowledged receipts all present: "
        f"{'yes' if not missing else 'NO'}; ballots = used tickets, no duplicate receipt, one form submission per open-round ballot"
        f"{', PRAGMA integrity_check ok' if database.kind == 'sqlite' else ' (PostgreSQL: count checks)'}: "
        f"{'OK' if not problems else 'BROKEN: ' + '; '.join(problems)}"
    )
    return problems


def cleanup(workdir: Path, keep: bool) -> None:
    if keep:
        print(f"  (kept {workdir})")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
