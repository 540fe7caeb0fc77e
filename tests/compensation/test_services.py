"""The services on the database: whatever is recorded, no cap is ever crossed; the demo."""

import random
from collections import defaultdict
from datetime import date

from sqlalchemy import func, select

from app.compensation import services
from app.compensation.limits import load_limits
from app.compensation.models import Activity, Claim, ClaimStatus, Expense, PayoutBatch, Team, Volunteer
from app.compensation.services import CapExceeded, ClaimEntry
from app.roles import Role

LIMITS = load_limits()


def test_no_sequence_of_recorded_claims_crosses_any_cap(test_context, make_volunteer, make_user, db):
    """Random claims, some with a rate above the maximum, recorded with 'reduce' confirmed
    whenever possible: the totals per month and year and every rate stay within the limits,
    also for a volunteer who turns 21 in the middle of the year."""
    rng = random.Random(7)
    treasurer = make_user(Role.treasurer)
    people = [make_volunteer(birth=(1980, 5)), make_volunteer(birth=(2004, 6))]
    with test_context():
        for _ in range(120):
            volunteer = rng.choice(people)
            worked_on = date(2025, rng.randint(1, 12), rng.randint(1, 28))
            rate = rng.choice([None, None, 300, 560, 700])
            entry = ClaimEntry(volunteer, rng.randint(30, 1440), worked_on=worked_on, rate_cents_per_hour=rate)
            try:
                services.record_claims([entry], treasurer, reduce=rng.random() < 0.8)
            except CapExceeded:
                pass
        db.session.commit()
    limit = LIMITS[2025]
    for volunteer in people:
        claims = list(db.session.scalars(select(Claim).where(Claim.volunteer_id == volunteer.id)))
        assert claims
        per_month = defaultdict(int)
        for claim in claims:
            per_month[claim.worked_on.month] += claim.amount_cents
            adult = services.is_adult_on(volunteer, claim.worked_on)
            assert claim.rate_cents_per_hour <= (
                limit.hourly_max_21_plus_cents if adult else limit.hourly_max_under_21_cents
            )
            assert claim.amount_cents <= claim.minutes * claim.rate_cents_per_hour // 60
            assert claim.amount_cents <= claim.requested_cents
        assert max(per_month.values()) <= limit.monthly_max_cents
        assert sum(per_month.values()) <= limit.yearly_max_cents


def test_an_attendance_list_counts_its_own_earlier_entries(test_context, make_volunteer, make_user, db):
    """Two claims of one volunteer in one call: the second sees the first."""
    treasurer = make_user(Role.treasurer)
    volunteer = make_volunteer()
    entries = [
        ClaimEntry(volunteer, 1200, worked_on=date(2025, 3, 3)),
        ClaimEntry(volunteer, 1200, worked_on=date(2025, 3, 4)),
    ]
    with test_context():
        claims = services.record_claims(entries, treasurer, reduce=True)
        assert [c.amount_cents for c in claims] == [11200, 9800]


def test_the_demo_has_every_state_and_can_run_twice(test_context, db):
    from app.compensation.demo import seed_allowances
    from app.demo import seed_users

    with test_context():
        for _ in range(2):
            seed_allowances(users=seed_users())
        db.session.commit()
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert (count(Team), count(Volunteer), count(PayoutBatch), count(Expense)) == (2, 4, 1, 1)
    assert count(Activity) >= 4
    statuses = set(db.session.scalars(select(Claim.status)))
    if services.today().year in LIMITS:
        assert statuses == set(ClaimStatus)
    this_year = services.today().year
    turning_21 = [v for v in db.session.scalars(select(Volunteer)) if v.birth_year == this_year - 21]
    assert len(turning_21) == 1
    batch = db.session.scalar(select(PayoutBatch))
    assert batch.is_exported and batch.is_paid
