"""`flask --app wsgi bench-setup --tickets N --out FILE`: a council evening to measure.

Creates, in the configured database, a council happening now, an open approval round
with eight approved plans on its ballot and N tickets for that council, plus a board
account to close the round and approve the results (the reveal). Writes JSON to FILE:
{"round_id", "council_id", "options": [option ids], "board_email", "board_password",
"board_totp_secret", "codes": [plain ticket codes]}. The board account is enrolled in two-step
sign-in (required for the board) with a fresh random secret, so the benchmark can sign in. The codes exist nowhere else, as with printed sheets.

For benchmarks and load tests only: refused in production, like `seed-demo`.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from pathlib import Path

import click
import pyotp
from flask import current_app
from flask.cli import with_appcontext

from app.auth import two_step
from app.auth.services import create_user
from app.councils.models import Council, CouncilStatus
from app.councils.services import MAX_TICKETS_PER_BATCH, generate_tickets
from app.extensions import db
from app.proposals.lifecycle import Status
from app.proposals.models import CostLine, Proposal
from app.roles import Role
from app.types import utcnow
from app.voting import services

PLANS = (
    ("Huiswerkklas in het buurthuis", 18_000_00),
    ("Voetbalkooi Wildeman opknappen", 35_000_00),
    ("Meidenavond met sport en koken", 12_000_00),
    ("Zomerschool voor groep 7 en 8", 28_000_00),
    ("Jongerenwerk op vrijdagavond", 22_000_00),
    ("Stagebank met buurtondernemers", 15_000_00),
    ("Muziekstudio in de Tagerijn", 30_000_00),
    ("Veilige fietsroute naar school", 40_000_00),
)
BUDGET_CENTS = 100_000_00
MAX_CHOICES = 3


@click.command("bench-setup")
@click.option("--tickets", "count", type=click.IntRange(1, 200_000), required=True, help="How many tickets to issue.")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="Where to write the round id, the board login and the plain ticket codes (JSON).",
)
@with_appcontext
def bench_setup_command(count: int, out_path: str) -> None:
    """Set up an open council round with COUNT tickets for a load benchmark."""
    if not current_app.config.get("DEMO_ALLOWED"):
        raise click.ClickException("Benchmark data, accounts and ticket files are refused in production.")
    stamp = secrets.token_hex(3)
    password = secrets.token_urlsafe(18)
    board = create_user(
        f"bench-board-{stamp}@wijkstem.example", "Benchmark board", password, [Role.board, Role.facilitator]
    )
    totp_secret = pyotp.random_base32()
    two_step.enrol_with_known_secret(board, totp_secret)
    start = utcnow() - timedelta(minutes=15)
    council = Council(
        title=f"Bewonersberaad (benchmark {stamp})",
        venue="Buurthuis De Tagerijn",
        address="Pieter Calandlaan 2",
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        languages=["nl", "en", "tr", "ar", "pl"],
        capacity=max(count, 60),
        domains=["youth"],
        created_by_id=board.id,
        facilitators=[board],
    )
    council.move_to(CouncilStatus.open)
    db.session.add(council)
    db.session.flush()
    round_ = services.save_round(
        None,
        {
            "name": f"Jeugdbudget (benchmark {stamp})",
            "description": "Kies maximaal drie plannen.",
            "budget_cents": BUDGET_CENTS,
            "ballot_type": "approval",
            "rule": "greedy",
            "max_choices": MAX_CHOICES,
            "eligibility": "council",
            "council_id": council.id,
        },
        board,
    )
    db.session.flush()
    for title, cost in PLANS:
        proposal = Proposal(
            title=title,
            summary=f"{title}: een plan van jongeren uit de buurt.",
            domain="youth",
            cost_lines=[CostLine(position=0, description="Alles", amount_cents=cost)],
            author_id=board.id,
        )
        db.session.add(proposal)
        for target in (Status.submitted, Status.in_review, Status.approved):
            proposal.move_to(target, board, "benchmark")
        services.add_option(round_, proposal, board)
    services.open_round(round_, board)
    codes: list[str] = []
    while len(codes) < count:
        batch = min(MAX_TICKETS_PER_BATCH, count - len(codes))
        codes += [code for _ticket, code in generate_tickets(council, batch, board)]
    db.session.commit()
    data = {
        "round_id": round_.id,
        "council_id": council.id,
        "options": [o.id for o in round_.options],
        "max_choices": MAX_CHOICES,
        "board_email": board.email,
        "board_password": password,
        "board_totp_secret": totp_secret,
        "codes": codes,
    }
    path = Path(out_path)
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    click.echo(
        f"Round {round_.id} is open with {len(round_.options)} plans; {count} ticket codes written to {out_path}."
    )
