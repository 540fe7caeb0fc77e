"""The float runs inside add1 (counting.mes_float) against pabutools and the exact engine.

Large votes use them automatically; here they are forced onto every vote (FLOAT_MIN_GROUPS = 0)
so that random small elections, with their many exact ties, exercise both the float decisions
and the fallback to exact arithmetic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counting import mes, mes_float, pabulib, tally
from counting.tally import Project
from tests.support.pabulib_files import DATA

REFERENCE = Path(__file__).resolve().parents[1] / "voting" / "reference"
IDS = ["1", "2", "10", "11", "a", "b", "c"]


@pytest.fixture
def floats_everywhere(monkeypatch):
    monkeypatch.setattr(mes, "FLOAT_MIN_GROUPS", 0)
    used = {"certain": 0, "unsure": 0}
    original = mes_float.FloatElectorate.funded

    def counted(self, voter_budget, guide=None):
        run = original(self, voter_budget, guide)
        used["certain" if run is not None else "unsure"] += 1
        return run

    monkeypatch.setattr(mes_float.FloatElectorate, "funded", counted)
    return used


@st.composite
def elections(draw, ballot_type):
    n = draw(st.integers(2, 7))
    ids = IDS[:n]
    costs = draw(st.lists(st.integers(1, 40), min_size=n, max_size=n))
    budget = draw(st.integers(1, 120))
    if ballot_type == "approval":
        ballot = st.lists(st.sampled_from(ids), unique=True, max_size=n)
    else:
        ballot = st.dictionaries(st.sampled_from(ids), st.integers(1, 5), max_size=n)
    ballots = draw(st.lists(ballot, min_size=1, max_size=25))
    return budget, [Project(i, c) for i, c in zip(ids, costs)], ballots


@pytest.mark.parametrize("ballot_type", ["approval", "cumulative"])
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_elections_with_float_runs_equal_pabutools(oracle, floats_everywhere, ballot_type, data):
    budget, projects, ballots = data.draw(elections(ballot_type))
    for rule in ("mes", "mes-add1"):
        result = tally.count(budget, projects, ballots, ballot_type, rule)
        expected = oracle.count(budget, [(p.id, p.cost) for p in projects], ballots, ballot_type, rule)
        assert result.selected == expected


@pytest.mark.parametrize("name", ["Poland_Swiecie_2023", "Netherlands_Assen_2024", "Poland_Katowice_2023"])
def test_real_votes_with_float_runs_equal_the_stored_pabutools_outcome(floats_everywhere, name):
    expected = json.loads((REFERENCE / f"{name}.json").read_text())["mes"]["selected"]
    assert pabulib.tally_pabulib(DATA / f"{name}.pb", "mes").selected == expected
    assert floats_everywhere["certain"] > 0  # the float runs really decided some budgets


def test_the_error_bound_refuses_floats_on_huge_votes():
    assert mes_float.trusted(150, 100_000)
    assert not mes_float.trusted(1_000, 10_000_000)


@pytest.mark.parametrize("name", ["Netherlands_Amsterdam_332", "Poland_Katowice_2023"])
def test_explanations_of_large_votes_name_what_the_plain_sums_name(monkeypatch, name):
    """Large votes sum what supporters paid with numpy; the steps must say the same."""
    used = []
    original = tally._spending_matrix

    def spy(*args):
        found = original(*args)
        used.append(found is not None)
        return found

    monkeypatch.setattr(tally, "_spending_matrix", spy)
    fast = pabulib.tally_pabulib(DATA / f"{name}.pb", "mes")
    monkeypatch.setattr(tally, "_spending_matrix", lambda *args: None)
    plain = pabulib.tally_pabulib(DATA / f"{name}.pb", "mes")
    assert used == [True]
    assert fast.selected == plain.selected
    assert [(s.project_id, s.reason, s.data.get("spent_on")) for s in fast.trace] == [
        (s.project_id, s.reason, s.data.get("spent_on")) for s in plain.trace
    ]
    for a, b in zip(fast.trace, plain.trace):
        assert a.data.get("available", 0) == pytest.approx(b.data.get("available", 0), abs=0.01)


@pytest.mark.parametrize(
    "name",
    [
        "Poland_Czestochowa_2020_Grabowka",
        "Netherlands_Assen_2024",
        "Poland_Krakow_2018_Bienczyce",
        "Poland_Swiecie_2023",
    ],
)
def test_float_proofs_stop_add1_where_exact_proofs_do(monkeypatch, name):
    """Float proofs (FloatElectorate.follows) skip budgets as exact proofs do: add1 stops at
    the same budget, for the same reason, with the same outcome, with floats and without."""
    exact = pabulib.tally_pabulib(DATA / f"{name}.pb", "mes").certificate
    monkeypatch.setattr(mes, "FLOAT_MIN_GROUPS", 0)
    decided = {"proofs": 0}
    original = mes_float.FloatElectorate.follows

    def counted(self, *args):
        proof = original(self, *args)
        decided["proofs"] += proof is not None
        return proof

    monkeypatch.setattr(mes_float.FloatElectorate, "follows", counted)
    assert pabulib.tally_pabulib(DATA / f"{name}.pb", "mes").certificate == exact
    assert decided["proofs"] > 0  # float proofs really skipped budgets
