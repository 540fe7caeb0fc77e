"""Shared fixtures: the app on the database chosen by WIJKSTEM_TEST_DATABASE (sqlite or
postgresql), a database rolled back after every test, factories and `login_as(role)`."""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.globals import app_ctx
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.engine import make_url

from app import create_app
from app.cache import clear_all as clear_caches
from app.extensions import db as _db
from app.extensions import limiter
from app.roles import Role
from config import TestingConfig
from tests.support.databases import create_postgres_database, drop_postgres_database

BACKEND = os.environ.get("WIJKSTEM_TEST_DATABASE", "sqlite")
PG_URL = os.environ.get("WIJKSTEM_TEST_PG_URL", "postgresql+psycopg://127.0.0.1:5432/test")


def pytest_report_header(config):
    return f"wijkstem database backend: {BACKEND}"


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory):
    """Makes empty databases of the backend under test and removes them at the end."""
    made: list[str] = []

    def make(label: str) -> str:
        if BACKEND == "postgresql":
            url = create_postgres_database(PG_URL, f"wijkstem_{label}_{secrets.token_hex(4)}")
        else:
            url = f"sqlite:///{tmp_path_factory.mktemp(label) / 'wijkstem.db'}"
        made.append(url)
        return url

    yield make
    if BACKEND == "postgresql":
        for url in made:
            drop_postgres_database(PG_URL, make_url(url).database)


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session always picks the app's engine; tests bind it to one connection."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind or self.bind or super().get_bind(mapper=mapper, clause=clause, **kwargs)


def make_app(database_url: str, **overrides):
    """A migrated app on its own database. Note: the rate limiter is one object shared by
    every app in the process, so never switch it off for one app (it would be off for all)."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, **overrides)
    with app.app_context():
        upgrade(directory=str(Path(app.root_path).parent / "migrations"))
    return app


@pytest.fixture(scope="session")
def app(database_factory):
    app = make_app(database_factory("main"))
    app.test_client_class = ExpiringTestClient
    return app


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Argon2 with production cost makes every test user take ~50 ms; tests use a cheap profile."""
    from argon2 import PasswordHasher

    from app.auth import models

    original = models._hasher
    models._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    models._hasher = original


TEST_SCOPE = "test"


def _session_scope():
    """Each request gets its own session (its own app context); test code, outside any
    request or inside `test_context()`, shares one, so that it sees what requests wrote."""
    if not has_app_context() or g.get("_test_code"):
        return TEST_SCOPE
    return id(app_ctx._get_current_object())


@pytest.fixture
def test_context(app, db):
    """An app and request context for calling services directly from a test, sharing
    the test's own database session."""

    @contextmanager
    def context():
        with app.test_request_context():
            g._test_code = True
            yield

    return context


class ExpiringTestClient(FlaskClient):
    """After each request, the test's own session forgets what it had loaded, so that
    assertions read what the request really wrote."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if not has_app_context():
            _db.session.expire_all()
        return response


@pytest.fixture
def db(app):
    """The database inside a transaction that is rolled back after the test.

    The code under test commits as usual; those commits end savepoints, not the outer
    transaction. Tests run outside an app context, so that every request starts with a
    fresh one (and a fresh `g`), as in production."""
    with app.app_context():
        connection = _db.engine.connect()
    transaction = connection.begin()
    original = _db.session
    scoped = _db._make_scoped_session(
        {
            "class_": ConnectionBoundSession,
            "bind": connection,
            "join_transaction_mode": "create_savepoint",
            "scopefunc": _session_scope,
        }
    )
    remove = scoped.remove
    # The end of a `test_context()` must not close the test's own session.
    scoped.remove = lambda: None if _session_scope() == TEST_SCOPE else remove()
    _db.session = scoped
    limiter.reset()
    clear_caches()  # round ids repeat from test to test: nothing cached may outlive its database
    try:
        yield _db
    finally:
        scoped.registry.clear()
        _db.session = original
        if transaction.is_active:
            transaction.rollback()
        connection.close()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def make_user(db):
    from app.auth.services import create_user

    counter = iter(range(1, 10_000))

    def make(
        *roles: Role | str, name: str | None = None, email: str | None = None, password: str = "correct horse battery"
    ):
        n = next(counter)
        user = create_user(
            email or f"user{n}-{secrets.token_hex(3)}@wijkstem.example", name or f"Test User {n}", password, roles
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def login_as(client, make_user):
    """Sign the test client in as a new staff member holding the given roles."""

    def login(*roles: Role | str, user=None):
        user = user or make_user(*roles)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return login
