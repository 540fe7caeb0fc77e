"""The published Pabulib files (`results.pb`, `ballots.pb`): the official checker accepts them,
amounts are euros, titles are unchanged, and recounts give the app's outcome."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from counting import pabulib
from tests.voting.test_results import VOTES, close_and_publish, counted_round  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]
TITLE = 'Speeltuin "De Wip"; groot & veilig'


def checker_errors(path: Path) -> dict:
    from pabulib.checker import Checker

    results = Checker().process_files([str(path)])
    return results[path.stem]["results"]["errors"]


def published(client, login_as, counted_round, db, rule, tmp_path, ballot_type="approval", **settings):
    round_, ids = counted_round(rule, ballot_type, **settings)
    option = next(o for o in round_.options if o.id == ids["A"])
    option.proposal.title = TITLE
    db.session.commit()
    close_and_publish(client, login_as, round_)
    files = {}
    for name in ("results", "ballots"):
        path = tmp_path / f"{rule}-{name}.pb"
        response = client.get(f"/rounds/{round_.id}/{name}.pb")
        assert response.status_code == 200
        path.write_bytes(response.get_data())
        files[name] = path
    outcome = json.loads(client.get(f"/rounds/{round_.id}/results.json").get_data())["parts"][0]
    return round_, ids, files, outcome


@pytest.mark.parametrize("rule", ["greedy", "mes"])
def test_both_pb_exports_pass_the_official_checker(client, login_as, counted_round, db, rule, tmp_path):
    _round, _ids, files, _outcome = published(client, login_as, counted_round, db, rule, tmp_path)
    for path in files.values():
        assert checker_errors(path) == {}


def test_pb_export_has_euros_dates_iso_currency_honest_rule_and_the_title_unchanged(
    client, login_as, counted_round, db, tmp_path
):
    round_, ids, files, _outcome = published(client, login_as, counted_round, db, "mes", tmp_path)
    for path in files.values():
        election = pabulib.load(path)
        meta = election.meta
        assert meta["currency"] == "EUR"
        assert meta["budget"] == "60000"  # €60,000.00 (60_000_00 cents)
        assert meta["rule"] == "equalshares/add1" and "greedy" in meta["comment"]
        for key in ("date_begin", "date_end"):
            day, month, year = meta[key].split(".")
            assert len(day) == 2 and len(month) == 2 and len(year) == 4
        costs = {p.id: p.cost for p in election.projects}
        assert costs == {str(ids["A"]): 40000, str(ids["B"]): 30000, str(ids["C"]): 20000}
        names = {p.id: p.name for p in election.projects}
        assert names[str(ids["A"])] == TITLE
    text = files["results"].read_text()
    assert f'"{TITLE.replace(chr(34), chr(34) * 2)}"' in text  # csv quoting, not apostrophes


@pytest.mark.parametrize("rule", ["greedy", "mes"])
def test_recounting_the_published_files_gives_the_apps_outcome(
    client, login_as, counted_round, db, oracle, rule, tmp_path
):
    _round, _ids, files, outcome = published(client, login_as, counted_round, db, rule, tmp_path)
    for path in files.values():
        recount = subprocess.run(
            [sys.executable, "-m", "counting", str(path), "--rule", rule, "--json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        ours = json.loads(recount.stdout)
        assert ours["selected"] == outcome["selected"]
        assert ours["budget"] == 60000
        assert oracle.count_file(path, rule) == outcome["selected"]


def test_selected_column_tells_equal_shares_from_the_greedy_fill(client, login_as, counted_round, db, tmp_path):
    """Votes A,B / A / B,C / C / A,C / A; A €45k, B €30k, C €20k; budget €60k. By hand: each of
    the 6 voters starts with €10k. A's 4 supporters have €40k < €45k; C's 3 have €30k: C is
    funded (€6,667 each). B's supporters then have €10k + €3,333 < €30k: Equal Shares gives {C}
    with €40k left, in which B fits: not exhaustive, so add1 raises the €10k. At €11,250 (1,250
    steps of €1) A becomes affordable and is funded first (A €0.25 per euro of utility, C €0.33),
    then C (€22,500 left with v3, v4): €65k > €60k. So add1 keeps step 1,249: {C}; the greedy
    fill then funds B (A, with more votes, does not fit in €40k)."""
    _round, ids, files, outcome = published(
        client, login_as, counted_round, db, "mes", tmp_path, costs=(45_000_00, 30_000_00, 20_000_00)
    )
    election = pabulib.load(files["results"])
    marks = {p.id: p.extra["selected"] for p in election.projects}
    assert outcome["selected"] == [str(ids["C"]), str(ids["B"])]
    assert marks == {str(ids["A"]): "0", str(ids["B"]): "2", str(ids["C"]): "1"}
    assert checker_errors(files["results"]) == {}
    certificate = pabulib.count_election(election, "mes").certificate
    assert (certificate.steps, certificate.reason) == (1249, "next_overspends")
    assert certificate.voter_budget == 11249 * election.scale
