"""Every legal and every illegal move of the proposal state machine."""

import itertools

import pytest

from app.proposals.lifecycle import (
    PUBLIC_STATUSES,
    REASON_REQUIRED,
    TRANSITIONS,
    IllegalTransition,
    Status,
    check_transition,
)

LEGAL = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
ALL_PAIRS = set(itertools.product(Status, Status))


def test_the_table_matches_the_documented_lifecycle():
    assert LEGAL == {
        (Status.draft, Status.submitted),
        (Status.draft, Status.withdrawn),
        (Status.changes_requested, Status.submitted),
        (Status.changes_requested, Status.withdrawn),
        (Status.submitted, Status.in_review),
        (Status.submitted, Status.withdrawn),
        (Status.in_review, Status.approved),
        (Status.in_review, Status.rejected),
        (Status.in_review, Status.changes_requested),
        (Status.in_review, Status.withdrawn),
        (Status.approved, Status.on_ballot),
        (Status.approved, Status.withdrawn),
        (Status.on_ballot, Status.funded),
        (Status.on_ballot, Status.not_funded),
        (Status.on_ballot, Status.approved),
        (Status.funded, Status.in_progress),
        (Status.in_progress, Status.completed),
    }


@pytest.mark.parametrize("current,target", sorted(LEGAL))
def test_every_legal_move_is_allowed(current, target):
    check_transition(current, target, reason="because")


@pytest.mark.parametrize("current,target", sorted(ALL_PAIRS - LEGAL))
def test_every_illegal_move_raises(current, target):
    with pytest.raises(IllegalTransition) as info:
        check_transition(current, target, reason="because")
    assert (info.value.current, info.value.target) == (current, target)


@pytest.mark.parametrize("target", sorted(REASON_REQUIRED))
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_rejection_and_sending_back_need_a_reason(target, reason):
    with pytest.raises(IllegalTransition) as info:
        check_transition(Status.in_review, target, reason=reason)
    assert info.value.missing_reason


def test_withdrawal_is_impossible_once_on_a_ballot():
    for status in (Status.on_ballot, Status.funded, Status.not_funded, Status.in_progress, Status.completed):
        with pytest.raises(IllegalTransition):
            check_transition(status, Status.withdrawn)


def test_drafts_and_proposals_in_review_are_never_public():
    hidden = {Status.draft, Status.submitted, Status.in_review, Status.changes_requested, Status.withdrawn}
    assert not hidden & PUBLIC_STATUSES


def test_terminal_states_have_no_way_out():
    for status in (Status.rejected, Status.withdrawn, Status.not_funded, Status.completed):
        assert TRANSITIONS[status] == frozenset()
