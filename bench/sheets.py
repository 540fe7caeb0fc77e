"""Time ticket-sheet rendering: 500 and 2000 tickets, four instruction languages.

Run from the project root:  .venv/bin/python bench/sheets.py [--repeat N] [COUNT ...]

Prints wall-clock and CPU seconds (best and median of the repeats), pages and PDF
size. The goal is 500 tickets in under 2 seconds on a 2-core machine. CPU time is
shown because on a shared machine the wall clock also measures other processes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.councils import sheets
from app.councils.codes import new_ticket_code
from app.councils.sheets import SheetHeader, TicketPrint, render_ticket_sheet

HEADER = SheetHeader(
    title="Bewonersberaad Geuzenveld-Slotermeer",
    when="donderdag 12 juni 2025, 19:30",
    venue="Buurthuis De Tagerijn, Pieter Calandlaan 2",
    instructions=[
        ("nl", "Scan de code met je telefoon om je aan te melden."),
        ("tr", "Giriş yapmak için kodu telefonunuzla tarayın."),
        ("ar", "امسح الرمز بهاتفك لتسجيل الدخول."),
        ("pl", "Zeskanuj kod telefonem, aby się zalogować."),
    ],
)
BUURTEN = ["Wildeman", "Reimerswaal", "Dichtersbuurt", "Confuciusbuurt"]


def make_tickets(count: int) -> list[TicketPrint]:
    tickets = []
    for index in range(count):
        code = new_ticket_code()
        tickets.append(
            TicketPrint(
                code=code,
                url=f"https://wijkstem.amsterdam.nl/t/{code}",
                buurt=BUURTEN[index % len(BUURTEN)],
            )
        )
    return tickets


def measure(count: int, repeat: int) -> None:
    tickets = make_tickets(count)
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        pdf = render_ticket_sheet(tickets, HEADER)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    pages = -(-count // sheets.TICKETS_PER_PAGE)
    print(
        f"{count:5d} tickets  {pages:4d} pages  {len(pdf) / 1e6:5.2f} MB  "
        f"wall best {min(walls):.2f} s median {statistics.median(walls):.2f} s  "
        f"cpu best {min(cpus):.2f} s median {statistics.median(cpus):.2f} s  "
        f"({min(walls) / count * 1000:.2f} ms/ticket)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("counts", nargs="*", type=int, default=[500, 2000])
    args = parser.parse_args()

    languages = ", ".join(language for language, _ in HEADER.instructions)
    print(f"instruction languages: {languages}")
    render_ticket_sheet(make_tickets(2), HEADER)  # warm up imports and caches
    for count in args.counts:
        measure(count, args.repeat)


if __name__ == "__main__":
    main()
