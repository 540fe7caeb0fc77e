"""Both gunicorn workers get connections. A connection stays with the worker that accepted it
(keep-alive: a phone polls on it all evening), so a burst of connections that all land in one
worker leaves the other idle. The real app under the project's gunicorn.conf.py, two workers,
on 127.0.0.1; which worker holds a connection is read from /proc (Linux)."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from tests.conftest import make_app
from tests.gunicorn_server import start_gunicorn

ROOT = Path(__file__).resolve().parents[1]
LISTEN, ESTABLISHED = "0A", "01"

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads sockets from Linux's /proc")


def _server_sockets(port: int, state: str) -> set[str]:
    """Inodes of the IPv4 sockets on 127.0.0.1:``port`` (the server's side) in ``state``."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, socket_state, inode = fields[1], fields[3], fields[9]
        if int(local.split(":")[1], 16) == port and socket_state == state:
            inodes.add(inode)
    return inodes


def _sockets_of(pid: int) -> set[str]:
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            held.add(target[len("socket:[") : -1])
    return held


def _workers(arbiter: int) -> list[int]:
    children = Path(f"/proc/{arbiter}/task/{arbiter}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def _get_healthz(connection: socket.socket) -> bytes:
    connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = connection.recv(4096)
        assert chunk, "the server closed the connection"
        head += chunk
    return head


@pytest.fixture
def two_workers(tmp_path):
    url = f"sqlite:///{tmp_path / 'wijkstem.db'}"
    make_app(url)  # migrated
    server, port = start_gunicorn(url, tmp_path, tmp_path / "gunicorn.log", workers=2)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            workers = _workers(server.pid)
            if len(workers) == 2 and all(_sockets_of(pid) & _server_sockets(port, LISTEN) for pid in workers):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=5) as probe:
                        _get_healthz(probe)
                    break
                except OSError:
                    pass
            time.sleep(0.2)
        else:
            pytest.fail((tmp_path / "gunicorn.log").read_text(errors="replace"))
        yield port, workers, tmp_path / "gunicorn.log"
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_each_worker_listens_on_a_socket_of_its_own(two_workers):
    """The mechanism: with one shared socket, whichever worker waits in accept takes the next
    connection; with a socket each (SO_REUSEPORT) the kernel spreads them."""
    port, workers, log = two_workers
    listening = _server_sockets(port, LISTEN)
    per_worker = [_sockets_of(pid) & listening for pid in workers]
    assert all(len(held) == 1 for held in per_worker), per_worker
    assert per_worker[0] != per_worker[1]
    # gunicorn's own "Listening at:" is empty then; the log still says where
    assert f"Workers listen at 127.0.0.1:{port}, a socket each" in log.read_text(errors="replace")


def test_a_burst_of_keep_alive_connections_is_shared_by_both_workers(two_workers):
    port, workers, _log = two_workers
    connections = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(40)]
    try:
        for connection in connections:
            assert _get_healthz(connection).startswith(b"HTTP/1.1 200")
        established = _server_sockets(port, ESTABLISHED)
        held = [len(_sockets_of(pid) & established) for pid in workers]
        assert sum(held) == 40, held  # every connection is still open, held by a worker
        # The kernel hashes each connection to a worker: both get at least 8 of 40 unless
        # a fair coin fails (chance about 2 in 100,000).
        assert min(held) >= 8, held
    finally:
        for connection in connections:
            connection.close()
