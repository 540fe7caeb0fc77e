"""gunicorn's access log (ACCESS_LOG=1) writes the route that matched, never a path that holds
a ticket code: the real app under the project's gunicorn.conf.py on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

from app.councils import services as council_services
from app.councils.models import Council
from app.extensions import db
from app.types import utcnow
from config import TestingConfig
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(port: int, path: str) -> int:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_access_log_writes_the_route_and_never_a_ticket_code(tmp_path):
    url = f"sqlite:///{tmp_path / 'wijkstem.db'}"
    app = make_app(url)
    with app.app_context():
        start = utcnow()
        council = Council(
            title="Avond",
            venue="Tagerijn",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            languages=["nl"],
            domains=["youth"],
        )
        db.session.add(council)
        db.session.flush()
        [(_ticket, code)] = council_services.generate_tickets(council, 1, None)
        db.session.commit()
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WIJKSTEM_")},
        "WIJKSTEM_CONFIG": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": TestingConfig.SECRET_KEY,
        "WIJKSTEM_INSTANCE_DIR": str(tmp_path),
        "ACCESS_LOG": "1",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if _get(port, "/") == 200:
                    break
            except OSError:
                time.sleep(0.2)
        assert _get(port, f"/t/{code}") == 303  # a real sign-in
        assert _get(port, f"/t/{code.lower()}") in (303, 429)
        assert _get(port, "/t/ZZZZ-ZZZZ-ZZZZ") == 303  # a wrong code
        assert _get(port, f"/no-such-page/{code}") == 404
        time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=15)
    written = log.read_text(errors="replace")
    assert '"GET /t/<code>" 303' in written, written
    assert code not in written and code.lower() not in written and "ZZZZ" not in written
