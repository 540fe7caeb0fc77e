"""How much of a volunteer's allowance is used: this month and year, and per month for a statement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from app.compensation.limits import FiscalLimit, UsageSummary, usage_summary
from app.compensation.models import ClaimStatus, Volunteer
from app.compensation.services import counted_amounts, current_limits, today

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
