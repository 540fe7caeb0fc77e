"""Ballot rules, canonical storage and budget splitting (pure: no app needed)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.voting.budget_split import BudgetSplitError, check_explicit_split, split_budget
from app.voting.rules import (
    BallotError,
    BallotRules,
    Option,
    RulesConfigError,
    deserialize,
    serialize,
    validate,
)

OPTIONS = [Option(3, 40_000), Option(7, 25_000), Option(12, 10_000), Option(20, 60_000)]


def error_of(rules, raw, options=OPTIONS):
    with pytest.raises(BallotError) as caught:
        validate(rules, options, raw)
    return caught.value.code, caught.value.params


# --- rules set-up ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ballot_type": "plurality"},
        {"ballot_type": "approval", "max_choices": 0},
        {"ballot_type": "approval", "max_choices": True},
        {"ballot_type": "knapsack"},
        {"ballot_type": "knapsack", "budget_cents": -1},
        {"ballot_type": "knapsack", "budget_cents": 100, "min_share_percent": 101},
        {"ballot_type": "knapsack", "budget_cents": 100.0},
        {"ballot_type": "cumulative"},
        {"ballot_type": "cumulative", "points_total": 0},
        {"ballot_type": "cumulative", "points_total": 10, "points_max_per_project": 0},
    ],
)
def test_inconsistent_rules_are_refused(kwargs):
    with pytest.raises(RulesConfigError):
        BallotRules(**kwargs)


@pytest.mark.parametrize("args", [(1, -1), (True, 5), ("3", 5), (3, 1.5)])
def test_bad_options_are_refused(args):
    with pytest.raises(ValueError):
        Option(*args)


def test_an_option_listed_twice_is_a_programming_error():
    with pytest.raises(ValueError):
        validate(BallotRules("approval"), [Option(1, 5), Option(1, 6)], [1])


# --- approval ----------------------------------------------------------------------------------


def test_approval_returns_sorted_ids_and_accepts_form_strings():
    rules = BallotRules("approval", max_choices=3)
    assert validate(rules, OPTIONS, [12, "3", " 7 "]) == (3, 7, 12)
    assert validate(rules, OPTIONS, {20}) == (20,)


def test_approval_without_limit_accepts_every_option():
    assert validate(BallotRules("approval"), OPTIONS, [20, 12, 7, 3]) == (3, 7, 12, 20)


@pytest.mark.parametrize(
    "raw, code, params",
    [
        ([], "empty", {}),
        ([3, 99], "unknown_option", {"option": 99}),
        ([3, 7, 12], "too_many", {"chosen": 3, "max": 2}),
        ([3, 3], "duplicate_option", {"option": 3}),
        (["3", 3], "duplicate_option", {"option": 3}),
    ],
)
def test_approval_refusals(raw, code, params):
    assert error_of(BallotRules("approval", max_choices=2), raw) == (code, params)


@pytest.mark.parametrize("raw", ["12", b"12", 12, None, [True], [1.0], ["1e3"], ["x"], {"3": "on"}])
def test_malformed_approval_input(raw):
    assert error_of(BallotRules("approval"), raw)[0] == "malformed"


# --- knapsack ----------------------------------------------------------------------------------


def test_knapsack_accepts_a_basket_costing_exactly_the_budget():
    rules = BallotRules("knapsack", budget_cents=65_000)
    assert validate(rules, OPTIONS, [3, 7]) == (3, 7)


def test_knapsack_refuses_a_basket_one_cent_over():
    rules = BallotRules("knapsack", budget_cents=64_999)
    assert error_of(rules, [7, 3]) == ("over_budget", {"cost": 65_000, "budget": 64_999, "excess": 1})


def test_knapsack_minimum_share_rounds_the_minimum_up_to_a_whole_cent():
    rules = BallotRules("knapsack", budget_cents=19_999, min_share_percent=50)
    # 50 % of 199.99 is 99.995, so a basket of exactly 100.00 reaches it ...
    assert validate(rules, OPTIONS, [12]) == (12,)
    # ... and one of 99.99 does not.
    low = [Option(1, 9_999)]
    assert error_of(rules, [1], low) == (
        "under_min_share",
        {"cost": 9_999, "minimum": 10_000, "budget": 19_999, "percent": 50},
    )


def test_knapsack_also_honours_max_choices_and_refuses_empty():
    rules = BallotRules("knapsack", budget_cents=10**9, max_choices=1)
    assert error_of(rules, [3, 7])[0] == "too_many"
    assert error_of(rules, [])[0] == "empty"


# --- cumulative --------------------------------------------------------------------------------

CUMULATIVE = BallotRules("cumulative", points_total=10, points_max_per_project=5)


def test_cumulative_drops_zeros_and_blanks_and_sorts_by_id():
    raw = {"12": "5", 3: 2, "7": 0, 20: ""}
    assert validate(CUMULATIVE, OPTIONS, raw) == ((3, 2), (12, 5))


def test_cumulative_need_not_spend_every_point_and_accepts_pairs():
    assert validate(CUMULATIVE, OPTIONS, [(7, 1)]) == ((7, 1),)


def test_cumulative_without_per_project_cap_allows_all_points_on_one():
    rules = BallotRules("cumulative", points_total=10)
    assert validate(rules, OPTIONS, {3: 10}) == ((3, 10),)


@pytest.mark.parametrize(
    "raw, code, params",
    [
        ({}, "empty", {}),
        ({3: 0, 7: ""}, "empty", {}),
        ({3: -1, 7: 2}, "negative_points", {"option": 3, "points": -1}),
        ({3: 6}, "points_per_project_exceeded", {"option": 3, "points": 6, "max": 5}),
        ({3: 5, 7: 4, 12: 2}, "points_total_exceeded", {"total": 11, "max": 10}),
        ({3: 1, 99: 0}, "unknown_option", {"option": 99}),
        ({3: 1, "3": 1}, "duplicate_option", {"option": 3}),
        ({3: "two"}, "malformed", {"value": "'two'"}),
        ([3, 7], "malformed", {"value": "3"}),
    ],
)
def test_cumulative_refusals(raw, code, params):
    assert error_of(CUMULATIVE, raw) == (code, params)


def test_cumulative_max_choices_counts_projects_with_points():
    rules = BallotRules("cumulative", points_total=10, max_choices=2)
    assert validate(rules, OPTIONS, {3: 1, 7: 1, 12: 0}) == ((3, 1), (7, 1))
    assert error_of(rules, {3: 1, 7: 1, 12: 1}) == ("too_many", {"chosen": 3, "max": 2})


# --- ranking -----------------------------------------------------------------------------------

RANKING = BallotRules("ranking", max_choices=3)


def test_ranking_list_and_mapping_forms_agree():
    assert validate(RANKING, OPTIONS, [12, 3, 20]) == (12, 3, 20)
    assert validate(RANKING, OPTIONS, {"3": "2", 20: 3, 12: 1, 7: ""}) == (12, 3, 20)


def test_ranking_shorter_than_k_is_fine():
    assert validate(RANKING, OPTIONS, {7: 1}) == (7,)


@pytest.mark.parametrize(
    "raw, code, params",
    [
        ([], "empty", {}),
        ({3: None}, "empty", {}),
        ({3: 1, 7: 1}, "rank_duplicate", {"rank": 1}),
        ({3: 1, 7: 3}, "rank_gap", {"missing": 2, "ranked": 2}),
        ({3: 2}, "rank_gap", {"missing": 1, "ranked": 1}),
        ({3: 0}, "rank_out_of_range", {"option": 3, "rank": 0}),
        ([3, 7, 12, 20], "rank_too_long", {"ranked": 4, "max": 3}),
        ({3: 1, 7: 2, 12: 3, 20: 4}, "rank_too_long", {"ranked": 4, "max": 3}),
        ([3, 3], "duplicate_option", {"option": 3}),
        ([3, 99], "unknown_option", {"option": 99}),
        ({3: 1, 99: ""}, "unknown_option", {"option": 99}),
        ({3: 1.0}, "malformed", {"value": "1.0"}),
    ],
)
def test_ranking_refusals(raw, code, params):
    assert error_of(RANKING, raw) == (code, params)


# --- storage -----------------------------------------------------------------------------------


def test_serialize_is_compact_json():
    assert serialize((3, 7, 12)) == "[3,7,12]"
    assert serialize((12, 3)) == "[12,3]"  # a ranking keeps its order
    assert serialize(((3, 2), (12, 5))) == '{"12":5,"3":2}'
    assert deserialize("cumulative", '{"12":5,"3":2}') == ((3, 2), (12, 5))
    assert deserialize("ranking", "[12,3]") == (12, 3)


@pytest.mark.parametrize(
    "ballot_type, text",
    [
        ("approval", "[7,3]"),
        ("approval", "[3, 7]"),
        ("approval", "[3,3]"),
        ("approval", "[]"),
        ("approval", "[true]"),
        ("knapsack", '{"3":1}'),
        ("ranking", "[1.0]"),
        ("cumulative", '{"3": 2}'),
        ("cumulative", '{"03":2}'),
        ("cumulative", '{"3":0}'),
        ("cumulative", "[3]"),
        ("plurality", "[3]"),
    ],
)
def test_deserialize_refuses_anything_serialize_would_not_write(ballot_type, text):
    with pytest.raises(ValueError):
        deserialize(ballot_type, text)


@pytest.mark.parametrize("choices", [(), ((3, 1), 4), (True,)])
def test_serialize_refuses_non_canonical_values(choices):
    with pytest.raises(ValueError):
        serialize(choices)


# --- properties --------------------------------------------------------------------------------

option_lists = st.lists(
    st.builds(Option, id=st.integers(1, 40), cost_cents=st.integers(0, 50_000)),
    min_size=1,
    max_size=10,
    unique_by=lambda option: option.id,
)
limits = st.none() | st.integers(1, 6)


@st.composite
def ballots(draw):
    """A round's rules, its options and raw form input, mostly (not always) well-formed."""
    options = draw(option_lists)
    known = [option.id for option in options]

    def now_and_then(usual, odd):
        return st.integers(0, 19).flatmap(lambda n: odd if n == 0 else usual)

    option_id = now_and_then(st.sampled_from(known), st.integers(0, 45))  # unknown ids at times
    form_id = option_id.flatmap(lambda i: st.sampled_from([i, str(i), f" {i}"]))
    ballot_type = draw(st.sampled_from(["approval", "knapsack", "cumulative", "ranking"]))
    rules = BallotRules(
        ballot_type,
        max_choices=draw(limits),
        budget_cents=draw(st.integers(0, 150_000)),
        min_share_percent=draw(st.none() | st.integers(0, 30)),
        points_total=draw(st.integers(1, 12)),
        points_max_per_project=draw(limits),
    )
    if ballot_type in ("approval", "knapsack"):
        raw = draw(st.lists(form_id, max_size=6, unique_by=lambda i: int(i)))
    elif ballot_type == "cumulative":
        raw = draw(st.dictionaries(option_id, now_and_then(st.integers(0, 5), st.sampled_from([-1, ""])), max_size=6))
    else:
        raw = draw(
            st.lists(option_id, max_size=6, unique=True)
            | st.dictionaries(option_id, now_and_then(st.integers(1, 6), st.just(0)), max_size=6)
        )
    return rules, options, raw


@settings(max_examples=300)
@given(ballots())
def test_validate_is_idempotent_and_storage_round_trips(case):
    rules, options, raw = case
    try:
        choices = validate(rules, options, raw)
    except BallotError:
        return
    assert validate(rules, options, choices) == choices
    text = serialize(choices)
    assert deserialize(rules.ballot_type, text) == choices
    assert serialize(deserialize(rules.ballot_type, text)) == text
    assert " " not in text


@given(option_lists, st.data(), st.integers(0, 200_000), st.none() | st.integers(0, 100), limits)
def test_knapsack_accepts_exactly_the_affordable_baskets(options, data, budget, percent, k):
    basket = data.draw(st.lists(st.sampled_from([o.id for o in options]), unique=True))
    rules = BallotRules("knapsack", budget_cents=budget, min_share_percent=percent, max_choices=k)
    cost = sum(o.cost_cents for o in options if o.id in basket)
    legal = basket and (k is None or len(basket) <= k) and cost <= budget and cost * 100 >= budget * (percent or 0)
    try:
        choices = validate(rules, options, basket)
    except BallotError as error:
        assert not legal, error
    else:
        assert legal and choices == tuple(sorted(basket))
        assert sum(o.cost_cents for o in options if o.id in choices) <= budget


@given(option_lists, st.data(), st.integers(1, 20), st.none() | st.integers(1, 8))
def test_accepted_cumulative_ballots_never_exceed_the_points(options, data, total, per_project):
    ids = [o.id for o in options]
    raw = data.draw(st.dictionaries(st.sampled_from(ids), st.integers(0, 12)))
    rules = BallotRules("cumulative", points_total=total, points_max_per_project=per_project)
    spread = {i: p for i, p in raw.items() if p}
    legal = spread and sum(spread.values()) <= total and (per_project is None or max(spread.values()) <= per_project)
    try:
        choices = validate(rules, options, raw)
    except BallotError as error:
        assert not legal, error
    else:
        assert legal and dict(choices) == spread
        assert sum(p for _, p in choices) <= total
        assert all(0 < p <= (per_project or total) for _, p in choices)


@given(option_lists, st.data())
def test_any_ranking_of_distinct_options_is_accepted_in_both_forms(options, data):
    order = data.draw(st.permutations([o.id for o in options]))
    k = data.draw(st.integers(1, len(order)))
    rules = BallotRules("ranking", max_choices=k)
    as_mapping = {str(i): str(rank) for rank, i in enumerate(order[:k], start=1)}
    assert validate(rules, options, order[:k]) == tuple(order[:k])
    assert validate(rules, options, as_mapping) == tuple(order[:k])


# --- budget splitting --------------------------------------------------------------------------


def test_split_budget_examples():
    assert split_budget(100, {"c": 1, "a": 1, "b": 1}) == {"c": 33, "a": 34, "b": 33}
    focus = {"Wildeman": 2, "Reimerswaal": 2, "Osdorp-Midden": 1}
    assert split_budget(1_000_000, focus) == {"Wildeman": 400_000, "Reimerswaal": 400_000, "Osdorp-Midden": 200_000}
    assert split_budget(10, {1: Fraction(1, 3), 2: Decimal("0.5"), 3: 0}) == {1: 4, 2: 6, 3: 0}
    assert split_budget(0, {1: 1}) == {1: 0}


@pytest.mark.parametrize(
    "total, weights, code",
    [
        (-1, {1: 1}, "negative_total"),
        (100, {}, "no_positive_weight"),
        (100, {1: 0, 2: 0}, "no_positive_weight"),
        (100, {1: -1, 2: 3}, "negative_weight"),
        (100, {1: 1.5}, "invalid_weight"),
        (100, {1: True}, "invalid_weight"),
        (100, {1: Decimal("NaN")}, "invalid_weight"),
    ],
)
def test_split_budget_refusals(total, weights, code):
    with pytest.raises(BudgetSplitError) as caught:
        split_budget(total, weights)
    assert caught.value.code == code


def test_check_explicit_split():
    check_explicit_split(1000, {"a": 600, "b": 400})
    for amounts, code, params in [
        ({"a": 600, "b": 300}, "sum_mismatch", {"total": 1000, "sum": 900, "difference": -100}),
        ({"a": 1100, "b": -100}, "negative", {"key": "b", "amount": -100}),
        ({"a": 1000.0}, "not_integer", {"key": "a"}),
    ]:
        with pytest.raises(BudgetSplitError) as caught:
            check_explicit_split(1000, amounts)
        assert (caught.value.code, caught.value.params) == (code, params)


weights = st.dictionaries(st.integers(1, 30), st.integers(0, 5) | st.fractions(0, 5), min_size=1, max_size=10)


@given(st.integers(0, 10**9), weights)
def test_split_budget_sums_exactly_and_stays_within_a_cent_of_the_quota(total, w):
    assume(sum(w.values()) > 0)
    amounts = split_budget(total, w)
    assert list(amounts) == list(w)
    assert sum(amounts.values()) == total
    check_explicit_split(total, amounts)
    weight_sum = sum(Fraction(v) for v in w.values())
    for key, amount in amounts.items():
        assert abs(amount - total * Fraction(w[key]) / weight_sum) < 1
        assert amount >= 0 and (w[key] or not amount)


@given(st.integers(0, 10**7), weights, st.data())
def test_split_budget_is_monotone_in_weight(total, w, data):
    assume(sum(w.values()) > 0)
    amounts = split_budget(total, w)
    for a in w:
        for b in w:
            if w[a] < w[b]:
                assert amounts[a] <= amounts[b]
    key = data.draw(st.sampled_from(sorted(w)))
    raised = {**w, key: w[key] + data.draw(st.integers(1, 5))}
    assert split_budget(total, raised)[key] >= amounts[key]


@given(st.integers(0, 10**7), weights, st.integers(1, 7))
def test_split_budget_ignores_insertion_order_and_scale(total, w, factor):
    assume(sum(w.values()) > 0)
    reversed_w = dict(reversed(list(w.items())))
    scaled = {key: value * factor for key, value in w.items()}
    assert split_budget(total, reversed_w) == split_budget(total, w) == split_budget(total, scaled)
