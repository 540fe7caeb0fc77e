from datetime import timedelta

import pytest

from app.councils.models import Council, CouncilStatus
from app.places.models import Area, Neighbourhood
from app.reach.models import ReferencePopulation
from app.roles import Role
from app.types import utcnow


@pytest.fixture
def place(db):
    area = Area(name="Testgebied")
    focus, other = (
        Neighbourhood(name="Focusbuurt", area=area, is_focus=True),
        Neighbourhood(name="Anderbuurt", area=area),
    )
    db.session.add_all([area, focus, other])
    db.session.flush()
    # Residents: half 27-65, half over 65 in the area; half in each buurt.
    db.session.add_all(
        [
            ReferencePopulation(neighbourhood_id=focus.id, age_band="27_65", residents=600),
            ReferencePopulation(neighbourhood_id=focus.id, age_band="over_65", residents=400),
            ReferencePopulation(neighbourhood_id=other.id, age_band="27_65", residents=400),
            ReferencePopulation(neighbourhood_id=other.id, age_band="over_65", residents=600),
        ]
    )
    db.session.commit()
    return area, focus, other


@pytest.fixture
def evening(db, place, make_user, test_context):
    """A council that starts now, with 20 tickets; returns the council and their codes."""
    from app.councils import services

    area, _focus, _other = place
    facilitator = make_user(Role.facilitator)
    start = utcnow() - timedelta(minutes=5)
    # Open: a council's tickets sign in only while it is open (issue 13); run by its own facilitator.
    council = Council(
        title="Bewonersberaad Test",
        area=area,
        venue="Buurthuis",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        languages=["nl", "tr", "ar"],
        domains=["youth"],
        status=CouncilStatus.open,
        facilitators=[facilitator],
    )
    db.session.add(council)
    db.session.commit()
    with test_context():
        codes = [code for _t, code in services.generate_tickets(db.session.get(Council, council.id), 20, facilitator)]
        db.session.commit()
    return council, codes
