"""Volunteers, their teams and the teams' activities; removing contact details of those who left."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.compensation.errors import BankChangeError
from app.compensation.models import (
    COUNTING_STATUSES,
    Activity,
    Team,
    Volunteer,
    mask_iban,
    mask_name,
)
from app.compensation.services import today
from app.extensions import db
from app.types import utcnow

#: What a volunteer agrees to when they are registered (stored with the volunteer as accepted).
CONSENT_TEXT = _l(
    "Wijkstem keeps my name, birth month and year, bank account and, if I give them, my e-mail "
    "address and phone number, to pay my volunteer allowance within the fiscal limits. Only the "
    "treasurer sees my bank account. Payment records are kept for seven years because tax law asks "
    "for it. My contact details are removed when I stop."
)


VOLUNTEER_FIELDS = (
    "name",
    "account_holder_name",
    "birth_year",
    "birth_month",
    "email",
    "phone",
    "iban",
    "started_on",
    "ended_on",
)


BANK_FIELDS = ("iban", "account_holder_name")


def save_volunteer(volunteer: Volunteer | None, values: dict, teams: list[Team], actor: User) -> Volunteer:
    """Save a volunteer. A change of IBAN or account holder of an existing volunteer does
    not apply yet: it waits until another treasurer or an administrator confirms it."""
    created = volunteer is None
    if created:
        volunteer = Volunteer(consent_text=str(CONSENT_TEXT), consent_accepted_at=utcnow())
    iban_changed = False
    if not created:
        new_iban = values.get("iban", volunteer.iban)
        new_holder = values.get("account_holder_name", volunteer.account_holder_name)
        if new_iban != volunteer.iban or new_holder != volunteer.account_holder_name:
            iban_changed = True
            request_bank_change(volunteer, new_iban, new_holder, actor)
    for name in VOLUNTEER_FIELDS:
        if not created and name in BANK_FIELDS:
            continue
        if name in values:
            value = values[name]
            if name in ("email", "phone"):
                value = (value or "").strip() or None  # optional contact details: empty means none
            setattr(volunteer, name, value)
    volunteer.teams = list(teams)
    db.session.add(volunteer)
    audit.record(
        "allowance.volunteer.create" if created else "allowance.volunteer.save",
        volunteer,
        actor=actor,
        iban_changed=iban_changed or None,
    )
    return volunteer


def request_bank_change(volunteer: Volunteer, iban: str, holder: str, actor: User) -> None:
    volunteer.pending_iban = iban
    volunteer.pending_account_holder_name = holder
    volunteer.bank_change_requested_by_id = actor.id
    audit.record("allowance.volunteer.bank_change_requested", volunteer, actor=actor, **_masked_change(volunteer))


def _masked_change(volunteer: Volunteer) -> dict:
    return {
        "old_iban": mask_iban(volunteer.iban),
        "new_iban": mask_iban(volunteer.pending_iban),
        "old_holder": mask_name(volunteer.account_holder_name),
        "new_holder": mask_name(volunteer.pending_account_holder_name),
    }


def confirm_bank_change(volunteer: Volunteer, actor: User) -> None:
    """Another treasurer or an administrator applies the waiting change."""
    if not volunteer.has_pending_bank_change:
        raise BankChangeError("none")
    if volunteer.bank_change_requested_by_id == actor.id:
        raise BankChangeError("same_person")
    audit.record(
        "allowance.volunteer.bank_change_confirmed",
        volunteer,
        actor=actor,
        requested_by=volunteer.bank_change_requested_by_id,
        **_masked_change(volunteer),
    )
    volunteer.iban = volunteer.pending_iban or volunteer.iban
    volunteer.account_holder_name = volunteer.pending_account_holder_name or volunteer.account_holder_name
    volunteer.bank_changed_by_id = volunteer.bank_change_requested_by_id
    volunteer.pending_iban = volunteer.pending_account_holder_name = volunteer.bank_change_requested_by_id = None


def reject_bank_change(volunteer: Volunteer, actor: User) -> None:
    if not volunteer.has_pending_bank_change:
        raise BankChangeError("none")
    audit.record(
        "allowance.volunteer.bank_change_rejected",
        volunteer,
        actor=actor,
        requested_by=volunteer.bank_change_requested_by_id,
        **_masked_change(volunteer),
    )
    volunteer.pending_iban = volunteer.pending_account_holder_name = volunteer.bank_change_requested_by_id = None


def mark_left(volunteer: Volunteer, ended_on: date | None, actor: User) -> None:
    volunteer.left_at = volunteer.left_at or utcnow()
    volunteer.ended_on = ended_on or volunteer.ended_on or today()
    audit.record("allowance.volunteer.left", volunteer, actor=actor)


def purge_volunteer_contacts() -> int:
    """Remove e-mail and phone of every volunteer who left. Payment records stay (tax law)."""
    query = select(Volunteer).where(
        Volunteer.left_at.is_not(None), (Volunteer.email.is_not(None)) | (Volunteer.phone.is_not(None))
    )
    volunteers = list(db.session.scalars(query))
    for volunteer in volunteers:
        volunteer.email = None
        volunteer.phone = None
        audit.record("allowance.volunteer.purge_contacts", volunteer, actor=None)
    return len(volunteers)


def active_volunteers() -> list[Volunteer]:
    return list(db.session.scalars(select(Volunteer).where(Volunteer.left_at.is_(None)).order_by(Volunteer.name)))


def all_volunteers() -> list[Volunteer]:
    return list(db.session.scalars(select(Volunteer).order_by(Volunteer.left_at.is_not(None), Volunteer.name)))


def team_name_taken(name: str) -> bool:
    return db.session.scalar(select(Team.id).where(Team.name == name.strip())) is not None


def volunteers_by_id(ids) -> dict[int, Volunteer]:
    return {v.id: v for v in db.session.scalars(select(Volunteer).where(Volunteer.id.in_(list(ids))))}


def all_teams() -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def save_team(team: Team | None, name: str, description: str, actor: User) -> Team:
    team = team or Team()
    team.name, team.description = name.strip(), description.strip()
    db.session.add(team)
    audit.record("allowance.team.save", team, actor=actor)
    return team


def add_activity(team: Team, title: str, held_on: date, duration_minutes: int, actor: User) -> Activity:
    activity = Activity(team=team, title=title.strip(), held_on=held_on, duration_minutes=duration_minutes)
    db.session.add(activity)
    audit.record("allowance.activity.create", activity, actor=actor, team=team.id)
    return activity


def recent_activities(limit: int = 60) -> list[Activity]:
    return list(db.session.scalars(select(Activity).order_by(Activity.held_on.desc(), Activity.id.desc()).limit(limit)))


def attendance_candidates(activity: Activity) -> tuple[list[Volunteer], set[int]]:
    """Who may be ticked on the attendance list (the team's active members, or everyone active
    when the team has none yet), and who already has a claim for the activity."""
    members = [v for v in activity.team.members if not v.has_left] or active_volunteers()
    recorded = {c.volunteer_id for c in activity.claims if c.status in COUNTING_STATUSES}
    return members, recorded
