"""The one way other domains read attendance profiles (the reach report does).

Storage of the profiles is the councils domain's business (how rows are kept so that their
order says nothing); readers get plain facts per council, in an order that carries no meaning."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from app import ballot_box
from app.councils.models import AttendanceProfile
from app.extensions import db


@dataclass(frozen=True, order=True)
class ProfileFacts:
    council_id: int
    neighbourhood_id: int | None
    age_band: str | None
    first_time: str | None
    language: str | None


def profiles_for(council_ids: Iterable[int]) -> list[ProfileFacts]:
    """The profiles shared at the given councils, sorted by their values (never by storage order)."""
    ids = list(council_ids)
    if not ids:
        return []
    rows = db.session.execute(
        select(
            AttendanceProfile.council_id,
            AttendanceProfile.neighbourhood_id,
            AttendanceProfile.age_band,
            AttendanceProfile.first_time,
            AttendanceProfile.language,
        ).where(AttendanceProfile.council_id.in_(ids))
    ).all()
    # Profiles still sealed in the box (app/ballot_box.py) count too: the report is complete at any moment.
    rows += [
        (scope, p.get("neighbourhood_id"), p.get("age_band"), p.get("first_time"), p.get("language"))
        for scope, p in ballot_box.waiting_payloads("profile", ids)
    ]
    return sorted(
        (ProfileFacts(*row) for row in rows),
        key=lambda p: tuple(
            "" if v is None else str(v)
            for v in (p.council_id, p.neighbourhood_id, p.age_band, p.first_time, p.language)
        ),
    )
