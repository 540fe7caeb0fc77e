from datetime import date
from itertools import count

import pytest

from app.compensation.models import Activity, Claim, ClaimStatus, Team, Volunteer
from app.roles import Role
from app.types import utcnow

#: Valid Dutch IBANs (checksums made with schwifty) and their banks' BICs.
IBANS = ["NL20INGB0001234567", "NL44RABO0123456789", "NL89ABNA0602345678", "NL44SNSB0912345670", "NL63TRIO0212345678"]
ADULT = (1980, 5)


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def treasurers(make_user):
    """Two treasurers, so that one records and the other approves."""
    return make_user(Role.treasurer, name="Tamara Penningmeester"), make_user(Role.treasurer, name="Theo Tweede")


@pytest.fixture
def make_volunteer(db):
    numbers = count()

    def make(name=None, birth=ADULT, holder=None, teams=(), **values):
        n = next(numbers)
        name = name or f"Vrijwilliger {n + 1}"
        volunteer = Volunteer(
            name=name,
            account_holder_name=holder or name,
            birth_year=birth[0],
            birth_month=birth[1],
            iban=values.pop("iban", IBANS[n % len(IBANS)]),
            started_on=date(2024, 1, 1),
            consent_text="Akkoord",
            consent_accepted_at=utcnow(),
            **values,
        )
        volunteer.teams = list(teams)
        db.session.add(volunteer)
        db.session.commit()
        return volunteer

    return make


@pytest.fixture
def make_activity(db):
    def make(team=None, held_on=date(2025, 3, 11), minutes=120, title="Overleg"):
        if team is None:
            team = Team(name=f"Opgaveteam {utcnow().timestamp()}")
            db.session.add(team)
        activity = Activity(team=team, title=title, held_on=held_on, duration_minutes=minutes)
        db.session.add(activity)
        db.session.commit()
        return activity

    return make


@pytest.fixture
def make_claim(db):
    """A claim written straight to the database (the cap checks are tested through the services)."""

    def make(
        volunteer,
        worked_on=date(2025, 3, 11),
        minutes=120,
        rate=560,
        status=ClaimStatus.approved,
        recorded_by=None,
        approved_by=None,
        note="",
        activity=None,
    ):
        amount = minutes * rate // 60
        claim = Claim(
            volunteer=volunteer,
            worked_on=worked_on,
            minutes=minutes,
            rate_cents_per_hour=rate,
            amount_cents=amount,
            requested_cents=amount,
            status=status,
            note=note,
            activity=activity,
            recorded_by_id=recorded_by.id if recorded_by else None,
            approved_by_id=approved_by.id if approved_by else None,
        )
        db.session.add(claim)
        db.session.commit()
        return claim

    return make
