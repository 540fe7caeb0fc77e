"""Ballot validation and canonical ballot storage (pure: no Flask, no database).
Splitting a budget over buurten is in budget_split.py.

The server calls :func:`validate` on every submission, whatever the channel (online, council,
paper entry), and stores ``serialize(choices)`` in the ballot row.

Decisions, so that every channel behaves alike:

- An empty ballot is refused (code ``empty``) for every ballot type. A resident who does not want
  to choose simply does not vote; a stored ballot always expresses support.
- Cumulative ballots may spend *at most* ``points_total`` points; leaving points unspent is allowed.
  Zero entries are dropped, and blank form values (``None`` or ``""``) count as zero.
- Rankings must use positions 1..n exactly once each (no gaps, no ties); in the mapping form a blank
  position means "not ranked". The list form is read in order: first element = position 1.
- ``max_choices`` limits the number of projects chosen for every type (for ranking: the top-k length).
- Option ids and numbers may arrive as ints or as decimal strings (form values); booleans, floats
  and anything else are refused with code ``malformed``. Any error is raised as :class:`BallotError`
  with a stable ``code`` and numeric ``params``; the Flask side translates them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

BALLOT_TYPES = ("approval", "knapsack", "cumulative", "ranking")

#: approval/knapsack: sorted ids; ranking: ids in rank order; cumulative: (id, points) sorted by id.
Choices = tuple[int, ...] | tuple[tuple[int, int], ...]

_INTEGER_TEXT = re.compile(r"-?[0-9]{1,18}")


class BallotError(ValueError):
    """A voter's ballot breaks the round's rules. ``code`` is stable; ``params`` feed the message."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None):
        self.code = code
        self.params = dict(params or {})
        super().__init__(f"{code} {self.params}")


class RulesConfigError(ValueError):
    """A round's ballot settings are inconsistent (a programming or set-up error, not a voter's)."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class BallotRules:
    """The ballot of one round. Fields that do not apply to ``ballot_type`` are ignored."""

    ballot_type: str
    max_choices: int | None = None  # approval k, ranking top-k, optional cap for the other types
    budget_cents: int | None = None  # knapsack: the voter's (sub-)budget
    min_share_percent: int | None = None  # knapsack: basket must cost at least this share of budget
    points_total: int | None = None  # cumulative: points to spread (at most)
    points_max_per_project: int | None = None  # cumulative: None = only the total limits

    def __post_init__(self) -> None:
        if self.ballot_type not in BALLOT_TYPES:
            raise RulesConfigError(f"unknown ballot type {self.ballot_type!r}")
        for name in ("max_choices", "budget_cents", "min_share_percent", "points_total", "points_max_per_project"):
            value = getattr(self, name)
            if value is not None and not _is_int(value):
                raise RulesConfigError(f"{name} must be an int or None, not {value!r}")
        if self.max_choices is not None and self.max_choices < 1:
            raise RulesConfigError("max_choices must be at least 1")
        if self.ballot_type == "knapsack":
            if self.budget_cents is None or self.budget_cents < 0:
                raise RulesConfigError("knapsack ballots need budget_cents >= 0")
            if self.min_share_percent is not None and not 0 <= self.min_share_percent <= 100:
                raise RulesConfigError("min_share_percent must lie in 0..100")
        if self.ballot_type == "cumulative":
            if self.points_total is None or self.points_total < 1:
                raise RulesConfigError("cumulative ballots need points_total >= 1")
            if self.points_max_per_project is not None and self.points_max_per_project < 1:
                raise RulesConfigError("points_max_per_project must be at least 1")


@dataclass(frozen=True)
class Option:
    """A project on this voter's ballot."""

    id: int
    cost_cents: int

    def __post_init__(self) -> None:
        if not _is_int(self.id):
            raise ValueError(f"option id must be an int, not {self.id!r}")
        if not _is_int(self.cost_cents) or self.cost_cents < 0:
            raise ValueError(f"option cost must be an int >= 0, not {self.cost_cents!r}")


# --- reading raw form values -------------------------------------------------------------------


def _malformed(value: object) -> BallotError:
    return BallotError("malformed", {"value": repr(value)[:40]})


def _as_int(value: object) -> int:
    if _is_int(value):
        return value  # type: ignore[return-value]
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
        return int(value.strip())
    raise _malformed(value)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _id_list(raw: object) -> list[int]:
    if isinstance(raw, (str, bytes, Mapping)) or not isinstance(raw, Iterable):
        raise _malformed(raw)
    ids = [_as_int(item) for item in raw]
    seen: set[int] = set()
    for option_id in ids:
        if option_id in seen:
            raise BallotError("duplicate_option", {"option": option_id})
        seen.add(option_id)
    return ids


def _pairs(raw: object) -> list[tuple[int, object]]:
    """(id, value) pairs from a mapping or a sequence of 2-item pairs; ids unique."""
    if isinstance(raw, Mapping):
        items = list(raw.items())
    elif isinstance(raw, (str, bytes)) or not isinstance(raw, Iterable):
        raise _malformed(raw)
    else:
        items = []
        for item in raw:
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                raise _malformed(item)
            items.append((item[0], item[1]))
    pairs = [(_as_int(key), value) for key, value in items]
    _id_list([option_id for option_id, _ in pairs])  # refuses "3" and 3 both present
    return pairs


def _check_known(ids: Iterable[int], by_id: Mapping[int, Option]) -> None:
    for option_id in ids:
        if option_id not in by_id:
            raise BallotError("unknown_option", {"option": option_id})


def _check_count(count: int, rules: BallotRules) -> None:
    if rules.max_choices is not None and count > rules.max_choices:
        raise BallotError("too_many", {"chosen": count, "max": rules.max_choices})


# --- validation --------------------------------------------------------------------------------


def validate(rules: BallotRules, options: Iterable[Option], raw_choices: object) -> Choices:
    """Check ``raw_choices`` against ``rules`` and return the canonical choices.

    Idempotent: validating the returned value again returns it unchanged.
    """
    by_id: dict[int, Option] = {}
    for option in options:
        if option.id in by_id:
            raise ValueError(f"option {option.id} listed twice")
        by_id[option.id] = option
    if rules.ballot_type in ("approval", "knapsack"):
        return _validate_basket(rules, by_id, raw_choices)
    if rules.ballot_type == "cumulative":
        return _validate_cumulative(rules, by_id, raw_choices)
    return _validate_ranking(rules, by_id, raw_choices)


def _validate_basket(rules: BallotRules, by_id: Mapping[int, Option], raw: object) -> Choices:
    ids = _id_list(raw)
    if not ids:
        raise BallotError("empty")
    _check_known(ids, by_id)
    _check_count(len(ids), rules)
    if rules.ballot_type == "knapsack":
        budget = rules.budget_cents
        assert budget is not None  # guaranteed by BallotRules
        cost = sum(by_id[option_id].cost_cents for option_id in ids)
        if cost > budget:
            raise BallotError("over_budget", {"cost": cost, "budget": budget, "excess": cost - budget})
        percent = rules.min_share_percent
        if percent and cost * 100 < budget * percent:
            minimum = -(-budget * percent // 100)  # smallest whole-cent amount reaching the share
            raise BallotError(
                "under_min_share", {"cost": cost, "minimum": minimum, "budget": budget, "percent": percent}
            )
    return tuple(sorted(ids))


def _validate_cumulative(rules: BallotRules, by_id: Mapping[int, Option], raw: object) -> Choices:
    spread: list[tuple[int, int]] = []
    for option_id, value in _pairs(raw):
        points = 0 if _is_blank(value) else _as_int(value)
        if points < 0:
            raise BallotError("negative_points", {"option": option_id, "points": points})
        spread.append((option_id, points))
    _check_known((option_id for option_id, _ in spread), by_id)  # zero entries too: no tampering
    spread = [pair for pair in spread if pair[1] > 0]
    if not spread:
        raise BallotError("empty")
    _check_count(len(spread), rules)
    per_project = rules.points_max_per_project
    for option_id, points in sorted(spread):
        if per_project is not None and points > per_project:
            raise BallotError(
                "points_per_project_exceeded", {"option": option_id, "points": points, "max": per_project}
            )
    total = sum(points for _, points in spread)
    if total > rules.points_total:  # type: ignore[operator]
        raise BallotError("points_total_exceeded", {"total": total, "max": rules.points_total})
    return tuple(sorted(spread))


def _validate_ranking(rules: BallotRules, by_id: Mapping[int, Option], raw: object) -> Choices:
    if isinstance(raw, Mapping):
        pairs = _pairs(raw)
        _check_known((option_id for option_id, _ in pairs), by_id)  # blank entries too
        positions: list[tuple[int, int]] = []
        for option_id, value in pairs:
            if _is_blank(value):
                continue
            rank = _as_int(value)
            if rank < 1:
                raise BallotError("rank_out_of_range", {"option": option_id, "rank": rank})
            positions.append((option_id, rank))
    else:
        positions = [(option_id, index) for index, option_id in enumerate(_id_list(raw), start=1)]
    if not positions:
        raise BallotError("empty")
    _check_known((option_id for option_id, _ in positions), by_id)
    if rules.max_choices is not None and len(positions) > rules.max_choices:
        raise BallotError("rank_too_long", {"ranked": len(positions), "max": rules.max_choices})
    ranks = sorted(rank for _, rank in positions)
    for earlier, later in zip(ranks, ranks[1:]):
        if earlier == later:
            raise BallotError("rank_duplicate", {"rank": earlier})
    for expected, rank in enumerate(ranks, start=1):
        if rank != expected:
            raise BallotError("rank_gap", {"missing": expected, "ranked": len(ranks)})
    return tuple(option_id for option_id, _ in sorted(positions, key=lambda pair: pair[1]))


# --- storage -----------------------------------------------------------------------------------


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def serialize(choices: Choices) -> str:
    """Compact canonical JSON: ``[3,7]`` for id lists, ``{"3":5,"7":2}`` for cumulative points."""
    if not choices:
        raise ValueError("an empty ballot is never stored")
    if all(isinstance(item, tuple) for item in choices):
        return _dumps({str(option_id): points for option_id, points in choices})  # type: ignore[misc]
    if all(_is_int(item) for item in choices):
        return _dumps(list(choices))
    raise ValueError(f"not canonical choices: {choices!r}")


def deserialize(ballot_type: str, text: str) -> Choices:
    """Read a stored ballot; raises ValueError unless ``text`` is exactly what serialize writes."""
    if ballot_type not in BALLOT_TYPES:
        raise ValueError(f"unknown ballot type {ballot_type!r}")
    data = json.loads(text)
    choices: Choices
    if ballot_type == "cumulative":
        if not isinstance(data, dict) or not all(_is_int(points) and points > 0 for points in data.values()):
            raise ValueError("cumulative ballot must map ids to positive points")
        choices = tuple(sorted((_stored_id(key), points) for key, points in data.items()))
    else:
        if not isinstance(data, list) or not all(_is_int(item) for item in data):
            raise ValueError(f"{ballot_type} ballot must be a list of ids")
        if len(set(data)) != len(data):
            raise ValueError("ballot lists an id twice")
        if ballot_type != "ranking" and data != sorted(data):
            raise ValueError("ids must be sorted")
        choices = tuple(data)
    if not choices or serialize(choices) != text:
        raise ValueError("stored ballot is not in canonical form")
    return choices


def _stored_id(key: str) -> int:
    if not _INTEGER_TEXT.fullmatch(key) or str(int(key)) != key:
        raise ValueError(f"bad option id {key!r}")
    return int(key)
