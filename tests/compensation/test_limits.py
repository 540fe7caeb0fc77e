"""Fiscal limits for volunteer allowances (pure: no app needed)."""

import calendar
import io
from collections import defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.compensation.limits import (
    DEFAULT_LIMITS_PATH,
    BirthMonth,
    FiscalLimit,
    LimitsDataError,
    age_on,
    check_claim,
    default_rate,
    load_limits,
    usage_summary,
)

LIMITS = load_limits()
ADULT = BirthMonth(1980, 5)
YOUNG = BirthMonth(2008, 5)


# --- reference data ----------------------------------------------------------------------------


def test_the_csv_holds_four_years_with_2026_unconfirmed():
    assert sorted(LIMITS) == [2023, 2024, 2025, 2026]
    assert LIMITS[2024] == FiscalLimit(2024, 550, 325, 21_000, 210_000, "confirmed (Belastingdienst)")
    assert LIMITS[2024].confirmed and LIMITS[2023].confirmed
    assert not LIMITS[2026].confirmed
    assert not LIMITS[2025].confirmed  # "secondary sources" does not start with "confirmed"
    assert (LIMITS[2025].hourly_max_21_plus_cents, LIMITS[2025].hourly_max_under_21_cents) == (560, 330)
    assert LIMITS[2026].monthly_max_cents == 22_000


def test_load_limits_reads_paths_files_and_rows_alike():
    text = DEFAULT_LIMITS_PATH.read_text(encoding="utf-8")
    assert load_limits(str(DEFAULT_LIMITS_PATH)) == LIMITS
    assert load_limits(io.StringIO(text)) == LIMITS
    rows = [
        {
            "year": 2027,
            "hourly_max_21_plus_cents": 600,
            "hourly_max_under_21_cents": "350",
            "monthly_max_cents": 23_000,
            "yearly_max_cents": 230_000,
            "status": " Confirmed ",
        }
    ]
    assert load_limits(rows)[2027].confirmed


HEADER = "year,hourly_max_21_plus_cents,hourly_max_under_21_cents,monthly_max_cents,yearly_max_cents,status\n"


@pytest.mark.parametrize(
    "body",
    [
        "2024,550,325,21000\n",  # columns missing
        "2024,5.50,325,21000,210000,confirmed\n",  # euros instead of cents
        "2024,550,-325,21000,210000,confirmed\n",
        "2024,550,325,21000,210000,confirmed\n2024,550,325,21000,210000,confirmed\n",
        "2024,325,550,21000,210000,confirmed\n",  # under-21 above 21+: the age convention would be unsafe
        "2024,550,325,210000,21000,confirmed\n",
    ],
)
def test_bad_reference_data_is_refused(body):
    with pytest.raises(LimitsDataError):
        load_limits(io.StringIO(HEADER + body))


def test_default_rate_is_the_fiscal_maximum_for_the_age():
    assert default_rate(LIMITS[2025], True) == 560
    assert default_rate(LIMITS[2025], False) == 330


# --- age ---------------------------------------------------------------------------------------


def test_a_volunteer_turns_21_only_after_the_birth_month():
    assert age_on(2004, 3, date(2025, 2, 28)) == 20
    assert age_on(2004, 3, date(2025, 3, 31)) == 20  # may already be 21, but we cannot know
    assert age_on(2004, 3, date(2025, 4, 1)) == 21
    assert age_on(2004, 12, date(2025, 12, 31)) == 20
    assert age_on(2004, 12, date(2026, 1, 1)) == 21


@pytest.mark.parametrize(
    "args", [(2004, 0, date(2025, 1, 1)), (2004, 13, date(2025, 1, 1)), (2025, 6, date(2025, 6, 15))]
)
def test_age_on_refuses_impossible_input(args):
    with pytest.raises(ValueError):
        age_on(*args)


def true_age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


birth_dates = st.dates(date(1940, 1, 1), date(2010, 12, 31))


@given(birth_dates, st.dates(date(2011, 1, 1), date(2030, 12, 31)))
def test_conservative_age_is_never_above_the_true_age_and_at_most_one_below(born, on):
    assert true_age(born, on) - 1 <= age_on(born.year, born.month, on) <= true_age(born, on)


def test_21st_birthday_mid_month_pays_the_under_21_rate_until_the_month_is_over():
    born = BirthMonth(2004, 6)  # truly 21 on 15 June 2025, say; we only know "June 2004"
    mid_june = check_claim(LIMITS, born, date(2025, 6, 20), 120, 560)
    assert mid_june.codes == ("hourly",)
    assert mid_june.violations[0].params == {"rate_cents": 560, "max_cents": 330, "is_21_plus": False}
    assert (mid_june.requested_cents, mid_june.allowed_cents) == (1120, 660)
    july = check_claim(LIMITS, born, date(2025, 7, 1), 120, 560)
    assert july.ok and july.allowed_cents == 1120 and july.is_21_plus


# --- single claims -----------------------------------------------------------------------------


def test_a_claim_within_every_cap_is_allowed_in_full():
    result = check_claim(LIMITS, ADULT, date(2025, 3, 10), 180, 560, [(date(2025, 3, 1), 5_000)])
    assert result.ok and result.codes == ()
    assert (result.requested_cents, result.allowed_cents) == (1_680, 1_680)
    assert (result.used_month_cents, result.used_year_cents) == (5_000, 5_000)
    assert (result.remaining_month_cents, result.remaining_year_cents) == (16_000, 205_000)
    assert result.hourly_max_cents == 560 and result.limit is LIMITS[2025]


def test_amounts_are_rounded_down_to_whole_cents():
    result = check_claim(LIMITS, ADULT, date(2025, 3, 10), 7, 560)  # 65.33 cents
    assert result.requested_cents == result.allowed_cents == 65


def test_monthly_cap_reduces_the_allowed_amount():
    earlier = [(date(2025, 3, 1), 15_000)]
    result = check_claim(LIMITS, ADULT, date(2025, 3, 31), 12 * 60, 560, earlier)
    assert result.codes == ("monthly",)
    assert result.violations[0].params == {
        "requested_cents": 6_720,
        "used_cents": 15_000,
        "max_cents": 21_000,
        "remaining_cents": 6_000,
    }
    assert result.allowed_cents == 6_000


def test_month_boundary_claims_of_other_months_count_only_for_the_year():
    earlier = [(date(2025, 2, 28), 21_000), (date(2025, 4, 1), 21_000)]
    result = check_claim(LIMITS, ADULT, date(2025, 3, 15), 60, 560, earlier)
    assert result.ok
    assert (result.used_month_cents, result.used_year_cents) == (0, 42_000)


def test_yearly_cap_reduces_the_allowed_amount():
    earlier = [(date(2025, month, 2), 21_000) for month in range(1, 10)]
    earlier.append((date(2025, 10, 2), 20_000))  # 2 090 euro so far
    result = check_claim(LIMITS, ADULT, date(2025, 11, 5), 300, 560, earlier)
    assert result.codes == ("yearly",)
    assert result.remaining_year_cents == 1_000 and result.allowed_cents == 1_000


def test_year_boundary_december_does_not_count_for_january():
    earlier = [(date(2024, 12, 31), 21_000)] + [(date(2024, m, 1), 17_000) for m in range(1, 12)]
    result = check_claim(LIMITS, ADULT, date(2025, 1, 1), 60, 560, earlier)
    assert result.ok and result.used_year_cents == 0 and result.used_month_cents == 0


def test_rate_change_between_2024_and_2025():
    december = check_claim(LIMITS, ADULT, date(2024, 12, 31), 60, 560)
    january = check_claim(LIMITS, ADULT, date(2025, 1, 1), 60, 560)
    assert december.codes == ("hourly",) and december.allowed_cents == 550
    assert january.ok and january.allowed_cents == 560
    young = check_claim(LIMITS, YOUNG, date(2024, 6, 1), 60, 330)
    assert young.codes == ("hourly",) and young.hourly_max_cents == 325


def test_several_caps_are_reported_together():
    earlier = [(date(2024, month, 1), 21_000) for month in range(1, 11)]  # year cap reached
    result = check_claim(LIMITS, YOUNG, date(2024, 10, 20), 600, 800, earlier)
    assert result.codes == ("hourly", "monthly", "yearly")
    assert result.allowed_cents == 0


def test_a_year_without_limits_is_refused_with_a_code():
    result = check_claim(LIMITS, ADULT, date(2027, 1, 5), 60, 100, [(date(2027, 1, 1), 500)])
    assert result.codes == ("no_limits_for_year",)
    assert result.violations[0].params == {"year": 2027}
    assert result.allowed_cents == 0 and result.limit is None and result.used_month_cents == 500


@pytest.mark.parametrize(
    "minutes, rate, earlier", [(-1, 500, []), (60, -1, []), (60, 5.5, []), (60, 500, [(date(2025, 1, 1), -5)])]
)
def test_impossible_claims_are_programming_errors(minutes, rate, earlier):
    with pytest.raises(ValueError):
        check_claim(LIMITS, ADULT, date(2025, 1, 5), minutes, rate, earlier)


# --- properties --------------------------------------------------------------------------------


def clipped_date(year, month, day):
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


activity_dates = st.builds(
    clipped_date, st.sampled_from([2024, 2025, 2026, 2027]), st.integers(1, 12), st.integers(1, 31)
)
rates = st.sampled_from([325, 330, 340, 550, 560, 575]) | st.integers(0, 800)


@st.composite
def volunteer_histories(draw):
    """A true birth date and claims clustered so that every cap and the 21st birthday get hit."""
    born = draw(st.dates(date(1996, 1, 1), date(2006, 12, 31)))
    busy_year = draw(st.sampled_from(sorted({2024, 2025, 2026, min(2026, born.year + 21)})))
    year = st.sampled_from([busy_year] * 6 + [2024, 2025, 2026, 2027])
    month = st.sampled_from([*range(1, 13), born.month, born.month % 12 + 1])
    when = st.builds(clipped_date, year, month, st.integers(1, 31))
    size = draw(st.integers(0, 120))  # plain st.lists stays too short to fill a year
    minutes = st.integers(0, 100 * 60)
    claims = st.lists(st.tuples(when, minutes, rates), min_size=size, max_size=size)
    return born, draw(claims)


@settings(deadline=None, max_examples=150)
@given(volunteer_histories())
def test_no_sequence_of_claims_paid_at_allowed_ever_exceeds_a_cap(history):
    born, sequence = history
    paid = []
    for activity_date, minutes, rate in sequence:
        if activity_date < date(born.year, born.month, 1) + timedelta(days=31):
            continue
        result = check_claim(LIMITS, (born.year, born.month), activity_date, minutes, rate, paid)
        assert 0 <= result.allowed_cents <= result.requested_cents
        if result.allowed_cents:
            limit = LIMITS[activity_date.year]
            cap = default_rate(limit, true_age(born, activity_date) >= 21)  # the true age
            assert result.allowed_cents * 60 <= minutes * cap
            paid.append((activity_date, result.allowed_cents))
    per_month, per_year = defaultdict(int), defaultdict(int)
    for activity_date, amount in paid:
        per_month[activity_date.year, activity_date.month] += amount
        per_year[activity_date.year] += amount
    for (year, _), total in per_month.items():
        assert total <= LIMITS[year].monthly_max_cents
    for year, total in per_year.items():
        assert total <= LIMITS[year].yearly_max_cents


@given(
    activity_dates,
    st.integers(0, 50 * 60),
    rates,
    st.lists(st.tuples(activity_dates, st.integers(0, 30_000)), max_size=15),
    st.sampled_from([ADULT, YOUNG]),
)
def test_allowed_is_the_largest_amount_that_fits_every_cap(activity_date, minutes, rate, earlier, born):
    result = check_claim(LIMITS, born, activity_date, minutes, rate, earlier)
    same_year = [amount for day, amount in earlier if day.year == activity_date.year]
    same_month = [
        amount for day, amount in earlier if (day.year, day.month) == (activity_date.year, activity_date.month)
    ]
    assert (result.used_month_cents, result.used_year_cents) == (sum(same_month), sum(same_year))
    assert result.requested_cents == minutes * rate // 60
    if result.limit is None:
        assert result.codes == ("no_limits_for_year",) and result.allowed_cents == 0
        return
    hourly_amount = minutes * result.hourly_max_cents // 60
    fits = min(result.requested_cents, hourly_amount, result.remaining_month_cents, result.remaining_year_cents)
    assert result.allowed_cents == fits
    assert result.remaining_month_cents == max(0, result.limit.monthly_max_cents - sum(same_month))
    assert result.remaining_year_cents == max(0, result.limit.yearly_max_cents - sum(same_year))
    assert ("hourly" in result.codes) == (rate > result.hourly_max_cents)
    if result.ok:
        assert result.allowed_cents == result.requested_cents


# --- usage summary -----------------------------------------------------------------------------


def test_usage_summary_warns_near_the_cap():
    claims = [(date(2024, 5, 3), 16_800), (date(2024, 1, 9), 10_000), (date(2023, 5, 3), 9_999)]
    summary = usage_summary(LIMITS, 2024, 5, claims)
    assert (summary.used_month_cents, summary.used_year_cents) == (16_800, 26_800)
    assert (summary.remaining_month_cents, summary.remaining_year_cents) == (4_200, 183_200)
    assert summary.payable_cents == 4_200
    assert summary.warnings == ("month_near_cap",)  # 16 800 is exactly 80 % of 21 000
    assert usage_summary(LIMITS, 2024, 5, claims[1:]).warnings == ()


def test_usage_summary_payable_is_limited_by_the_year_too():
    claims = [(date(2024, month, 1), 21_000) for month in range(1, 10)] + [(date(2024, 10, 1), 20_000)]
    summary = usage_summary(LIMITS, 2024, 11, claims)
    assert summary.remaining_month_cents == 21_000 and summary.payable_cents == 1_000
    assert summary.warnings == ("year_near_cap",)


def test_usage_summary_flags_unconfirmed_limits_overruns_and_missing_years():
    corrected = {2026: FiscalLimit(2026, 575, 340, 20_000, 200_000, "corrected after all")}
    summary = usage_summary(corrected, 2026, 2, [(date(2026, 2, 1), 22_000)])
    assert summary.warnings == ("limits_unconfirmed", "month_near_cap", "month_over_cap")
    assert summary.remaining_month_cents == 0 and summary.payable_cents == 0
    missing = usage_summary(LIMITS, 2027, 1, [])
    assert missing.warnings == ("no_limits_for_year",) and missing.payable_cents == 0
