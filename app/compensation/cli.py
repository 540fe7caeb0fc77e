import click
from flask.cli import with_appcontext

from app.compensation.volunteers import purge_volunteer_contacts
from app.extensions import db


@click.command("purge-volunteer-contacts")
@with_appcontext
def purge_volunteer_contacts_command() -> None:
    """Remove e-mail and phone of volunteers who stopped. Payment records are kept (7 years, tax law)."""
    removed = purge_volunteer_contacts()
    db.session.commit()
    click.echo(f"Removed the contact details of {removed} volunteer(s).")
