"""Rate-limit storage: memory by default (counts per worker process), Redis through
RATELIMIT_STORAGE_URI (counts shared by every worker). Production runs several gunicorn
workers, so it must use Redis, or a code guesser gets the budget once per worker.

A "worker" here is what gunicorn makes: a separate process with its own app. The test
process plays worker A; a subprocess created with the same settings plays worker B.
Needs the real Redis on 127.0.0.1:6379 (database 15); skipped when it is absent, unless
WIJKSTEM_REQUIRE_REDIS=1 (set by .ci/run), where that is a failure.

Flask-Limiter's `limiter` is one object for the whole process: building an app re-points
its storage. The `restore_main_limiter` fixture points it back at the main test app's
memory storage with limits enabled, so later tests (tests/councils/test_routes.py) see
what they expect."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from app.councils.codes import new_ticket_code
from app.extensions import limiter
from tests.conftest import make_app

REDIS_URI = "redis://127.0.0.1:6379/15"
LIMIT = "5 per minute"
ROOT = Path(__file__).resolve().parents[1]

WORKER_B = """
import json, sys
from app import create_app
from app.councils.codes import new_ticket_code
from config import TestingConfig

url, storage, limit, address, count = sys.argv[1:6]
app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, RATELIMIT_STORAGE_URI=storage, TICKET_FAILURES_PER_IP=limit)
client = app.test_client()
print(json.dumps([client.get(f"/t/{new_ticket_code()}", environ_base={"REMOTE_ADDR": address}).status_code
                  for _ in range(int(count))]))
"""


def _redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URI, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        message = f"Redis is not reachable at {REDIS_URI} ({error.__class__.__name__}): start redis-server"
        if os.environ.get("WIJKSTEM_REQUIRE_REDIS") == "1":
            pytest.fail(message + " (WIJKSTEM_REQUIRE_REDIS=1: Redis is required here)")
        pytest.skip(message)
    return client


@pytest.fixture
def restore_main_limiter(app):
    yield
    limiter.init_app(app)  # back to the main test app's memory:// storage, limits on
    limiter.reset()
    assert type(limiter._storage).__name__ == "MemoryStorage" and limiter.enabled


@pytest.fixture
def address():
    """An address of our own, so that counts from other runs (or other people's) never mix in."""
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def _worker_a(tmp_path, storage: str):
    return make_app(f"sqlite:///{tmp_path / 'limits.db'}", RATELIMIT_STORAGE_URI=storage, TICKET_FAILURES_PER_IP=LIMIT)


def _worker_b(tmp_path, storage: str, address: str, count: int) -> list[int]:
    finished = subprocess.run(
        [sys.executable, "-c", WORKER_B, f"sqlite:///{tmp_path / 'limits.db'}", storage, LIMIT, address, str(count)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    return json.loads(finished.stdout.strip().splitlines()[-1])


def _guess(app, address: str, count: int) -> list[int]:
    client = app.test_client()
    return [
        client.get(f"/t/{new_ticket_code()}", environ_base={"REMOTE_ADDR": address}).status_code for _ in range(count)
    ]


def test_redis_storage_shares_counts_between_workers(tmp_path, address, restore_main_limiter):
    redis_client = _redis_client()
    other = address.rsplit(".", 1)[0] + (".2" if address.endswith(".1") else ".1")
    try:
        worker_a = _worker_a(tmp_path, REDIS_URI)
        assert type(limiter._storage).__name__ == "RedisStorage"
        assert _guess(worker_a, address, 6) == [303] * 5 + [429]
        assert redis_client.keys(f"*{address}*"), "the counts are not in Redis"
        # Worker B never saw this address, yet refuses it at once: the count is shared.
        assert _worker_b(tmp_path, REDIS_URI, address, 2) == [429, 429]
        # Residents at other addresses are not affected.
        assert _guess(worker_a, other, 1) == [303]
    finally:
        for pattern in (f"*{address}*", f"*{other}*"):
            for key in redis_client.scan_iter(match=pattern):
                redis_client.delete(key)


def test_memory_storage_counts_per_worker(tmp_path, address, restore_main_limiter):
    worker_a = _worker_a(tmp_path, "memory://")
    assert type(limiter._storage).__name__ == "MemoryStorage"
    assert _guess(worker_a, address, 6) == [303] * 5 + [429]
    # Worker B has its own memory: the same address gets a fresh budget there.
    assert _worker_b(tmp_path, "memory://", address, 6) == [303] * 5 + [429]
