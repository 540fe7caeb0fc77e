"""The counting engine against pabutools (the reference), official outcomes and hand-made cases.

No Flask needed. pabutools runs live on small inputs; for the large Pabulib files its outcomes
are stored in tests/voting/reference/*.json (regenerate with reference/generate.py).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counting import pabulib, tally
from counting.tally import Project
from tests.support.pabulib_files import DATA, SMALL_INSTANCES

REFERENCE = Path(__file__).resolve().parent / "reference"
FILES = [
    pytest.param(p.stem, marks=pytest.mark.slow) if "Praga" in p.stem else p.stem for p in sorted(DATA.glob("*.pb"))
]  # counting Praga-Poludnie with MES takes ~15 s
SMALL = list(SMALL_INSTANCES)


@cache
def counted(name: str, rule: str) -> tally.Result:
    return pabulib.tally_pabulib(DATA / f"{name}.pb", rule)


def official(name: str) -> set[str]:
    election = pabulib.load(DATA / f"{name}.pb")
    return {p.id for p in election.projects if p.extra.get("selected") == "1"}


# -- real elections ---------------------------------------------------------------------------


@pytest.mark.parametrize("rule", ["greedy", "mes"])
@pytest.mark.parametrize("name", FILES)
def test_equals_stored_pabutools_outcome(name, rule):
    expected = json.loads((REFERENCE / f"{name}.json").read_text())[rule]
    result = counted(name, rule)
    assert result.selected == expected["selected"]
    assert result.spent == expected["spent"]
    assert result.budget == expected["budget"]


@pytest.mark.parametrize("rule", ["greedy", "mes", "mes-add1"])
@pytest.mark.parametrize("name", SMALL)
def test_equals_live_pabutools(oracle, name, rule):
    assert counted(name, rule).selected == oracle.count_file(DATA / f"{name}.pb", rule)


@pytest.mark.parametrize("name", ["Netherlands_Assen_2024", "Poland_Swiecie_2023"])
def test_mes_add1_gives_the_official_outcome(name):
    assert set(counted(name, "mes-add1").selected) == official(name)


def test_greedy_gives_the_official_outcome_of_praga_poludnie():
    name = "Poland_Warszawa_2020_Praga-Poludnie"
    assert set(counted(name, "greedy").selected) == official(name)


def test_swiecie_mes_completion_adds_nothing():
    name = "Poland_Swiecie_2023"
    assert counted(name, "mes").selected == counted(name, "mes-add1").selected


def test_assen_greedy_completion_funds_one_more_project():
    """Assen published MES+add1 without filling; pabutools' composition also funds "7"."""
    name = "Netherlands_Assen_2024"
    assert counted(name, "mes").selected == counted(name, "mes-add1").selected + ["7"]


@pytest.mark.parametrize("name", FILES)
def test_support_matches_the_files_own_counts(name):
    election = pabulib.load(DATA / f"{name}.pb")
    column = "votes" if election.vote_type == "approval" else "score"
    support = counted(name, "greedy").support
    assert {p.id: int(p.extra[column]) for p in election.projects} == support


@pytest.mark.parametrize("name", FILES)
def test_mes_is_mes_add1_then_greedy_completion(name):
    steps = [s for s in counted(name, "mes").trace if s.funded]
    reasons = [s.reason for s in steps]
    assert reasons == sorted(reasons, key=lambda r: r == "completion_funded")
    if "Praga" not in name:  # too slow to count twice
        add1 = [s.project_id for s in steps if s.reason == "funded"]
        assert add1 == counted(name, "mes-add1").selected


# -- random elections against live pabutools -------------------------------------------------

IDS = ["1", "2", "10", "11", "a", "b"]  # "10" < "11" < "2" as strings


@st.composite
def elections(draw, ballot_type):
    n_projects = draw(st.integers(1, 5))
    ids = IDS[:n_projects]
    cost = st.sampled_from([1, 2, 3, 5, 8, 10, 12])
    costs = draw(st.lists(cost, min_size=n_projects, max_size=n_projects))
    budget = draw(st.integers(0, 60))
    if ballot_type == "approval":
        ballot = st.lists(st.sampled_from(ids), unique=True, max_size=n_projects)
    else:
        ballot = st.dictionaries(st.sampled_from(ids), st.integers(1, 4), max_size=n_projects)
    ballots = draw(st.lists(ballot, min_size=0, max_size=12))
    return budget, [Project(i, c) for i, c in zip(ids, costs)], ballots


def _check(oracle, election, ballot_type, rule):
    budget, projects, ballots = election
    result = tally.count(budget, projects, ballots, ballot_type, rule)
    expected = oracle.count(budget, [(p.id, p.cost) for p in projects], ballots, ballot_type, rule)
    assert result.selected == expected
    costs = {p.id: p.cost for p in projects}
    assert result.spent == sum(costs[p] for p in result.selected) <= budget
    if rule == "mes":  # exhaustive: nothing left out still fits
        assert all(costs[p] > budget - result.spent for p in costs if p not in result.selected)
    return result


RANDOM = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("rule", ["greedy", "mes", "mes-add1"])
@RANDOM
@given(election=elections("approval"))
def test_random_approval_elections(oracle, rule, election):
    _check(oracle, election, "approval", rule)


@pytest.mark.parametrize("rule", ["greedy", "mes", "mes-add1"])
@RANDOM
@given(election=elections("cumulative"))
def test_random_cumulative_elections(oracle, rule, election):
    _check(oracle, election, "cumulative", rule)


@pytest.mark.parametrize("rule", ["greedy", "mes"])
@settings(max_examples=120, deadline=None)
@given(election=elections("approval"))
def test_random_rankings(oracle, rule, election):
    budget, projects, ballots = election
    rankings = [list(ballot) for ballot in ballots]
    result = tally.count(budget, projects, rankings, "ranking", rule, ranking_length=5)
    plain = [(p.id, p.cost) for p in projects]
    expected = oracle.count(budget, plain, rankings, "ranking", rule, 5)
    assert result.selected == expected


# -- hand-made cases --------------------------------------------------------------------------


def projects(**costs: int) -> list[Project]:
    return [Project(project_id.lstrip("_"), cost) for project_id, cost in costs.items()]


def test_ties_go_to_the_smallest_id_as_a_string():
    items = projects(_2=10, _10=10, _11=10)
    ballots = [["2", "10", "11"]]
    assert tally.count(20, items, ballots, "approval", "greedy").selected == ["10", "11"]
    assert tally.count(20, items, ballots, "approval", "mes").selected == ["10", "11"]


def test_greedy_skips_what_does_not_fit_and_goes_on():
    items = projects(a=60, b=50, c=40)
    result = tally.count(100, items, [["a", "b", "c"], ["a", "b"], ["a"]], "approval", "greedy")
    assert result.selected == ["a", "c"]
    assert [(s.project_id, s.reason, s.data) for s in result.trace] == [
        ("a", "funded", {"left": 100, "needed": 60}),
        ("b", "over_budget", {"left": 40, "needed": 50}),
        ("c", "funded", {"left": 40, "needed": 40}),
    ]


def test_project_dearer_than_the_budget_is_never_funded():
    items = projects(big=500, small=10)
    for rule in tally.RULES:
        result = tally.count(100, items, [["big"]] * 9 + [["small"]], "approval", rule)
        assert "big" not in result.selected
        step = next(s for s in result.trace if s.project_id == "big")
        assert not step.funded and step.data["needed"] == 500


def test_project_without_support_is_funded_last_if_it_fits_as_in_pabutools():
    items = projects(a=10, nobody=5)
    assert tally.count(20, items, [["a"]], "approval", "greedy").selected == ["a", "nobody"]
    assert tally.count(20, items, [["a"]], "approval", "mes").selected == ["a", "nobody"]
    add1 = tally.count(20, items, [["a"]], "approval", "mes-add1")
    assert add1.selected == ["a"]
    assert add1.trace[-1].reason == "no_support"


def test_empty_ballots_count_as_voters_in_mes(oracle):
    items = projects(a=6, b=6)
    ballots = [["a"], ["a"], ["b"], [], []]
    for rule in tally.RULES:
        expected = oracle.count(12, [(p.id, p.cost) for p in items], ballots, "approval", rule)
        assert tally.count(12, items, ballots, "approval", rule).selected == expected


def test_no_ballots_at_all():
    items = projects(b=5, a=5, c=50)
    assert tally.count(10, items, [], "approval", "greedy").selected == ["a", "b"]
    assert tally.count(10, items, [], "approval", "mes").selected == ["a", "b"]
    assert tally.count(10, items, [], "approval", "mes-add1").selected == []


def test_supporters_spent_names_where_their_money_went(oracle):
    items = projects(a=60, b=60)
    ballots = [["a", "b"]] * 6 + [["a"]]
    result = tally.count(100, items, ballots, "approval", "mes-add1")
    assert result.selected == ["a"]
    assert oracle.count(100, [("a", 60), ("b", 60)], ballots, "approval", "mes-add1") == ["a"]
    step = result.trace[-1]
    assert (step.project_id, step.reason, step.data["spent_on"]) == ("b", "supporters_spent", ["a"])
    assert step.data["available"] < 60


def test_knapsack_counts_like_approval():
    items = projects(a=6, b=5, c=4)
    ballots = [["a", "b"], ["b", "c"], ["c"]]
    for rule in tally.RULES:
        assert (
            tally.count(10, items, ballots, "knapsack", rule).selected
            == tally.count(10, items, ballots, "approval", rule).selected
        )


def test_ranking_gives_borda_points_from_k_down_to_1():
    items = projects(a=1, b=1, c=1, d=1)
    result = tally.count(4, items, [["a", "b"], ["b", "c", "d"]], "ranking", "greedy")
    assert result.support == {"a": 3, "b": 5, "c": 2, "d": 1}  # k = 3, the longest ballot
    fixed = tally.count(4, items, [["a", "b"]], "ranking", "greedy", ranking_length=5)
    assert fixed.support == {"a": 5, "b": 4, "c": 0, "d": 0}


def test_cumulative_support_is_the_sum_of_points():
    items = projects(a=5, b=5)
    result = tally.count(5, items, [{"a": 3, "b": 7}, {"a": 4}], "cumulative", "greedy")
    assert result.support == {"a": 7, "b": 7}
    assert result.selected == ["a"]  # tie: smallest id


def test_count_grouped_equals_count():
    items = projects(a=4, b=3, c=3)
    ballots = [["a"], ["a"], ["b", "c"], ["a", "c"]]
    grouped = [(["a"], 2), (["b", "c"], 1), (["a", "c"], 1)]
    for rule in tally.RULES:
        assert tally.count_grouped(7, items, grouped, "approval", rule) == tally.count(
            7, items, ballots, "approval", rule
        )


@pytest.mark.parametrize(
    "call",
    [
        lambda: tally.count(10, projects(a=1), [["x"]], "approval", "greedy"),
        lambda: tally.count(10, projects(a=-1), [], "approval", "greedy"),
        lambda: tally.count(-1, projects(a=1), [], "approval", "greedy"),
        lambda: tally.count(10, projects(a=1), [], "approval", "phragmen"),
        lambda: tally.count(10, projects(a=1), [], "score", "greedy"),
        lambda: tally.count(10, projects(a=1), [{"a": -2}], "cumulative", "greedy"),
        lambda: tally.count(10, projects(a=1, b=1), [["a", "b"]], "ranking", "mes", ranking_length=1),
        lambda: tally.count(10, [Project("a", 1), Project("a", 2)], [], "approval", "greedy"),
    ],
)
def test_bad_input_is_refused(call):
    with pytest.raises(ValueError):
        call()


def test_result_as_json():
    result = tally.count(10, projects(a=4, b=7), [["a"], ["b"]], "approval", "greedy")
    expected = {"rule": "greedy", "selected": ["a"], "spent": 4, "budget": 10}
    assert tally.result_as_json(result) == expected
