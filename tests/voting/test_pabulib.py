"""Reading and writing Pabulib files: real files' quirks, round trips, and pabutools agreeing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from counting import pabulib, tally
from counting.pabulib import PabulibElection, PabulibProject, PabulibVote
from tests.support.pabulib_files import DATA, SMALL_INSTANCES

FILES = sorted(DATA.glob("*.pb"))
SMALL = [DATA / f"{name}.pb" for name in SMALL_INSTANCES]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_reads_every_real_file(path):
    election = pabulib.load(path)
    assert len(election.projects) == int(election.meta["num_projects"])
    assert len(election.votes) == int(election.meta["num_votes"])
    assert election.vote_type in pabulib.VOTE_TYPES
    ids = {p.id for p in election.projects}
    assert all(isinstance(i, str) for i in ids)
    assert all(set(v.projects) <= ids for v in election.votes)
    assert all(not p.name.endswith("\r") for p in election.projects)  # Windows line ends


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_write_then_read_gives_the_same_election(path):
    election = pabulib.load(path)
    assert pabulib.loads(pabulib.dumps(election)) == election


def test_details_of_real_files():
    krakow = pabulib.load(DATA / "Poland_Krakow_2018_Bienczyce.pb")
    assert krakow.vote_type == "ordinal"
    assert krakow.votes[0].projects == ["12", "3", "9"]  # rank order kept
    assert krakow.votes[0].extra == {"voting_method": "internet"}
    czestochowa = pabulib.load(DATA / "Poland_Czestochowa_2020_Grabowka.pb")
    assert czestochowa.votes[0].projects == ["196", "198"]
    assert czestochowa.votes[0].points == [6, 4]
    quoted = next(p for p in czestochowa.projects if p.id == "47")
    assert quoted.name.startswith("Odkupmy i my")  # a field opening with a quote, csv-style
    swiecie = pabulib.load(DATA / "Poland_Swiecie_2023.pb")
    assert swiecie.budget == 1070000
    assert swiecie.projects[0].extra == {"votes": "380", "selected": "1"}


def test_byte_order_mark_blank_lines_none_and_decimal_costs():
    text = (
        "\ufeffMETA;\r\nkey;value\r\nbudget;100,0\r\nvote_type;approval\r\n\r\n"
        "PROJECTS\r\nproject_id;cost;name\r\n"
        '1;60.0;"Park; with a ""quote"""\r\n2;40;Bench\r\n'
        "VOTES\r\nvoter_id;vote\r\nv1;1, 2\r\nv2;none\r\nv3;\r\n"
    )
    election = pabulib.loads(text)
    assert election.budget == 100
    assert [p.cost for p in election.projects] == [60, 40]
    assert election.projects[0].name == 'Park; with a "quote"'
    assert [v.projects for v in election.votes] == [["1", "2"], [], []]
    again = pabulib.loads(pabulib.dumps(election))
    assert again.meta == {**election.meta, "num_projects": "2", "num_votes": "3"}
    assert (again.projects, again.votes) == (election.projects, election.votes)


def test_amounts_with_decimals_are_read_exactly_and_counted_like_pabutools(oracle, tmp_path):
    """Costs in euros with cents: we count in cents, and add1 steps by one euro, as pabutools
    does on the same file (``voter_budget_increment=1``)."""
    text = (
        "META\nkey;value\nbudget;100.5\nvote_type;approval\n"
        "PROJECTS\nproject_id;cost\n1;40.25\n2;35\n3;30.1\n4;20.75\n"
        "VOTES\nvoter_id;vote\n1;1,2\n2;1\n3;2,3\n4;3,4\n5;1,4\n6;4\n7;1,2,3\n"
    )
    election = pabulib.loads(text)
    assert election.budget == Decimal("100.5") and election.scale == 100
    assert [p.cost for p in election.projects] == [Decimal("40.25"), 35, Decimal("30.1"), Decimal("20.75")]
    path = tmp_path / "cents.pb"
    path.write_text(text)
    for rule in ("greedy", "mes", "mes-add1"):
        result = pabulib.count_election(election, rule)
        assert result.selected == oracle.count_file(path, rule)
        summary = pabulib.result_summary(election, result)
        assert summary["budget"] == 100.5
    assert pabulib.count_election(election, "mes").certificate.increment == 100


def test_refuses_amounts_that_are_not_numbers():
    for cost in ("2,5,0", "-3", "abc"):
        text = (
            "META\nkey;value\nbudget;10\nvote_type;approval\n"
            f"PROJECTS\nproject_id;cost\n1;{cost}\nVOTES\nvoter_id;vote\n"
        )
        with pytest.raises(ValueError):
            pabulib.loads(text)


def election_by_hand() -> PabulibElection:
    return PabulibElection(
        meta={
            "description": "Test; with semicolon",
            "country": "Netherlands",
            "unit": "Amsterdam",
            "instance": "2025",
            "num_projects": "3",
            "num_votes": "3",
            "budget": "100",
            "vote_type": "cumulative",
            "rule": "mes",
        },
        projects=[
            PabulibProject("1", 60, 'Speeltuin "De Wip"', {"category": "youth"}),
            PabulibProject("2", 50, "Bankjes; groen", {"category": "housing,safety"}),
            PabulibProject("10", 30, "Buurtfeest", {"category": "democracy"}),
        ],
        votes=[
            PabulibVote("a", ["1", "10"], [3, 2], {"channel": "paper"}),
            PabulibVote("b", ["2"], [5], {"channel": "online"}),
            PabulibVote("c", [], [], {"channel": "online"}),
        ],
        project_columns=["category"],
        vote_columns=["channel"],
    )


def test_written_file_is_read_back_and_counted_alike_by_pabutools(oracle, tmp_path):
    election = election_by_hand()
    path = tmp_path / "round.pb"
    pabulib.dump(election, path)
    assert pabulib.load(path) == election
    for rule in ("greedy", "mes"):
        assert pabulib.tally_pabulib(path, rule).selected == oracle.count_file(path, rule)


@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.stem)
def test_pabutools_counts_our_copy_of_a_real_file_alike(oracle, tmp_path, path):
    copy = tmp_path / path.name
    pabulib.dump(pabulib.load(path), copy)
    for rule in ("greedy", "mes"):
        expected = oracle.count_file(path, rule)
        assert oracle.count_file(copy, rule) == expected
        assert pabulib.tally_pabulib(copy, rule).selected == expected


def test_tally_pabulib_counts_rankings_with_the_files_max_length():
    result = pabulib.tally_pabulib(DATA / "Poland_Krakow_2018_Bienczyce.pb", "greedy")
    assert result.support["6"] == 878  # 3 points for a first place, as in the file's score
    assert tally.result_as_json(result)["budget"] == 163100


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_the_fast_reader_counts_like_the_full_reader(path):
    """count_file merges vote lines as text instead of keeping every vote."""
    election = pabulib.load(path)
    for rule in ("greedy", "mes") if "Praga" not in path.stem else ("greedy",):
        head, result = pabulib.count_file(path, rule)
        assert head.meta == election.meta and head.projects == election.projects
        assert result == pabulib.count_election(election, rule)
        _, outcome_only = pabulib.count_file(path, rule, explain=False)  # what the CLI prints
        assert outcome_only.selected == result.selected and outcome_only.spent == result.spent
        assert outcome_only.certificate == result.certificate
        assert outcome_only.trace == ([] if rule == "mes" else result.trace)


def test_the_fast_reader_falls_back_on_quoted_vote_lines(tmp_path):
    text = (
        "META\nkey;value\nbudget;10\nvote_type;cumulative\n"
        "PROJECTS\nproject_id;cost\n1;4\n2;6\n"
        'VOTES\nvoter_id;vote;points\n"a";1,2;3,1\nb;"2";5\nc;none;none\n'
    )
    path = tmp_path / "quoted.pb"
    path.write_text(text)
    election = pabulib.loads(text)
    assert pabulib.count_file(path, "mes")[1] == pabulib.count_election(election, "mes")


@pytest.mark.parametrize(
    "votes",
    [["1,2", "1,1", "2"], ["1", "none", "", "2,1"], ["1, 2", "2"], ["1,,2", "2,", "NONE"], ["2,1,2", "1\x0c", "2"]],
)
def test_quick_greedy_counts_plain_files_and_falls_back_on_others(tmp_path, votes):
    """A project twice on one ballot counts once; empty ballots and spaces are read as usual."""
    lines = [
        "META",
        "key;value",
        "budget;10",
        "vote_type;approval",
        "PROJECTS",
        "project_id;cost",
        "1;6",
        "2;5",
        "VOTES",
        "voter_id;vote",
        *[f"v{i};{v}" for i, v in enumerate(votes)],
    ]
    path = tmp_path / "plain.pb"
    path.write_text("\n".join(lines) + "\n")
    assert pabulib.count_file(path, "greedy")[1] == pabulib.count_election(pabulib.load(path), "greedy")


@pytest.mark.parametrize(
    "lines",
    [["v1;1;40", "meta;", "v2;2;30"], ["v1;1", "v2"], ["v1;1\r", "v2;2\r"]],
    ids=["section-line", "no-vote-cell", "windows-line-ends"],
)
def test_quick_greedy_reads_odd_vote_lines_as_the_careful_reader(tmp_path, lines):
    """A line ``meta;`` starts a section, a line without a vote cell is an empty ballot."""
    head = "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;6\n2;5\n"
    header = "voter_id;vote;age" if lines[0].count(";") == 2 else "voter_id;vote"
    path = tmp_path / "odd.pb"
    path.write_bytes((head + f"VOTES\n{header}\n" + "\n".join(lines) + "\n").encode())
    assert pabulib.count_file(path, "greedy")[1] == pabulib.count_election(pabulib.load(path), "greedy")


def test_reads_the_fields_dutch_files_use():
    """min_length, max_sum_cost, per-category limits, a partly funded project (selected 2 or 3)
    and a cost in euros with cents: read, kept, and counted."""
    text = (
        "META\nkey;value\ndescription;Begroting West\ncountry;Netherlands\nunit;Amsterdam\ninstance;2024\n"
        "num_projects;3\nnum_votes;3\nbudget;1000\nvote_type;approval\nrule;greedy\nmin_length;1\nmax_length;3\n"
        "max_sum_cost;1000\nmin_length_per_category;0\nmax_sum_cost_per_category;600,400\ncurrency;EUR\n"
        "PROJECTS\nproject_id;cost;votes;name;category;selected\n"
        "1;600;2;Speeltuin;groen;1\n2;450.50;2;Bankjes;groen;2\n3;300;1;Feest;cultuur;3\n"
        "VOTES\nvoter_id;vote\n1;1,2\n2;1,2,3\n3;none\n"
    )
    election = pabulib.loads(text)
    assert election.meta["min_length"] == "1" and election.meta["max_sum_cost"] == "1000"
    assert [p.extra["selected"] for p in election.projects] == ["1", "2", "3"]
    assert election.projects[1].cost == Decimal("450.50")
    assert pabulib.count_election(election, "greedy").selected == ["1", "3"]
