import csv
import io
import json
import re
import subprocess

import pytest
from openpyxl import load_workbook

from app.proposals.lifecycle import Status
from app.roles import Role
from app.voting import results_routes
from app.voting.models import RoundStatus
from counting import pabulib, tally
from tests.voting.test_ballot_routes import sign_in, token_of

# Plan A 40k, B 30k, C 20k; budget 60k. Votes: A,B / A / B,C / C / A,C / A
VOTES = [("A", "B"), ("A",), ("B", "C"), ("C",), ("A", "C"), ("A",)]


@pytest.fixture
def counted_round(app, make_round, ticket_for, db):
    def make(rule="greedy", ballot_type="approval", **settings):
        round_ = make_round(ballot_type, rule=rule, **settings)
        ids = {o.proposal.title[-1]: o.id for o in round_.options}
        for vote in VOTES:
            voter = app.test_client()
            sign_in(voter, ticket_for(round_))
            html = voter.get("/vote").get_data(as_text=True)
            if ballot_type == "cumulative":
                data = {f"points_{ids[letter]}": "5" for letter in vote}
            else:
                data = {"choice": [str(ids[letter]) for letter in vote]}
            assert voter.post("/vote", data={"token": token_of(html), **data}).status_code == 303
        return round_, ids

    return make


CONFIRM = {"confirm": "y", "confirming": "1"}


def close_and_publish(client, login_as, round_):
    login_as(Role.board)
    client.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM)
    return client.post(f"/staff/rounds/{round_.id}/approve", data=CONFIRM)


def test_results_are_provisional_until_the_board_approves(app, client, login_as, counted_round, db):
    round_, ids = counted_round()
    anonymous = app.test_client()
    anonymous.set_cookie("lang", "en")
    assert anonymous.get(f"/rounds/{round_.id}/results").status_code == 404  # still open
    login_as(Role.board)
    client.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM)
    preview = client.get(f"/rounds/{round_.id}/results")
    assert preview.status_code == 200
    assert f'action="/staff/rounds/{round_.id}/approve"' in preview.get_data(as_text=True)
    # Issue 14: once the vote is closed everyone sees the outcome, marked provisional; the
    # downloads and the ballot list wait for the board's approval.
    provisional = anonymous.get(f"/rounds/{round_.id}/results")
    text = provisional.get_data(as_text=True)
    assert provisional.status_code == 200 and "Provisional result" in text and "/approve" not in text
    assert "SHA-256" not in text and "results.csv" not in text
    assert anonymous.get(f"/rounds/{round_.id}/results.csv").status_code == 404
    assert anonymous.get(f"/rounds/{round_.id}/ballots.pb").status_code == 404
    assert client.post(f"/staff/rounds/{round_.id}/approve", data=CONFIRM).status_code == 303
    results_routes.PAGES.clear()  # the provisional page above is kept a few seconds per worker
    page = anonymous.get(f"/rounds/{round_.id}/results").get_data(as_text=True)
    assert "budget-bar" in page and "<svg" in page
    assert "Final result" in page and "Provisional result" not in page and "SHA-256" in page
    db.session.refresh(round_)
    statuses = {o.proposal.title: o.proposal.status for o in round_.options}
    # greedy: A (4 votes, 40k) funded; C (3 votes, 20k) fits; B (2 votes) does not
    assert statuses == {"Plan A": Status.funded, "Plan B": Status.not_funded, "Plan C": Status.funded}
    assert round_.options[1].proposal.events[-1].to_status == Status.not_funded


def test_why_lines_for_greedy(client, login_as, counted_round):
    client.set_cookie("lang", "en")
    round_, _ids = counted_round("greedy")
    close_and_publish(client, login_as, round_)
    page = client.get(f"/rounds/{round_.id}/results").get_data(as_text=True)
    assert "Not funded, out of money: €0.00 was left, it needed €30,000.00." in page


def test_exports_round_trip(app, client, login_as, counted_round):
    round_, ids = counted_round("mes")
    close_and_publish(client, login_as, round_)
    data = json.loads(client.get(f"/rounds/{round_.id}/results.json").get_data())
    selected = set(data["parts"][0]["selected"])
    engine_ballots = [[str(ids[letter]) for letter in vote] for vote in VOTES]
    projects = [tally.Project(str(o.id), o.cost_cents) for o in round_.options]
    expected = tally.count(round_.budget_cents, projects, engine_ballots, "approval", "mes")
    assert selected == set(expected.selected)

    client.set_cookie("lang", "en")  # the spreadsheets are for people: headers in the reader's language
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/rounds/{round_.id}/results.csv").get_data().decode("utf-8-sig")), delimiter=";"
        )
    )
    assert {r["Ballot option"] for r in rows if r["Funded"] == "yes"} == selected
    assert {int(r["Support"]) for r in rows} == {4, 2, 3}

    book = load_workbook(io.BytesIO(client.get(f"/rounds/{round_.id}/results.xlsx").get_data()))
    assert {"Summary", "Plans", "Per buurt"} <= set(book.sheetnames)
    funded = {str(row[1]) for row in book["Plans"].iter_rows(min_row=2, values_only=True) if row[6] == "yes"}
    assert funded == selected
    client.delete_cookie("lang")

    exported = pabulib.loads(client.get(f"/rounds/{round_.id}/results.pb").get_data(as_text=True))
    assert len(exported.votes) == len(VOTES) and all(v.voter_id.isdigit() for v in exported.votes)
    assert set(pabulib.count_election(exported, "mes").selected) == selected


def test_the_pb_export_is_read_and_recounted_the_same_by_pabutools(client, login_as, counted_round, tmp_path):
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare

    round_, _ids = counted_round("greedy")
    close_and_publish(client, login_as, round_)
    path = tmp_path / "round.pb"
    path.write_bytes(client.get(f"/rounds/{round_.id}/results.pb").get_data())
    instance, profile = parse_pabulib(str(path))
    outcome = greedy_utilitarian_welfare(instance, profile.as_multiprofile(), sat_class=Cost_Sat)
    ours = json.loads(client.get(f"/rounds/{round_.id}/results.json").get_data())["parts"][0]["selected"]
    assert sorted(p.name for p in outcome) == sorted(ours)


def test_public_ballot_list_recounts_to_the_published_outcome(app, client, login_as, counted_round, tmp_path):
    round_, _ids = counted_round("mes")
    close_and_publish(client, login_as, round_)
    page = client.get(f"/rounds/{round_.id}/results").get_data(as_text=True)
    published_hash = re.search(r"SHA-256: <code class=\"hash\">([0-9a-f]{64})<", page).group(1)
    body = client.get(f"/rounds/{round_.id}/ballots.pb").get_data()
    import hashlib

    assert hashlib.sha256(body).hexdigest() == published_hash
    listed = pabulib.loads(body.decode())
    assert all(len(v.voter_id) == 10 for v in listed.votes)  # voters are known only by their receipts
    path = tmp_path / "ballots.pb"
    path.write_bytes(body)
    result = app.test_cli_runner().invoke(args=["tally", str(path), "--rule", "mes", "--json"])
    recount = json.loads(result.output)
    published = json.loads(client.get(f"/rounds/{round_.id}/results.json").get_data())["parts"][0]["selected"]
    assert sorted(recount["selected"]) == sorted(published) and recount["budget"] * 100 == round_.budget_cents  # euros


def test_the_pdf_report_renders(client, login_as, counted_round, tmp_path):
    round_, _ids = counted_round("greedy")
    close_and_publish(client, login_as, round_)
    for locale, word in (("nl", "Plan A"), ("ar", "Plan A")):
        client.set_cookie("lang", locale)
        response = client.get(f"/rounds/{round_.id}/results.pdf")
        assert response.mimetype == "application/pdf"
        path = tmp_path / f"report-{locale}.pdf"
        path.write_bytes(response.get_data())
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert word in text and "Jeugdbudget" in text


def test_cumulative_rounds_count_points(client, login_as, counted_round):
    round_, ids = counted_round("greedy", "cumulative", points_total=10)
    close_and_publish(client, login_as, round_)
    data = json.loads(client.get(f"/rounds/{round_.id}/results.json").get_data())
    support = {p["option_id"]: p["support"] for p in data["parts"][0]["projects"]}
    assert support == {ids["A"]: 20, ids["B"]: 10, ids["C"]: 15}


def test_small_counts_are_suppressed(client, login_as, counted_round):
    client.set_cookie("lang", "en")
    round_, _ids = counted_round()
    close_and_publish(client, login_as, round_)
    page = client.get(f"/rounds/{round_.id}/results").get_data(as_text=True)
    assert "On paper: 0" in page  # zero reveals nothing
    assert "By phone: 6" in page  # six is shown as it is


@pytest.mark.parametrize("voters,shown", [(1, "fewer than 5"), (4, "fewer than 5"), (5, "5")])
def test_counts_under_five_are_hidden(app, client, login_as, make_round, ticket_for, voters, shown):
    """1 to 4 ballots by one channel could reveal how a few people voted (DESIGN: nothing links
    a ballot to a person); 5 and more are shown."""
    round_ = make_round()
    for _ in range(voters):
        voter = app.test_client()
        sign_in(voter, ticket_for(round_))
        html = voter.get("/vote").get_data(as_text=True)
        assert (
            voter.post("/vote", data={"token": token_of(html), "choice": [str(round_.options[0].id)]}).status_code
            == 303
        )
    client.set_cookie("lang", "en")
    close_and_publish(client, login_as, round_)
    page = client.get(f"/rounds/{round_.id}/results").get_data(as_text=True)
    assert f"By phone: {shown} ·" in page


def test_tally_cli_on_a_shared_instance(app):
    result = app.test_cli_runner().invoke(
        args=["tally", "tests/data/pabulib/Poland_Warszawa_2020_Praga-Poludnie.pb", "--rule", "greedy"]
    )
    assert result.exit_code == 0
    official = [
        p.id
        for p in pabulib.load("tests/data/pabulib/Poland_Warszawa_2020_Praga-Poludnie.pb").projects
        if p.extra.get("selected") == "1"
    ]
    assert sorted(result.output.split()) == sorted(official)


def test_publishing_twice_is_refused(client, login_as, counted_round):
    round_, _ids = counted_round()
    close_and_publish(client, login_as, round_)
    assert client.post(f"/staff/rounds/{round_.id}/approve", data=CONFIRM).status_code == 409
    assert round_.status in (RoundStatus.results_published,)
