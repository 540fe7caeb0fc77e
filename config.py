"""Settings classes. Every value can be overridden from the environment."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("WIJKSTEM_INSTANCE_DIR", BASE_DIR / "instance"))

#: Secrets that must never run in production (tutorial defaults and our own placeholders).
KNOWN_WEAK_SECRETS = {"", "dev", "change-me", "secret", "you-will-never-guess", "changeme"}


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _local_secret_key() -> str:
    """A random key kept in instance/ so that development sessions survive restarts
    and all gunicorn workers share it. Never used in production."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the old driver; we use psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'wijkstem.db'}"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Ten seconds: under a saturating load (100 clients voting without pause, 16 threads) a
    # vote waited up to 8 s for the lock; a resident would rather wait than send it again.
    SQLITE_BUSY_TIMEOUT_MS = _env_int("SQLITE_BUSY_TIMEOUT_MS", 10000)
    # When a worker first answers a poll with "closed" or "results_published", it makes the
    # round's results page in every language in the background, through the whole stack as a
    # visitor's request would (app/voting/results_routes.py: warm_results_pages).
    WARM_RESULTS_PAGES = True

    LANGUAGES = ("nl", "en", "tr", "ar", "pl")
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_env_int("SESSION_HOURS", 12))
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024  # 5 MB images plus form overhead

    WTF_CSRF_TIME_LIMIT = 8 * 3600  # a council evening is long; the token lives as long as the page

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    #: Failed staff logins slow the source down; they never lock an account (OWASP ASVS 2.2.1).
    #: Per address, and per account from browsers that never signed in to it; a browser that
    #: did (its device cookie) counts on its own, so nobody else's failures keep it out.
    LOGIN_FAILURES_PER_IP = os.environ.get("LOGIN_FAILURES_PER_IP", "30 per minute")
    LOGIN_FAILURES_PER_ACCOUNT = os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "10 per minute")
    LOGIN_FAILURES_PER_DEVICE = os.environ.get("LOGIN_FAILURES_PER_DEVICE", "10 per minute")

    INVITATION_HOURS = _env_int("INVITATION_HOURS", 72)
    #: Tickets stay valid this long after their council ends (voting that evening, at home).
    TICKET_GRACE_HOURS = _env_int("TICKET_GRACE_HOURS", 6)
    #: A council's tickets sign in only while it is open, and at most this long before its start.
    TICKET_SIGN_IN_MARGIN_MINUTES = _env_int("TICKET_SIGN_IN_MARGIN_MINUTES", 60)
    #: Code guessing: wrong codes per address (a venue shares one), per code and per device
    #: cookie. Only failures count and a valid code always signs in; windows are a minute.
    TICKET_FAILURES_PER_IP = os.environ.get("TICKET_FAILURES_PER_IP", "20 per minute")
    TICKET_ATTEMPTS_PER_CODE = os.environ.get("TICKET_ATTEMPTS_PER_CODE", "10 per minute")
    TICKET_FAILURES_PER_DEVICE = os.environ.get("TICKET_FAILURES_PER_DEVICE", "10 per minute")
    #: Contact data of council attendees is deleted this many days after the outcomes are published.
    CONTACT_RETENTION_DAYS = _env_int("CONTACT_RETENTION_DAYS", 183)
    #: The privacy notice (/privacy): the controller and the data protection officer.
    PRIVACY_CONTROLLER = os.environ.get("PRIVACY_CONTROLLER", "Gemeente Amsterdam, stadsdeel Nieuw-West (demo)")
    PRIVACY_ADDRESS = os.environ.get("PRIVACY_ADDRESS", "Osdorpplein 1000, 1068 TG Amsterdam (demo)")
    PRIVACY_EMAIL = os.environ.get("PRIVACY_EMAIL", "privacy@wijkstem.example")
    PRIVACY_DPO_NAME = os.environ.get("PRIVACY_DPO_NAME", "Functionaris gegevensbescherming (demo)")
    PRIVACY_DPO_EMAIL = os.environ.get("PRIVACY_DPO_EMAIL", "fg@wijkstem.example")
    #: Key for the HMAC of ticket codes; falls back to SECRET_KEY.
    TICKET_HASH_KEY = os.environ.get("TICKET_HASH_KEY", "")
    #: Key of the sealed ballot box, the sealed form tokens and the encrypted session cookie
    #: (derived with HKDF); falls back to SECRET_KEY. Never stored in the database.
    BALLOT_BOX_KEY = os.environ.get("BALLOT_BOX_KEY", "")
    #: The ballot box writes a random BALLOT_MIX_SIZE of its sealed entries to the ballot table
    #: once it holds twice as many, and everything when the round closes: every batch has at
    #: least this many ballots (or all of a quieter evening).
    BALLOT_MIX_SIZE = _env_int("BALLOT_MIX_SIZE", 10)
    #: The same for the optional profiles of the welcome step (the reach report also counts those
    #: still waiting, so tests need no smaller batches here).
    PROFILE_MIX_SIZE = _env_int("PROFILE_MIX_SIZE", 10)

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "wijkstem@localhost")

    #: The programme's own account: the debtor in the SEPA payout files of volunteer allowances.
    PAYOUT_DEBTOR_NAME = os.environ.get("PAYOUT_DEBTOR_NAME", "Samen Nieuw-West demo")
    PAYOUT_DEBTOR_IBAN = os.environ.get("PAYOUT_DEBTOR_IBAN", "NL91ABNA0417164300")
    PAYOUT_DEBTOR_BIC = os.environ.get("PAYOUT_DEBTOR_BIC", "ABNANL2A")
    #: Whether receipted expenses count towards the fiscal caps of volunteer allowances.
    EXPENSES_COUNT_TOWARDS_CAPS = _env_bool("EXPENSES_COUNT_TOWARDS_CAPS", True)

    #: Behind a reverse proxy (nginx): trust one hop of X-Forwarded-For/-Proto/-Host, so that
    #: rate limits count real client addresses and links use https.
    TRUST_PROXY_HEADERS = _env_bool("TRUST_PROXY_HEADERS", False)
    #: Public base URL used in QR codes and e-mails; empty means "the host of the request".
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    #: Where residents report accessibility problems (shown in the accessibility statement).
    ACCESSIBILITY_CONTACT = os.environ.get("ACCESSIBILITY_CONTACT", "toegankelijkheid@samennieuwwest.example")
    DEMO_ALLOWED = True

    @classmethod
    def init_app(cls, app) -> None:  # a hook for subclasses
        """Late checks that need the final configuration."""


class DevelopmentConfig(Config):
    @classmethod
    def init_app(cls, app) -> None:
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = _local_secret_key()


class TestingConfig(Config):
    TESTING = True
    WARM_RESULTS_PAGES = False  # no background request on the tests' one shared connection (a test turns it on)
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = "sqlite://"  # tests pass their own database (tests/conftest.py)
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = True
    #: 1: each ballot leaves the box right after its own cast (tests of other behaviour see
    #: their ballot at once); the secret-ballot tests set the production value.
    BALLOT_MIX_SIZE = 1
    MAIL_SUPPRESS_SEND = False
    SERVER_NAME = None


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    DEMO_ALLOWED = False

    @classmethod
    def init_app(cls, app) -> None:
        key = app.config.get("SECRET_KEY") or ""
        if key.strip().lower() in KNOWN_WEAK_SECRETS or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY is missing or weak: set a random value of at least 32 characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    name = os.environ.get("WIJKSTEM_CONFIG", "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"WIJKSTEM_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}") from None
