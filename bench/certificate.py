"""Check the add1 certificates of our MES on the large shared Pabulib files with pabutools.

pabutools cannot finish MES with add1 on the largest votes (Budapest XI Újbuda needs tens of
thousands of steps), so our engine states where add1 stopped (counting.tally.Certificate):
the per-voter budget ``b`` and why it stopped. Two fixed-budget runs of pabutools' own MES
(``method_of_equal_shares_scheme`` with ``initial_budget_per_voter = b``, the call its add1
loop makes at that step) then confirm the outcome:

1. MES at ``b`` funds exactly our projects, in our order;
2. ``exhaustive``: no project with supporters outside them fits in what is left of the budget
   (pabutools' ``Instance.is_exhaustive``); ``next_overspends``: MES at ``b + 1`` (one unit of
   the file's currency more) costs more than the budget (``Instance.is_feasible`` is false),
   and the outcome at ``b`` is feasible and not exhaustive.

    .venv/bin/python bench/certificate.py                 # the three large shared files
    .venv/bin/python bench/certificate.py --only Lodz
    .venv/bin/python bench/certificate.py FILE.pb ...      # any files
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from counting import pabulib  # noqa: E402

SHARED = Path("/work/shared/data/pabulib")
LARGE = ("Hungary_Budapest_2025_XI_Ujbuda", "Poland_Lodz_2025", "Netherlands_Amsterdam_332")


def pabutools_fixed_run(instance, profile, sat_class, voter_budget):
    """pabutools' MES at a fixed budget per voter (no add1): the selected project ids."""
    from pabutools.fractions import frac
    from pabutools.rules.budgetallocation import BudgetAllocation
    from pabutools.rules.mes.mes_rule import method_of_equal_shares_scheme
    from pabutools.tiebreaking import lexico_tie_breaking

    outcome = method_of_equal_shares_scheme(
        instance,
        profile,
        profile.as_sat_profile(sat_class=sat_class),
        frac(voter_budget.numerator, voter_budget.denominator),
        BudgetAllocation(),
        lexico_tie_breaking,
        resoluteness=True,
        voter_budget_increment=None,
        binary_sat=True,
    )
    return outcome


def check(path: Path) -> bool:
    from pabutools.election import Cost_Sat, parse_pabulib

    election = pabulib.load(path)
    started = time.perf_counter()
    result = pabulib.count_election(election, "mes-add1")
    ours = time.perf_counter() - started
    certificate = result.certificate
    scale = election.scale
    voter_budget = certificate.voter_budget / scale  # in the file's currency units
    print(
        f"{path.stem}: {election.meta.get('currency', '?')}, {certificate.voters} voters; add1 stopped after "
        f"{certificate.steps} steps of 1 at {float(voter_budget):.4f} per voter ({certificate.reason}); "
        f"counted in {ours:.3f} s",
        flush=True,
    )
    instance, profile = parse_pabulib(str(path))
    profile = profile.as_multiprofile()
    by_name = {p.name: p for p in instance}
    available = {by_name[p] for ballot in profile for p in (q.name for q in ballot) if by_name[p].cost > 0}

    started = time.perf_counter()
    outcome = pabutools_fixed_run(instance, profile, Cost_Sat, voter_budget)
    first = time.perf_counter() - started
    names = [p.name for p in outcome]
    same = names == list(certificate.funded)
    print(
        f"  pabutools MES at that budget ({first:.1f} s): {'same projects, same order' if same else 'DIFFERENT: ' + str(names)}"
    )
    ok = same and instance.is_feasible(outcome)
    if certificate.reason == "exhaustive":
        exhaustive = instance.is_exhaustive(outcome, available_projects=available)
        print(f"  exhaustive for the real budget: {exhaustive}")
        ok = ok and exhaustive
    else:
        not_exhaustive = not instance.is_exhaustive(outcome, available_projects=available)
        started = time.perf_counter()
        following = pabutools_fixed_run(instance, profile, Cost_Sat, voter_budget + 1)
        second = time.perf_counter() - started
        overspends = not instance.is_feasible(following)
        print(
            f"  not exhaustive: {not_exhaustive}; pabutools MES one step further ({second:.1f} s) "
            f"spends more than the budget: {overspends}"
        )
        ok = ok and not_exhaustive and overspends
    print(f"  certificate {'CONFIRMED' if ok else 'NOT CONFIRMED'}", flush=True)
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Confirm our add1 certificates with pabutools.")
    parser.add_argument("files", nargs="*", type=Path, help="Pabulib files (default: the three large shared ones)")
    parser.add_argument("--only", help="only files whose name contains this text")
    args = parser.parse_args(argv)
    paths = args.files or [SHARED / f"{name}.pb" for name in LARGE]
    paths = [p for p in paths if not args.only or args.only.lower() in p.name.lower()]
    results = [check(path) for path in paths]
    print(f"{sum(results)} of {len(results)} certificates confirmed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
