"""Recording privileged actions."""

from __future__ import annotations

from flask_login import current_user

from app.auth.models import AuditEvent
from app.extensions import db


def record(action: str, obj=None, *, actor=None, **detail) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the action itself)."""
    if obj is not None and getattr(obj, "id", 0) is None:
        db.session.flush()  # the object needs its id before we can point at it
    if actor is None and current_user and current_user.is_authenticated:
        actor = current_user
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=type(obj).__tablename__ if obj is not None and hasattr(obj, "__tablename__") else None,
        object_id=str(obj.id) if obj is not None and getattr(obj, "id", None) is not None else None,
        detail={k: v for k, v in detail.items() if v is not None},
    )
    db.session.add(event)
    return event
