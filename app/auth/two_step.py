"""Two-step sign-in with an authenticator app (TOTP, RFC 6238, via pyotp) and recovery codes.

Required for the roles that move money and outcomes: board, treasurer, administrator. They enrol
at their first login after this was introduced (nothing else opens until they have); others may
enrol too. The secret is stored encrypted with a key derived from SECRET_KEY (a copy of the
database alone does not give the codes); recovery codes are stored only as hashes. A code is
accepted once (no replay within its 30 seconds)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import select

from app.auth import audit
from app.auth.models import RecoveryCode, User
from app.extensions import db
from app.roles import Role
from app.types import utcnow

REQUIRED_FOR = (Role.board, Role.treasurer, Role.admin)
RECOVERY_CODES = 10
ISSUER = "Wijkstem"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def required_for(user: User) -> bool:
    return user.has_role(*REQUIRED_FOR)


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"wijkstem-totp:" + current_app.config["SECRET_KEY"].encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _secret(user: User) -> str | None:
    if not user.totp_secret:
        return None
    try:
        return _fernet().decrypt(user.totp_secret.encode()).decode()
    except InvalidToken:
        return None  # SECRET_KEY changed: the user signs in with a recovery code and enrols again


def start_enrolment(user: User) -> str:
    """A new secret, kept (encrypted) on the account but not switched on until a code confirms it."""
    secret = pyotp.random_base32()
    user.totp_secret = _fernet().encrypt(secret.encode()).decode()
    user.totp_enabled_at = None
    user.totp_last_step = None
    return secret


def pending_secret(user: User) -> str | None:
    return _secret(user) if user.totp_enabled_at is None else None


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _hash(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, code.replace("-", "").replace(" ", "").upper().encode(), hashlib.sha256).hexdigest()


def _check_totp(user: User, code: str) -> bool:
    secret = _secret(user)
    code = (code or "").replace(" ", "")
    if not secret or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    now = utcnow().timestamp()
    step = int(now // totp.interval)
    for candidate in (step - 1, step, step + 1):  # one step of clock drift either way
        if hmac.compare_digest(totp.at(candidate * totp.interval), code):
            if user.totp_last_step is not None and candidate <= user.totp_last_step:
                return False  # this code (or an earlier one) was used already
            user.totp_last_step = candidate
            return True
    return False


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Switch two-step sign-in on when the code from the app is right; returns the recovery codes
    (shown once) or None."""
    if user.totp_enabled_at is not None or not _check_totp(user, code):
        return None
    user.totp_enabled_at = utcnow()
    codes = [
        "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3)) for _ in range(RECOVERY_CODES)
    ]
    for old in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        db.session.delete(old)
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(code)))
    audit.record("auth.two_step_on", user, actor=user)
    return codes


def verify(user: User, code: str) -> str | None:
    """ "totp" or "recovery" when the code signs the user in, else None. A recovery code works once."""
    if user.totp_enabled_at is None:
        return None
    if _check_totp(user, code):
        return "totp"
    row = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code or ""), RecoveryCode.used_at.is_(None)
        )
    )
    if row is not None:
        row.used_at = utcnow()
        return "recovery"
    return None


def recovery_codes_left(user: User) -> int:
    return len(
        [
            r
            for r in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id))
            if r.used_at is None
        ]
    )


def enrol_with_known_secret(user: User, secret: str) -> None:
    """For the demo only: a published secret, so that demo logins work with any authenticator."""
    user.totp_secret = _fernet().encrypt(secret.encode()).decode()
    user.totp_enabled_at = utcnow()
    user.totp_last_step = None
