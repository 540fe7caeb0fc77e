"""Time our counting engine against pabutools on every Pabulib file in tests/data/pabulib/.

Both engines run in this process on data parsed beforehand (parsing is not timed): ours is
``app.voting.tally.count`` on plain values (merging identical ballots included; best of a few
runs), pabutools is one rule call on ``parse_pabulib(...)`` + ``as_multiprofile()``, expressed
as in tests/voting/reference/pabutools_oracle.py. Each line says whether the outcomes agree.
Wall-clock times: on a shared machine, run it when the machine is otherwise quiet.

    .venv/bin/python bench/tally.py                          # everything (Praga MES: ~6 min)
    .venv/bin/python bench/tally.py --pabutools-timeout 30   # stop pabutools runs after 30 s
    .venv/bin/python bench/tally.py --only Swiecie --rule mes --repeat 3
"""

from __future__ import annotations

import argparse
import importlib.util
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from counting import pabulib, tally  # noqa: E402

DATA = ROOT / "tests" / "data" / "pabulib"
ORACLE = ROOT / "tests" / "voting" / "reference" / "pabutools_oracle.py"


class TimedOut(Exception):
    pass


def load_oracle():
    spec = importlib.util.spec_from_file_location("pabutools_oracle", ORACLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def time_ours(election: pabulib.PabulibElection, rule: str, repeat: int) -> tuple[float, list[str]]:
    kind = pabulib.VOTE_TYPES[election.vote_type]
    projects = [tally.Project(p.id, p.cost) for p in election.projects]
    ballots = election.ballots()
    length = election.meta.get("max_length")
    best, result, total = float("inf"), None, 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        result = tally.count(
            election.budget, projects, ballots, kind, rule,
            ranking_length=int(length) if kind == "ranking" and length else None,
        )
        elapsed = time.perf_counter() - started
        best, total = min(best, elapsed), total + elapsed
        if total > 2:  # repeats only steady the small timings
            break
    return best, result.selected


def time_pabutools(oracle, path: Path, rule: str, timeout: float | None):
    """Seconds and outcome, or (None, None) when the run took longer than ``timeout``."""
    from pabutools.election import parse_pabulib
    from pabutools.election.profile import AbstractOrdinalProfile

    instance, profile = parse_pabulib(str(path))
    if isinstance(profile, AbstractOrdinalProfile):
        length = int(instance.meta.get("max_length") or max(len(b) for b in profile))
        profile = oracle.ranking_as_cardinal(instance, profile, length)
    profile = profile.as_multiprofile()

    def stop(signum, frame):
        raise TimedOut

    previous = signal.signal(signal.SIGALRM, stop)
    if timeout:
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        started = time.perf_counter()
        selected = oracle.run_rule(instance, profile, rule)
        return time.perf_counter() - started, selected
    except TimedOut:
        return None, None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Our tally against pabutools, per file and rule.")
    parser.add_argument("--only", help="only files whose name contains this text")
    parser.add_argument("--rule", choices=("greedy", "mes", "mes-add1"), action="append",
                        help="rules to time (default: greedy and mes)")
    parser.add_argument("--pabutools-timeout", type=float, metavar="SECONDS",
                        help="give up on a pabutools run after this many seconds")
    parser.add_argument("--no-pabutools", action="store_true", help="time our engine only")
    parser.add_argument("--repeat", type=int, default=5,
                        help="our engine: best of up to N runs (fewer once 2 s are spent)")
    args = parser.parse_args(argv)
    oracle = None if args.no_pabutools else load_oracle()
    rules = args.rule or ["greedy", "mes"]
    paths = sorted(DATA.glob("*.pb"), key=lambda p: p.stat().st_size)
    print(f"{'instance':38} {'rule':8} {'ours s':>9} {'pabutools s':>12} {'ratio':>8}  outcome")
    for path in paths:
        if args.only and args.only.lower() not in path.name.lower():
            continue
        election = pabulib.load(path)
        for rule in rules:
            ours, selected = time_ours(election, rule, args.repeat)
            theirs, expected = (None, None)
            if oracle is not None:
                theirs, expected = time_pabutools(oracle, path, rule, args.pabutools_timeout)
            if theirs is None:
                theirs_text = "-" if oracle is None else f"> {args.pabutools_timeout:g}"
                ratio_text = "-" if oracle is None else f"> {args.pabutools_timeout / ours:.0f}x"
                verdict = "not compared"
            else:
                theirs_text, ratio_text = f"{theirs:.3f}", f"{theirs / ours:.0f}x"
                verdict = "same" if selected == expected else "DIFFERENT"
            line = f"{path.stem:38} {rule:8} {ours:9.3f} {theirs_text:>12} {ratio_text:>8}"
            print(f"{line}  {verdict}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
