"""Does Wijkstem hold on a council evening, and how far is it from its own stack's ceiling?

Run from the project root (not part of the test suite):

    .venv/bin/python bench/council_evening.py --quick        # ~1.5 minutes, for development
    .venv/bin/python bench/council_evening.py                # the real scenario, ~5 minutes
    .venv/bin/python bench/council_evening.py --postgres     # on a fresh PostgreSQL database

What it does, all on 127.0.0.1 with a random free port:
1. A fresh SQLite file in a temp dir (or, with --postgres, a fresh database on
   127.0.0.1:5432 that is created and dropped), `flask db upgrade`, and `flask bench-setup`
   for the evening round (300 tickets) and for the throughput round.
2. The real app under gunicorn with the project's gunicorn.conf.py (production config,
   --workers 2 by default, gthread with 8 threads each), then:
   - the council evening: 300 residents sign in over 60 s (scan, welcome page, ballot page),
     all vote within the next 60 s (and see their receipt), every phone polls
     /rounds/<id>/status.json every 3 s with If-None-Match; then the board logs in, closes
     the round and approves the results, and all 300 phones GET the results page at once;
   - throughput: 100 concurrent clients for 60 s, each one resident after another: sign in
     with its own ticket, GET /vote, POST the ballot. Only the POSTs count as ballots/s.
3. The ceiling: bench/hello_app.py (bare Flask) under the same gunicorn settings, 100
   concurrent clients, in the same run.
It prints ballots/s, p50/p95/p99 latency per request kind, errors, ballots/s divided by the
hello-world requests/s, and the CPU of the gunicorn processes (from /proc) and of the
client. After every run it checks the invariants: ballots = used tickets, no duplicate
receipt, no ballot without its form submission, every acknowledged receipt present,
PRAGMA integrity_check ok (PostgreSQL: the count checks).

The load generator is bench/loadgen.py: raw asyncio streams, standard library only; its
docstring explains the choice (the client shares the two cores with the server, so it
must be cheap; it prints its own CPU so that this can be checked).

--quick compresses the evening into 10 s of sign-in and 10 s of voting and runs the
throughput and hello-world phases for 15 s each.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen
import pyotp
from harness import (
    ROOT,
    CpuMeter,
    Server,
    app_environment,
    check_invariants,
    cleanup,
    flask_cli,
    fresh_database,
    new_workdir,
    setup_round,
)
from loadgen import Connection, Phone, Stats, hidden_value, percentile, summary

HOST = "127.0.0.1"
RESIDENT_KINDS = ("sign-in", "welcome", "ballot page", "vote", "receipt page", "poll", "reveal")
TARGETS = {"evening_p99_ms": 250, "ballots_per_second": 500, "ratio": 0.4}


# --- 1. the council evening -------------------------------------------------------------
async def board_step(board: Phone, path: str, page, form: dict, lands_on: str) -> None:
    """POST one of the board's forms; stop the run if it does not land where it should (a
    board step that silently fails would leave the reveal measuring 404 pages)."""
    response = await board.call(
        "board", "POST", path, expect=(303,), form={"csrf_token": hidden_value(page.text, "csrf_token"), **form}
    )
    where = response.headers.get("location", "").split("?")[0] if response is not None else None
    if where != lands_on:
        raise SystemExit(f"board: POST {path} went to {where!r}, expected {lands_on!r}")


async def council_evening(
    port: int,
    round_info: dict,
    residents: int,
    sign_in_seconds: float,
    vote_seconds: float,
    poll_seconds: float,
    stats: Stats,
    acknowledged: set[str],
) -> dict:
    loop = asyncio.get_running_loop()
    start = loop.time()
    rid = round_info["round_id"]
    stop_polling = asyncio.Event()
    phones: list[Phone] = []

    async def poll(phone: Phone) -> None:
        etag = None
        await asyncio.sleep(random.uniform(0, poll_seconds))
        while not stop_polling.is_set():
            headers = {"If-None-Match": etag} if etag else {}
            response = await phone.call(
                "poll",
                "GET",
                f"/rounds/{rid}/status.json",
                expect=(200, 304),
                headers=headers,
                connection=phone.poll_connection,
            )
            if response is not None and response.status == 200:
                etag = response.headers.get("etag")
            try:
                await asyncio.wait_for(stop_polling.wait(), poll_seconds)
            except TimeoutError:
                pass

    async def resident(code: str) -> asyncio.Task | None:
        phone = Phone(HOST, port, stats)
        phones.append(phone)
        await asyncio.sleep(random.uniform(0, sign_in_seconds))
        signed = await phone.call("sign-in", "GET", f"/t/{code}", expect=(303,))
        if signed is None or signed.headers.get("location") != "/t/welcome":
            if signed is not None:
                stats.fail("sign-in", f"sign-in refused: {signed.headers.get('location')}", 0)
            return None
        await phone.call("welcome", "GET", "/t/welcome", expect=(200,))
        page = await phone.call("ballot page", "GET", "/vote", expect=(200,))
        poller = asyncio.create_task(poll(phone))
        if page is None:
            return poller
        vote_at = start + sign_in_seconds + random.uniform(0, vote_seconds)
        await asyncio.sleep(max(0.0, vote_at - loop.time()))
        choices = random.sample(round_info["options"], random.randint(1, round_info["max_choices"]))
        form = {
            "csrf_token": hidden_value(page.text, "csrf_token"),
            "token": hidden_value(page.text, "token"),
            "choice": [str(c) for c in choices],
        }
        voted = await phone.call("vote", "POST", "/vote", form=form, expect=(303,))
        if voted is not None and voted.headers.get("location") == "/vote/done":
            acknowledged.add(phone.session_value("receipt"))
            await phone.call("receipt page", "GET", "/vote/done", expect=(200,))
        elif voted is not None:
            stats.fail("vote", f"vote not taken: {voted.headers.get('location')}", 0)
        return poller

    pollers = [p for p in await asyncio.gather(*(resident(code) for code in round_info["codes"][:residents])) if p]
    voted_at = loop.time() - start

    # The board closes the round and approves the results from its laptop (two-step sign-in).
    board = Phone(HOST, port, stats)
    login = await board.call("board", "GET", "/login", expect=(200,))
    form = {"email": round_info["board_email"], "password": round_info["board_password"]}
    await board_step(board, "/login", login, form, "/login/code")
    code_page = await board.call("board", "GET", "/login/code", expect=(200,))
    await board_step(
        board, "/login/code", code_page, {"code": pyotp.TOTP(round_info["board_totp_secret"]).now()}, "/staff"
    )
    manage = await board.call("board", "GET", f"/staff/rounds/{rid}", expect=(200,))
    ticked = {"confirm": "y", "confirming": "1"}
    await board_step(board, f"/staff/rounds/{rid}/status/closed", manage, ticked, f"/staff/rounds/{rid}")
    await board_step(board, f"/staff/rounds/{rid}/approve", manage, ticked, f"/rounds/{rid}/results")
    await board.close()
    await asyncio.sleep(poll_seconds)  # the phones see "results_published" on their next poll
    stop_polling.set()
    await asyncio.gather(*pollers)

    # The reveal: every phone opens the results page at the same moment.
    reveal_started = loop.time()
    await asyncio.gather(*(phone.call("reveal", "GET", f"/rounds/{rid}/results", expect=(200,)) for phone in phones))
    reveal_seconds = loop.time() - reveal_started
    for phone in phones:
        await phone.close()
    return {"voted_at": voted_at, "reveal_seconds": reveal_seconds}


# --- 2. throughput ----------------------------------------------------------------------
async def throughput(
    port: int, round_info: dict, clients: int, seconds: float, stats: Stats, acknowledged: set[str]
) -> dict:
    loop = asyncio.get_running_loop()
    codes = iter(round_info["codes"])
    counted = {"ballots": 0, "requests": 0, "ran_out": False}
    end = loop.time() + seconds

    async def client() -> None:
        connection = Connection(HOST, port)  # a venue's Wi-Fi: keep-alive, one resident after another
        while loop.time() < end:
            code = next(codes, None)
            if code is None:
                counted["ran_out"] = True
                break
            phone = Phone(HOST, port, stats)
            phone.page = connection
            signed = await phone.call("sign-in", "GET", f"/t/{code}", expect=(303,))
            page = await phone.call("ballot page", "GET", "/vote", expect=(200,)) if signed else None
            counted["requests"] += (signed is not None) + (page is not None)
            if page is None:
                continue
            choices = random.sample(round_info["options"], random.randint(1, round_info["max_choices"]))
            form = {
                "csrf_token": hidden_value(page.text, "csrf_token"),
                "token": hidden_value(page.text, "token"),
                "choice": [str(c) for c in choices],
            }
            voted = await phone.call("vote", "POST", "/vote", form=form, expect=(303,))
            if voted is not None and voted.headers.get("location") == "/vote/done":
                acknowledged.add(phone.session_value("receipt"))
                if loop.time() <= end:
                    counted["ballots"] += 1
                    counted["requests"] += 1
        await connection.close()

    started = loop.time()
    await asyncio.gather(*(client() for _ in range(clients)))
    counted["wall"] = loop.time() - started
    return counted


# --- 3. the ceiling ---------------------------------------------------------------------
async def hello_world(port: int, clients: int, seconds: float, stats: Stats) -> dict:
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    done = {"requests": 0}

    async def client() -> None:
        phone = Phone(HOST, port, stats)
        while loop.time() < end:
            if await phone.call("hello", "GET", "/", expect=(200,)) is not None and loop.time() <= end:
                done["requests"] += 1
        await phone.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    return done


# --- profiling --------------------------------------------------------------------------
def start_profiler(server: Server, workdir: Path, seconds: float, mode: str):
    """py-spy (PyPI, in the `bench` extra) samples one worker; in "wall" mode idle threads
    are included, so that time spent waiting for SQLite's lock shows too."""
    import shutil
    import subprocess

    py_spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if py_spy is None:
        print("    (py-spy is not installed: pip install -e '.[bench]')")
        return None
    out = workdir / "profile.txt"
    worker = server.worker_pids()[0]
    process = subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(worker),
            "--duration",
            str(int(seconds)),
            *(["--idle"] if mode == "wall" else []),
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, out


def print_profile(process, out: Path, top: int = 25) -> None:
    process.wait(timeout=120)
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in out.read_text().splitlines():
        stack, _sep, count = line.rpartition(" ")
        frames = [
            f.split(" (")[0] + " " + f.rsplit("/", 1)[-1].rstrip(")")
            for f in stack.split(";")
            if "gunicorn" not in f or "handle_request" in f
        ]
        if not frames:
            continue
        n = int(count)
        total += n
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + n
        own[frames[-1]] = own.get(frames[-1], 0) + n
    print(f"    profile of one worker ({total} samples; {out}):")
    print("      inclusive:")
    for frame, n in sorted(inclusive.items(), key=lambda item: -item[1])[:top]:
        print(f"        {100 * n / total:5.1f}%  {frame}")
    print("      self:")
    for frame, n in sorted(own.items(), key=lambda item: -item[1])[:12]:
        print(f"        {100 * n / total:5.1f}%  {frame}")


# --- reporting --------------------------------------------------------------------------
def machine_line() -> str:
    load = os.getloadavg()
    return (
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {platform.node()}; {platform.processor() or platform.machine()}; "
        f"{os.cpu_count()} cores; Linux {platform.release()}; Python {platform.python_version()}; "
        f"load average before the run {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )


def print_kinds(stats: Stats, kinds) -> None:
    for kind in kinds:
        if stats.latencies.get(kind):
            errors = len(stats.errors.get(kind, []))
            print(f"    {kind:<13} {summary(stats.latencies[kind])}  errors {errors}")
    reasons: dict[str, int] = {}
    for kind in kinds:
        for reason in stats.errors.get(kind, []):
            reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1])[:8]:
        print(f"      error x{count}: {reason}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="compress the evening to 10+10 s; 15 s throughput and hello"
    )
    parser.add_argument("--postgres", action="store_true", help="use a fresh PostgreSQL database instead of SQLite")
    parser.add_argument(
        "--gzip",
        action="store_true",
        help="the phones ask for gzip, as browsers do (default: uncompressed, as in the earlier figures)",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("WIJKSTEM_BENCH_PG_URL", "postgresql://127.0.0.1:5432/test"),
        help="an existing database on the server, used to create and drop the benchmark database",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (threads come from gunicorn.conf.py)")
    parser.add_argument("--residents", type=int, default=300)
    parser.add_argument("--clients", type=int, default=100, help="concurrent clients for throughput and hello-world")
    parser.add_argument("--seconds", type=float, help="throughput and hello-world duration (default 60, quick 15)")
    parser.add_argument("--skip", action="append", default=[], choices=["evening", "throughput", "hello"])
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (database, logs)")
    parser.add_argument("--wsgi", default="wsgi:app", help="the app to serve, MODULE:APP (to try a change)")
    parser.add_argument("--pythonpath", default="", help="extra import path for --wsgi")
    parser.add_argument(
        "--profile",
        choices=["cpu", "wall"],
        help="py-spy one worker during the throughput phase and print where its time goes "
        "(cpu: on-CPU samples only; wall: waiting threads too, e.g. for SQLite's lock)",
    )
    args = parser.parse_args()
    if args.gzip:
        loadgen.ACCEPT_ENCODING = "gzip"
    sign_in_seconds, vote_seconds = (10.0, 10.0) if args.quick else (60.0, 60.0)
    seconds = args.seconds or (15.0 if args.quick else 60.0)
    threads = int(os.environ.get("GUNICORN_THREADS", "8"))  # as in gunicorn.conf.py
    print(
        f"Wijkstem council-evening benchmark ({'quick' if args.quick else 'full'}, "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}), gunicorn {args.workers} workers x {threads} threads (gthread)"
        + (", phones ask for gzip" if args.gzip else "")
    )
    print(f"  machine: {machine_line()}")
    results: dict = {}
    problems: list[str] = []
    workdir = new_workdir()
    try:
        with fresh_database(workdir, args.postgres, args.pg_url) as database:
            env = app_environment(workdir, database)
            loadgen.SESSION_SECRET = env["SECRET_KEY"]  # to read the receipt from the encrypted session cookie
            flask_cli(env, "db", "upgrade")
            rounds = []
            if "evening" not in args.skip:
                rounds.append(setup_round(env, workdir, args.residents, "evening"))
            if "throughput" not in args.skip:
                # Enough tickets for 800 ballots/s, well above what two cores can do.
                rounds.append(setup_round(env, workdir, int(min(200_000, max(2_000, seconds * 800))), "throughput"))
            acknowledged: set[str] = set()
            if rounds:
                extra = ("--pythonpath", args.pythonpath) if args.pythonpath else ()
                with Server(env, workdir, args.workers, app=args.wsgi, extra=extra) as server:
                    if "evening" not in args.skip:
                        print(
                            f"\n1. Council evening: {args.residents} residents sign in over {sign_in_seconds:.0f} s, "
                            f"vote within {vote_seconds:.0f} s, poll every 3 s, then the reveal"
                        )
                        stats = Stats()
                        with CpuMeter(server) as cpu:
                            info = asyncio.run(
                                council_evening(
                                    server.port,
                                    rounds[0],
                                    args.residents,
                                    sign_in_seconds,
                                    vote_seconds,
                                    3.0,
                                    stats,
                                    acknowledged,
                                )
                            )
                        print_kinds(stats, RESIDENT_KINDS + ("board",))
                        resident = stats.all_latencies(RESIDENT_KINDS)
                        without_reveal = stats.all_latencies(tuple(k for k in RESIDENT_KINDS if k != "reveal"))
                        errors = stats.error_count()
                        print(f"    all resident requests {summary(resident)}")
                        print(f"    without the reveal    {summary(without_reveal)}")
                        print(
                            f"    reveal: {args.residents} results pages in {info['reveal_seconds']:.2f} s; errors {errors}"
                        )
                        print(f"    {cpu.report()}")
                        results["evening"] = {
                            "p99_ms": percentile(resident, 0.99) * 1000,
                            "errors": errors,
                            "p99_without_reveal_ms": percentile(without_reveal, 0.99) * 1000,
                        }
                        problems += check_invariants(database, rounds[:1], acknowledged, env["SECRET_KEY"])
                    if "throughput" not in args.skip:
                        round_info = rounds[-1]
                        print(
                            f"\n2. Throughput: {args.clients} concurrent clients for {seconds:.0f} s "
                            f"(sign in, GET /vote, POST the ballot; {len(round_info['codes'])} tickets)"
                        )
                        stats = Stats()
                        profiler = start_profiler(server, workdir, seconds, args.profile) if args.profile else None
                        with CpuMeter(server) as cpu:
                            counted = asyncio.run(
                                throughput(server.port, round_info, args.clients, seconds, stats, acknowledged)
                            )
                        if profiler is not None:
                            print_profile(*profiler)
                        rate = counted["ballots"] / seconds
                        print_kinds(stats, ("sign-in", "ballot page", "vote"))
                        print(
                            f"    ballots/s {rate:7.1f}   (all requests/s {counted['requests'] / seconds:7.1f}; "
                            f"errors {stats.error_count()}{'; RAN OUT OF TICKETS' if counted['ran_out'] else ''})"
                        )
                        print(f"    {cpu.report()}")
                        results["throughput"] = {
                            "ballots_per_second": rate,
                            "errors": stats.error_count(),
                            "vote_p99_ms": percentile(stats.latencies["vote"], 0.99) * 1000,
                        }
                        problems += check_invariants(database, rounds, acknowledged, env["SECRET_KEY"])
        if "hello" not in args.skip:
            print(
                f"\n3. Ceiling: bare Flask hello-world, same gunicorn settings, {args.clients} clients for {seconds:.0f} s"
            )
            hello_env = {k: v for k, v in os.environ.items() if k != "WIJKSTEM_CONFIG"}
            stats = Stats()
            with Server(
                hello_env,
                workdir,
                args.workers,
                app="hello_app:app",
                extra=("--pythonpath", str(ROOT / "bench")),
                label="hello",
            ) as server:
                with CpuMeter(server) as cpu:
                    done = asyncio.run(hello_world(server.port, args.clients, seconds, stats))
            rate = done["requests"] / seconds
            print_kinds(stats, ("hello",))
            print(f"    requests/s {rate:7.1f}; errors {stats.error_count()}")
            print(f"    {cpu.report()}")
            results["hello"] = {"requests_per_second": rate}
    finally:
        cleanup(workdir, args.keep)

    print("\nSummary (targets: evening 0 errors and p99 < 250 ms; >= 500 ballots/s on SQLite; ratio >= 0.4)")
    if "evening" in results:
        e = results["evening"]
        ok = e["errors"] == 0 and e["p99_ms"] < TARGETS["evening_p99_ms"]
        print(
            f"  evening: {e['errors']} errors, p99 {e['p99_ms']:.0f} ms (without the reveal {e['p99_without_reveal_ms']:.0f} ms)"
            f"  -> {'met' if ok else 'NOT met'}"
        )
    if "throughput" in results:
        t = results["throughput"]
        print(
            f"  throughput: {t['ballots_per_second']:.1f} ballots/s, POST p99 {t['vote_p99_ms']:.0f} ms, {t['errors']} errors"
            f"  -> {'met' if t['ballots_per_second'] >= TARGETS['ballots_per_second'] else 'NOT met'}"
        )
    if "hello" in results:
        h = results["hello"]
        print(f"  hello-world: {h['requests_per_second']:.1f} requests/s")
        if "throughput" in results:
            ratio = results["throughput"]["ballots_per_second"] / h["requests_per_second"]
            print(
                f"  ratio ballots/s / hello req/s: {ratio:.3f}  -> {'met' if ratio >= TARGETS['ratio'] else 'NOT met'}"
            )
    print(f"  invariants: {'all hold' if not problems else 'BROKEN: ' + '; '.join(problems)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
