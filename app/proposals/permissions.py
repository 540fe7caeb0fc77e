"""Who may do what to a plan (README: "Who may do what"). Views call `load_proposal`:
load, and a plan the user may not see is 404 (as drafts are to the public); an action
they may not take is 403."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.auth.models import User
from app.proposals.models import Proposal
from app.roles import Role


def of_alliance(user: User, proposal: Proposal) -> bool:
    """The author, or an aanjager of the plan's alliance."""
    return user.has_role(Role.aanjager) and (
        proposal.author_id == user.id or (proposal.alliance is not None and user in proposal.alliance.aanjagers)
    )


def may(user: User, action: str, proposal: Proposal) -> bool:
    if not user.is_authenticated:
        return False
    if action == "view":
        return proposal.is_public or of_alliance(user, proposal) or user.has_role(Role.reviewer, Role.board, Role.admin)
    if action in ("edit", "submit"):
        return proposal.can_edit(user)
    if action == "withdraw":
        return of_alliance(user, proposal)
    if action == "review":  # never the author, nor a colleague of the same alliance
        return user.has_role(Role.reviewer) and not of_alliance(user, proposal) and proposal.author_id != user.id
    if action == "follow_up":  # progress updates, mark completed
        return user.has_role(Role.board) or of_alliance(user, proposal)
    raise ValueError(f"unknown action {action!r}")


def load_proposal(proposal_id: int, action: str) -> Proposal:
    proposal = current_user.is_authenticated and _get(proposal_id)
    if not proposal or not may(current_user, "view", proposal):
        abort(404)
    if action != "view" and not may(current_user, action, proposal):
        abort(403)
    return proposal


def _get(proposal_id: int) -> Proposal | None:
    from app.extensions import db

    return db.session.get(Proposal, proposal_id)
