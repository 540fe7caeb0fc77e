"""Demo allowances: the fiscal limits, two teams, four volunteers (one turns 21 this year),
meetings of the last months and claims in every state, one payout already paid."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.compensation import payouts, services
from app.compensation import volunteers as people
from app.compensation.models import Volunteer
from app.compensation.sepa import next_business_day
from app.compensation.services import ClaimEntry
from app.extensions import db
from app.roles import Role

TEAMS = (
    ("Opgaveteam Jeugd Osdorp", "Plannen voor jongeren in Osdorp: huiswerkhulp, sport en een open jongerenruimte."),
    (
        "Werkgroep Veilige Buurt Slotervaart",
        "Loopt maandelijks een schouw en bespreekt onveilige plekken met de gemeente.",
    ),
)


def _month(today: date, back: int) -> tuple[int, int]:
    """Year and month ``back`` months before today's, not before January of this year."""
    return today.year, max(1, today.month - back)


def seed_allowances(users, **_kwargs) -> None:
    services.seed_limits()
    if db.session.scalar(select(Volunteer.id).limit(1)) is not None:
        return
    treasurer, admin = users[Role.treasurer], users[Role.admin]
    today = services.today()
    young_year, young_month = _month(today, 2)  # turns 21 after this month: under 21 first, then 21+
    teams = [people.save_team(None, name, description, admin) for name, description in TEAMS]
    residents = [
        ("Fatima El Amrani", "Fatima El Amrani", 1979, 3, "NL20INGB0001234567", [teams[0]], "fatima@example.org"),
        ("Yusuf Demir", "Yusuf Demir", young_year - 21, young_month, "NL44RABO0123456789", [teams[0]], None),
        (
            "Agnieszka Kowalska",
            "Agnieszka Kowalska",
            1988,
            11,
            "NL89ABNA0602345678",
            [teams[1]],
            "a.kowalska@example.org",
        ),
        ("خديجة بنعلي", "Khadija Benali", 1965, 7, "NL44SNSB0912345670", [teams[1], teams[0]], None),
    ]
    registered = []
    for name, holder, year, month, iban, member_of, email in residents:
        registered.append(
            people.save_volunteer(
                None,
                {
                    "name": name,
                    "account_holder_name": holder,
                    "birth_year": year,
                    "birth_month": month,
                    "iban": iban,
                    "email": email,
                    "phone": None,
                    "started_on": date(today.year - 1, 9, 1),
                    "ended_on": None,
                },
                member_of,
                admin,
            )
        )
    db.session.flush()

    meetings = []
    for back, team, title, minutes in (
        (2, teams[0], "Overleg huiswerkhulp", 150),
        (1, teams[0], "Voorbereiding jongerenavond", 180),
        (1, teams[1], "Buurtschouw", 120),
        (0, teams[1], "Gesprek met de gemeente", 90),
    ):
        year, month = _month(today, back)
        held_on = min(date(year, month, 10), today - timedelta(days=1)) if back == 0 else date(year, month, 10)
        meetings.append(people.add_activity(team, title, max(held_on, date(year, month, 1)), minutes, admin))
    db.session.flush()
    if today.year not in services.current_limits():
        return  # no limits for this year yet: the demo shows that instead of claims

    fatima, yusuf, agnieszka, khadija = registered
    first = services.record_claims(
        [ClaimEntry(fatima, 150, activity=meetings[0]), ClaimEntry(yusuf, 150, activity=meetings[0])], admin
    )
    second = services.record_claims(
        [ClaimEntry(fatima, 180, activity=meetings[1]), ClaimEntry(yusuf, 180, activity=meetings[1])], admin
    )
    services.record_claims(
        [ClaimEntry(agnieszka, 120, activity=meetings[2]), ClaimEntry(khadija, 120, activity=meetings[2])], admin
    )
    services.record_claims([ClaimEntry(agnieszka, 90, activity=meetings[3])], admin)
    [twice] = services.record_claims(
        [ClaimEntry(khadija, 120, worked_on=meetings[2].held_on, note="Buurtschouw")], admin
    )
    db.session.flush()
    for claim in first + second:
        services.approve_claim(claim, treasurer)
    services.reject_claim(twice, "Dubbel ingevoerd: staat al bij de buurtschouw.", treasurer)
    db.session.flush()

    # The first meeting's claims were paid in an earlier payout; the second's wait for the next one.
    batch = payouts.open_batch(treasurer, only=first)
    db.session.flush()
    payouts.export_batch(batch, next_business_day(meetings[0].held_on + timedelta(days=6)), treasurer)
    payouts.mark_paid(batch, meetings[0].held_on + timedelta(days=8), treasurer)
    services.record_expense(
        agnieszka, meetings[2].held_on, "Zaklampen voor de schouw", 1895, "Kassabon Action 0412", treasurer
    )
    db.session.flush()
