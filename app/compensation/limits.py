"""Dutch fiscal limits for volunteer allowances (vrijwilligersvergoeding). Pure: no Flask, no database.

An allowance stays untaxed only if, all at once, the hourly rate is at most the hourly maximum for
the volunteer's age on the activity date (21 and over, or under 21), the total per calendar month
is at most the monthly maximum and the total per calendar year is at most the yearly maximum.
Exceeding any one makes the *whole* allowance taxable, so :func:`check_claim` reports every
breached cap and the largest amount that breaches none.

Conventions (all chosen so that a payment can never exceed the true limit):

- Money is integer cents; amounts derived from minutes x rate are rounded down.
- Volunteers give only their birth year and month. Since the under-21 hourly cap is the lower one,
  a volunteer counts as under 21 until their birth month is over, i.e. turns 21 on the first day of
  the following month. (Using the last day of the month would also be safe for most people, but not
  for someone born on 29 February in a year whose February has 28 days.) :class:`FiscalLimit`
  refuses data where the under-21 cap is higher, because that would turn this convention unsafe.
- ``earlier`` holds every other claim that counts towards the caps, as ``(activity_date,
  amount_cents)``, in any order and in any year (other months/years are ignored). The caller
  decides what counts: allowances always; receipted expenses only if the round's setting says they
  count towards the caps; pending claims if room should be reserved for them.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, TextIO, Union

DEFAULT_LIMITS_PATH = Path(__file__).resolve().parent.parent / "data" / "fiscal_limits.csv"
CSV_COLUMNS = (
    "year",
    "hourly_max_21_plus_cents",
    "hourly_max_under_21_cents",
    "monthly_max_cents",
    "yearly_max_cents",
    "status",
)
ADULT_AGE = 21
NEAR_CAP_PERCENT = 80

LimitsSource = Union[str, "os.PathLike[str]", TextIO, Iterable[Mapping[str, Any]]]
DatedAmount = tuple[date, int]


class LimitsDataError(ValueError):
    """The fiscal-limits reference data is missing a column, malformed or inconsistent."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class FiscalLimit:
    """The limits for one calendar year; ``confirmed`` is True when ``status`` starts "confirmed"."""

    year: int
    hourly_max_21_plus_cents: int
    hourly_max_under_21_cents: int
    monthly_max_cents: int
    yearly_max_cents: int
    status: str = ""
    confirmed: bool = field(init=False)

    def __post_init__(self) -> None:
        for name in CSV_COLUMNS[:-1]:
            value = getattr(self, name)
            if not _is_int(value) or value < 0:
                raise LimitsDataError(f"{name} must be an int >= 0, not {value!r}")
        if self.hourly_max_under_21_cents > self.hourly_max_21_plus_cents:
            raise LimitsDataError(f"{self.year}: under-21 hourly cap above the 21+ cap")
        if self.monthly_max_cents > self.yearly_max_cents:
            raise LimitsDataError(f"{self.year}: monthly cap above the yearly cap")
        object.__setattr__(self, "confirmed", self.status.strip().lower().startswith("confirmed"))


def _parse_int(value: object, column: str, where: str) -> int:
    if _is_int(value):
        return value  # type: ignore[return-value]
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    raise LimitsDataError(f"{where}: {column} is not a whole number: {value!r}")


def _limits_from_rows(rows: Iterable[Mapping[str, Any]], first_line: int) -> dict[int, FiscalLimit]:
    limits: dict[int, FiscalLimit] = {}
    for line, row in enumerate(rows, start=first_line):
        where = f"row {line}"
        missing = [column for column in CSV_COLUMNS if row.get(column) is None]
        if missing:
            raise LimitsDataError(f"{where}: missing {', '.join(missing)}")
        numbers = {column: _parse_int(row[column], column, where) for column in CSV_COLUMNS[:-1]}
        try:
            limit = FiscalLimit(status=str(row["status"]).strip(), **numbers)
        except LimitsDataError as error:
            raise LimitsDataError(f"{where}: {error}") from None
        if limit.year in limits:
            raise LimitsDataError(f"{where}: year {limit.year} listed twice")
        limits[limit.year] = limit
    return limits


def load_limits(source: LimitsSource = DEFAULT_LIMITS_PATH) -> dict[int, FiscalLimit]:
    """Limits by year from a CSV path, an open CSV text file, or rows (mappings, e.g. from the db)."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, newline="", encoding="utf-8-sig") as handle:
            return _limits_from_rows(csv.DictReader(handle), first_line=2)
    if hasattr(source, "read"):
        return _limits_from_rows(csv.DictReader(source), first_line=2)  # type: ignore[arg-type]
    return _limits_from_rows(source, first_line=1)


class BirthMonth(NamedTuple):
    year: int
    month: int


def age_on(birth_year: int, birth_month: int, on: date) -> int:
    """Conservative age on ``on``: the birthday counts as reached only once the birth month is over."""
    if not 1 <= birth_month <= 12:
        raise ValueError(f"birth month must lie in 1..12, not {birth_month}")
    age = on.year - birth_year - (1 if on.month <= birth_month else 0)
    if age < 0:
        raise ValueError("activity date lies before the end of the birth month")
    return age


def default_rate(limit: FiscalLimit, is_21_plus: bool) -> int:
    """The fiscal hourly maximum in cents for the age band: the default rate to offer."""
    return limit.hourly_max_21_plus_cents if is_21_plus else limit.hourly_max_under_21_cents


@dataclass(frozen=True)
class CapViolation:
    code: str  # "hourly" | "monthly" | "yearly" | "no_limits_for_year"
    params: Mapping[str, Any]


@dataclass(frozen=True)
class ClaimCheck:
    requested_cents: int
    allowed_cents: int  # the most that breaches no cap; 0 when no limits are known for the year
    violations: tuple[CapViolation, ...]
    used_month_cents: int
    used_year_cents: int
    remaining_month_cents: int
    remaining_year_cents: int
    is_21_plus: bool
    hourly_max_cents: int | None
    limit: FiscalLimit | None

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(violation.code for violation in self.violations)


def _used(claims: Iterable[DatedAmount], year: int, month: int) -> tuple[int, int]:
    used_month = used_year = 0
    for claim_date, amount in claims:
        if not _is_int(amount) or amount < 0:
            raise ValueError(f"claim amount must be an int >= 0 cents, not {amount!r}")
        if claim_date.year == year:
            used_year += amount
            if claim_date.month == month:
                used_month += amount
    return used_month, used_year


def check_claim(
    limits: Mapping[int, FiscalLimit],
    birth: tuple[int, int],
    activity_date: date,
    minutes: int,
    rate_cents_per_hour: int,
    earlier: Sequence[DatedAmount] = (),
) -> ClaimCheck:
    """Check an allowance of ``minutes`` at ``rate_cents_per_hour`` against every cap.

    ``birth`` is ``(year, month)`` (a :class:`BirthMonth` works). The caller refuses the claim unless
    ``ok``, or, after explicit confirmation, pays ``allowed_cents`` instead.
    """
    if not _is_int(minutes) or minutes < 0:
        raise ValueError(f"minutes must be an int >= 0, not {minutes!r}")
    if not _is_int(rate_cents_per_hour) or rate_cents_per_hour < 0:
        raise ValueError(f"rate must be an int >= 0 cents per hour, not {rate_cents_per_hour!r}")
    birth_year, birth_month = birth
    is_21_plus = age_on(birth_year, birth_month, activity_date) >= ADULT_AGE
    requested = minutes * rate_cents_per_hour // 60
    used_month, used_year = _used(earlier, activity_date.year, activity_date.month)
    limit = limits.get(activity_date.year)
    if limit is None:
        violation = CapViolation("no_limits_for_year", {"year": activity_date.year})
        return ClaimCheck(requested, 0, (violation,), used_month, used_year, 0, 0, is_21_plus, None, None)

    hourly_max = default_rate(limit, is_21_plus)
    remaining_month = max(0, limit.monthly_max_cents - used_month)
    remaining_year = max(0, limit.yearly_max_cents - used_year)
    violations = []
    if rate_cents_per_hour > hourly_max:
        violations.append(
            CapViolation(
                "hourly", {"rate_cents": rate_cents_per_hour, "max_cents": hourly_max, "is_21_plus": is_21_plus}
            )
        )
    for code, used, cap, remaining in (
        ("monthly", used_month, limit.monthly_max_cents, remaining_month),
        ("yearly", used_year, limit.yearly_max_cents, remaining_year),
    ):
        if requested > remaining:
            violations.append(
                CapViolation(
                    code,
                    {"requested_cents": requested, "used_cents": used, "max_cents": cap, "remaining_cents": remaining},
                )
            )
    allowed = min(requested, minutes * hourly_max // 60, remaining_month, remaining_year)
    return ClaimCheck(
        requested,
        allowed,
        tuple(violations),
        used_month,
        used_year,
        remaining_month,
        remaining_year,
        is_21_plus,
        hourly_max,
        limit,
    )


@dataclass(frozen=True)
class UsageSummary:
    year: int
    month: int
    used_month_cents: int
    used_year_cents: int
    remaining_month_cents: int  # 0 when no limits are known for the year
    remaining_year_cents: int
    payable_cents: int  # what may still be paid this month: min of both remainders
    limit: FiscalLimit | None
    # codes: "no_limits_for_year", "limits_unconfirmed", "month_near_cap", "year_near_cap",
    # "month_over_cap", "year_over_cap" (over: e.g. after a limit was corrected downwards)
    warnings: tuple[str, ...]


def usage_summary(
    limits: Mapping[int, FiscalLimit],
    year: int,
    month: int,
    claims: Iterable[DatedAmount],
    near_cap_percent: int = NEAR_CAP_PERCENT,
) -> UsageSummary:
    """How much of a volunteer's month and year is used; warns from ``near_cap_percent`` on."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must lie in 1..12, not {month}")
    used_month, used_year = _used(claims, year, month)
    limit = limits.get(year)
    if limit is None:
        return UsageSummary(year, month, used_month, used_year, 0, 0, 0, None, ("no_limits_for_year",))
    warnings = [] if limit.confirmed else ["limits_unconfirmed"]
    for period, used, cap in (
        ("month", used_month, limit.monthly_max_cents),
        ("year", used_year, limit.yearly_max_cents),
    ):
        if used * 100 >= cap * near_cap_percent:
            warnings.append(f"{period}_near_cap")
        if used > cap:
            warnings.append(f"{period}_over_cap")
    remaining_month = max(0, limit.monthly_max_cents - used_month)
    remaining_year = max(0, limit.yearly_max_cents - used_year)
    return UsageSummary(
        year,
        month,
        used_month,
        used_year,
        remaining_month,
        remaining_year,
        min(remaining_month, remaining_year),
        limit,
        tuple(warnings),
    )
