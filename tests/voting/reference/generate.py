"""Regenerate the stored pabutools outcomes that tests/voting/test_tally.py compares against.

Counting the large instances with pabutools takes long (Praga-Poludnie with MES and add1
completion about 6 minutes on 2 cores), so the tests read these JSON files instead of calling
pabutools. Run from the repository root, with the interpreter that has pabutools installed
(the test extra; pabutools 1.2.3 made the stored files):

    .venv/bin/python tests/voting/reference/generate.py                 # every instance, both rules
    .venv/bin/python tests/voting/reference/generate.py --only Swiecie  # file names containing this
    .venv/bin/python tests/voting/reference/generate.py --rule mes

For each ``tests/data/pabulib/<name>.pb`` it writes ``<name>.json`` next to this script:
``{"<rule>": {"selected": [...], "spent": ..., "budget": ..., "seconds": ...,
"pabutools": "<version>"}}`` (``seconds`` includes parsing the file); entries for other rules
are kept. Then run tests/voting/test_tally.py: a changed outcome is either a pabutools change
or a bug in app/voting/tally.py.
How each rule is expressed in pabutools is documented in pabutools_oracle.py.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "data" / "pabulib"
RULES = ("greedy", "mes")


def load_oracle():
    """Import pabutools_oracle.py by path (tests/ is not a package)."""
    spec = importlib.util.spec_from_file_location("pabutools_oracle", HERE / "pabutools_oracle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def file_costs_and_budget(path: Path) -> tuple[dict[str, int], int]:
    from pabutools.election import parse_pabulib

    instance, _ = parse_pabulib(str(path))
    return {p.name: int(p.cost) for p in instance}, int(instance.budget_limit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="only files whose name contains this text")
    parser.add_argument("--rule", choices=RULES, action="append", help="default: both")
    args = parser.parse_args(argv)
    oracle = load_oracle()
    version = importlib.metadata.version("pabutools")
    paths = sorted(DATA.glob("*.pb"), key=lambda p: p.stat().st_size)
    for path in paths:
        if args.only and args.only.lower() not in path.name.lower():
            continue
        target = HERE / f"{path.stem}.json"
        stored = json.loads(target.read_text()) if target.exists() else {}
        costs, budget = file_costs_and_budget(path)
        for rule in args.rule or RULES:
            started = time.perf_counter()
            selected = oracle.count_file(path, rule)
            seconds = time.perf_counter() - started
            stored[rule] = {
                "selected": selected,
                "spent": sum(costs[p] for p in selected),
                "budget": budget,
                "seconds": round(seconds, 2),
                "pabutools": version,
            }
            print(f"{path.stem:40} {rule:7} {seconds:9.2f} s  {len(selected)} selected", flush=True)
            target.write_text(json.dumps(stored, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
