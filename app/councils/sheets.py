"""Printable A4 PDFs for a resident council: tear-off ticket sheets and a QR poster.

Pure rendering with fpdf2: callers pass already translated and formatted strings and
get PDF bytes back. No Flask, no database.

Speed matters (a facilitator prints 500 tickets while people wait; the goal is under
2 s, see bench/sheets.py), so:

* ``qrcode`` encodes each URL once; choosing the best of the eight mask patterns is
  done here on packed integers, five times faster than ``qrcode``'s own search;
* QR codes are drawn as vector rectangles, one per maximal run of dark modules
  (runs that repeat in the next rows are merged into one taller rectangle);
* everything that is the same on every ticket (title, date, venue, instruction lines,
  font sizes, line breaks) is measured and wrapped once per sheet;
* the harfbuzz text shaper, which is about ten times slower than plain text output,
  is switched on only for lines that need it (Arabic and other joining or
  right-to-left scripts, combining marks). Turkish and Polish letters exist as
  precomposed glyphs in DejaVu Sans and need no shaping once NFC-normalised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF

from app.councils.codes import ALPHABET, TICKET_CODE_LENGTH, format_code
from app.councils.qr import draw_qr, qr_modules
from app.councils.typesetting import (
    Line,
    Typesetter,
    line_height,
    new_pdf,
)

# --- sheet geometry (millimetres) -------------------------------------------------------
PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0
COLUMNS, ROWS = 2, 5
TICKETS_PER_PAGE = COLUMNS * ROWS
PAGE_MARGIN = 6.0
CELL_WIDTH = (PAGE_WIDTH - 2 * PAGE_MARGIN) / COLUMNS  # 99
CELL_HEIGHT = (PAGE_HEIGHT - 2 * PAGE_MARGIN) / ROWS  # 57
# The padding doubles as the QR quiet zone once the ticket is cut out (>= 4 modules).
CELL_PADDING = 5.0
QR_SIZE = 28.0
QR_TEXT_GAP = 4.5  # quiet zone between the QR and the text beside and below it
SIDE_WIDTH = CELL_WIDTH - CELL_PADDING - QR_SIZE - QR_TEXT_GAP - 4.0
INSTRUCTIONS_WIDTH = CELL_WIDTH - 2 * CELL_PADDING
INSTRUCTIONS_HEIGHT = CELL_HEIGHT - CELL_PADDING - QR_SIZE - QR_TEXT_GAP - 3.0


@dataclass(frozen=True)
class TicketPrint:
    """One ticket to print."""

    code: str  # canonical ticket code, e.g. "K7F93QP2M"; printed grouped as K7F-93Q-P2M
    url: str  # absolute ticket URL (https://host/t/K7F93QP2M); the QR code's content
    buurt: str | None = None  # neighbourhood label for tickets bound to a sub-budget


@dataclass(frozen=True)
class SheetHeader:
    """What every ticket of one council shows; all strings already translated/formatted."""

    title: str  # council title, e.g. "Bewonersberaad Osdorp"
    when: str  # date and time text, e.g. "donderdag 12 juni 2025, 19:30"
    venue: str  # e.g. "Buurthuis De Tagerijn, Pieter Calandlaan 2"
    instructions: Sequence[tuple[str, str]] = ()  # (language code, text), one per language
    #: The short address to type when a camera cannot scan, e.g. "wijkstem.nl/t"; printed
    #: just above the code on every ticket.
    address: str = ""


# --- ticket sheet -----------------------------------------------------------------------


@dataclass(frozen=True)
class _TicketTexts:
    """Everything that is the same on each ticket of a sheet, measured once."""

    side: list[Line]  # title, date and venue, beside the QR code
    code_size: float  # points
    instructions: list[Line]  # below the QR code, full width
    address: list[Line]  # the address to type, above the code


BUURT_SIZE = 8.0
ADDRESS_SIZE = 8.0
BUURT_GAP = 0.6  # between the venue and the buurt label


def _prepare_ticket_texts(typesetter: Typesetter, header: SheetHeader, with_buurt: bool) -> _TicketTexts:
    # Size the code so that the widest possible code fits: every code then looks alike.
    widest = max(ALPHABET, key=lambda symbol: typesetter.width(symbol, 10, bold=True))
    widest_code = format_code(widest * TICKET_CODE_LENGTH)
    code_size = min(18.0, 10 * SIDE_WIDTH / typesetter.width(widest_code, 10, bold=True))

    # Title, date and venue share the height beside the QR code with the buurt label
    # and the code; long texts get fewer lines, then smaller type, then an ellipsis.
    room = QR_SIZE - line_height(code_size) - 0.5
    if with_buurt:
        room -= line_height(BUURT_SIZE) + BUURT_GAP
    address = (
        typesetter.fit(header.address, SIDE_WIDTH, size=ADDRESS_SIZE, min_size=6, max_lines=2) if header.address else []
    )
    room -= sum(line.height for line in address)
    for title_lines, venue_lines in ((2, 2), (2, 1), (1, 1)):
        title = typesetter.fit(header.title, SIDE_WIDTH, size=9.5, min_size=7, max_lines=title_lines, bold=True)
        when = typesetter.fit(header.when, SIDE_WIDTH, size=8, min_size=6.5)
        venue = typesetter.fit(header.venue, SIDE_WIDTH, size=8, min_size=6.5, max_lines=venue_lines)
        # Date and venue in one size, the smaller of the two, so they read as one block.
        size = min(line.size for line in when + venue) if when + venue else 8
        when = typesetter.fit(header.when, SIDE_WIDTH, size=size, min_size=size)
        venue = typesetter.fit(header.venue, SIDE_WIDTH, size=size, min_size=size, max_lines=venue_lines)
        side = title + when + venue
        if sum(line.height for line in side) <= room:
            break
    return _TicketTexts(side, code_size, _fit_instructions(typesetter, header.instructions), address)


INSTRUCTION_SIZES = [7.5 - 0.25 * step for step in range(11)]  # 7.5 pt down to 5 pt


def _fit_instructions(typesetter: Typesetter, instructions: Sequence[tuple[str, str]]) -> list[Line]:
    """Lay out the instruction lines at the largest common size that fits the band.

    Each language may wrap onto up to three lines; if that does not fit even at the
    smallest size, each language gets one line, shortened with an ellipsis.
    """
    for max_lines in (3, 1):
        for size in INSTRUCTION_SIZES:
            lines = [
                line
                for language, text in instructions
                for line in typesetter.fit(
                    text,
                    INSTRUCTIONS_WIDTH,
                    size=size,
                    min_size=size,
                    max_lines=max_lines,
                    language=language,
                )
            ]
            if sum(line.height for line in lines) <= INSTRUCTIONS_HEIGHT:
                return lines
    raise ValueError(f"{len(instructions)} instruction lines do not fit on a ticket")


def render_ticket_sheet(tickets: Sequence[TicketPrint], header: SheetHeader) -> bytes:
    """Render tickets as A4 tear-off sheets, 10 per page (2 × 5), and return the PDF.

    Each ticket shows its QR code (the ticket URL), its code grouped as K7F-93Q-P2M,
    the optional buurt, the council title, date and venue, and the instruction text
    of each language (right-to-left languages right-aligned and shaped). Long texts
    wrap, shrink and as a last resort end in an ellipsis; they never overlap the QR.
    Raises ValueError for no tickets, a malformed code, a missing URL, or more
    instruction languages than fit on a ticket (about eight).
    """
    tickets = list(tickets)
    if not tickets:
        raise ValueError("no tickets to print")
    if not all(ticket.url for ticket in tickets):
        raise ValueError("every ticket needs a URL for its QR code")
    pdf = new_pdf(header.title)
    typesetter = Typesetter(pdf)
    texts = _prepare_ticket_texts(typesetter, header, with_buurt=any(ticket.buurt for ticket in tickets))
    buurt_lines: dict[str, list[Line]] = {}

    for index, ticket in enumerate(tickets):
        slot = index % TICKETS_PER_PAGE
        if slot == 0:
            pdf.add_page()
            _draw_cut_lines(pdf)
        x = PAGE_MARGIN + (slot % COLUMNS) * CELL_WIDTH
        y = PAGE_MARGIN + (slot // COLUMNS) * CELL_HEIGHT
        buurt = ticket.buurt or ""
        if buurt not in buurt_lines:
            buurt_lines[buurt] = typesetter.fit(buurt, SIDE_WIDTH, size=BUURT_SIZE, min_size=6.5, bold=True)
        _draw_ticket(pdf, typesetter, texts, buurt_lines[buurt], ticket, x, y)
    return bytes(pdf.output())


def _draw_ticket(
    pdf: FPDF,
    typesetter: Typesetter,
    texts: _TicketTexts,
    buurt: list[Line],
    ticket: TicketPrint,
    x: float,
    y: float,
) -> None:
    qr_x, qr_y = x + CELL_PADDING, y + CELL_PADDING
    draw_qr(pdf, qr_modules(ticket.url), qr_x, qr_y, QR_SIZE)

    side_x = qr_x + QR_SIZE + QR_TEXT_GAP
    line_y = qr_y - 0.5  # the first line's cap height lines up with the QR's top edge
    for line in texts.side:
        typesetter.draw(line, side_x, line_y, SIDE_WIDTH)
        line_y += line.height
    for line in buurt:
        typesetter.draw(line, side_x, line_y + BUURT_GAP, SIDE_WIDTH)
    # The code sits on the QR's bottom edge, where a reader's eye goes after the QR.
    code = Line(format_code(ticket.code), texts.code_size, width=0.0, bold=True)
    code_y = qr_y + QR_SIZE - code.height + 0.8
    address_y = code_y - sum(line.height for line in texts.address)
    for line in texts.address:  # left-aligned like the code: it is typed in this order
        typesetter.draw(line, side_x, address_y, SIDE_WIDTH, align="L")
        address_y += line.height
    typesetter.draw(code, side_x, code_y, SIDE_WIDTH, align="L")

    line_y = qr_y + QR_SIZE + QR_TEXT_GAP
    for line in texts.instructions:
        typesetter.draw(line, qr_x, line_y, INSTRUCTIONS_WIDTH)
        line_y += line.height


def _draw_cut_lines(pdf: FPDF) -> None:
    pdf.set_draw_color(150)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    right, bottom = PAGE_WIDTH - PAGE_MARGIN, PAGE_HEIGHT - PAGE_MARGIN
    for column in range(COLUMNS + 1):
        x = PAGE_MARGIN + column * CELL_WIDTH
        pdf.line(x, PAGE_MARGIN, x, bottom)
    for row in range(ROWS + 1):
        y = PAGE_MARGIN + row * CELL_HEIGHT
        pdf.line(PAGE_MARGIN, y, right, y)
    pdf.set_dash_pattern()
    pdf.set_draw_color(0)


# --- poster -----------------------------------------------------------------------------

POSTER_MARGIN = 18.0
POSTER_QR_MAX = 130.0
POSTER_QR_MIN = 70.0
POSTER_TEXT_MAX = 16.0
POSTER_TEXT_MIN = 8.0
LANGUAGE_GAP = 2.5


def render_poster(url: str, title: str, lines: Sequence[tuple[str, str]]) -> bytes:
    """Render a one-page A4 poster: title, a big QR code of ``url``, the URL and text lines.

    ``lines`` are (language code, text) pairs, e.g. the invitation in each council
    language. The text shrinks (down to 8 pt) to keep everything on one page; more
    text than that raises ValueError.
    """
    pdf = new_pdf(title)
    typesetter = Typesetter(pdf)
    pdf.add_page()
    width = PAGE_WIDTH - 2 * POSTER_MARGIN
    usable = PAGE_HEIGHT - 2 * POSTER_MARGIN

    title_lines = typesetter.fit(title, width, size=30, min_size=18, max_lines=3, bold=True)
    url_lines = typesetter.fit(url, width, size=12, min_size=8, max_lines=2)
    rows = qr_modules(url)
    # The QR code plus its quiet zone (4 modules) above and below.
    qr_share = 1 + 8 / len(rows)
    fixed = sum(line.height for line in title_lines + url_lines) + 6.0
    text_size = POSTER_TEXT_MAX
    while True:
        text_lines = [
            typesetter.fit(text, width, size=text_size, min_size=text_size, max_lines=8, language=language)
            for language, text in lines
        ]
        text_height = sum(line.height for group in text_lines for line in group)
        text_height += LANGUAGE_GAP * max(0, len(text_lines) - 1)
        room = usable - fixed - text_height
        if room >= POSTER_QR_MIN * qr_share:
            break
        if text_size <= POSTER_TEXT_MIN:
            raise ValueError("the poster text does not fit on one page; shorten it")
        text_size -= 0.5
    qr_size = max(POSTER_QR_MIN, min(POSTER_QR_MAX, room / qr_share))
    quiet_zone = 4 * qr_size / len(rows)

    y = POSTER_MARGIN + max(0.0, room - qr_size * qr_share) / 2  # centre the block
    for line in title_lines:
        typesetter.draw(line, POSTER_MARGIN, y, width, align="C")
        y += line.height
    y += quiet_zone
    draw_qr(pdf, rows, (PAGE_WIDTH - qr_size) / 2, y, qr_size)
    y += qr_size + quiet_zone
    for line in url_lines:
        typesetter.draw(line, POSTER_MARGIN, y, width, align="C")
        y += line.height
    y += 6.0
    for group in text_lines:
        for line in group:
            typesetter.draw(line, POSTER_MARGIN, y, width, align="C")
            y += line.height
        y += LANGUAGE_GAP
    return bytes(pdf.output())
