"""kill -9 the server in the middle of a burst of votes, restart it, and check that every
acknowledged ballot is there and none is half-written; then the residents whose vote got
no answer send the same form again and each ends up with exactly one ballot.

Run from the project root (slow, not part of the test suite):

    .venv/bin/python bench/faults/kill_during_burst.py [--kills 3] [--residents 150] [--postgres]

Each round: gunicorn (project settings, production config) on 127.0.0.1 and a free port;
every resident signs in and opens the ballot; then all post their ballot at once and,
after a random 0.1-0.6 s, every gunicorn process (master and workers, by pid) gets
SIGKILL. The server is started again on the same database and the invariants are checked:
acknowledged receipts all present, ballots = used tickets, no duplicate receipt, every
ballot with its form submission (the ballot, the used ticket and the form token are one
transaction), PRAGMA integrity_check ok on SQLite. Then the unanswered residents resubmit
the very same form (same session cookie, CSRF token and form token) and the invariants
are checked again, plus: one ballot per resident.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import (
    Server,
    app_environment,
    cast_ballots,
    check_invariants,
    cleanup,
    flask_cli,
    fresh_database,
    new_workdir,
    setup_round,
)
from loadgen import Phone, Stats, hidden_value

HOST = "127.0.0.1"


async def prepare(port: int, codes: list[str], round_info: dict, stats: Stats) -> list[tuple[Phone, dict]]:
    async def one(code: str):
        phone = Phone(HOST, port, stats)
        if await phone.call("sign-in", "GET", f"/t/{code}", expect=(303,)) is None:
            return None
        page = await phone.call("ballot page", "GET", "/vote", expect=(200,))
        if page is None:
            return None
        choices = random.sample(round_info["options"], random.randint(1, round_info["max_choices"]))
        return phone, {
            "csrf_token": hidden_value(page.text, "csrf_token"),
            "token": hidden_value(page.text, "token"),
            "choice": [str(c) for c in choices],
        }

    return [p for p in await asyncio.gather(*(one(c) for c in codes)) if p]


async def vote(phone: Phone, form: dict) -> str | None:
    """The receipt when the server acknowledged the ballot (303 to /vote/done), else None."""
    response = await phone.call("vote", "POST", "/vote", expect=(303,), form=form)
    if response is not None and response.headers.get("location") == "/vote/done":
        return phone.session_value("receipt")
    return None


async def burst_and_kill(server: Server, voters, delay: float) -> dict[int, str | None]:
    async def killer():
        await asyncio.sleep(delay)
        server.kill_hard()

    tasks = [asyncio.create_task(vote(phone, form)) for phone, form in voters]
    kill = asyncio.create_task(killer())
    results = await asyncio.gather(*tasks)
    await kill
    return dict(enumerate(results))


async def close_all(voters) -> None:
    for phone, _form in voters:
        await phone.close()


async def one_kill(
    kill: int, env, workdir, workers: int, database, round_info: dict, codes: list[str], acknowledged: set[str]
) -> list[str]:
    problems: list[str] = []
    stats = Stats()
    servers: list[Server] = []
    try:
        server = Server(env, workdir, workers, label=f"kill{kill}").start()
        servers.append(server)
        voters = await prepare(server.port, codes, round_info, stats)
        delay = random.uniform(0.1, 0.6)
        started = time.monotonic()
        results = await burst_and_kill(server, voters, delay)
        answered = {i: r for i, r in results.items() if r}
        acknowledged |= set(answered.values())
        print(
            f"kill {kill + 1}: {len(voters)} residents posted at once; SIGKILL after {delay:.2f} s; "
            f"{len(answered)} ballots acknowledged, {len(voters) - len(answered)} without an answer "
            f"({time.monotonic() - started:.1f} s)"
        )
        server = Server(env, workdir, workers, label=f"restart{kill}").start()
        servers.append(server)
        print("  after the restart:")
        problems += check_invariants(database, [round_info], acknowledged, env["SECRET_KEY"])
        # The unanswered residents press "vote" again: the same form, the same cookie.
        stats.errors.clear()
        pending = [voters[i] for i in range(len(voters)) if i not in answered]
        for phone, _form in pending:  # their connections died with the old server
            await phone.close()
            phone.page.port = server.port
        receipts = await asyncio.gather(*(vote(phone, form) for phone, form in pending))
        await close_all(voters)
    finally:
        for started_server in servers:
            started_server.stop()  # also when something above failed: never leave a server behind
    missing = sum(1 for r in receipts if not r)
    acknowledged |= {r for r in receipts if r}
    print(
        f"  {len(receipts)} resubmitted; {len(receipts) - missing} acknowledged, {missing} refused or failed "
        f"{sorted(set(e for v in stats.errors.values() for e in v)) or ''}"
    )
    if missing:
        problems.append(f"kill {kill + 1}: {missing} resubmissions got no receipt")
    print("  after the resubmissions:")
    problems += check_invariants(database, [round_info], acknowledged, env["SECRET_KEY"])
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--residents", type=int, default=150)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--pg-url", default="postgresql://127.0.0.1:5432/test")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    workdir = new_workdir()
    problems: list[str] = []
    try:
        with fresh_database(workdir, args.postgres, args.pg_url) as database:
            env = app_environment(workdir, database)
            import loadgen

            loadgen.SESSION_SECRET = env["SECRET_KEY"]  # to read the receipt from the encrypted session cookie
            flask_cli(env, "db", "upgrade")
            round_info = setup_round(env, workdir, args.residents * args.kills, "faults")
            acknowledged: set[str] = set()
            for kill in range(args.kills):
                codes = round_info["codes"][kill * args.residents : (kill + 1) * args.residents]
                problems += asyncio.run(
                    one_kill(kill, env, workdir, args.workers, database, round_info, codes, acknowledged)
                )
            voted_residents = len(acknowledged)
            ballots = cast_ballots(database, round_info["round_id"])  # in the ballot table or sealed in the box
            print(
                f"one ballot per resident: {ballots} ballots for {voted_residents} residents with a receipt"
                f" -> {'OK' if ballots == voted_residents else 'BROKEN'}"
            )
            if ballots != voted_residents:
                problems.append("ballots != residents with a receipt")
    finally:
        cleanup(workdir, args.keep)
    print("RESULT:", "all invariants hold" if not problems else "BROKEN: " + "; ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
