from datetime import timedelta

import pytest

from app.councils.models import Council, CouncilStatus
from app.roles import Role
from app.types import utcnow


@pytest.fixture
def council(db, make_user):
    facilitator = make_user(Role.facilitator)
    # Opened by its facilitator half an hour before the start: its tickets sign in.
    start = utcnow() + timedelta(minutes=30)
    council = Council(
        title="Bewonersberaad Osdorp",
        venue="Tagerijn",
        address="Pieter Calandlaan 2",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        languages=["nl", "ar", "tr", "pl"],
        domains=["youth", "safety"],
        created_by_id=facilitator.id,
        facilitators=[facilitator],
        status=CouncilStatus.open,
    )
    db.session.add(council)
    db.session.commit()
    return council


@pytest.fixture
def issue(test_context, db, council, make_user):
    """Issue tickets through the service and return their plain codes."""
    from app.councils import services

    facilitator = make_user(Role.facilitator)

    def issue(count=1, target=None, **kwargs):
        with test_context():
            issued = services.generate_tickets(
                target or db.session.get(Council, council.id), count, facilitator, **kwargs
            )
            db.session.commit()
            return [code for _ticket, code in issued]

    return issue
