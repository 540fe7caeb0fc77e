"""Command-line tasks: `flask --app wsgi <command>`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.auth.models import Role
from app.auth.services import create_user, find_user_by_email
from app.backup import backup_command
from app.compensation.cli import purge_volunteer_contacts_command
from app.councils.cli import purge_contacts_command
from app.councils.codes import format_code
from app.councils.demo import DEMO_TICKET_CODES
from app.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, database_is_empty, seed_demo
from app.extensions import db
from app.voting.bench_cli import bench_setup_command
from app.voting.cli import tally_command


def register_cli(app: Flask) -> None:
    """Every `flask` command, the domains' ones included."""
    for command in (
        seed_demo_command,
        create_admin_command,
        backup_command,
        purge_contacts_command,
        purge_volunteer_contacts_command,
        tally_command,
        bench_setup_command,
    ):
        app.cli.add_command(command)


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no accounts yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo data (areas, alliances, one staff user per role, ...). Safe to run twice."""
    if not current_app.config.get("DEMO_ALLOWED"):
        raise click.ClickException("Demo data and demo passwords are refused in production.")
    if if_empty and not database_is_empty():
        click.echo("The database already has data; demo not loaded.")
        return
    seed_demo()
    db.session.commit()
    click.echo(f"Demo data loaded. Demo staff password: {DEMO_PASSWORD}")
    click.echo(
        f"Two-step sign-in key of the demo board, treasurer and administrator (add it to an authenticator "
        f"app): {DEMO_TOTP_SECRET}"
    )
    _print_demo_tickets()


def _print_demo_tickets() -> None:
    """The demo council's ticket codes exist only now; show a few so people can try them."""
    from flask import url_for

    if not DEMO_TICKET_CODES:
        return
    path = current_app.instance_path + "/demo-tickets.txt"
    with current_app.test_request_context(
        base_url=current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:8000"
    ):
        lines = [
            f"{format_code(code)}  {url_for('councils.public_ticket', code=code, _external=True)}"
            for code in DEMO_TICKET_CODES
        ]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    click.echo("Demo ticket codes (also in instance/demo-tickets.txt):")
    for line in lines[:5]:
        click.echo("  " + line)


@click.command("create-admin")
@with_appcontext
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create the first administrator of a new installation."""
    if find_user_by_email(email):
        raise click.ClickException("An account with this e-mail address exists already.")
    from app.auth.passwords import problem

    reason = problem(password, known_words=(name, email))
    if reason is not None:
        raise click.ClickException(
            {
                "too_short": "Use a password of at least 12 characters.",
                "too_long": "Use a password of at most 128 characters.",
                "common": "This password is on a list of common passwords.",
                "guessable": "This password is too easy to guess.",
            }[reason]
        )
    create_user(email, name, password, [Role.admin])
    db.session.commit()
    click.echo(f"Administrator {email} created.")
