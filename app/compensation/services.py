"""Volunteer allowances: volunteers and teams, recording participation inside the fiscal caps,
four-eyes approval, receipted expenses, usage per month and year, and the fiscal limits."""
from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.compensation.limits import (
    ADULT_AGE,
    DEFAULT_LIMITS_PATH,
    ClaimCheck,
    FiscalLimit,
    UsageSummary,
    age_on,
    check_claim,
    default_rate,
    load_limits,
    usage_summary,
)
from app.compensation.models import (
    COUNTING_STATUSES,
    Activity,
    Claim,
    ClaimStatus,
    Expense,
    FiscalLimitRow,
    Team,
    Volunteer,
)
from app.errors import DomainError
from app.extensions import db
from app.formatting import money
from app.types import utcnow

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

#: What a volunteer agrees to when they are registered (stored with the volunteer as accepted).
CONSENT_TEXT = _l(
    "Wijkstem keeps my name, birth month and year, bank account and, if I give them, my e-mail "
    "address and phone number, to pay my volunteer allowance within the fiscal limits. Only the "
    "treasurer sees my bank account. Payment records are kept for seven years because tax law asks "
    "for it. My contact details are removed when I stop."
)


def today() -> date:
    return datetime.now(AMSTERDAM).date()


# --- errors that explain themselves -----------------------------------------------------------
@dataclass(frozen=True)
class ClaimPlan:
    """A claim as it would be recorded, with the outcome of the cap check."""

    volunteer: Volunteer
    activity: Activity | None
    worked_on: date
    minutes: int
    rate_cents_per_hour: int
    note: str
    check: ClaimCheck


class CapExceeded(DomainError):
    """One or more claims would cross a fiscal cap. ``reducible`` says whether every one of them
    could be recorded at a lower amount (after explicit confirmation)."""

    def __init__(self, plans: list[ClaimPlan]):
        super().__init__("claim would cross a fiscal cap: " + ", ".join(
            f"{p.volunteer.id}:{'/'.join(p.check.codes)}" for p in plans))
        self.plans = plans
        self.reducible = all(p.check.allowed_cents > 0 and "no_limits_for_year" not in p.check.codes for p in plans)

    def explanations(self) -> list[tuple[Volunteer, list[str]]]:
        return [(plan.volunteer, explain_check(plan.check, plan.worked_on)) for plan in self.plans]

    def describe(self) -> str:
        return " ".join(line for _volunteer, lines in self.explanations() for line in lines)


class DuplicateClaim(DomainError):
    def __init__(self, volunteer: Volunteer):
        super().__init__(f"volunteer {volunteer.id} already has a claim for this activity")
        self.volunteer = volunteer

    def describe(self) -> str:
        return _("%(name)s already has a claim for this activity.", name=self.volunteer.name)


class ExpenseOverCap(DomainError):
    def __init__(self, summary: UsageSummary, amount_cents: int):
        super().__init__("expense would cross a fiscal cap")
        self.summary, self.amount_cents = summary, amount_cents

    def describe(self) -> str:
        if self.summary.limit is None:
            return _("There are no fiscal limits for %(year)s yet. An administrator must add them first.",
                     year=self.summary.year)
        return _("Expenses count towards the caps, and this one would cross them: still allowed is "
                 "%(remaining)s this month and %(year_remaining)s this year.",
                 remaining=money(self.summary.remaining_month_cents), year_remaining=money(self.summary.remaining_year_cents))


class LimitsChanged(DomainError):
    """A claim recorded under older limits no longer fits the current ones."""

    def __init__(self):
        super().__init__("claim no longer fits the current fiscal limits")

    def describe(self) -> str:
        return _("This claim no longer fits the fiscal limits, which have changed since it was recorded. "
                 "Reject it and record it again.")


def explain_check(check: ClaimCheck, worked_on: date) -> list[str]:
    """Plain sentences for every cap a claim would cross, and what could be paid instead."""
    lines = []
    month = format_date(worked_on, "MMMM y")
    for violation in check.violations:
        p = violation.params
        if violation.code == "no_limits_for_year":
            lines.append(_("There are no fiscal limits for %(year)s yet. An administrator must add them first.", year=p["year"]))
        elif violation.code == "hourly":
            if p["is_21_plus"]:
                lines.append(_("The rate of %(rate)s per hour is above the maximum of %(max)s per hour for volunteers aged 21 or over.",
                               rate=money(p["rate_cents"]), max=money(p["max_cents"])))
            else:
                lines.append(_("The rate of %(rate)s per hour is above the maximum of %(max)s per hour for volunteers under 21.",
                               rate=money(p["rate_cents"]), max=money(p["max_cents"])))
        elif violation.code == "monthly":
            lines.append(_("%(amount)s would cross the monthly maximum of %(max)s: %(used)s is already used in %(month)s, so %(remaining)s is left.",
                           amount=money(p["requested_cents"]), max=money(p["max_cents"]), used=money(p["used_cents"]),
                           month=month, remaining=money(p["remaining_cents"])))
        elif violation.code == "yearly":
            lines.append(_("%(amount)s would cross the yearly maximum of %(max)s: %(used)s is already used in %(year)s, so %(remaining)s is left.",
                           amount=money(p["requested_cents"]), max=money(p["max_cents"]), used=money(p["used_cents"]),
                           year=worked_on.year, remaining=money(p["remaining_cents"])))
    if check.violations and check.allowed_cents > 0:
        lines.append(_("At most %(allowed)s can be paid for this claim.", allowed=money(check.allowed_cents)))
    elif check.violations and check.limit is not None:
        lines.append(_("Nothing more can be paid in this period."))
    return lines


# --- fiscal limits ----------------------------------------------------------------------------
def limit_rows() -> list[FiscalLimitRow]:
    return list(db.session.scalars(select(FiscalLimitRow).order_by(FiscalLimitRow.year)))


def current_limits() -> dict[int, FiscalLimit]:
    return load_limits([row.as_row() for row in limit_rows()])


def seed_limits(**_kwargs) -> int:
    """Add the years of data/fiscal_limits.csv that the database does not have yet."""
    known = set(db.session.scalars(select(FiscalLimitRow.year)))
    added = 0
    for year, limit in sorted(load_limits(DEFAULT_LIMITS_PATH).items()):
        if year not in known:
            db.session.add(FiscalLimitRow(year=year, **{k: v for k, v in _limit_values(limit).items()}))
            added += 1
    db.session.flush()
    return added


def _limit_values(limit: FiscalLimit) -> dict:
    return {"hourly_max_21_plus_cents": limit.hourly_max_21_plus_cents,
            "hourly_max_under_21_cents": limit.hourly_max_under_21_cents,
            "monthly_max_cents": limit.monthly_max_cents, "yearly_max_cents": limit.yearly_max_cents,
            "status": limit.status}


def save_limit(row: FiscalLimitRow | None, values: dict, actor: User) -> FiscalLimitRow:
    """values: year and the four caps in cents, plus status. Checked by FiscalLimit first."""
    FiscalLimit(**values)  # raises LimitsDataError on inconsistent caps (the form checks them too)
    before = row.as_row() if row is not None else None
    row = row or FiscalLimitRow(year=values["year"])
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by_id = actor.id
    db.session.add(row)
    audit.record("allowance.limits.save", row, actor=actor, year=row.year, before=before, after=row.as_row())
    return row


# --- volunteers and teams ---------------------------------------------------------------------
VOLUNTEER_FIELDS = ("name", "account_holder_name", "birth_year", "birth_month", "email", "phone", "iban",
                    "started_on", "ended_on")


def save_volunteer(volunteer: Volunteer | None, values: dict, teams: list[Team], actor: User) -> Volunteer:
    created = volunteer is None
    if created:
        volunteer = Volunteer(consent_text=str(CONSENT_TEXT), consent_accepted_at=utcnow())
    iban_changed = not created and volunteer.iban != values.get("iban")
    for name in VOLUNTEER_FIELDS:
        if name in values:
            value = values[name]
            if name in ("email", "phone"):
                value = (value or "").strip() or None  # optional contact details: empty means none
            setattr(volunteer, name, value)
    volunteer.teams = list(teams)
    db.session.add(volunteer)
    audit.record("allowance.volunteer.create" if created else "allowance.volunteer.save", volunteer, actor=actor,
                 iban_changed=iban_changed or None)
    return volunteer


def mark_left(volunteer: Volunteer, ended_on: date | None, actor: User) -> None:
    volunteer.left_at = volunteer.left_at or utcnow()
    volunteer.ended_on = ended_on or volunteer.ended_on or today()
    audit.record("allowance.volunteer.left", volunteer, actor=actor)


def purge_volunteer_contacts() -> int:
    """Remove e-mail and phone of every volunteer who left. Payment records stay (tax law)."""
    query = select(Volunteer).where(Volunteer.left_at.is_not(None),
                                    (Volunteer.email.is_not(None)) | (Volunteer.phone.is_not(None)))
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


# --- caps -------------------------------------------------------------------------------------
def counted_amounts(volunteer_id: int, year: int, *, exclude_claim_id: int | None = None) -> list[tuple[date, int]]:
    """Every amount in ``year`` that uses up room under the caps: submitted, approved and paid
    claims, and expenses recorded as counting towards the caps."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    claims = select(Claim.worked_on, Claim.amount_cents).where(
        Claim.volunteer_id == volunteer_id, Claim.status.in_(COUNTING_STATUSES), Claim.worked_on.between(start, end))
    if exclude_claim_id is not None:
        claims = claims.where(Claim.id != exclude_claim_id)
    expenses = select(Expense.spent_on, Expense.amount_cents).where(
        Expense.volunteer_id == volunteer_id, Expense.counts_towards_caps.is_(True), Expense.spent_on.between(start, end))
    return [(row[0], row[1]) for row in db.session.execute(claims)] + [(row[0], row[1]) for row in db.session.execute(expenses)]


def _lock_volunteers(ids) -> None:
    """Serialise cap checks per volunteer (PostgreSQL row locks; SQLite already writes one at a time)."""
    db.session.execute(select(Volunteer.id).where(Volunteer.id.in_(sorted(set(ids)))).order_by(Volunteer.id).with_for_update())


def is_adult_on(volunteer: Volunteer, on: date) -> bool:
    return age_on(volunteer.birth_year, volunteer.birth_month, on) >= ADULT_AGE


def rate_for(volunteer: Volunteer, on: date, limits: dict[int, FiscalLimit] | None = None) -> int | None:
    """The default rate: the fiscal hourly maximum for the volunteer's age on that date."""
    limit = (limits if limits is not None else current_limits()).get(on.year)
    return default_rate(limit, is_adult_on(volunteer, on)) if limit else None


@dataclass
class ClaimEntry:
    volunteer: Volunteer
    minutes: int
    activity: Activity | None = None
    worked_on: date | None = None
    rate_cents_per_hour: int | None = None  # None: the fiscal maximum for the volunteer's age
    note: str = ""


def plan_claims(entries: list[ClaimEntry]) -> list[ClaimPlan]:
    """Check every entry against the caps, counting earlier entries of the same list too."""
    limits = current_limits()
    planned: dict[int, list[tuple[date, int]]] = defaultdict(list)
    plans = []
    for entry in entries:
        worked_on = entry.activity.held_on if entry.activity is not None else entry.worked_on
        rate = entry.rate_cents_per_hour
        if rate is None:
            rate = rate_for(entry.volunteer, worked_on, limits) or 0
        if entry.activity is not None and any(
                c.volunteer_id == entry.volunteer.id and c.status in COUNTING_STATUSES for c in entry.activity.claims):
            raise DuplicateClaim(entry.volunteer)
        earlier = counted_amounts(entry.volunteer.id, worked_on.year) + planned[entry.volunteer.id]
        check = check_claim(limits, entry.volunteer.birth, worked_on, entry.minutes, rate, earlier)
        plan = ClaimPlan(entry.volunteer, entry.activity, worked_on, entry.minutes, rate, entry.note.strip(), check)
        planned[entry.volunteer.id].append((worked_on, check.requested_cents if check.ok else check.allowed_cents))
        plans.append(plan)
    return plans


def record_claims(entries: list[ClaimEntry], actor: User, *, reduce: bool = False) -> list[Claim]:
    """Record participation. A claim that would cross a cap is refused (CapExceeded, nothing
    saved) unless ``reduce`` is the user's explicit confirmation; then it is recorded at the
    largest amount that crosses no cap, and the claim keeps what was asked for."""
    _lock_volunteers(e.volunteer.id for e in entries)
    plans = plan_claims(entries)
    refused = [p for p in plans if not p.check.ok]
    if refused:
        error = CapExceeded(refused)
        if not reduce or not error.reducible:
            raise error
    claims = []
    for plan in plans:
        check = plan.check
        rate = plan.rate_cents_per_hour if check.ok else min(plan.rate_cents_per_hour, check.hourly_max_cents)
        claim = Claim(volunteer=plan.volunteer, activity=plan.activity, worked_on=plan.worked_on, minutes=plan.minutes,
                      rate_cents_per_hour=rate, amount_cents=check.requested_cents if check.ok else check.allowed_cents,
                      requested_cents=check.requested_cents, note=plan.note, recorded_by_id=actor.id)
        db.session.add(claim)
        audit.record("allowance.claim.record", claim, actor=actor, volunteer=plan.volunteer.id,
                     amount_cents=claim.amount_cents, reduced_from_cents=None if check.ok else check.requested_cents,
                     caps=list(check.codes) or None)
        claims.append(claim)
    return claims


def approve_claim(claim: Claim, actor: User) -> None:
    """Four eyes: the recorder cannot approve. The caps are checked again, in case an
    administrator corrected the limits downwards since the claim was recorded."""
    _lock_volunteers([claim.volunteer_id])
    claim.approve(actor)
    limits = current_limits()
    limit = limits.get(claim.worked_on.year)
    if limit is None:
        raise LimitsChanged()
    earlier = counted_amounts(claim.volunteer_id, claim.worked_on.year, exclude_claim_id=claim.id)
    summary = usage_summary(limits, claim.worked_on.year, claim.worked_on.month, earlier)
    hourly_max = default_rate(limit, is_adult_on(claim.volunteer, claim.worked_on))
    if claim.rate_cents_per_hour > hourly_max or claim.amount_cents > summary.payable_cents:
        raise LimitsChanged()
    audit.record("allowance.claim.approve", claim, actor=actor, amount_cents=claim.amount_cents)


def reject_claim(claim: Claim, reason: str, actor: User) -> None:
    claim.reject(actor, reason)
    audit.record("allowance.claim.reject", claim, actor=actor, reason=reason.strip() or None)


def claims_query(status: ClaimStatus | None):
    query = select(Claim).order_by(Claim.worked_on.desc(), Claim.id.desc())
    return query.where(Claim.status == status) if status is not None else query


# --- expenses ---------------------------------------------------------------------------------
def record_expense(volunteer: Volunteer, spent_on: date, description: str, amount_cents: int,
                   receipt_reference: str, actor: User) -> Expense:
    counts = bool(current_app.config.get("EXPENSES_COUNT_TOWARDS_CAPS", True))
    if counts:
        _lock_volunteers([volunteer.id])
        summary = usage_summary(current_limits(), spent_on.year, spent_on.month, counted_amounts(volunteer.id, spent_on.year))
        if summary.limit is None or amount_cents > summary.payable_cents:
            raise ExpenseOverCap(summary, amount_cents)
    expense = Expense(volunteer=volunteer, spent_on=spent_on, description=description.strip(), amount_cents=amount_cents,
                      receipt_reference=receipt_reference.strip(), counts_towards_caps=counts, recorded_by_id=actor.id)
    db.session.add(expense)
    audit.record("allowance.expense.record", expense, actor=actor, volunteer=volunteer.id, amount_cents=amount_cents,
                 counts_towards_caps=counts)
    return expense


# --- usage and the yearly overview --------------------------------------------------------------
WARNING_LABELS = {
    "no_limits_for_year": _l("There are no fiscal limits for this year yet."),
    "limits_unconfirmed": _l("The limits for this year are not confirmed yet."),
    "month_near_cap": _l("Close to the monthly maximum."),
    "year_near_cap": _l("Close to the yearly maximum."),
    "month_over_cap": _l("Over the monthly maximum: check the claims of this month."),
    "year_over_cap": _l("Over the yearly maximum: check the claims of this year."),
}


def usage(volunteer: Volunteer, on: date | None = None) -> UsageSummary:
    on = on or today()
    return usage_summary(current_limits(), on.year, on.month, counted_amounts(volunteer.id, on.year))


@dataclass
class MonthLine:
    month: int
    minutes: int = 0
    allowance_cents: int = 0  # approved and paid claims
    paid_cents: int = 0
    pending_cents: int = 0  # submitted, not yet approved
    expenses_cents: int = 0
    counted_cents: int = 0  # everything that uses up room under the caps
    cap_cents: int | None = None

    @property
    def remaining_cents(self) -> int | None:
        return None if self.cap_cents is None else max(0, self.cap_cents - self.counted_cents)


@dataclass
class YearOverview:
    year: int
    limit: FiscalLimit | None
    months: list[MonthLine] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(line, name) for line in self.months)

    @property
    def remaining_year_cents(self) -> int | None:
        return None if self.limit is None else max(0, self.limit.yearly_max_cents - self.total("counted_cents"))


def year_overview(volunteer: Volunteer, year: int) -> YearOverview:
    limit = current_limits().get(year)
    months = {m: MonthLine(m, cap_cents=limit.monthly_max_cents if limit else None) for m in range(1, 13)}
    for claim in volunteer.claims:
        if claim.worked_on.year != year or claim.status == ClaimStatus.rejected:
            continue
        line = months[claim.worked_on.month]
        line.counted_cents += claim.amount_cents
        if claim.status == ClaimStatus.submitted:
            line.pending_cents += claim.amount_cents
            continue
        line.minutes += claim.minutes
        line.allowance_cents += claim.amount_cents
        if claim.status == ClaimStatus.paid:
            line.paid_cents += claim.amount_cents
    for expense in volunteer.expenses:
        if expense.spent_on.year == year:
            months[expense.spent_on.month].expenses_cents += expense.amount_cents
            if expense.counts_towards_caps:
                months[expense.spent_on.month].counted_cents += expense.amount_cents
    return YearOverview(year, limit, [months[m] for m in range(1, 13)])


def statement_years(volunteer: Volunteer) -> list[int]:
    years = {c.worked_on.year for c in volunteer.claims} | {e.spent_on.year for e in volunteer.expenses}
    return sorted(years, reverse=True)


def month_name(month: int) -> str:
    return format_date(date(2000, month, 1), "LLLL")


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# --- privacy ----------------------------------------------------------------------------------
def record_view(action: str, obj=None, **detail) -> None:
    """Every view of bank accounts and payments is in the audit log."""
    audit.record(action, obj, **detail)
