"""Exports of a large round: 100,000 ballots streamed as Pabulib files, with the time and
the peak Python memory of each download (target: under 5 s, flat memory).

    .venv/bin/python bench/export.py [--ballots 100000]

Builds a fresh SQLite database in a temp folder: an approval round (8 plans, at most 3
choices a ballot) set up with `flask bench-setup`, then inserts the ballots directly (as
the voting path would have stored them), closes the round and approves the results. Each
export is read through the full Flask stack with the test client, chunk by chunk, as a
browser would download it; tracemalloc reports the peak while streaming.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="wijkstem-export-"))
    os.environ["WIJKSTEM_INSTANCE_DIR"] = str(folder)
    os.environ.pop("DATABASE_URL", None)

    from flask_migrate import upgrade
    from sqlalchemy import insert

    from app import create_app
    from app.extensions import db
    from app.roles import Role
    from app.voting.models import Ballot, BudgetRound, RoundStatus
    from config import TestingConfig  # no CSRF: the board "clicks" approve through the test client

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'bench.db'}")
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    setup = folder / "setup.json"
    result = app.test_cli_runner().invoke(args=["bench-setup", "--tickets", "1", "--out", str(setup)])
    assert result.exit_code == 0, result.output
    round_id = json.loads(setup.read_text())["round_id"]

    rng = random.Random(7)
    started = time.perf_counter()
    with app.app_context():
        round_ = db.session.get(BudgetRound, round_id)
        option_ids = [o.id for o in round_.options]
        rows = []
        for _ in range(args.ballots):
            chosen = sorted(rng.sample(option_ids, rng.randint(1, 3)))
            rows.append(
                {
                    "id": secrets.token_hex(16),
                    "round_id": round_id,
                    "sub_budget_id": None,
                    "channel": "online",
                    "choices": json.dumps(chosen, separators=(",", ":")),
                    "receipt": secrets.token_hex(5).upper(),
                    "cast_on": date.today(),
                    "paper_batch_id": None,
                    "confirmed": True,
                }
            )
        db.session.execute(insert(Ballot), rows)
        round_.status = RoundStatus.closed
        db.session.commit()
    print(f"{args.ballots} ballots stored in {time.perf_counter() - started:.1f} s")

    client = app.test_client()
    with app.app_context():
        from app.auth.models import User

        board = db.session.query(User).filter(User.role_rows.any()).all()
        board_user = next(u for u in board if u.has_role(Role.board))
        board_id = board_user.get_id()
    with client.session_transaction() as session:
        session["_user_id"] = board_id
    started = time.perf_counter()
    assert client.post(f"/staff/rounds/{round_id}/approve", data={"confirm": "y", "confirming": "1"}).status_code == 303
    print(f"count and approve (MES on {args.ballots} ballots): {time.perf_counter() - started:.2f} s")
    print("(the first results.pb counts the published round again: its cache is keyed by status)")

    for path in ("results.pb", "ballots.pb", "results.csv", "results.json", "results.xlsx", "results.pdf"):
        url = f"/rounds/{round_id}/{path}"
        elapsed, size = _download(client, url)
        tracemalloc.start()  # a second download, traced (tracing itself slows Python down)
        _download(client, url)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{path:14} {elapsed:6.2f} s  {size / 1e6:7.2f} MB  peak Python memory while streaming {peak / 1e6:6.1f} MB"
        )


def _download(client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url, buffered=False)
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    return time.perf_counter() - started, size


if __name__ == "__main__":
    main()
