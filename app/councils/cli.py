import click
from flask.cli import with_appcontext

from app.councils.services import purge_contacts
from app.extensions import db


@click.command("purge-contacts")
@with_appcontext
def purge_contacts_command() -> None:
    """Delete council attendees' contact data once its retention period has passed."""
    removed = purge_contacts()
    db.session.commit()
    click.echo(f"Removed {removed} contact record(s).")
