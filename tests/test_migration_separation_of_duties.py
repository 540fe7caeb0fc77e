"""Revision b7c4e19a2d30 carries existing data over: a database at the previous revision,
with a council, its facilitator, an approved round and a volunteer, is upgraded in place."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from config import TestingConfig

PREVIOUS, THIS = "c4a2e5e87571", "b7c4e19a2d30"


def test_upgrade_keeps_the_data_and_assigns_each_council_its_planner(database_factory):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_factory("migration13"))
    migrations = str(Path(app.root_path).parent / "migrations")
    with app.app_context():
        from app.extensions import db

        upgrade(directory=migrations, revision=PREVIOUS)
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    'INSERT INTO "user" (id, email, name, password_hash, active, session_version, created_at) VALUES '
                    "(1, 'f@x.nl', 'Facilitator', '', true, 1, '2026-01-01'), (2, 'b@x.nl', 'Board', '', true, 1, '2026-01-01')"
                )
            )
            connection.execute(
                text("INSERT INTO user_role (id, user_id, role) VALUES (1, 1, 'facilitator'), (2, 2, 'board')")
            )
            connection.execute(
                text(
                    "INSERT INTO council (id, title, venue, address, starts_at, ends_at, languages, capacity, domains, description, "
                    "status, outcome_summary, outcome_decisions, created_by_id, created_at) VALUES "
                    "(1, 'Avond', 'Tagerijn', '', '2026-01-01', '2026-01-01', '[]', 60, '[]', '', 'planned', '', '{}', 1, '2026-01-01'), "
                    "(2, 'Door het bestuur', 'Tagerijn', '', '2026-01-01', '2026-01-01', '[]', 60, '[]', '', 'planned', '', '{}', 2, '2026-01-01')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO budget_round (id, name, description, budget_cents, ballot_type, rule, eligibility, split_mode, "
                    "paper_four_eyes, status, results_approved_by_id, created_at) VALUES "
                    "(1, 'Ronde', '', 100, 'approval', 'greedy', 'council', 'none', false, 'results_published', 2, '2026-01-01')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO volunteer (id, name, account_holder_name, birth_year, birth_month, iban, started_on, consent_text, "
                    "consent_accepted_at, created_at) VALUES (1, 'V', 'V', 1980, 5, 'NL91ABNA0417164300', '2024-01-01', 'ok', "
                    "'2024-01-01', '2024-01-01')"
                )
            )
        upgrade(directory=migrations, revision=THIS)
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT council_id, user_id FROM council_facilitator")).all() == [(1, 1)]
            assert connection.execute(
                text("SELECT status, results_approved_by_id, results_hashes FROM budget_round")
            ).one() == ("results_published", 2, None)
            assert connection.execute(text("SELECT iban, pending_iban, bank_changed_by_id FROM volunteer")).one() == (
                "NL91ABNA0417164300",
                None,
                None,
            )
        downgrade(directory=migrations, revision=PREVIOUS)
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM council")).scalar() == 2
        db.engine.dispose()
