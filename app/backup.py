"""`flask --app wsgi backup DEST`: a consistent copy of the live database.

SQLite: SQLite's online backup API copies every page in one step while holding only a
read transaction. In WAL mode readers never block writers, so voting goes on during the
copy; the copy is the database exactly as of one committed moment (a ballot is in it
with its ticket marked used, or neither is). The copy is written next to DEST, checked
with `PRAGMA integrity_check` and then renamed into place, so DEST is never half-written.
Restore: stop the app, put the file in place of instance/wijkstem.db (or point
DATABASE_URL at it), start the app.

PostgreSQL: `pg_dump --format=custom` takes a consistent snapshot too (one
REPEATABLE READ transaction). The command runs when pg_dump is on PATH (same or newer
major version than the server); otherwise it is printed with what to install.
Restore: `createdb NEW && pg_restore --no-owner --dbname NEW DEST`, then point
DATABASE_URL at NEW. Connection settings go to pg_dump through PG* environment variables,
so the password never appears on a command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from app.extensions import db


def backup_sqlite(source: str | Path, destination: str | Path, busy_timeout_ms: int = 5000) -> int:
    """Copy the SQLite database at `source` to `destination`; return the number of pages."""
    destination = Path(destination)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    source_connection = sqlite3.connect(source, timeout=busy_timeout_ms / 1000)
    target = sqlite3.connect(partial)
    try:
        # pages=-1: all pages in one step, so the copy is one consistent snapshot (a
        # stepwise copy restarts whenever another connection writes, and may never end).
        source_connection.backup(target, pages=-1)
        pages = target.execute("PRAGMA page_count").fetchone()[0]
        check = target.execute("PRAGMA integrity_check").fetchone()[0]
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        target.close()
        source_connection.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"The copy failed its integrity check: {check}")
    os.replace(partial, destination)
    return pages


def pg_dump_command(url: URL | str, destination: str | Path) -> tuple[list[str], dict[str, str]]:
    """The pg_dump command line and the environment (PGHOST, PGPASSWORD, ...) it needs."""
    url = make_url(url)
    env = {"PGDATABASE": url.database or ""}
    for name, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
    ):
        if value:
            env[name] = str(value)
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={destination}"]
    return command, env


def _shown(command: list[str], env: dict[str, str]) -> str:
    settings = " ".join(f"{name}={'***' if name == 'PGPASSWORD' else value}" for name, value in env.items())
    return f"{settings} {' '.join(command)}"


@click.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, writable=True))
@click.option("--force", is_flag=True, help="Overwrite DESTINATION if it exists.")
@with_appcontext
def backup_command(destination: str, force: bool) -> None:
    """Make a consistent backup of the live database into DESTINATION (the app may keep running)."""
    if Path(destination).exists() and not force:
        raise click.ClickException(f"{destination} exists; choose a new name or add --force.")
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise click.ClickException("This is an in-memory database: there is nothing on disk to back up.")
        pages = backup_sqlite(url.database, destination, current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
        click.echo(f"SQLite backup written to {destination} ({pages} pages, integrity check ok).")
        click.echo(f"Restore: stop the app, copy {destination} to {url.database}, start the app.")
        return
    if url.get_backend_name() != "postgresql":
        raise click.ClickException(f"No backup method for {url.get_backend_name()}.")
    command, env = pg_dump_command(url, destination)
    restore = f"createdb NEWDB && pg_restore --no-owner --no-privileges --dbname=NEWDB {destination}"
    if shutil.which("pg_dump") is None:
        click.echo(
            "pg_dump is not on PATH. Install the PostgreSQL client of the server's major version "
            "(Debian: apt-get install postgresql-client) and run:"
        )
        click.echo(f"  {_shown(command, env)}")
        click.echo(f"Restore with: {restore}")
        raise SystemExit(2)
    click.echo(f"Running: {_shown(command, env)}")
    finished = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    if finished.returncode != 0:
        Path(destination).unlink(missing_ok=True)
        raise click.ClickException(f"pg_dump failed ({finished.returncode}): {finished.stderr.strip()}")
    click.echo(f"PostgreSQL backup written to {destination} (pg_dump custom format).")
    click.echo(f"Restore with: {restore}")
