"""The add1 certificate (where MES's add1 stopped) is confirmed by two fixed-budget runs of
pabutools' MES, as bench/certificate.py does on the large shared files."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.support.pabulib_files import DATA

BENCH = Path(__file__).resolve().parents[2] / "bench" / "certificate.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_certificate", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["Netherlands_Assen_2024", "Poland_Swiecie_2023", "Netherlands_Amsterdam_332"])
def test_certificates_are_confirmed_by_pabutools(bench, name, capsys):
    assert bench.check(DATA / f"{name}.pb")
    assert "certificate CONFIRMED" in capsys.readouterr().out


def test_a_wrong_certificate_is_not_confirmed(bench, monkeypatch, capsys):
    """One step of 1 too few per voter: pabutools funds something else, or the stop reason fails."""
    from counting import pabulib, tally

    original = pabulib.count_election

    def shifted(election, rule):
        result = original(election, rule)
        c = result.certificate
        wrong = tally.Certificate(
            c.voter_budget - election.scale * 50, c.increment, c.steps - 50, c.voters, c.reason, c.funded
        )
        return tally.Result(
            result.rule, result.budget, result.selected, result.spent, result.support, result.trace, wrong
        )

    monkeypatch.setattr(pabulib, "count_election", shifted)
    assert not bench.check(DATA / "Netherlands_Assen_2024.pb")
    assert "NOT CONFIRMED" in capsys.readouterr().out
