"""Managing areas, buurten and alliances, and the lists other domains choose from."""

from __future__ import annotations

from sqlalchemy import select

from app.auth import audit
from app.auth.models import Role, User, UserRole
from app.extensions import db
from app.places.models import Alliance, Area, Neighbourhood


def areas() -> list[Area]:
    return list(db.session.scalars(select(Area).order_by(Area.name)))


def neighbourhoods() -> list[Neighbourhood]:
    return list(db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.name)))


def neighbourhood_choices(blank_label=None) -> list[tuple[int, str]]:
    choices = [(n.id, n.name) for n in neighbourhoods()]
    return ([(0, blank_label)] if blank_label is not None else []) + choices


def area_choices(blank_label=None) -> list[tuple[int, str]]:
    choices = [(a.id, a.name) for a in areas()]
    return ([(0, blank_label)] if blank_label is not None else []) + choices


def aanjager_choices() -> list[tuple[int, str]]:
    query = select(User).join(UserRole).where(UserRole.role == Role.aanjager).order_by(User.name)
    return [(u.id, u.name) for u in db.session.scalars(query)]


def save_area(area: Area | None, name: str) -> Area:
    area = area or Area()
    area.name = name.strip()
    db.session.add(area)
    audit.record("place.area.save", area, name=area.name)
    return area


def save_neighbourhood(buurt: Neighbourhood | None, name: str, area_id: int | None, is_focus: bool) -> Neighbourhood:
    buurt = buurt or Neighbourhood()
    buurt.name = name.strip()
    buurt.area_id = area_id or None
    buurt.is_focus = is_focus
    db.session.add(buurt)
    audit.record("place.buurt.save", buurt, name=buurt.name, focus=is_focus)
    return buurt


def save_alliance(buurt: Neighbourhood, name: str, meeting_place: str, aanjager_ids: list[int]) -> Alliance:
    aanjagers = list(db.session.scalars(select(User).where(User.id.in_(aanjager_ids)))) if aanjager_ids else []
    alliance = buurt.alliance or Alliance(neighbourhood=buurt)
    db.session.add(alliance)
    alliance.name = name.strip()
    alliance.meeting_place = meeting_place.strip()
    alliance.aanjagers = aanjagers
    audit.record("place.alliance.save", alliance, name=alliance.name, aanjagers=sorted(aanjager_ids))
    return alliance
