"""Spreadsheet exports: CSV that Excel opens correctly and that cannot run formulas.

Money goes in as :class:`Euros` (integer cents): the CSV writes it the way Dutch Excel reads a
number (`1799,50`: decimal comma, no thousands separator), the XLSX writes a number with a euro
format, so nobody has to divide by a hundred."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

#: Excel number format of money cells: "€ 1.799,50" in Dutch Excel, "€ 1,799.50" in English.
EURO_FORMAT = '"€" #,##0.00;-"€" #,##0.00'


@dataclass(frozen=True)
class Euros:
    """An amount in cents, to be shown in euros in a spreadsheet cell."""

    cents: int

    def csv_text(self) -> str:
        sign = "-" if self.cents < 0 else ""
        whole, rest = divmod(abs(self.cents), 100)
        return f"{sign}{whole},{rest:02d}"

    def decimal(self) -> Decimal:
        return Decimal(self.cents) / 100


def euros(cents: int | None) -> Euros | None:
    return None if cents is None else Euros(cents)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell that begins like a formula is prefixed with an apostrophe, so spreadsheets
    show it as text instead of running it (CSV injection). Money becomes its CSV text."""
    if isinstance(value, Euros):
        return value.csv_text()
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte-order mark and `;` separators: what Dutch Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def iter_csv(header: Sequence[str], rows: Iterable[Sequence]):
    """The same, streamed: yields chunks so that large exports use flat memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    yield "\ufeff".encode("utf-8")
    writer.writerow([neutralise(h) for h in header])
    for index, row in enumerate(rows):
        writer.writerow([neutralise(v) for v in row])
        if index % 500 == 499:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """One worksheet per (title, header, rows); text cells neutralised like the CSV."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([neutralise(h) for h in header])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet, value):
    if isinstance(value, Euros):
        cell = WriteOnlyCell(sheet, value=value.decimal())
        cell.number_format = EURO_FORMAT
        return cell
    return neutralise(value)
