"""Who may do what to a council (README: "Who may do what"). Views call `load_council`:
load (404), authorise (403), then the service."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.auth.models import User
from app.councils.models import Council
from app.roles import Role
from app.views import get_or_404


def may(user: User, action: str, council: Council) -> bool:
    if not user.is_authenticated:
        return False
    if action == "edit":  # schedule, edit, assign facilitators, the poster
        return council.can_manage(user)
    if action == "run":  # tickets, desk sign-in, void and reissue, open and close, outcomes
        return council.is_facilitator(user)
    raise ValueError(f"unknown action {action!r}")


def may_plan(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.facilitator, Role.board, Role.admin)


def load_council(council_id: int, action: str) -> Council:
    council = get_or_404(Council, council_id)
    if not may(current_user, action, council):
        abort(403)
    return council
