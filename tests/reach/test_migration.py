"""The reach migration keeps the profiles already collected, on both backends."""

from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db
from config import TestingConfig

PREVIOUS = "6805ac409a10"


def test_existing_profiles_survive_the_upgrade(database_factory):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_factory("reachmig"))
    migrations = str(Path(app.root_path).parent / "migrations")
    with app.app_context():
        upgrade(directory=migrations, revision=PREVIOUS)
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO neighbourhood (id, name, is_focus) VALUES (1, 'Wildeman', true)"))
            connection.execute(
                text(
                    "INSERT INTO council (id, title, venue, address, starts_at, ends_at, languages, capacity, domains, description,"
                    " status, outcome_summary, outcome_decisions, created_at) VALUES (1, 'Oud', 'Zaal', '', '2024-04-10 17:00:00',"
                    " '2024-04-10 19:00:00', '[]', 60, '[]', '', 'closed', '', '{}', '2024-04-01 10:00:00')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO attendance_profile (id, council_id, neighbourhood_id, age_band) VALUES"
                    " (1, 1, 1, '27_65'), (2, 1, NULL, 'over_65')"
                )
            )
        upgrade(directory=migrations)
        with db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT council_id, neighbourhood_id, age_band, first_time, language"
                    " FROM attendance_profile ORDER BY age_band"
                )
            ).all()
        assert [tuple(r) for r in rows] == [(1, 1, "27_65", None, None), (1, None, "over_65", None, None)]
        assert "reference_population" in inspect(db.engine).get_table_names()
        db.engine.dispose()
