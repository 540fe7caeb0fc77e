"""The sealed box: how a secret is written durably without writing it in arrival order.

Whatever is written at the moment a resident votes (or shares their buurt and age) lands
in the database in arrival order: SQLite rowids and pages, the write-ahead log, and on
PostgreSQL the transaction id (`xmin`) that the ticket's own update carries too. So at that
moment only a *sealed* entry is written: the payload (a dict) encrypted with AES-GCM under a
key derived from the server's secret configuration, which is never stored in the database.
An adversary with the files sees that a ticket was used together with an opaque blob.

A mixer later opens a random batch of entries, deletes them and writes their plaintext rows
in random order in a transaction of its own (a pool mix): while a round is open it waits
until the box holds at least twice the batch size and then writes all but a random batch
size of them, so every batch has at least `BALLOT_MIX_SIZE` entries; closing flushes the rest (also at least that
many, or all of a quieter evening). Nothing depends on one process's memory: the box is a
table, the batch is chosen under the database's own lock (SQLite's single writer at BEGIN
IMMEDIATE; a PostgreSQL advisory lock per kind and scope).

This module knows nothing of ballots or profiles: callers pass the kind, the scope (a
round or council id) and a writer for the plaintext rows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Iterable
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app, has_app_context
from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, delete, func, insert, select, text, update
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

log = logging.getLogger("wijkstem")
_random = secrets.SystemRandom()


class BoxEntry(db.Model):
    """One sealed entry waiting to be mixed. Random key, no rowid: nothing here is in order."""

    __tablename__ = "ballot_box"
    __table_args__ = (Index("ix_ballot_box_kind_scope_id", "kind", "scope_id"), {"sqlite_with_rowid": False})

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    scope_id: Mapped[int] = mapped_column(Integer)
    #: A category that is no secret (known from the ticket anyway), for live counts: the channel.
    label: Mapped[str | None] = mapped_column(String(10))
    #: Keyed hash of a value the owner holds (the receipt): finds the entry and keeps it unique.
    lookup: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Held back from mixing until a second facilitator confirms this paper batch.
    held_by_batch_id: Mapped[int | None] = mapped_column(ForeignKey("paper_batch.id", ondelete="CASCADE"))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


# --- keys and sealing ------------------------------------------------------------------------
_default_secret: bytes | None = None


def init_app(app) -> None:
    """Remember the app's secret for code that reads the box outside an app context (a
    script, a test); inside a request the current app's configuration is used."""
    global _default_secret
    _default_secret = (app.config.get("BALLOT_BOX_KEY") or app.config.get("SECRET_KEY") or "").encode() or None


def _secret() -> bytes:
    if not has_app_context():
        if _default_secret is None:
            raise RuntimeError("the sealed box needs an app (its secret key)")
        return _default_secret
    return (current_app.config.get("BALLOT_BOX_KEY") or current_app.config["SECRET_KEY"]).encode()


@lru_cache(maxsize=32)
def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"wijkstem sealed box", info=purpose).derive(secret)


def key(purpose: str) -> bytes:
    """A 256-bit key for one purpose, derived from BALLOT_BOX_KEY (or SECRET_KEY)."""
    return _derive(_secret(), purpose.encode())


def seal(purpose: str, payload: dict) -> bytes:
    nonce = secrets.token_bytes(12)
    data = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return nonce + AESGCM(key("seal")).encrypt(nonce, data, purpose.encode())


def unseal(purpose: str, blob: bytes) -> dict | None:
    try:
        return json.loads(AESGCM(key("seal")).decrypt(bytes(blob[:12]), bytes(blob[12:]), purpose.encode()))
    except (InvalidTag, ValueError):
        log.error("a sealed %s entry could not be opened (was the key changed?)", purpose.split(":")[0])
        return None


def keyed_hash(purpose: str, value: str) -> str:
    return hmac.new(key("lookup:" + purpose), value.encode(), hashlib.sha256).hexdigest()


def _purpose(kind: str, scope_id: int) -> str:
    return f"{kind}:{scope_id}"


# --- putting in and looking up --------------------------------------------------------------
def sealed_entry(
    kind: str,
    scope_id: int,
    payload: dict,
    *,
    lookup: str | None = None,
    label: str | None = None,
    held_by_batch_id: int | None = None,
) -> dict:
    """A box entry ready to go in (sealed and hashed: work that need not wait for a lock)."""
    return {
        "id": secrets.token_hex(16),
        "kind": kind,
        "scope_id": scope_id,
        "label": label,
        "held_by_batch_id": held_by_batch_id,
        "lookup": keyed_hash(kind, lookup) if lookup is not None else None,
        "sealed": seal(_purpose(kind, scope_id), payload),
    }


def put(entry: dict) -> None:
    """Put an entry made by :func:`sealed_entry` in the box (in the caller's transaction)."""
    db.session.execute(insert(BoxEntry).values(**entry))


def waiting_payloads(kind: str, scope_ids: Iterable[int]) -> list[tuple[int, dict]]:
    """(scope, payload) of the entries still in the box, for readers that must count them
    (the reach report); callers must not keep or show their order."""
    ids = list(scope_ids)
    if not ids:
        return []
    rows = db.session.execute(
        select(BoxEntry.scope_id, BoxEntry.sealed).where(BoxEntry.kind == kind, BoxEntry.scope_id.in_(ids))
    ).all()
    return [
        (scope, payload) for scope, sealed in rows if (payload := unseal(_purpose(kind, scope), sealed)) is not None
    ]


def find(kind: str, lookup: str) -> tuple[BoxEntry, dict] | None:
    entry = db.session.scalar(
        select(BoxEntry).where(BoxEntry.kind == kind, BoxEntry.lookup == keyed_hash(kind, lookup))
    )
    if entry is None:
        return None
    payload = unseal(_purpose(kind, entry.scope_id), entry.sealed)
    return (entry, payload) if payload is not None else None


def counts(kind: str, scope_id: int) -> dict[tuple[str | None, bool], int]:
    """(label, held back) -> number of entries waiting."""
    rows = db.session.execute(
        select(BoxEntry.label, BoxEntry.held_by_batch_id.is_not(None), func.count())
        .where(BoxEntry.kind == kind, BoxEntry.scope_id == scope_id)
        .group_by(BoxEntry.label, BoxEntry.held_by_batch_id.is_not(None))
    ).all()
    result: dict[tuple[str | None, bool], int] = {}
    for label, held, count in rows:
        result[(label, bool(held))] = result.get((label, bool(held)), 0) + count
    return result


def waiting(kind: str, scope_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(BoxEntry)
            .where(BoxEntry.kind == kind, BoxEntry.scope_id == scope_id, BoxEntry.held_by_batch_id.is_(None))
        )
        or 0
    )


#: The setting that gives each kind's batch size.
BATCH_SETTINGS = {"ballot": "BALLOT_MIX_SIZE", "profile": "PROFILE_MIX_SIZE"}


def batch_size(kind: str = "ballot") -> int:
    return max(1, int(current_app.config.get(BATCH_SETTINGS.get(kind, "BALLOT_MIX_SIZE"), 10)))


def due(kind: str, scope_id: int) -> bool:
    """Whether a mix would write a batch now (the pool holds at least twice the batch size)."""
    size = batch_size(kind)
    return waiting(kind, scope_id) >= (1 if size == 1 else 2 * size)


def release(batch_id: int) -> None:
    db.session.execute(update(BoxEntry).where(BoxEntry.held_by_batch_id == batch_id).values(held_by_batch_id=None))


# --- mixing ---------------------------------------------------------------------------------
def _lock(kind: str, scope_id: int, wait: bool) -> bool:
    """PostgreSQL: an advisory lock per kind and scope for this transaction. SQLite: the
    transaction already holds the single write lock (BEGIN IMMEDIATE)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return True
    lock_id = int.from_bytes(hashlib.sha256(_purpose(kind, scope_id).encode()).digest()[:8], "big", signed=True)
    if wait:
        db.session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})
        return True
    return bool(db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": lock_id}))


def mix(kind: str, scope_id: int, writer: Callable[[int, list[dict]], None], *, everything: bool = False) -> int:
    """Move a random batch (or, with `everything`, all entries not held back) out of the
    box: delete them in one statement and hand their payloads to `writer` in a fresh random
    order. Returns how many were written. The caller commits (in a transaction that is not
    the one that put the entries in)."""
    if not _lock(kind, scope_id, wait=everything):
        return 0  # another process is mixing this box right now; the next cast mixes again
    rows = db.session.execute(
        select(BoxEntry.id, BoxEntry.sealed).where(
            BoxEntry.kind == kind, BoxEntry.scope_id == scope_id, BoxEntry.held_by_batch_id.is_(None)
        )
    ).all()
    size = batch_size(kind)
    if not everything and size > 1:
        if len(rows) < 2 * size:
            return 0
        # Everything but a random `size` of them: each batch has at least `size` entries, the
        # pool keeps `size`, and a burst needs one mixer rather than one per `size` casts.
        rows = _random.sample(rows, len(rows) - size)
    if not rows:
        return 0
    purpose = _purpose(kind, scope_id)
    payloads = [p for row in rows if (p := unseal(purpose, row.sealed)) is not None]
    _random.shuffle(payloads)
    db.session.execute(delete(BoxEntry).where(BoxEntry.id.in_([row.id for row in rows])))
    writer(scope_id, payloads)
    db.session.flush()
    return len(payloads)


# --- what stays on disk ------------------------------------------------------------------------
# During the vote SQLite's own automatic checkpoint (every 1000 pages of log) is enough: the
# log holds only sealed casts and whole batches. A checkpoint after every batch made voters
# queue (its fsync) for nothing the threat model needs; closing truncates the log.
def compact(vacuum: bool = True, tables: Iterable[str] = ("ballot_box", "ballot_submission")) -> None:
    """After a round closes. SQLite: VACUUM rebuilds the file, so page order says nothing
    about the evening, then the log is truncated; without `vacuum` (other rounds are still
    open, and a VACUUM would hold their voters back) only the log is truncated, if no one is
    reading. PostgreSQL: VACUUM the box tables, so the dead tuples of the sealed entries go.
    Best effort: a busy database is compacted at the next close."""
    engine = db.engine
    db.session.commit()  # nothing is pending: end the request's transaction so that it holds no lock
    try:
        if engine.dialect.name == "sqlite":
            if engine.url.database in (None, "", ":memory:"):
                return
            raw = engine.raw_connection()
            cursor = raw.cursor()
            try:
                if vacuum:
                    cursor.execute("PRAGMA busy_timeout=1000")  # the closing click waits a second at most
                    cursor.execute("VACUUM")
                else:
                    cursor.execute("PRAGMA busy_timeout=0")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                # Also when the VACUUM found the database busy: the connection goes back to the
                # pool, and the next request on it must wait for the lock as usual, not fail at once.
                cursor.execute(f"PRAGMA busy_timeout={int(current_app.config['SQLITE_BUSY_TIMEOUT_MS'])}")
                cursor.close()
                raw.close()
        elif engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for table in tables:
                    connection.exec_driver_sql(f"VACUUM {table}")
    except Exception:
        log.warning("compacting the database after closing a round was postponed", exc_info=True)


def held_payloads(kind: str, scope_id: int, batch_id: int) -> list[dict]:
    """The entries a paper batch holds back, opened for its second check (the paper ballots
    of that batch, which the second facilitator compares with the papers)."""
    entries = db.session.scalars(
        select(BoxEntry).where(
            BoxEntry.kind == kind, BoxEntry.scope_id == scope_id, BoxEntry.held_by_batch_id == batch_id
        )
    ).all()
    opened = (unseal(_purpose(kind, scope_id), entry.sealed) for entry in entries)
    return [payload for payload in opened if payload is not None]
