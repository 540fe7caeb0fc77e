"""gunicorn's access log (ACCESS_LOG=1) writes the route that matched, never a path that holds
a ticket code: the real app under the project's gunicorn.conf.py on 127.0.0.1."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

from app.councils import services as council_services
from app.councils.models import Council
from app.extensions import db
from app.types import utcnow
from tests.conftest import make_app
from tests.gunicorn_server import start_gunicorn

ROOT = Path(__file__).resolve().parents[1]


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
    log = tmp_path / "gunicorn.log"
    server, port = start_gunicorn(url, tmp_path, log, workers=1, ACCESS_LOG="1")
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
