"""``python -m counting FILE.pb --rule greedy|mes [--json]``: count a Pabulib file.

Prints the selected project ids in selection order, separated by spaces; with ``--json``
``{"rule", "selected", "spent", "budget"}`` (amounts in the file's currency units). The same
output as ``flask --app wsgi tally``, without starting the application."""

from __future__ import annotations

import os
import sys

# numpy (float runs on large votes) works on small arrays here: its BLAS threads would only
# spin and burn CPU, so one thread, unless the user chose otherwise
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from counting import pabulib, tally
from counting.record import Record


class Arguments(Record):
    path: str
    rule: str
    as_json: bool
    certificate: bool

    def __init__(self, path: str, rule: str, as_json: bool = False, certificate: bool = False) -> None:
        self.path, self.rule, self.as_json, self.certificate = path, rule, as_json, certificate


def main(argv: list[str] | None = None) -> int:
    args = read_arguments(sys.argv[1:] if argv is None else argv)
    try:
        election, result = pabulib.count_file(args.path, args.rule, explain=False)  # prints no trace
    except (OSError, ValueError, KeyError) as error:
        print(f"python -m counting: {args.path}: {error}", file=sys.stderr)
        return 1
    summary = pabulib.result_summary(election, result)
    if args.certificate and result.certificate is not None:
        summary["certificate"] = certificate_json(result.certificate, election.scale)
    if args.as_json or "certificate" in summary:
        import json  # only here: a plain count starts without it
    if args.as_json:
        print(json.dumps(summary))
    else:
        print(" ".join(result.selected))
        if "certificate" in summary:
            print(json.dumps(summary["certificate"]))
    return 0


def read_arguments(argv: list[str]) -> Arguments:
    """The command line. Its usual forms (``FILE --rule R [--json] [--certificate]``, in any
    order, ``--rule=R``) are read here; anything else goes to :mod:`argparse`, which gives the
    help and the error messages. Building that parser on every run took a sixth of the CPU of
    a greedy count on Praga-Południe (it imports gettext, locale and shutil)."""
    path, rule, flags = None, None, set()
    words = iter(argv)
    for word in words:
        if word in ("--json", "--certificate"):
            flags.add(word)
        elif word == "--rule" or word.startswith("--rule="):
            value = next(words, None) if word == "--rule" else word.removeprefix("--rule=")
            if value not in tally.RULES or rule is not None:
                return _parsed(argv)
            rule = value
        elif not word.startswith("-") and path is None:
            path = word
        else:
            return _parsed(argv)
    if path is None or rule is None:
        return _parsed(argv)
    return Arguments(path, rule, "--json" in flags, "--certificate" in flags)


def _parsed(argv: list[str]) -> Arguments:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m counting", description="Count a Pabulib file.")
    parser.add_argument("path", help="a Pabulib .pb file")
    parser.add_argument(
        "--rule",
        choices=tally.RULES,
        required=True,
        help="greedy, or mes: Equal Shares with add1, then the greedy fill",
    )
    parser.add_argument(
        "--json", action="store_true", dest="as_json", help='print {"rule", "selected", "spent", "budget"} as JSON'
    )
    parser.add_argument(
        "--certificate", action="store_true", help="MES: also print where add1 stopped (JSON: a certificate key)"
    )
    parsed = parser.parse_args(argv)
    return Arguments(parsed.path, parsed.rule, parsed.as_json, parsed.certificate)


def certificate_json(certificate, scale: int) -> dict:
    budget = certificate.voter_budget / scale
    return {
        "voter_budget": f"{budget.numerator}/{budget.denominator}",
        "voter_budget_approx": float(budget),
        "steps": certificate.steps,
        "voters": certificate.voters,
        "reason": certificate.reason,
        "funded": list(certificate.funded),
    }


def run_and_exit() -> None:
    """The process as ``python -m counting`` runs it. No cyclic garbage collection: a count
    holds no cycles and the process ends right after it. And no tidying up at the end: once
    the output is flushed, :func:`os._exit` leaves without freeing every object and module one
    by one (with numpy loaded that took about a tenth of the CPU of a count on Amsterdam 332)."""
    import gc

    gc.disable()
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run_and_exit()
