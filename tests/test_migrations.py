"""The schema comes only from migrations, and the migrations match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.extensions import db


def test_migrations_produce_the_schema_of_the_models(app):
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_every_model_table_exists_after_upgrade(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables


def test_the_app_never_calls_create_all():
    from pathlib import Path

    sources = Path(__file__).resolve().parent.parent.joinpath("app").rglob("*.py")
    assert not [p for p in sources if "create_all(" in p.read_text(encoding="utf-8")]
