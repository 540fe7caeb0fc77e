"""Reading and writing Pabulib ``.pb`` files (pure: no Flask, no database).

A ``.pb`` file has three sections, each a ``;``-separated CSV table introduced by a line
``META``, ``PROJECTS`` or ``VOTES`` and a header row (format: pabulib.org/format):

- META: ``key;value`` rows (``budget``, ``vote_type``, ``max_length``, ...);
- PROJECTS: ``project_id;cost;...`` with optional columns such as ``name``, ``votes``,
  ``score``, ``category`` and ``selected`` (the official outcome, 1 or 0);
- VOTES: ``voter_id;vote;...`` where ``vote`` lists project ids separated by commas (for
  ``ordinal`` files in rank order), ``points`` gives the points in the same order
  (``cumulative`` and ``cardinal``/``scoring`` files), and other columns (age, sex, ...) are kept.

Quirks of real files that the reader handles: a UTF-8 byte order mark, Windows line ends,
fields in double quotes (also a quote at the start of a name, read as the csv module does,
like pabutools), empty lines, spaces around values, ``none`` for a missing value, decimal
separators in costs and budgets (``1000,0``), empty ballots. Project ids stay strings.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.voting import tally

SECTIONS = ("meta", "projects", "votes")
PROJECT_FIELDS = ("project_id", "cost", "name")  # the other columns go to ``extra``
VOTE_FIELDS = ("voter_id", "vote", "points")
VOTE_TYPES = {  # Pabulib vote_type -> tally ballot type
    "approval": "approval",
    "choose-1": "approval",
    "cumulative": "cumulative",
    "cardinal": "cumulative",  # points as utilities, as for cumulative ballots
    "scoring": "cumulative",
    "ordinal": "ranking",
}


@dataclass
class PabulibProject:
    id: str
    cost: int
    name: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # other columns, e.g. "selected"


@dataclass
class PabulibVote:
    voter_id: str
    projects: list[str]  # as listed in the file: in rank order for ordinal files
    points: list[int] | None = None  # same order as projects; cumulative/cardinal files
    extra: dict[str, str] = field(default_factory=dict)  # other columns, e.g. "age"


@dataclass
class PabulibElection:
    meta: dict[str, str]
    projects: list[PabulibProject]
    votes: list[PabulibVote]
    project_columns: list[str] = field(default_factory=list)  # extra columns, in file order
    vote_columns: list[str] = field(default_factory=list)

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "approval").strip().lower()

    @property
    def budget(self) -> int:
        return _integer(self.meta["budget"], "budget")

    def ballots(self) -> list:
        """Ballots in the form :func:`app.voting.tally.count` takes for this vote type."""
        kind = VOTE_TYPES.get(self.vote_type)
        if kind is None:
            raise ValueError(f"cannot count Pabulib vote_type {self.vote_type!r}")
        if kind == "cumulative":
            return [dict(zip(v.projects, v.points or [])) for v in self.votes]
        return [list(v.projects) for v in self.votes]


# -- reading ----------------------------------------------------------------------------------


def load(path: str | Path) -> PabulibElection:
    """Read a ``.pb`` file."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return loads(handle.read())


def loads(text: str) -> PabulibElection:
    """Read the text of a ``.pb`` file."""
    text = text.lstrip("\ufeff")
    election = PabulibElection(meta={}, projects=[], votes=[])
    section, header = None, []
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    for row in rows:
        if not row or all(not cell.strip() for cell in row):
            continue
        first = row[0].strip().lower()
        if first in SECTIONS and not any(cell.strip() for cell in row[1:]):
            section = first
            header = [cell.strip() for cell in next(rows)]
            if section == "projects":
                election.project_columns = [c for c in header if c not in PROJECT_FIELDS]
            elif section == "votes":
                election.vote_columns = [c for c in header if c not in VOTE_FIELDS]
            continue
        if section == "meta":
            election.meta[row[0].strip()] = row[1].strip() if len(row) > 1 else ""
        elif section == "projects":
            election.projects.append(_project(_cells(header, row), header))
        elif section == "votes":
            election.votes.append(_vote(_cells(header, row), len(election.votes)))
        else:
            raise ValueError(f"data before the META, PROJECTS or VOTES line: {row!r}")
    return election


def _cells(header: list[str], row: list[str]) -> dict[str, str]:
    return dict(zip(header, (cell.strip() for cell in row)))


def _project(cells: dict[str, str], header: list[str]) -> PabulibProject:
    project_id = cells.get("project_id", cells[header[0]])
    return PabulibProject(
        id=project_id,
        cost=_integer(cells["cost"], f"cost of project {project_id}"),
        name=cells.get("name", ""),
        extra={k: v for k, v in cells.items() if k not in PROJECT_FIELDS},
    )


def _vote(cells: dict[str, str], position: int) -> PabulibVote:
    projects = _id_list(cells.get("vote", ""))
    points = None
    if "points" in cells:
        points = [_integer(p, "points") for p in _id_list(cells["points"])]
        if len(points) != len(projects):
            voter = cells.get("voter_id")
            raise ValueError(f"vote {voter}: {len(projects)} projects but {len(points)} points")
    return PabulibVote(
        voter_id=cells.get("voter_id", str(position)),
        projects=projects,
        points=points,
        extra={k: v for k, v in cells.items() if k not in VOTE_FIELDS},
    )


def _id_list(cell: str) -> list[str]:
    if cell.strip().lower() == "none":
        return []
    return [part.strip() for part in cell.split(",") if part.strip()]


def _integer(text: str, what: str) -> int:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{what} is not a number: {text!r}") from None
    if value != value.to_integral_value():
        raise ValueError(f"{what} must be a whole number, got {text!r}")
    return int(value)


# -- writing ----------------------------------------------------------------------------------


def dumps(election: PabulibElection) -> str:
    """The ``.pb`` text of ``election``: ``\\n`` line ends, fields quoted only when needed,
    ``num_projects`` and ``num_votes`` set to the real counts (added at the end if missing)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = {**election.meta, "num_projects": str(len(election.projects)),
            "num_votes": str(len(election.votes))}
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", "name", *election.project_columns])
    for p in election.projects:
        extra = (p.extra.get(c, "") for c in election.project_columns)
        writer.writerow([p.id, p.cost, p.name, *extra])
    has_points = any(v.points is not None for v in election.votes)
    writer.writerow(["VOTES"])
    points_column = ["points"] if has_points else []
    writer.writerow(["voter_id", "vote", *points_column, *election.vote_columns])
    for v in election.votes:
        vote = ",".join(v.projects)
        points = [",".join(str(x) for x in v.points or [])] if has_points else []
        if has_points and not v.projects:  # pabutools reads an empty points cell as a number
            vote, points = "none", ["none"]
        writer.writerow([v.voter_id, vote, *points,
                         *(v.extra.get(c, "") for c in election.vote_columns)])
    return out.getvalue()


def dump(election: PabulibElection, path: str | Path) -> None:
    Path(path).write_text(dumps(election), encoding="utf-8")


# -- counting ---------------------------------------------------------------------------------


def count_election(election: PabulibElection, rule: str) -> tally.Result:
    """Count a Pabulib election with ``rule`` (see :mod:`app.voting.tally`)."""
    kind = VOTE_TYPES.get(election.vote_type)
    if kind is None:
        raise ValueError(f"cannot count Pabulib vote_type {election.vote_type!r}")
    length = election.meta.get("max_length")
    return tally.count(
        election.budget,
        [tally.Project(p.id, p.cost) for p in election.projects],
        election.ballots(),
        kind,
        rule,
        ranking_length=int(length) if kind == "ranking" and length else None,
    )


def tally_pabulib(path: str | Path, rule: str) -> tally.Result:
    """Read a ``.pb`` file and count it; what ``flask --app wsgi tally FILE.pb`` calls."""
    return count_election(load(path), rule)
