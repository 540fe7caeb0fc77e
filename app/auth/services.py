"""Staff accounts: signing in, invitations, roles."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from app.auth import audit
from app.auth.models import Invitation, Role, User
from app.errors import DomainError
from app.extensions import db
from app.types import utcnow

# Verifying against a dummy hash keeps the time of a failed login the same for unknown accounts.
_DUMMY = User(password_hash="")


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None or not user.active:
        _DUMMY.set_password(password[:1] or "x")
        return None
    return user if user.check_password(password) else None


def record_login(email: str, user: User | None) -> None:
    """Staff logins go into the audit log, failed ones too: with the account when the address
    belongs to one, else with the address as typed (never the password)."""
    if user is not None:
        audit.record("auth.login", user, actor=user)
        return
    known = find_user_by_email(email)
    if known is not None:
        audit.record("auth.login_failed", known, actor=None)
    else:
        audit.record("auth.login_failed", None, actor=None, email=(email or "").strip()[:254])


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(email: str, name: str, roles: list[str], invited_by: User) -> tuple[Invitation, str]:
    """Return the invitation and its plain token (shown once, never stored)."""
    if find_user_by_email(email) is not None:
        raise DomainError("exists")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    invitation = Invitation(
        token_hash=_token_hash(token),
        email=email.strip().lower(),
        name=name.strip(),
        roles=sorted(Role(r).value for r in roles),
        invited_by_id=invited_by.id,
        created_at=now,
        expires_at=now + timedelta(hours=current_app.config["INVITATION_HOURS"]),
    )
    db.session.add(invitation)
    audit.record("user.invite", invitation, actor=invited_by, email=invitation.email, roles=invitation.roles)
    return invitation, token


def renew_invitation(invitation: Invitation, actor: User) -> str:
    """A new link (the old one stops working) and a new expiry, to send again. Only the hash of a
    token is stored, so sending again always means a new token."""
    if invitation.used_at is not None or invitation.revoked_at is not None:
        raise DomainError("invitation_closed")
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _token_hash(token)
    invitation.expires_at = utcnow() + timedelta(hours=current_app.config["INVITATION_HOURS"])
    audit.record("user.invitation_renew", invitation, actor=actor, email=invitation.email)
    return token


def revoke_invitation(invitation: Invitation, actor: User) -> None:
    if invitation.used_at is not None or invitation.revoked_at is not None:
        raise DomainError("invitation_closed")
    invitation.revoked_at, invitation.revoked_by_id = utcnow(), actor.id
    audit.record("user.invitation_revoke", invitation, actor=actor, email=invitation.email)


def send_invitation_mail(invitation: Invitation, token: str) -> bool:
    """Runs after the commit (a slow or failing mail server never undoes the invitation); the
    outcome is stored on the invitation, and the caller commits it. True when sent."""
    import logging
    import smtplib

    from flask import render_template
    from flask_babel import gettext as _
    from flask_mail import Message

    from app.extensions import mail
    from app.views import public_url

    link = public_url("auth.accept_invitation", token=token)
    message = Message(
        subject=_("Your invitation for Wijkstem"),
        recipients=[invitation.email],
        body=render_template(
            "auth/invitation_mail.txt", invitation=invitation, link=link, hours=current_app.config["INVITATION_HOURS"]
        ),
    )
    try:
        mail.send(message)
    except (smtplib.SMTPException, OSError):
        logging.getLogger("wijkstem").exception("invitation %s: the e-mail could not be sent", invitation.id)
        invitation.mail_failed_at = utcnow()
        return False
    invitation.mailed_at = utcnow()
    return True


def invitations() -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).order_by(Invitation.created_at.desc(), Invitation.id.desc())))


def find_usable_invitation(token: str) -> Invitation | None:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token)))
    if invitation is None or not invitation.is_usable(utcnow()):
        return None
    return invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    if not invitation.is_usable(utcnow()):
        raise DomainError("invitation_used")
    if find_user_by_email(invitation.email) is not None:
        raise DomainError("exists")
    user = User(email=invitation.email, name=invitation.name)
    user.set_password(password)
    user.set_roles(invitation.roles)
    db.session.add(user)
    invitation.used_at = utcnow()
    audit.record("user.accept_invitation", user, actor=user)
    return user


def set_user_roles(user: User, roles: list[str]) -> None:
    before = sorted(r.value for r in user.roles)
    user.set_roles(roles)
    user.end_sessions()  # a role change takes effect at once, also for open sessions
    audit.record("user.roles", user, before=before, after=sorted(roles))


def set_user_active(user: User, active: bool) -> None:
    user.active = active
    user.end_sessions()
    audit.record("user.activate" if active else "user.deactivate", user)


def create_user(email: str, name: str, password: str, roles) -> User:
    """Used by the CLI and the demo seed."""
    user = User(email=email.lower(), name=name)
    user.set_password(password)
    user.set_roles(roles)
    db.session.add(user)
    return user
