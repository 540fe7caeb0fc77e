"""``python -m counting FILE.pb --rule greedy|mes [--json]``: count a Pabulib file.

Prints the selected project ids in selection order, separated by spaces; with ``--json``
``{"rule", "selected", "spent", "budget"}`` (amounts in the file's currency units). The same
output as ``flask --app wsgi tally``, without starting the application."""

from __future__ import annotations

import argparse
import json
import os
import sys

# numpy (float runs on large votes) works on small arrays here: its BLAS threads would only
# spin and burn CPU, so one thread, unless the user chose otherwise
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from counting import pabulib


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m counting", description="Count a Pabulib file.")
    parser.add_argument("path", help="a Pabulib .pb file")
    parser.add_argument(
        "--rule",
        choices=("greedy", "mes", "mes-add1"),
        required=True,
        help="greedy, or mes: Equal Shares with add1, then the greedy fill",
    )
    parser.add_argument(
        "--json", action="store_true", dest="as_json", help='print {"rule", "selected", "spent", "budget"} as JSON'
    )
    parser.add_argument(
        "--certificate", action="store_true", help="MES: also print where add1 stopped (JSON: a certificate key)"
    )
    args = parser.parse_args(argv)
    try:
        election, result = pabulib.count_file(args.path, args.rule)
    except (OSError, ValueError, KeyError) as error:
        print(f"python -m counting: {args.path}: {error}", file=sys.stderr)
        return 1
    summary = pabulib.result_summary(election, result)
    if args.certificate and result.certificate is not None:
        summary["certificate"] = certificate_json(result.certificate, election.scale)
    if args.as_json:
        print(json.dumps(summary))
    else:
        print(" ".join(result.selected))
        if args.certificate and "certificate" in summary:
            print(json.dumps(summary["certificate"]))
    return 0


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


if __name__ == "__main__":
    sys.exit(main())
