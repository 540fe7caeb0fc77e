"""Who may do what to a budget round (README: "Who may do what"). One answer per action,
and one loader that every staff view of a round calls: load (404), authorise (403)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.auth.models import User
from app.roles import Role
from app.views import get_or_404
from app.voting.models import BudgetRound

#: Set up a round: budget, sub-budgets, ballot type, rule, plans, voter codes; approve,
#: reopen, discard pending paper.
BOARD_ACTIONS = frozenset({"setup", "approve", "reopen", "discard_paper"})


def _runs_council(user: User, round_: BudgetRound) -> bool:
    return round_.council is not None and round_.council.is_facilitator(user)


def may(user: User, action: str, round_: BudgetRound) -> bool:
    if not user.is_authenticated:
        return False
    if action in BOARD_ACTIONS:
        return user.has_role(Role.board)
    if action in ("open", "close"):
        # District-wide rounds only by the board; a council's vote by its facilitators (or the board).
        if round_.is_district_wide:
            return user.has_role(Role.board)
        return user.has_role(Role.board) or _runs_council(user, round_)
    if action == "follow":  # the live page and the presenter view
        return user.has_role(Role.board) or (not round_.is_district_wide and _runs_council(user, round_))
    if action == "paper":  # enter and confirm paper ballots: the council's facilitators only
        return not round_.is_district_wide and _runs_council(user, round_)
    raise ValueError(f"unknown action {action!r}")


def load_round(round_id: int, action: str) -> BudgetRound:
    round_ = get_or_404(BudgetRound, round_id)
    if not may(current_user, action, round_):
        abort(403)
    return round_
