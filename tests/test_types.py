"""Date arithmetic shared by the domains (hand-computed calendar dates)."""

from datetime import UTC, datetime

import pytest

from app.types import AMSTERDAM, add_months

UTC = UTC


@pytest.mark.parametrize(
    "start,months,expected",
    [
        (datetime(2028, 2, 29, 12, tzinfo=UTC), 12, datetime(2029, 2, 28, 12, tzinfo=UTC)),  # leap day, a year on
        (datetime(2028, 2, 29, 12, tzinfo=UTC), 48, datetime(2032, 2, 29, 12, tzinfo=UTC)),  # next leap year
        (datetime(2027, 1, 31, 9, tzinfo=UTC), 1, datetime(2027, 2, 28, 9, tzinfo=UTC)),
        (datetime(2028, 1, 31, 9, tzinfo=UTC), 1, datetime(2028, 2, 29, 9, tzinfo=UTC)),
        (datetime(2026, 8, 31, 19, 30, tzinfo=UTC), 6, datetime(2027, 2, 28, 19, 30, tzinfo=UTC)),
        (datetime(2026, 10, 4, 19, 30, tzinfo=UTC), 6, datetime(2027, 4, 4, 19, 30, tzinfo=UTC)),
        (datetime(2026, 12, 15, tzinfo=UTC), 1, datetime(2027, 1, 15, tzinfo=UTC)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


def test_amsterdam_is_the_programme_time_zone():
    # 1 July 2026 is summer time (UTC+2), 1 December winter time (UTC+1).
    assert datetime(2026, 7, 1, 12, tzinfo=UTC).astimezone(AMSTERDAM).hour == 14
    assert datetime(2026, 12, 1, 12, tzinfo=UTC).astimezone(AMSTERDAM).hour == 13
