"""The one rule for counts of people, checked against hand-made tables and against an
attacker who knows the rule, the labels and the total and tries every possible split."""

import itertools
import random

import pytest

from app.disclosure import COMPLEMENT, SHOWN, SMALL, Count, combine, table

S, C = SMALL, COMPLEMENT


def states(cells, total=None):
    published, shown_total = table(cells, total)
    return {k: (v.value if v.shown else v.state) for k, v in published.items()}, (
        shown_total.value if shown_total.shown else shown_total.state
    )


@pytest.mark.parametrize(
    "cells, total, expected, expected_total",
    [
        ({"phone": 40, "paper": 12}, 52, {"phone": 40, "paper": 12}, 52),
        # the case: one small cell and a shown total; the other cell must go too
        ({"phone": 40, "paper": 3}, 43, {"phone": C, "paper": S}, 43),
        ({"phone": 6, "paper": 1}, 7, {"phone": C, "paper": S}, 7),
        # zero says nothing about anyone, and is no help to subtract
        ({"phone": 9, "paper": 0}, 9, {"phone": 9, "paper": 0}, 9),
        # two small cells adding to 4: each could be 1, 2 or 3, so nothing more is hidden
        ({"a": 2, "b": 2, "c": 30}, 34, {"a": S, "b": S, "c": 30}, 34),
        # two ones: their sum 2 would give both away, so the smallest other cell is hidden
        ({"a": 1, "b": 1, "c": 30, "d": 12}, 44, {"a": S, "b": S, "c": 30, "d": C}, 44),
        # a total under 5 hides everything that is not zero
        ({"a": 1, "b": 2, "c": 0}, 3, {"a": S, "b": S, "c": 0}, S),
        # 1 + 5 = 6: even with both hidden the 1 follows from the labels, so the total goes too
        ({"a": 1, "b": 5}, 6, {"a": S, "b": C}, C),
    ],
)
def test_hand_made_tables(cells, total, expected, expected_total):
    assert states(cells, total) == (expected, expected_total)


def feasible_values(published: dict[str, Count], total: Count, limit: int):
    """Every split an attacker cannot rule out: small cells 1..4, complementary ones from 5 up
    to the smallest shown cell, zeros and shown cells as shown, adding up to the total."""
    shown = [v.value for v in published.values() if v.shown and v.value]
    ceiling = min(shown) if shown else limit
    ranges = []
    for v in published.values():
        if v.state == SHOWN:
            ranges.append([v.value])
        elif v.state == SMALL:
            ranges.append(range(1, 5))
        else:
            ranges.append(range(5, ceiling + 1))
    keys = list(published)
    for combo in itertools.product(*ranges):
        if total.shown and sum(combo) != total.value:
            continue
        yield dict(zip(keys, combo))


def test_no_small_count_comes_back_by_subtraction():
    rng = random.Random(5)
    for _ in range(400):
        cells = {f"c{i}": rng.choice([0, 1, 2, 3, 4, rng.randint(5, 14)]) for i in range(rng.randint(2, 4))}
        published, total = table(cells)
        solutions = list(feasible_values(published, total, limit=sum(cells.values())))
        assert cells in solutions  # the labels never lie
        for key in cells:
            if published[key].state == SMALL:
                options = {s[key] for s in solutions}
                assert len(options) >= 2, (cells, key, options)


def test_sums_over_councils_hide_when_a_part_is_hidden():
    # council A hid its 3, B shows 10: a half-year sum of 13 would give A's 3 back
    assert combine([Count(None, SMALL), Count(10)]).shown is False
    assert combine([Count(7), Count(10)]) == Count(17)
    assert combine([Count(0), Count(0)]) == Count(0)
