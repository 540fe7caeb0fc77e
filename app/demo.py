"""A realistic demo: places, the ten alliances, one staff user per role, and what the
domain packages add (proposals, councils, rounds). Idempotent: running it twice changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.auth import two_step
from app.auth.models import Role, User
from app.auth.services import create_user
from app.compensation.demo import seed_allowances
from app.councils.demo import seed_councils
from app.extensions import db
from app.places.models import Alliance, Area, Neighbourhood
from app.proposals.demo import seed_proposals
from app.reach.demo import seed_reach
from app.voting.demo import seed_rounds

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Plausible gebied for each focus buurt (the admin maintains the real mapping).
FOCUS_AREA = {
    "Wildeman": "Osdorp",
    "Reimerswaal": "Geuzenveld-Slotermeer",
    "Johan Jongkindbuurt": "Osdorp",
    "Jacob Geelbuurt": "Osdorp",
    "Lodewijk van Deysselbuurt": "Geuzenveld-Slotermeer",
    "Confuciusbuurt": "Geuzenveld-Slotermeer",
    "Louis Couperusbuurt": "Geuzenveld-Slotermeer",
    "Dichtersbuurt": "Geuzenveld-Slotermeer",
    "Wegener Sleeswijkbuurt": "Slotervaart",
    "Ruys de Beerenbroukbuurt": "Slotervaart",
}
#: Other buurten that take part without an alliance of their own.
OTHER_BUURTEN = {
    "Overtoomse Veld": "Slotervaart",
    "Osdorp-Midden": "Osdorp",
    "Nieuw-Sloten": "Nieuw-Sloten",
    "De Aker-Oost": "De Aker",
}

DEMO_PASSWORD = "wijkstem-demo-2026"
#: The published TOTP key of the demo's board, treasurer and administrator (two-step sign-in is
#: required for them): add it to any authenticator app, or compute codes with pyotp.
DEMO_TOTP_SECRET = "WIJKSTEMDEMOTWOSTEPWIJKSTEMDEMOA"
DEMO_USERS = (
    ("admin@wijkstem.example", "Anouk Admin", [Role.admin]),
    ("bestuur@wijkstem.example", "Bram Bestuur", [Role.board]),
    ("toets@wijkstem.example", "Rania Reviewer", [Role.reviewer]),
    ("facilitator@wijkstem.example", "Fatima Facilitator", [Role.facilitator]),
    ("aanjager@wijkstem.example", "Youssef Aanjager", [Role.aanjager]),
    ("penningmeester@wijkstem.example", "Tamara Penningmeester", [Role.treasurer]),
)


def read_names(filename: str) -> list[str]:
    lines = (DATA_DIR / filename).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def database_is_empty() -> bool:
    return (db.session.scalar(select(func.count()).select_from(User)) or 0) == 0


def seed_places() -> dict[str, Neighbourhood]:
    areas = {a.name: a for a in db.session.scalars(select(Area))}
    for name in read_names("areas.txt"):
        if name not in areas:
            areas[name] = Area(name=name)
            db.session.add(areas[name])
    buurten = {b.name: b for b in db.session.scalars(select(Neighbourhood))}
    focus = read_names("focus_neighbourhoods.txt")
    for name in focus:
        if name not in buurten:
            buurten[name] = Neighbourhood(name=name, area=areas.get(FOCUS_AREA.get(name, "")), is_focus=True)
            db.session.add(buurten[name])
    for name, area in OTHER_BUURTEN.items():
        if name not in buurten:
            buurten[name] = Neighbourhood(name=name, area=areas.get(area), is_focus=False)
            db.session.add(buurten[name])
    db.session.flush()
    return buurten


def seed_users() -> dict[Role, User]:
    users: dict[Role, User] = {}
    for email, name, roles in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(email, name, DEMO_PASSWORD, roles)
        if two_step.required_for(user) and user.totp_enabled_at is None:
            two_step.enrol_with_known_secret(user, DEMO_TOTP_SECRET)
        users[roles[0]] = user
    db.session.flush()
    return users


def seed_alliances(buurten: dict[str, Neighbourhood], aanjager: User) -> None:
    for index, name in enumerate(read_names("focus_neighbourhoods.txt")):
        buurt = buurten[name]
        if buurt.alliance is None:
            alliance = Alliance(
                neighbourhood=buurt,
                name=f"Wijkalliantie {name}",
                meeting_place=f"Buurthuis {name}",
            )
            # The demo aanjager leads the first three alliances; the others await theirs.
            if index < 3:
                alliance.aanjagers.append(aanjager)
            db.session.add(alliance)
    db.session.flush()


def seed_demo() -> None:
    buurten = seed_places()
    users = seed_users()
    seed_alliances(buurten, users[Role.aanjager])
    for step in DOMAIN_STEPS:
        step(users=users, buurten=buurten)


#: Each domain's demo content, in this order (each step is idempotent itself).
DOMAIN_STEPS = (seed_proposals, seed_councils, seed_rounds, seed_allowances, seed_reach)
