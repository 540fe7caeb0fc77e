"""Plans, per object (issue 13): only the alliance's aanjagers follow up and read drafts; a
reviewer never reviews their own plan; a plan reviewed as not feasible is never approved."""

from __future__ import annotations

import pytest

from app.places.models import Alliance, Neighbourhood
from app.proposals.lifecycle import Status
from app.roles import Role

PROGRESS = {"happened_on": "2026-11-20", "text": "Eerste les gegeven", "spent": "99999"}


@pytest.fixture
def other_aanjager(make_user, db):
    """The aanjager of another alliance."""
    user = make_user(Role.aanjager, name="Anouk")
    alliance = Alliance(neighbourhood=Neighbourhood(name="Osdorp-Midden", is_focus=True), name="Wijkalliantie Osdorp")
    alliance.aanjagers.append(user)
    db.session.add(alliance)
    db.session.commit()
    return user


def test_another_alliances_aanjager_cannot_post_progress_or_complete(
    client, login_as, make_proposal, other_aanjager, db
):
    proposal = make_proposal(Status.funded)
    login_as(user=other_aanjager)
    assert client.post(f"/staff/proposals/{proposal.id}/progress", data=PROGRESS).status_code == 403
    assert client.post(f"/staff/proposals/{proposal.id}/complete").status_code == 403
    db.session.refresh(proposal)
    assert proposal.status == Status.funded and proposal.progress_updates == []


def test_the_alliances_aanjager_and_the_board_follow_up(client, login_as, make_proposal, aanjager, make_user, db):
    proposal = make_proposal(Status.funded)
    login_as(user=aanjager)
    assert client.post(f"/staff/proposals/{proposal.id}/progress", data=PROGRESS).status_code == 303
    login_as(Role.board)
    assert client.post(f"/staff/proposals/{proposal.id}/complete").status_code == 303
    db.session.refresh(proposal)
    assert proposal.status == Status.completed


@pytest.mark.parametrize("status", [Status.draft, Status.submitted, Status.in_review])
def test_another_alliances_aanjager_cannot_read_a_draft(client, login_as, make_proposal, other_aanjager, status):
    proposal = make_proposal(status, image=None)
    login_as(user=other_aanjager)
    assert client.get(f"/staff/proposals/{proposal.id}").status_code == 404
    assert client.get(f"/staff/proposals/{proposal.id}/image/full").status_code == 404


@pytest.mark.parametrize("role", [Role.reviewer, Role.board, Role.admin])
def test_reviewers_board_and_admin_read_drafts(client, login_as, make_proposal, role):
    proposal = make_proposal(Status.in_review)
    login_as(role)
    assert client.get(f"/staff/proposals/{proposal.id}").status_code == 200


def test_a_reviewer_never_reviews_their_own_plan(client, login_as, make_proposal, aanjager, db):
    proposal = make_proposal(Status.in_review)
    aanjager.set_roles([Role.aanjager, Role.reviewer])  # the author also reviews
    db.session.commit()
    login_as(user=aanjager)
    data = {"feasible": "yes", "decision": "approve", "public_reason": "Goed plan"}
    assert client.post(f"/staff/proposals/{proposal.id}/review", data=data).status_code == 403
    db.session.refresh(proposal)
    assert proposal.status == Status.in_review


def test_a_plan_that_is_not_feasible_cannot_be_approved(client, login_as, make_proposal, db):
    client.set_cookie("lang", "en")
    proposal = make_proposal(Status.in_review)
    login_as(Role.reviewer)
    response = client.post(
        f"/staff/proposals/{proposal.id}/review", data={"feasible": "no", "decision": "approve", "public_reason": "x"}
    )
    assert response.status_code in (200, 400)
    html = response.get_data(as_text=True)
    assert "not feasible cannot be approved" in html and '<input checked id="feasible-1"' in html  # "No" stays chosen
    db.session.refresh(proposal)
    assert proposal.status == Status.in_review
