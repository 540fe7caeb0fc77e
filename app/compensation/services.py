"""Volunteer allowances: recording participation inside the fiscal caps, four-eyes approval,
receipted expenses, and the fiscal limits themselves."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
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
    Volunteer,
)
from app.errors import DomainError
from app.extensions import db
from app.formatting import money
from app.types import AMSTERDAM


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
        super().__init__(
            "claim would cross a fiscal cap: " + ", ".join(f"{p.volunteer.id}:{'/'.join(p.check.codes)}" for p in plans)
        )
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
            return _(
                "There are no fiscal limits for %(year)s yet. An administrator must add them first.",
                year=self.summary.year,
            )
        return _(
            "Expenses count towards the caps, and this one would cross them: still allowed is "
            "%(remaining)s this month and %(year_remaining)s this year.",
            remaining=money(self.summary.remaining_month_cents),
            year_remaining=money(self.summary.remaining_year_cents),
        )


class ClaimDateRefused(DomainError):
    """A date that cannot be right for this volunteer: before their birth month is over (a
    mistyped year), before they started, or in the future."""

    def __init__(self, volunteer: Volunteer, on: date, reason: str):
        super().__init__(f"date {on.isoformat()} refused for volunteer {volunteer.id}: {reason}")
        self.volunteer, self.on, self.reason = volunteer, on, reason

    def describe(self) -> str:
        name = self.volunteer.name
        if self.reason == "before_birth":
            return _("%(date)s is before %(name)s was born. Check the year.", date=format_date(self.on), name=name)
        if self.reason == "before_start":
            return _(
                "%(date)s is before %(name)s started on %(start)s.",
                date=format_date(self.on),
                name=name,
                start=format_date(self.volunteer.started_on),
            )
        return _("%(date)s is in the future. Record it once it has happened.", date=format_date(self.on))


def date_problem(volunteer: Volunteer, on: date) -> str | None:
    """Why ``on`` cannot be a day this volunteer worked or spent money, or None."""
    if on > today():
        return "future"
    if (on.year, on.month) <= (volunteer.birth_year, volunteer.birth_month):
        return "before_birth"
    if volunteer.started_on is not None and on < volunteer.started_on:
        return "before_start"
    return None


def check_date(volunteer: Volunteer, on: date) -> None:
    reason = date_problem(volunteer, on)
    if reason is not None:
        raise ClaimDateRefused(volunteer, on, reason)


class ExpenseNoLongerFits(DomainError):
    """An expense that counts towards the caps no longer fits them when it is approved."""

    def __init__(self):
        super().__init__("expense no longer fits the fiscal limits")

    def describe(self) -> str:
        return _(
            "This expense no longer fits the fiscal limits: amounts approved since it was recorded, "
            "or changed limits, used up the room. Reject it."
        )


class LimitsChanged(DomainError):
    """A claim recorded under older limits no longer fits the current ones."""

    def __init__(self):
        super().__init__("claim no longer fits the current fiscal limits")

    def describe(self) -> str:
        return _(
            "This claim no longer fits the fiscal limits, which have changed since it was recorded. "
            "Reject it and record it again."
        )


def explain_check(check: ClaimCheck, worked_on: date) -> list[str]:
    """Plain sentences for every cap a claim would cross, and what could be paid instead."""
    lines = []
    month = format_date(worked_on, "LLLL y")
    for violation in check.violations:
        p = violation.params
        if violation.code == "no_limits_for_year":
            lines.append(
                _("There are no fiscal limits for %(year)s yet. An administrator must add them first.", year=p["year"])
            )
        elif violation.code == "hourly":
            if p["is_21_plus"]:
                lines.append(
                    _(
                        "The rate of %(rate)s per hour is above the maximum of %(max)s per hour for volunteers aged 21 or over.",
                        rate=money(p["rate_cents"]),
                        max=money(p["max_cents"]),
                    )
                )
            else:
                lines.append(
                    _(
                        "The rate of %(rate)s per hour is above the maximum of %(max)s per hour for volunteers under 21.",
                        rate=money(p["rate_cents"]),
                        max=money(p["max_cents"]),
                    )
                )
        elif violation.code == "monthly":
            lines.append(
                _(
                    "%(amount)s would cross the monthly maximum of %(max)s: %(used)s is already used in %(month)s, so %(remaining)s is left.",
                    amount=money(p["requested_cents"]),
                    max=money(p["max_cents"]),
                    used=money(p["used_cents"]),
                    month=month,
                    remaining=money(p["remaining_cents"]),
                )
            )
        elif violation.code == "yearly":
            lines.append(
                _(
                    "%(amount)s would cross the yearly maximum of %(max)s: %(used)s is already used in %(year)s, so %(remaining)s is left.",
                    amount=money(p["requested_cents"]),
                    max=money(p["max_cents"]),
                    used=money(p["used_cents"]),
                    year=worked_on.year,
                    remaining=money(p["remaining_cents"]),
                )
            )
    if check.violations and check.allowed_cents > 0:
        lines.append(_("At most %(allowed)s can be paid for this claim.", allowed=money(check.allowed_cents)))
    elif check.violations and check.limit is not None:
        lines.append(_("Nothing more can be paid in this period."))
    return lines


# --- fiscal limits ----------------------------------------------------------------------------
def limit_row(year: int | None) -> FiscalLimitRow | None:
    return db.session.scalar(select(FiscalLimitRow).where(FiscalLimitRow.year == year))


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
    return {
        "hourly_max_21_plus_cents": limit.hourly_max_21_plus_cents,
        "hourly_max_under_21_cents": limit.hourly_max_under_21_cents,
        "monthly_max_cents": limit.monthly_max_cents,
        "yearly_max_cents": limit.yearly_max_cents,
        "status": limit.status,
    }


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


# --- caps -------------------------------------------------------------------------------------
def counted_amounts(
    volunteer_id: int, year: int, *, exclude_claim_id: int | None = None, exclude_expense_id: int | None = None
) -> list[tuple[date, int]]:
    """Every amount in ``year`` that uses up room under the caps: submitted, approved and paid
    claims, and expenses recorded as counting towards the caps."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    claims = select(Claim.worked_on, Claim.amount_cents).where(
        Claim.volunteer_id == volunteer_id, Claim.status.in_(COUNTING_STATUSES), Claim.worked_on.between(start, end)
    )
    if exclude_claim_id is not None:
        claims = claims.where(Claim.id != exclude_claim_id)
    expenses = select(Expense.spent_on, Expense.amount_cents).where(
        Expense.volunteer_id == volunteer_id,
        Expense.counts_towards_caps.is_(True),
        Expense.status.in_(COUNTING_STATUSES),
        Expense.spent_on.between(start, end),
    )
    if exclude_expense_id is not None:
        expenses = expenses.where(Expense.id != exclude_expense_id)
    return [(row[0], row[1]) for row in db.session.execute(claims)] + [
        (row[0], row[1]) for row in db.session.execute(expenses)
    ]


def usage_on(
    volunteer_id: int,
    on: date,
    limits: dict[int, FiscalLimit],
    *,
    exclude_claim_id: int | None = None,
    exclude_expense_id: int | None = None,
):
    """The caps of ``on``'s month and year against everything else that already counts."""
    earlier = counted_amounts(
        volunteer_id, on.year, exclude_claim_id=exclude_claim_id, exclude_expense_id=exclude_expense_id
    )
    return usage_summary(limits, on.year, on.month, earlier)


def _lock_volunteers(ids) -> None:
    """Serialise cap checks per volunteer (PostgreSQL row locks; SQLite already writes one at a time)."""
    db.session.execute(
        select(Volunteer.id).where(Volunteer.id.in_(sorted(set(ids)))).order_by(Volunteer.id).with_for_update()
    )


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
        check_date(entry.volunteer, worked_on)
        rate = entry.rate_cents_per_hour
        if rate is None:
            rate = rate_for(entry.volunteer, worked_on, limits) or 0
        if entry.activity is not None and any(
            c.volunteer_id == entry.volunteer.id and c.status in COUNTING_STATUSES for c in entry.activity.claims
        ):
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
        claim = Claim(
            volunteer=plan.volunteer,
            activity=plan.activity,
            worked_on=plan.worked_on,
            minutes=plan.minutes,
            rate_cents_per_hour=rate,
            amount_cents=check.requested_cents if check.ok else check.allowed_cents,
            requested_cents=check.requested_cents,
            note=plan.note,
            recorded_by_id=actor.id,
        )
        db.session.add(claim)
        audit.record(
            "allowance.claim.record",
            claim,
            actor=actor,
            volunteer=plan.volunteer.id,
            amount_cents=claim.amount_cents,
            reduced_from_cents=None if check.ok else check.requested_cents,
            caps=list(check.codes) or None,
        )
        claims.append(claim)
    return claims


def _lock_claim(claim: Claim) -> None:
    """Reload the claim under a row lock, so that a second approver sees the first one's decision."""
    db.session.flush()  # refresh() would drop changes not yet written
    db.session.refresh(claim, with_for_update=True)


def approve_claim(claim: Claim, actor: User) -> None:
    """Four eyes: the recorder cannot approve. The caps are checked again, in case an
    administrator corrected the limits downwards since the claim was recorded."""
    _lock_volunteers([claim.volunteer_id])
    _lock_claim(claim)  # a second approver waits, then sees the new status
    claim.approve(actor)
    limits = current_limits()
    limit = limits.get(claim.worked_on.year)
    if limit is None:
        raise LimitsChanged()
    summary = usage_on(claim.volunteer_id, claim.worked_on, limits, exclude_claim_id=claim.id)
    hourly_max = default_rate(limit, is_adult_on(claim.volunteer, claim.worked_on))
    if claim.rate_cents_per_hour > hourly_max or claim.amount_cents > summary.payable_cents:
        raise LimitsChanged()
    audit.record("allowance.claim.approve", claim, actor=actor, amount_cents=claim.amount_cents)


@dataclass
class BulkApproval:
    approved: list[Claim]
    refused: list[tuple[Claim, str]]  # with the reason, in the reader's language

    @property
    def approved_cents(self) -> int:
        return sum(claim.amount_cents for claim in self.approved)


def split_for_approval(claims: list[Claim], actor: User) -> tuple[list[Claim], list[Claim]]:
    """The claims ``actor`` may approve, and those they recorded themselves (four eyes)."""
    own = [c for c in claims if c.recorded_by_id is not None and c.recorded_by_id == actor.id]
    return [c for c in claims if c not in own], own


def approve_claims(claims: list[Claim], actor: User) -> BulkApproval:
    """Approve many claims at once, each exactly as approve_claim would (four eyes, caps checked
    again, a row lock per claim). One that cannot be approved is left as it was and reported;
    the others go ahead (each in its own savepoint)."""
    from app.compensation.models import ClaimStateError, FourEyesError

    outcome = BulkApproval([], [])
    for claim in sorted(claims, key=lambda c: (c.worked_on, c.id)):  # earlier claims first, as recorded
        try:
            with db.session.begin_nested():
                approve_claim(claim, actor)
        except (FourEyesError, ClaimStateError, LimitsChanged) as error:
            outcome.refused.append((claim, error.describe()))
        else:
            outcome.approved.append(claim)
    return outcome


def reject_claim(claim: Claim, reason: str, actor: User) -> None:
    _lock_claim(claim)
    claim.reject(actor, reason)
    audit.record("allowance.claim.reject", claim, actor=actor, reason=reason.strip() or None)


def claims_query(status: ClaimStatus | None):
    query = select(Claim).order_by(Claim.worked_on.desc(), Claim.id.desc())
    return query.where(Claim.status == status) if status is not None else query


# --- expenses ---------------------------------------------------------------------------------
def record_expense(
    volunteer: Volunteer, spent_on: date, description: str, amount_cents: int, receipt_reference: str, actor: User
) -> Expense:
    check_date(volunteer, spent_on)
    counts = bool(current_app.config.get("EXPENSES_COUNT_TOWARDS_CAPS", True))
    if counts:
        _lock_volunteers([volunteer.id])
        summary = usage_on(volunteer.id, spent_on, current_limits())
        if summary.limit is None or amount_cents > summary.payable_cents:
            raise ExpenseOverCap(summary, amount_cents)
    expense = Expense(
        volunteer=volunteer,
        spent_on=spent_on,
        description=description.strip(),
        amount_cents=amount_cents,
        receipt_reference=receipt_reference.strip(),
        counts_towards_caps=counts,
        recorded_by_id=actor.id,
    )
    db.session.add(expense)
    audit.record(
        "allowance.expense.record",
        expense,
        actor=actor,
        volunteer=volunteer.id,
        amount_cents=amount_cents,
        counts_towards_caps=counts,
    )
    return expense


def _lock_expense(expense: Expense) -> None:
    db.session.flush()
    db.session.refresh(expense, with_for_update=True)


def approve_expense(expense: Expense, actor: User) -> None:
    """Four eyes, as for claims: whoever recorded the expense cannot approve it. Once approved it
    waits for the next payout batch, together with the approved claims. An expense that counts
    towards the caps is checked against them again: claims approved since it was recorded, or
    limits corrected downwards, may have used up the room it had."""
    if expense.counts_towards_caps:
        _lock_volunteers([expense.volunteer_id])
    _lock_expense(expense)
    expense.approve(actor)
    if expense.counts_towards_caps:
        summary = usage_on(expense.volunteer_id, expense.spent_on, current_limits(), exclude_expense_id=expense.id)
        if summary.limit is None or expense.amount_cents > summary.payable_cents:
            raise ExpenseNoLongerFits()
    audit.record(
        "allowance.expense.approve",
        expense,
        actor=actor,
        volunteer=expense.volunteer_id,
        amount_cents=expense.amount_cents,
    )


def reject_expense(expense: Expense, reason: str, actor: User) -> None:
    _lock_expense(expense)
    expense.reject(actor, reason)
    audit.record("allowance.expense.reject", expense, actor=actor, reason=reason.strip() or None)


def waiting_expenses() -> list[Expense]:
    return list(
        db.session.scalars(
            select(Expense).where(Expense.status == ClaimStatus.submitted).order_by(Expense.spent_on, Expense.id)
        )
    )


# --- privacy ----------------------------------------------------------------------------------
def record_view(action: str, obj=None, **detail) -> None:
    """Every view of bank accounts and payments is in the audit log."""
    audit.record(action, obj, **detail)
