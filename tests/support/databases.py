"""Creating and dropping isolated PostgreSQL databases for a test run."""

from __future__ import annotations

import psycopg
from sqlalchemy.engine import make_url


def _admin_dsn(base_url: str) -> str:
    url = make_url(base_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def create_postgres_database(base_url: str, name: str) -> str:
    with psycopg.connect(_admin_dsn(base_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(base_url: str, name: str) -> None:
    with psycopg.connect(_admin_dsn(base_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
