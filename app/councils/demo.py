"""Demo councils: the five bewonersberaden of 4 October 2023 (228 residents in total,
anonymous), their published outcomes, and one upcoming council with tickets."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.councils import services
from app.councils.models import Council, CouncilStatus, Ticket
from app.extensions import db
from app.places.models import Area
from app.roles import Role
from app.types import AMSTERDAM

#: Plain codes of the upcoming council's demo tickets, filled on the first seed only.
DEMO_TICKET_CODES: list[str] = []

FIRST_COUNCILS = [
    # title, area, venue, address, attendees
    ("Bewonersberaad Geuzenveld", "Geuzenveld-Slotermeer", "Buurthuis Het Anker", "Lambertus Zijlplein 35", 51),
    ("Bewonersberaad Slotermeer", "Geuzenveld-Slotermeer", "De Honingraat", "Burgemeester de Vlugtlaan 125", 44),
    ("Bewonersberaad Osdorp-Midden", "Osdorp", "Tagerijn", "Pieter Calandlaan 2", 47),
    ("Bewonersberaad De Punt", "Osdorp", "Buurtcentrum De Punt", "Tussenmeer 52", 39),
    ("Bewonersberaad Slotervaart", "Slotervaart", "Huis van de Wijk Slotervaart", "Pieter Calandlaan 2", 47),
]
SUMMARY = (
    "Veel bewoners vinden dat jongeren te weinig plekken hebben om samen te komen. "
    "Ook onveilige plekken in de buurt en geldzorgen kwamen vaak terug."
)
DECISIONS = {
    "youth": "Meer huiswerkhulp en een open jongerenruimte op vrijdagavond. De alliantie maakt hier een voorstel voor.",
    "safety": "Betere verlichting in brandgangen en portieken. De gemeente kijkt naar de plekken die bewoners noemden.",
    "work": "Een wekelijks spreekuur voor hulp bij rekeningen en schulden, dichtbij huis.",
}


def _at(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def seed_councils(users, buurten, **_kwargs) -> None:
    if db.session.scalar(select(Council.id).limit(1)) is not None:
        return
    facilitator = users[Role.facilitator]
    areas = {a.name: a for a in db.session.scalars(select(Area))}
    for title, area, venue, address, attendees in FIRST_COUNCILS:
        council = Council(
            title=f"{title} (4 oktober 2023)",
            area=areas.get(area),
            venue=venue,
            address=address,
            starts_at=_at(2023, 10, 4, 19),
            ends_at=_at(2023, 10, 4, 21, 30),
            languages=["nl", "tr", "ar"],
            capacity=60,
            domains=["youth", "safety", "work"],
            description="Een avond voor bewoners die weinig gehoord worden.",
            created_by_id=facilitator.id,
            facilitators=[facilitator],
            status=CouncilStatus.outcomes_published,
            outcome_summary=SUMMARY,
            outcome_decisions=dict(DECISIONS),
            outcomes_published_at=_at(2023, 11, 1, 12),
        )
        db.session.add(council)
        db.session.flush()
        # Anonymous attendance: used tickets, nothing else. The codes were never kept.
        for index in range(attendees):
            db.session.add(
                Ticket(
                    code_hash=f"demo-{council.id}-{index}",
                    council=council,
                    expires_at=council.ends_at,
                    signed_in_at=council.starts_at,
                    sign_in_channel="desk" if index % 7 == 0 else "phone",
                )
            )
    # The demo evening is on now: its tickets sign in only while the council is open.
    start = datetime.now(AMSTERDAM).replace(second=0, microsecond=0) - timedelta(minutes=30)
    upcoming = Council(
        title="Bewonersberaad Nieuw-West: jeugd",
        area=areas.get("Osdorp"),
        venue="Tagerijn",
        address="Pieter Calandlaan 2",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        languages=["nl", "tr", "ar", "pl"],
        capacity=80,
        domains=["youth", "safety", "housing"],
        created_by_id=facilitator.id,
        description="We praten over plannen voor jongeren en stemmen over het budget.",
        facilitators=[facilitator],
        status=CouncilStatus.open,
    )
    db.session.add(upcoming)
    db.session.flush()
    issued = services.generate_tickets(upcoming, 40, facilitator)
    DEMO_TICKET_CODES[:] = [code for _ticket, code in issued]
