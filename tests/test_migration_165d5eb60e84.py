"""The expense and invitation migration carries existing rows over: an expense recorded before it
becomes "submitted" (so a second treasurer can approve it and it gets paid), an invitation keeps
working until it expires."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from config import TestingConfig

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def test_existing_expenses_and_invitations_survive_the_upgrade(database_factory):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_factory("migration"))
    now = datetime.now(UTC).replace(tzinfo=None)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="6805ac409a10")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    'INSERT INTO "user" (id, email, name, password_hash, active, session_version, created_at) '
                    "VALUES (1, 'penning@wijkstem.example', 'Tamara', '', true, 1, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO volunteer (id, name, account_holder_name, birth_year, birth_month, iban, started_on, "
                    "consent_text, consent_accepted_at, created_at) VALUES (1, 'Fatima', 'Fatima', 1980, 5, "
                    "'NL20INGB0001234567', '2024-01-01', 'Akkoord', :now, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO volunteer_expense (id, volunteer_id, spent_on, description, amount_cents, receipt_reference, "
                    "counts_towards_caps, recorded_by_id, recorded_at) VALUES (1, 1, '2025-03-12', 'Trein', 1240, 'NS-1', "
                    "true, 1, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO invitation (id, token_hash, email, name, roles, invited_by_id, created_at, expires_at) "
                    "VALUES (1, :hash, 'nieuw@wijkstem.example', 'Nadia', '[\"board\"]', 1, :now, :later)"
                ),
                {"hash": "ab" * 32, "now": now, "later": now + timedelta(hours=72)},
            )
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            expense = connection.execute(
                text("SELECT status, amount_cents, batch_id, approved_by_id, rejection_reason FROM volunteer_expense")
            ).one()
            invitation = connection.execute(text("SELECT email, revoked_at, mailed_at, used_at FROM invitation")).one()
        assert tuple(expense) == ("submitted", 1240, None, None, "")
        assert tuple(invitation) == ("nieuw@wijkstem.example", None, None, None)

        from app.auth.models import Invitation

        stored = db.session.get(Invitation, 1)
        assert stored.is_usable(datetime.now(UTC)) and stored.state(datetime.now(UTC)) == "not_sent"
