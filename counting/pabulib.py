"""Reading and writing Pabulib ``.pb`` files: the one reader and the one writer of Wijkstem.

A ``.pb`` file has three sections, each a ``;``-separated CSV table introduced by a line
``META``, ``PROJECTS`` or ``VOTES`` and a header row (format: pabulib.org/format):

- META: ``key;value`` rows (``budget``, ``vote_type``, ``max_length``, ``currency``, ...);
- PROJECTS: ``project_id;cost;...`` with optional columns such as ``name``, ``votes``,
  ``score``, ``category`` and ``selected`` (the official outcome: 1 funded, 0 not; some
  files use 2 and 3 for projects funded another way, e.g. partly or from a reserve);
- VOTES: ``voter_id;vote;...`` where ``vote`` lists project ids separated by commas (for
  ``ordinal`` files in rank order), ``points`` gives the points in the same order
  (``cumulative`` and ``cardinal``/``scoring`` files), and other columns (age, sex, ...) are kept.

Amounts (``budget``, ``cost``) are in the currency's units, as Pabulib readers expect, and may
have decimals (``1234.56`` euros); they are kept exactly as :class:`~decimal.Decimal`. To count,
:func:`count_election` scales every amount by ``10**d`` (``d``: the most decimals used) to
integers and lets MES's add1 completion step by ``10**d``: by one unit of the file's currency,
as pabutools' ``voter_budget_increment=1`` does when it reads the same file.

Quirks of real files that the reader handles: a UTF-8 byte order mark, Windows line ends,
fields in double quotes (also a quote at the start of a name, read as the csv module does,
like pabutools), empty lines, spaces around values, ``none`` for a missing value, a decimal
comma (``1000,0``), empty ballots, any other META keys (``min_length``, ``max_sum_cost``,
``max_sum_cost_per_category``, ...) and project columns. Project ids stay strings.

Pure: imports neither Flask nor the database (see ``counting/__init__.py``).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from itertools import chain, repeat

from counting import tally
from counting.record import Record

TYPE_CHECKING = False  # pathlib and typing only for annotations: a quicker start (tally.py)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

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
#: What the META ``rule`` of a file we write says, per rule of :mod:`counting.tally`.
#: ``mes`` (add1, then the greedy fill) has no Pabulib name of its own: it is written as
#: ``equalshares/add1``, with the projects of the greedy fill marked ``selected`` = 2 and a
#: ``comment`` that says so (``app/voting/exports.py``).
PABULIB_RULES = {"greedy": "greedy", "mes": "equalshares/add1", "mes-add1": "equalshares/add1"}
FILL_MARK = "2"  # ``selected`` of a project funded by the greedy fill after MES


class PabulibProject(Record):
    id: str
    cost: Decimal  # in the currency's units; may have decimals
    name: str
    extra: dict[str, str]  # other columns, e.g. "selected"

    def __init__(self, id: str, cost: Decimal, name: str = "", extra: dict[str, str] | None = None) -> None:
        self.id, self.cost, self.name = id, cost, name
        self.extra = {} if extra is None else extra


class PabulibVote(Record):
    voter_id: str
    projects: list[str]  # as listed in the file: in rank order for ordinal files
    points: list[int] | None  # same order as projects; cumulative/cardinal files
    extra: dict[str, str]  # other columns, e.g. "age"

    def __init__(
        self,
        voter_id: str,
        projects: list[str],
        points: list[int] | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.voter_id, self.projects, self.points = voter_id, projects, points
        self.extra = {} if extra is None else extra


class PabulibElection(Record):
    meta: dict[str, str]
    projects: list[PabulibProject]
    votes: list[PabulibVote]
    project_columns: list[str]  # extra columns, in file order
    vote_columns: list[str]

    def __init__(
        self,
        meta: dict[str, str],
        projects: list[PabulibProject],
        votes: list[PabulibVote],
        project_columns: list[str] | None = None,
        vote_columns: list[str] | None = None,
    ) -> None:
        self.meta, self.projects, self.votes = meta, projects, votes
        self.project_columns = [] if project_columns is None else project_columns
        self.vote_columns = [] if vote_columns is None else vote_columns

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "approval").strip().lower()

    @property
    def budget(self) -> Decimal:
        return amount(self.meta["budget"], "budget")

    @property
    def scale(self) -> int:
        """``10**d``: what turns every amount of the file into an integer."""
        return scale_of([self.budget, *(p.cost for p in self.projects)])

    def ballots(self) -> list:
        """Ballots in the form :func:`counting.tally.count` takes for this vote type."""
        kind = VOTE_TYPES.get(self.vote_type)
        if kind is None:
            raise ValueError(f"cannot count Pabulib vote_type {self.vote_type!r}")
        if kind == "cumulative":
            return [dict(zip(v.projects, v.points or [])) for v in self.votes]
        return [list(v.projects) for v in self.votes]


# -- amounts ----------------------------------------------------------------------------------


def amount(text: str, what: str) -> Decimal:
    """A budget or cost as written in a file (``1000``, ``1000.50``, ``1000,5``)."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{what} is not a number: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{what} must be a non-negative number, got {text!r}")
    return value


def scale_of(amounts: Iterable[Decimal]) -> int:
    decimals = 0
    for value in amounts:
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            decimals = max(decimals, -exponent)
    return 10**decimals


def amount_text(value: Decimal | int) -> str:
    """``1234``, ``1234.5``: no exponent, no trailing zeros."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _integer(text: str, what: str) -> int:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{what} is not a number: {text!r}") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise ValueError(f"{what} must be a whole number, got {text!r}")
    return int(value)


# -- reading ----------------------------------------------------------------------------------


def load(path: str | Path) -> PabulibElection:
    """Read a ``.pb`` file."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return loads(handle.read())


def loads(text: str) -> PabulibElection:
    """Read the text of a ``.pb`` file."""
    with tally.paused_gc():
        return _loads(text)


def _loads(text: str) -> PabulibElection:
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
        cost=amount(cells["cost"], f"cost of project {project_id}"),
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
    if " " not in cell and "\t" not in cell and ",," not in cell and "," not in (cell[:1], cell[-1:]):  # usual
        return cell.split(",") if cell and cell.lower() != "none" else []
    if cell.strip().lower() == "none":
        return []
    return [part.strip() for part in cell.split(",") if part.strip()]


# -- writing ----------------------------------------------------------------------------------


def iter_dump(
    meta: dict[str, str],
    projects: Iterable[PabulibProject],
    votes: Iterable[PabulibVote],
    *,
    project_columns: Iterable[str] = (),
    vote_columns: Iterable[str] = (),
    points: bool = False,
    chunk: int = 1000,
) -> Iterator[str]:
    """The text of a ``.pb`` file in pieces: the head first, then ``chunk`` votes at a time
    (``votes`` may be a generator: a large round is written in flat memory).

    ``\n`` line ends; fields quoted only when needed (csv style: a title keeps its quotes and
    semicolons); line breaks inside a field become spaces (Pabulib files are read line by line).
    ``points``: write a ``points`` column (cumulative and cardinal files)."""
    project_columns, vote_columns = list(project_columns), list(vote_columns)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows((key, _flat(value)) for key, value in meta.items())
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", "name", *project_columns])
    for p in projects:
        extra = (_flat(p.extra.get(c, "")) for c in project_columns)
        writer.writerow([p.id, amount_text(p.cost), _flat(p.name), *extra])
    writer.writerow(["VOTES"])
    writer.writerow(["voter_id", "vote", *(["points"] if points else []), *vote_columns])
    rows = 0
    for v in votes:
        vote = ",".join(v.projects)
        cells = [",".join(str(x) for x in v.points or [])] if points else []
        if points and not v.projects:  # pabutools reads an empty points cell as a number
            vote, cells = "none", ["none"]
        writer.writerow([v.voter_id, vote, *cells, *(_flat(v.extra.get(c, "")) for c in vote_columns)])
        rows += 1
        if rows == chunk:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            rows = 0
    yield out.getvalue()


def dumps(election: PabulibElection) -> str:
    """The ``.pb`` text of ``election``, with ``num_projects`` and ``num_votes`` set to the real
    counts (added at the end if missing)."""
    meta = {**election.meta, "num_projects": str(len(election.projects)), "num_votes": str(len(election.votes))}
    return "".join(
        iter_dump(
            meta,
            election.projects,
            election.votes,
            project_columns=election.project_columns,
            vote_columns=election.vote_columns,
            points=any(v.points is not None for v in election.votes),
        )
    )


def dump(election: PabulibElection, path: str | Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(dumps(election))


def _flat(text: Any) -> str:
    return str(text).replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


# -- counting ---------------------------------------------------------------------------------


def count_election(election: PabulibElection, rule: str) -> tally.Result:
    """Count a Pabulib election with ``rule`` (see :mod:`counting.tally`).

    Amounts in the result (``budget``, ``spent``, trace money) are the file's amounts times
    ``election.scale`` (integers); MES's add1 step is one unit of the file's currency."""
    kind = VOTE_TYPES.get(election.vote_type)
    if kind is None:
        raise ValueError(f"cannot count Pabulib vote_type {election.vote_type!r}")
    scale = election.scale
    length = election.meta.get("max_length")
    return tally.count(
        int(election.budget * scale),
        [tally.Project(p.id, int(p.cost * scale)) for p in election.projects],
        election.ballots(),
        kind,
        rule,
        ranking_length=int(length) if kind == "ranking" and length else None,
        budget_increment=scale,
    )


def count_file(path: str | Path, rule: str, explain: bool = True) -> tuple[PabulibElection, tally.Result]:
    """Read and count a ``.pb`` file the fast way: the votes are not kept one by one, only
    merged (identical vote cells first, as text). Returns the election without its votes
    (META and PROJECTS) and the result; the same outcome as :func:`count_election`.
    ``explain=False``: without the trace (see :func:`counting.tally.count_grouped`)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    with tally.paused_gc():
        if rule == "greedy":
            quick = _approval_support(text)
            if quick is not None:
                election, support = quick
                scale = election.scale
                projects = [tally.Project(p.id, int(p.cost * scale)) for p in election.projects]
                return election, tally.greedy_by_support(int(election.budget * scale), projects, support)
        election, grouped = _read_grouped(text)
        kind = VOTE_TYPES.get(election.vote_type)
        if kind is None:
            raise ValueError(f"cannot count Pabulib vote_type {election.vote_type!r}")
        scale = election.scale
        length = election.meta.get("max_length")
        result = tally.count_grouped(
            int(election.budget * scale),
            [tally.Project(p.id, int(p.cost * scale)) for p in election.projects],
            grouped,
            kind,
            rule,
            ranking_length=int(length) if kind == "ranking" and length else None,
            budget_increment=scale,
            explain=explain,
        )
    return election, result


def _read_grouped(text: str) -> tuple[PabulibElection, list[tuple[Any, int]]]:
    """META and PROJECTS read as :func:`loads` does; the VOTES merged into ``(ballot,
    voters)`` pairs. Vote lines without quotes are split directly; otherwise :func:`loads`
    reads them all."""
    text = text.lstrip("\ufeff")
    start = _votes_start(text)
    lines = text[start:].splitlines() if start is not None else []
    if start is None or '"' in text[start:] or _section_inside(lines[2:]):
        election = _loads(text)
        return election, _group(election.ballots())
    election = _loads(text[:start])
    header = [cell.strip() for cell in lines[1].split(";")] if len(lines) > 1 else ["voter_id", "vote"]
    vote_at = header.index("vote") if "vote" in header else None
    points_at = header.index("points") if "points" in header else None
    cells: Counter = Counter()
    if vote_at == 1 and points_at is None:  # the usual approval or ordinal file: one quick pass
        try:
            cells.update((line.split(";", 2)[1], None) for line in lines[2:] if line and not line.isspace())
            lines = []
        except IndexError:  # a line without a vote cell: the careful loop below
            cells.clear()
    for line in lines[2:]:
        if not line.strip():
            continue
        row = line.split(";")
        vote = row[vote_at] if vote_at is not None and vote_at < len(row) else ""
        points = row[points_at] if points_at is not None and points_at < len(row) else None
        cells[(vote, points)] += 1
    kind = VOTE_TYPES.get(election.vote_type)
    grouped: list[tuple[Any, int]] = []
    for (vote, points), voters in cells.items():
        ids = _id_list(vote)
        if kind == "cumulative":
            values = [_integer(x, "points") for x in _id_list(points or "")]
            if len(values) != len(ids):
                raise ValueError(f"a vote lists {len(ids)} projects but {len(values)} points")
            grouped.append((dict(zip(ids, values)), voters))
        else:
            grouped.append((ids, voters))
    return election, grouped  # the same ballot written in two orders: two groups, same count


def _approval_support(text: str) -> tuple[PabulibElection, Counter] | None:
    """For greedy on a plain approval file (``voter_id;vote;...`` lines, no quotes, spaces or
    tabs in the VOTES section): META, PROJECTS and the approvals per project. Each vote cell
    becomes a set (a project twice on one ballot counts once) and one :class:`Counter` runs
    over them all. None when the file is not that plain or a vote names anything but a
    project id (``none``, a stray character): the careful reader then counts it, or says
    what is wrong, as it does for any file."""
    text = text.lstrip("\ufeff")
    start = _votes_start(text)
    if start is None:
        return None
    votes = text[start:]
    if '"' in votes or " " in votes or "\t" in votes:
        return None
    election = _loads(text[:start])
    if VOTE_TYPES.get(election.vote_type) != "approval":
        return None
    lines = votes.splitlines()
    header = lines[1].split(";") if len(lines) > 1 else []
    if header[:2] != ["voter_id", "vote"] or "vote" in header[2:] or "points" in header:
        return None
    try:
        cells = [line.split(";", 2)[1] for line in lines[2:] if line]
    except IndexError:  # a line without a vote cell
        return None
    if _section_inside(lines[2:]):
        return None
    support = Counter(chain.from_iterable(map(set, map(str.split, cells, repeat(",")))))
    support.pop("", None)  # empty ballots; ``1,,2`` names 1 and 2
    if not support.keys() <= {p.id for p in election.projects}:
        return None
    return election, support


def _section_inside(lines: list[str]) -> bool:
    """Whether one of the vote ``lines`` is one that :func:`loads` takes for the start of a
    section (``meta``, ``Meta;;``): only the careful reader then reads the file right."""
    lowered = "\n".join(lines).lower()
    if not any(name in lowered for name in SECTIONS):  # a quick look first: almost always
        return False
    for line in lines:
        first, _, rest = line.partition(";")
        if first.strip().lower() in SECTIONS and not rest.replace(";", "").strip():
            return True
    return False


def _votes_start(text: str) -> int | None:
    """Where the line ``VOTES`` starts (None if there is none)."""
    position = 0
    while True:
        found = text.find("VOTES", position)
        if found < 0:
            return None
        line_start = text.rfind("\n", 0, found) + 1
        line_end = text.find("\n", found)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        if line.strip().strip(";").strip().lower() == "votes":
            return line_start
        position = found + 5


def _group(ballots: list, voters: list[int] | None = None) -> list[tuple[Any, int]]:
    """Identical ballots merged, as :func:`counting.tally.count` merges them."""
    merged: Counter = Counter()
    for ballot, m in zip(ballots, voters or [1] * len(ballots)):
        if isinstance(ballot, dict):
            merged[tuple(sorted(ballot.items()))] += m
        else:
            merged[tuple(ballot)] += m
    out: list[tuple[Any, int]] = []
    for key, m in merged.items():
        if key and isinstance(key[0], tuple):  # cumulative: back to a mapping
            out.append((dict(key), m))
        else:
            out.append((list(key), m))
    return out


def tally_pabulib(path: str | Path, rule: str) -> tally.Result:
    """Read a ``.pb`` file and count it; what ``flask --app wsgi tally FILE.pb`` calls."""
    return count_election(load(path), rule)


def result_summary(election: PabulibElection, result: tally.Result) -> dict[str, Any]:
    """``{"rule", "selected", "spent", "budget"}`` with amounts in the file's units (an integer
    when whole, else a float): what the CLI prints with ``--json``."""
    scale = election.scale

    def units(value: int) -> int | float:
        exact = Decimal(value) / scale
        return int(exact) if exact == exact.to_integral_value() else float(exact)

    return {
        "rule": result.rule,
        "selected": result.selected,
        "spent": units(result.spent),
        "budget": units(result.budget),
    }
