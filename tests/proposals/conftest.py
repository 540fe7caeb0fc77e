import pytest

from app.places.models import Alliance, Neighbourhood
from app.proposals.lifecycle import Status
from app.proposals.models import CostLine, Proposal
from app.roles import Role


@pytest.fixture
def buurt(db):
    buurt = Neighbourhood(name="Wildeman", is_focus=True)
    db.session.add(buurt)
    db.session.commit()
    return buurt


@pytest.fixture
def aanjager(make_user, buurt, db):
    user = make_user(Role.aanjager, name="Youssef")
    alliance = Alliance(neighbourhood=buurt, name="Wijkalliantie Wildeman")
    alliance.aanjagers.append(user)
    db.session.add(alliance)
    db.session.commit()
    return user


@pytest.fixture
def make_proposal(db, aanjager, buurt, make_user):
    reviewer = make_user(Role.reviewer)

    def make(status=Status.draft, title="Huiswerkklas", summary="Hulp bij huiswerk", **fields):
        proposal = Proposal(
            title=title,
            summary=summary,
            domain=fields.pop("domain", "youth"),
            neighbourhood=buurt,
            alliance=buurt.alliance,
            author=aanjager,
            cost_lines=[CostLine(position=0, description="Begeleiding", amount_cents=fields.pop("cost", 150000))],
            **fields,
        )
        db.session.add(proposal)
        path = {
            Status.draft: [],
            Status.submitted: [Status.submitted],
            Status.in_review: [Status.submitted, Status.in_review],
            Status.approved: [Status.submitted, Status.in_review, Status.approved],
            Status.rejected: [Status.submitted, Status.in_review, Status.rejected],
            Status.on_ballot: [Status.submitted, Status.in_review, Status.approved, Status.on_ballot],
            Status.funded: [Status.submitted, Status.in_review, Status.approved, Status.on_ballot, Status.funded],
        }[status]
        for target in path:
            proposal.move_to(target, reviewer, "reden")
        db.session.commit()
        return proposal

    return make
