"""The proposal lifecycle as a pure state machine (no Flask, no database).

draft → submitted → in_review → approved | rejected; a reviewer may send it back
(changes_requested, an editable draft); withdrawn until it is on a ballot; voting sets
on_ballot, funded, not_funded; afterwards in_progress and completed.
"""

from __future__ import annotations

import enum

from app.errors import DomainError


class Status(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"
    in_review = "in_review"
    changes_requested = "changes_requested"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"
    on_ballot = "on_ballot"
    funded = "funded"
    not_funded = "not_funded"
    in_progress = "in_progress"
    completed = "completed"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.draft: frozenset({Status.submitted, Status.withdrawn}),
    Status.changes_requested: frozenset({Status.submitted, Status.withdrawn}),
    Status.submitted: frozenset({Status.in_review, Status.withdrawn}),
    Status.in_review: frozenset({Status.approved, Status.rejected, Status.changes_requested, Status.withdrawn}),
    Status.approved: frozenset({Status.on_ballot, Status.withdrawn}),
    # A proposal taken off a round that has not opened yet goes back to approved.
    Status.on_ballot: frozenset({Status.funded, Status.not_funded, Status.approved}),
    Status.funded: frozenset({Status.in_progress}),
    Status.in_progress: frozenset({Status.completed}),
    Status.rejected: frozenset(),
    Status.withdrawn: frozenset(),
    Status.not_funded: frozenset(),
    Status.completed: frozenset(),
}

#: Moves that must carry a reason (shown publicly on the timeline, or to the author).
REASON_REQUIRED = frozenset({Status.rejected, Status.changes_requested})

#: What the public may see. Drafts and proposals under review do not exist for them.
PUBLIC_STATUSES = frozenset(
    {
        Status.approved,
        Status.rejected,
        Status.on_ballot,
        Status.funded,
        Status.not_funded,
        Status.in_progress,
        Status.completed,
    }
)
EDITABLE_STATUSES = frozenset({Status.draft, Status.changes_requested})
REVIEW_QUEUE_STATUSES = frozenset({Status.submitted, Status.in_review})


class IllegalTransition(DomainError):
    def __init__(self, current: Status, target: Status, missing_reason: bool = False):
        super().__init__(f"{current.value} → {target.value}" + (" needs a reason" if missing_reason else ""))
        self.current = current
        self.target = target
        self.missing_reason = missing_reason


def check_transition(current: Status, target: Status, reason: str | None = None) -> None:
    """Raise IllegalTransition unless `current → target` is allowed (with a reason where needed)."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target)
    if target in REASON_REQUIRED and not (reason or "").strip():
        raise IllegalTransition(current, target, missing_reason=True)
