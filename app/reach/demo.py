"""Demo reach data: residents per buurt (made-up values shipped in app/data), two more
half-years of past councils, and anonymous profiles for every past council."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from app.councils.models import (
    AGE_BANDS,
    AttendanceProfile,
    Council,
    CouncilStatus,
    Ticket,
)
from app.extensions import db
from app.places.models import Area, Neighbourhood
from app.reach.measures import parse_reference
from app.reach.models import ReferencePopulation
from app.roles import Role
from app.types import AMSTERDAM

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

LATER_COUNCILS = [
    # title, area, venue, date, attendees
    ("Bewonersberaad Nieuw-Sloten", "Nieuw-Sloten", "Huis van de Wijk Nieuw-Sloten", (2024, 4, 10), 31),
    ("Bewonersberaad De Aker", "De Aker", "Buurtkamer De Aker", (2024, 4, 11), 27),
    ("Bewonersberaad Geuzenveld", "Geuzenveld-Slotermeer", "Buurthuis Het Anker", (2024, 10, 2), 58),
    ("Bewonersberaad Osdorp", "Osdorp", "Tagerijn", (2024, 10, 3), 52),
    ("Bewonersberaad Slotervaart", "Slotervaart", "Huis van de Wijk Slotervaart", (2024, 10, 9), 44),
]
#: Per half-year, how likely an attendee comes for the first time and from a focus buurt.
FIRST_TIME_RATE = {2023: 0.8, 2024: 0.45}
FOCUS_RATE = {2023: 0.55, 2024: 0.68}


def seed_reach(users, buurten, **_kwargs) -> None:
    if not db.session.scalar(select(func.count()).select_from(ReferencePopulation)):
        rows, errors = parse_reference(
            (DATA_DIR / "reference_population.csv").read_text(encoding="utf-8"),
            {b.name: b.id for b in buurten.values()},
            AGE_BANDS,
        )
        if not errors:
            db.session.add_all(
                ReferencePopulation(neighbourhood_id=b, age_band=band, residents=n)
                for (b, band), n in sorted(rows.items())
            )
    if db.session.scalar(select(func.count()).select_from(AttendanceProfile)):
        return
    areas = {a.name: a for a in db.session.scalars(select(Area))}
    facilitator = users[Role.facilitator]
    for title, area, venue, (year, month, day), attendees in LATER_COUNCILS:
        starts = datetime(year, month, day, 19, tzinfo=AMSTERDAM)
        council = Council(
            title=f"{title} ({day}-{month}-{year})",
            area=areas.get(area),
            venue=venue,
            starts_at=starts,
            ends_at=starts.replace(hour=21, minute=30),
            languages=["nl", "tr", "ar", "pl"],
            capacity=60,
            domains=["youth", "safety", "housing"],
            description="Een avond voor bewoners die weinig gehoord worden.",
            created_by_id=facilitator.id,
            status=CouncilStatus.outcomes_published,
            outcome_summary="Bewoners willen meer plekken voor jongeren en een schonere buurt.",
            outcomes_published_at=starts.replace(month=month + 1, day=1, hour=12),
        )
        db.session.add(council)
        db.session.flush()
        for index in range(attendees):
            db.session.add(
                Ticket(
                    code_hash=f"demo-{council.id}-{index}",
                    council=council,
                    expires_at=council.ends_at,
                    signed_in_at=starts.replace(minute=0),
                    sign_in_channel="desk" if index % 6 == 0 else "phone",
                )
            )
    db.session.flush()
    rng = random.Random(18)
    profiles = []
    every_buurt = list(db.session.scalars(select(Neighbourhood)))
    for council in db.session.scalars(
        select(Council).where(Council.ends_at < datetime.now(AMSTERDAM)).order_by(Council.id)
    ):
        came = (
            db.session.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(Ticket.council_id == council.id, Ticket.signed_in_at.is_not(None))
            )
            or 0
        )
        local = [b for b in every_buurt if council.area_id and b.area_id == council.area_id] or every_buurt
        focus = [b for b in local if b.is_focus] or [b for b in every_buurt if b.is_focus]
        other = [b for b in local if not b.is_focus] or [b for b in every_buurt if not b.is_focus]
        year = council.starts_at.year
        for _n in range(round(came * 0.75)):
            roll = rng.random()
            buurt = (
                None
                if roll < 0.1
                else (rng.choice(focus) if rng.random() < FOCUS_RATE.get(year, 0.6) else rng.choice(other))
            )
            band = rng.choices([*AGE_BANDS, None], weights=[4, 10, 14, 55, 9, 8])[0]
            first = (
                "unsaid" if rng.random() < 0.1 else ("yes" if rng.random() < FIRST_TIME_RATE.get(year, 0.4) else "no")
            )
            language = rng.choices(["nl", "tr", "ar", "pl", "en"], weights=[55, 18, 18, 5, 4])[0]
            profiles.append(
                AttendanceProfile(
                    council_id=council.id,
                    neighbourhood_id=buurt.id if buurt else None,
                    age_band=band,
                    first_time=first,
                    language=language,
                )
            )
    rng.shuffle(profiles)
    db.session.add_all(profiles)
    db.session.flush()
