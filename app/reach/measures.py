"""Pure measures of the reach report: representativeness, what is under-represented, the
half-year a council belongs to, and reading the reference CSV. No Flask, no database."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

#: Fewer answers than this, and a representativeness figure would say more about chance.
MIN_ANSWERS = 10
#: A group counts as under-represented when its share among attendees is this much below its
#: share among residents (in share points, 0..1).
UNDER_BY = 0.05


def shares(counts: Mapping[str, int]) -> dict[str, float]:
    total = sum(counts.values())
    return {k: (n / total if total else 0.0) for k, n in counts.items()}


def representativeness(attendees: Mapping[str, int], residents: Mapping[str, int]) -> float | None:
    """1 - total variation distance between the attendees' and the residents' distribution:
    1 means the room looked exactly like the neighbourhood, 0 means no overlap at all.
    Rounded to 5 share points (a finer figure could help to work out small hidden counts);
    None with too few answers or no reference."""
    if sum(attendees.values()) < MIN_ANSWERS or not sum(residents.values()):
        return None
    keys = set(attendees) | set(residents)
    ours, theirs = shares({k: attendees.get(k, 0) for k in keys}), shares({k: residents.get(k, 0) for k in keys})
    distance = sum(abs(ours[k] - theirs[k]) for k in keys) / 2
    return round((1 - distance) * 20) / 20


def under_represented(attendees: Mapping[str, int], residents: Mapping[str, int]) -> list[str]:
    """The groups whose share among attendees lies at least UNDER_BY below their share among
    residents, the largest gap first (ties by name)."""
    if sum(attendees.values()) < MIN_ANSWERS or not sum(residents.values()):
        return []
    keys = set(attendees) | set(residents)
    ours, theirs = shares({k: attendees.get(k, 0) for k in keys}), shares({k: residents.get(k, 0) for k in keys})
    gaps = [(theirs[k] - ours[k], k) for k in keys if theirs[k] - ours[k] >= UNDER_BY - 1e-9]
    return [k for _gap, k in sorted(gaps, key=lambda g: (-g[0], g[1]))]


def half_year(day: date) -> tuple[int, int]:
    """(year, 1) for January to June, (year, 2) for July to December: the councils' rhythm."""
    return day.year, 1 if day.month <= 6 else 2


# --- the reference CSV ---------------------------------------------------------------------
REFERENCE_HEADER = ("buurt", "age_band", "residents")
MAX_RESIDENTS = 1_000_000


@dataclass(frozen=True)
class ReferenceError_:
    line: int
    code: str  # "header", "columns", "buurt", "age_band", "residents", "duplicate", "empty"
    value: str = ""


def parse_reference(text: str, buurten: Mapping[str, int], age_bands: tuple[str, ...]):
    """Read `buurt;age_band;residents` lines (`,` works too). Returns the rows as
    {(buurt id, age band): residents} and a list of errors (nothing is kept when there are any)."""
    text = text.lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: dict[tuple[int, str], int] = {}
    errors: list[ReferenceError_] = []
    by_name = {name.casefold(): buurt_id for name, buurt_id in buurten.items()}
    header_seen = False
    for line_number, record in enumerate(reader, start=1):
        cells = [c.strip() for c in record]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            if tuple(c.lower() for c in cells) != REFERENCE_HEADER:
                errors.append(ReferenceError_(line_number, "header"))
                break
            continue
        if len(cells) != 3:
            errors.append(ReferenceError_(line_number, "columns"))
            continue
        name, band, count = cells
        buurt_id = by_name.get(name.casefold())
        if buurt_id is None:
            errors.append(ReferenceError_(line_number, "buurt", name))
            continue
        if band not in age_bands:
            errors.append(ReferenceError_(line_number, "age_band", band))
            continue
        if not (count.isascii() and count.isdigit()) or int(count) > MAX_RESIDENTS:
            errors.append(ReferenceError_(line_number, "residents", count))
            continue
        if (buurt_id, band) in rows:
            errors.append(ReferenceError_(line_number, "duplicate", f"{name} {band}"))
            continue
        rows[(buurt_id, band)] = int(count)
    if not errors and not rows:
        errors.append(ReferenceError_(0, "empty"))
    return ({} if errors else rows), errors
