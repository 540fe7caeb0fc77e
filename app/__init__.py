"""Wijkstem: participatory budgeting and voting for Nieuw-West."""

from __future__ import annotations

import logging

from flask import Flask, g, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from app.errors import DomainError
from app.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from config import Config, config_from_env

ERROR_CODES = (400, 403, 404, 405, 409, 413, 429, 500, 503)
#: Seconds a client should wait: a minute for rate limits, a few seconds when the database is busy.
RETRY_AFTER_SECONDS = {429: "30", 503: "5"}


def create_app(config_class: type[Config] | None = None, **overrides) -> Flask:
    config_class = config_class or config_from_env()
    app = Flask(__name__, instance_path=str(_instance_path()), instance_relative_config=False)
    app.config.from_object(config_class)
    app.config.update(overrides)
    config_class.init_app(app)
    from app.sessions import EncryptedSessionInterface

    app.session_interface = EncryptedSessionInterface()
    from app import ballot_box

    ballot_box.init_app(app)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A pre-ping costs a round trip per checkout: worth it for a network database only.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    from app.database import sqlite_engine_options

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = sqlite_engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    )
    if app.config.get("TRUST_PROXY_HEADERS", False):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    _init_extensions(app)
    _register_converters(app)
    _register_blueprints(app)
    _connect_domains(app)
    _share_answers(app)
    _register_error_pages(app)
    _register_template_helpers(app)
    from app import wire

    wire.init_app(app)

    from app.cli import register_cli

    register_cli(app)
    return app


def _instance_path():
    from config import INSTANCE_DIR

    return INSTANCE_DIR


def _init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (registers every table)
    from app.database import configure_engine
    from app.i18n import select_locale
    from app.security import set_security_headers

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    app.after_request(set_security_headers)

    @app.before_request
    def _remember_route() -> None:
        # For the access log (gunicorn.conf.py): the route, never the path with its code.
        request.environ["wijkstem.route"] = request.url_rule.rule if request.url_rule else "-"

    from app.auth.models import User

    @login_manager.user_loader
    def load_user(session_id: str):
        user_id, _sep, version = session_id.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user


#: Ids are 32-bit integers on PostgreSQL (and no id gets near it on SQLite): a larger one names nothing.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: digits only, at most MAX_ID; anything larger is 404 (no
    database error, no 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _register_converters(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter


def _register_blueprints(app: Flask) -> None:
    # A view module attaches its routes (and template helpers) to its domain's `bp` when
    # imported: these imports are the complete list of pages.
    from app.auth import bp as auth_bp
    from app.auth import routes as _auth_routes  # noqa: F401
    from app.auth import two_step_routes as _two_step_routes  # noqa: F401
    from app.compensation import bp as compensation_bp
    from app.compensation import payout_routes as _payout_routes  # noqa: F401
    from app.compensation import routes as _compensation_routes  # noqa: F401
    from app.compensation import templating as _compensation_templating  # noqa: F401
    from app.councils import bp as councils_bp
    from app.councils import resident_routes as _council_resident_routes  # noqa: F401
    from app.councils import routes as _council_routes  # noqa: F401
    from app.councils import staff_routes as _council_staff_routes  # noqa: F401
    from app.finance import bp as finance_bp
    from app.finance import routes as _finance_routes  # noqa: F401
    from app.places import bp as places_bp
    from app.places import routes as _places_routes  # noqa: F401
    from app.proposals import bp as proposals_bp
    from app.proposals import routes as _proposal_routes  # noqa: F401
    from app.proposals import staff_routes as _proposal_staff_routes  # noqa: F401
    from app.public import bp as public_bp
    from app.public import routes as _public_routes  # noqa: F401
    from app.reach import bp as reach_bp
    from app.reach import routes as _reach_routes  # noqa: F401
    from app.reach import templating as _reach_templating  # noqa: F401
    from app.voting import bp as voting_bp
    from app.voting import evening_routes as _evening_routes  # noqa: F401
    from app.voting import resident_routes as _voting_resident_routes  # noqa: F401
    from app.voting import results_routes as _results_routes  # noqa: F401
    from app.voting import staff_routes as _voting_staff_routes  # noqa: F401
    from app.voting import templating as _voting_templating  # noqa: F401

    for blueprint in (
        public_bp,
        auth_bp,
        places_bp,
        proposals_bp,
        councils_bp,
        voting_bp,
        finance_bp,
        compensation_bp,
        reach_bp,
    ):
        app.register_blueprint(blueprint)


def _connect_domains(app: Flask) -> None:
    """Every place where one domain shows up on another's pages (see app/signals.py).
    Connecting a receiver twice (one app per test) keeps one connection."""
    from app import signals
    from app.compensation.routes import PANELS as ALLOWANCE_PANELS
    from app.councils import services as councils
    from app.councils.staff_routes import PANELS as COUNCIL_PANELS
    from app.finance.routes import PANELS as MONEY_PANELS
    from app.proposals.staff_routes import PANELS as PLAN_PANELS
    from app.public.services import ADMIN_PANEL
    from app.reach import routes as reach
    from app.voting import hooks as voting
    from app.voting.staff_routes import PANELS as VOTE_PANELS

    signals.home_page.connect(councils.home_section)
    signals.home_page.connect(voting.home_section)
    signals.home_page.connect(reach.home_section)
    signals.council_page.connect(voting.council_page_links)
    signals.council_page.connect(reach.council_page_links)
    signals.council_public_page.connect(voting.council_results_links)
    signals.ticket_next_step.connect(voting.ticket_next_step)
    # The staff dashboard, in this order.
    app.extensions["wijkstem.panels"] = (
        ADMIN_PANEL,
        *PLAN_PANELS,
        *COUNCIL_PANELS,
        *MONEY_PANELS,
        *VOTE_PANELS,
        *ALLOWANCE_PANELS,
        *reach.PANELS,
    )


def _share_answers(app: Flask) -> None:
    """The answers sent without Flask once Flask has sent them (see app/shared_answers.py):
    the status poll and the results page of a round, both from memory."""
    import re

    from app.shared_answers import Route, SharedAnswers
    from app.voting import resident_routes, results_routes, services

    services.watch_status_changes()  # the status cache these answers rest on forgets a change at once
    app.wsgi_app = app.extensions["wijkstem.shared_answers"] = SharedAnswers(
        app,
        app.wsgi_app,
        (
            Route(
                re.compile(r"/rounds/([1-9][0-9]{0,9})/status\.json"),
                "/rounds/<int:round_id>/status.json",
                resident_routes.status_answer,
                anonymous=False,
            ),
            Route(
                re.compile(r"/rounds/([1-9][0-9]{0,9})/results"),
                "/rounds/<int:round_id>/results",
                results_routes.shared_page,
                anonymous=True,
            ),
        ),
    )


def is_transient_database_error(error: Exception) -> bool:
    """True when trying again shortly can succeed: SQLite's write lock was held past the
    busy timeout, the connection pool had no free connection in time, or the connection
    to PostgreSQL died (server restart, terminated backend). Other database errors are bugs."""
    if isinstance(error, PoolTimeoutError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, OperationalError):
        message = str(error.orig).lower()
        return "database is locked" in message or "database is busy" in message
    return False


def _register_error_pages(app: Flask) -> None:
    from app.labels import describe_domain_error

    def render_error(code: int, description: str | None = None):
        try:
            db.session.rollback()  # nothing half-written survives an error
        except SQLAlchemyError:
            db.session.remove()  # the connection is gone; drop the session with it
        response = make_response(render_template("errors/error.html", code=code, description=description), code)
        if code in RETRY_AFTER_SECONDS:
            # A counter's own window when it set one (seconds, not a day), else the default.
            response.headers["Retry-After"] = str(g.get("retry_after") or RETRY_AFTER_SECONDS[code])
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code not in ERROR_CODES:
            return error
        return render_error(code)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return render_error(409, describe_domain_error(error))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, _("The form had expired or was sent from another site. Please try again."))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        logging.getLogger("wijkstem").exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)

    @app.errorhandler(SQLAlchemyError)
    def database_error(error: SQLAlchemyError):
        """Busy or unreachable database: 503 with Retry-After, never a 500. Nothing was
        committed, and a resubmitted ballot form gets one ballot (its form token)."""
        if not is_transient_database_error(error):
            return unexpected_error(error)
        logging.getLogger("wijkstem").warning(
            "Database busy or unreachable on %s %s: %s", request.method, request.path, error.__class__.__name__
        )
        if "_login_user" not in g:
            # Loading the staff user is what failed: show the page as to a visitor rather
            # than asking the busy database again (the locale and the menu need the user).
            g._login_user = login_manager.anonymous_user()
        try:
            return render_error(503)
        except SQLAlchemyError:
            # Still busy while rendering (something on the page needed the database): plain text.
            db.session.remove()
            response = make_response(
                _("Your choices are not lost. Please wait a few seconds and send them again."), 503
            )
            response.mimetype = "text/plain"
            response.headers["Retry-After"] = RETRY_AFTER_SECONDS[503]
            return response


def _register_template_helpers(app: Flask) -> None:
    from app import formatting
    from app.domains import DOMAINS, domain
    from app.i18n import LANGUAGES, current_language, language
    from app.labels import ORIGIN_LABELS, council_status_label, status_label
    from app.signals import collect_lists, council_page, council_public_page
    from app.views import public_url

    @app.context_processor
    def inject_globals():
        return {
            "languages": LANGUAGES,
            "current_language": current_language(),
            "domains": DOMAINS,
        }

    app.jinja_env.globals["domain"] = domain
    app.jinja_env.globals["public_url"] = public_url
    app.jinja_env.globals["status_label"] = status_label
    app.jinja_env.globals["council_status_label"] = council_status_label
    app.jinja_env.globals["language_name"] = lambda code: language(code).native_name
    app.jinja_env.globals["council_links"] = lambda council: collect_lists(council_page, council)
    app.jinja_env.globals["public_council_links"] = lambda council, absolute=False: collect_lists(
        council_public_page, council, absolute=absolute
    )
    app.jinja_env.globals["origin_label"] = lambda code: ORIGIN_LABELS.get(code, code)
    app.jinja_env.globals["amount_example"] = formatting.amount_example
    app.jinja_env.filters["nl2p"] = formatting.paragraphs
    app.jinja_env.filters["money"] = formatting.money
    app.jinja_env.filters["datetime"] = formatting.local_datetime
    app.jinja_env.filters["date"] = formatting.local_date
