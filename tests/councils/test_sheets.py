"""Ticket sheets and posters, checked the way a printer and a phone would see them:
rasterise each page with pdftoppm, decode the QR codes, extract the text with pdftotext."""

import io
import math
import re
import shutil
import subprocess
import unicodedata
import zlib
from pathlib import Path

import pytest
import qrcode
import zxingcpp
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFilter
from qrcode.constants import ERROR_CORRECT_M

from app.councils import qr, sheets
from app.councils.codes import format_code, new_ticket_code
from app.councils.sheets import SheetHeader, TicketPrint, render_poster, render_ticket_sheet

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")),
    reason="needs poppler-utils (pdftoppm, pdftotext)",
)

ARABIC = "امسح الرمز بهاتفك لتسجيل الدخول."
TURKISH = "Giriş yapmak için kodu telefonunuzla tarayın: İğde, ılık, şişe."
POLISH = "Zeskanuj kod telefonem, aby się zalogować: łąka, żółw, źdźbło, ćma, ńę."
INSTRUCTIONS = [
    ("nl", "Scan de code met je telefoon om je aan te melden."),
    ("tr", TURKISH),
    ("ar", ARABIC),
    ("pl", POLISH),
]
HEADER = SheetHeader(
    title="Bewonersberaad Osdorp",
    when="donderdag 12 juni 2025, 19:30",
    venue="Buurthuis De Tagerijn",
    instructions=INSTRUCTIONS,
)
BASE_URL = "https://wijkstem.example.nl/t/"


def make_tickets(count, buurt=None):
    codes = {new_ticket_code() for _ in range(count)}
    while len(codes) < count:
        codes.add(new_ticket_code())
    return [TicketPrint(code=code, url=BASE_URL + code, buurt=buurt) for code in sorted(codes)]


def page_images(pdf: bytes, folder: Path, dpi: int = 150) -> list[Path]:
    source = folder / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(source), str(folder / "page")],
        check=True,
        capture_output=True,
    )
    return sorted(folder.glob("page-*.png"))


def decode(png: Path) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(png))]


def pdf_text(pdf: bytes, folder: Path, *extra: str) -> str:
    source = folder / "text.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", *extra, "-enc", "UTF-8", str(source), "-"],
        check=True,
        capture_output=True,
    )
    return result.stdout.decode("utf-8")


def plain(text: str) -> str:
    """Fold Arabic presentation forms to letters and drop bidi control marks."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(char for char in folded if unicodedata.category(char) != "Cf")


def embedded_glyph_names(pdf: bytes) -> set[str]:
    """Glyph names of all TrueType subsets embedded in the PDF."""
    names = set()
    for object_number in re.findall(rb"/FontFile2 (\d+) 0 R", pdf):
        object_start = rb"\n" + object_number + rb" 0 obj\s*<<(.*?)>>\s*stream\r?\n"
        header = re.search(object_start, pdf, re.S)
        length = int(re.search(rb"/Length (\d+)", header.group(1)).group(1))
        data = pdf[header.end() : header.end() + length]
        if b"/FlateDecode" in header.group(1):
            data = zlib.decompress(data)
        names.update(TTFont(io.BytesIO(data)).getGlyphOrder())
    return names


# --- ticket sheets ------------------------------------------------------------------


@pytest.fixture(scope="module")
def sheet():
    """23 tickets: two full pages and a partial third page."""
    tickets = make_tickets(23, buurt="Wildeman")
    return tickets, render_ticket_sheet(tickets, HEADER)


@pytest.fixture(scope="module")
def sheet_pages(sheet, tmp_path_factory):
    """The sheet's pages as 150 dpi PNG files, as a printer would see them."""
    return page_images(sheet[1], tmp_path_factory.mktemp("sheet"))


def test_sheet_has_one_page_per_ten_tickets(sheet, sheet_pages):
    tickets, pdf = sheet
    assert pdf.startswith(b"%PDF-")
    assert len(sheet_pages) == math.ceil(len(tickets) / sheets.TICKETS_PER_PAGE) == 3


def test_every_ticket_qr_decodes_to_its_url(sheet, sheet_pages):
    tickets, _ = sheet
    decoded_per_page = [decode(png) for png in sheet_pages]
    assert [len(page) for page in decoded_per_page] == [10, 10, 3]
    decoded = [url for page in decoded_per_page for url in page]
    assert sorted(decoded) == sorted(ticket.url for ticket in tickets)


def cut_out_tickets(png: Path, folder: Path, dpi: int = 150) -> list[Path]:
    """Cut a page along the cut lines; one PNG per ticket, in slot order."""
    page = Image.open(png)
    pixels_per_mm = dpi / 25.4
    tickets = []
    for slot in range(sheets.TICKETS_PER_PAGE):
        left = sheets.PAGE_MARGIN + (slot % sheets.COLUMNS) * sheets.CELL_WIDTH
        top = sheets.PAGE_MARGIN + (slot // sheets.COLUMNS) * sheets.CELL_HEIGHT
        box = (left, top, left + sheets.CELL_WIDTH, top + sheets.CELL_HEIGHT)
        path = folder / f"ticket-{slot}.png"
        page.crop(tuple(round(mm * pixels_per_mm) for mm in box)).save(path)
        tickets.append(path)
    return tickets


def test_tickets_are_in_order_and_each_carries_its_own_code(sheet, sheet_pages, tmp_path):
    tickets, _ = sheet
    cut_out = cut_out_tickets(sheet_pages[0], tmp_path)
    assert [decode(png) for png in cut_out] == [[ticket.url] for ticket in tickets[:10]]


def test_each_torn_off_ticket_reads_as_a_phone_sees_it(sheet, tmp_path):
    # A phone sees one ticket at a time, at a slant and in poor light: each ticket of
    # the last page (three tickets, the rest of the page blank) is printed at 100 dpi,
    # greyed, turned by 7 degrees on a grey table and blurred a little; zxing-cpp
    # (a test dependency, so this never skips) still reads every one, in slot order.
    tickets, pdf = sheet
    last_page = page_images(pdf, tmp_path, dpi=100)[-1]
    slots = cut_out_tickets(last_page, tmp_path, dpi=100)
    read = []
    for slot in slots:
        ticket = Image.open(slot).convert("L").point(lambda v: 40 + v * 0.7)
        photo = ticket.rotate(7, expand=True, fillcolor=120, resample=Image.Resampling.BILINEAR)
        photo = photo.filter(ImageFilter.GaussianBlur(0.6))
        read.append([barcode.text for barcode in zxingcpp.read_barcodes(photo)])
    expected = [[ticket.url] for ticket in tickets[20:]] + [[]] * (sheets.TICKETS_PER_PAGE - 3)
    assert read == expected


def test_sheet_text_has_codes_and_all_languages(sheet, tmp_path):
    tickets, pdf = sheet
    text = pdf_text(pdf, tmp_path)
    for ticket in tickets:
        assert format_code(ticket.code) in text
    assert text.count("Bewonersberaad Osdorp") == len(tickets)
    assert text.count("Wildeman") == len(tickets)
    # Turkish and Polish letters come out as the same characters, not look-alikes.
    for word in ["Giriş", "için", "tarayın", "İğde", "ılık", "şişe"]:
        assert text.count(word) == len(tickets), word
    for word in ["się", "zalogować", "łąka", "żółw", "źdźbło", "ćma", "ńę"]:
        assert text.count(word) == len(tickets), word
    # Arabic: right-to-left layout read back in logical order, whatever form poppler
    # chooses for the joined letters.
    assert plain(text).count(plain(ARABIC).rstrip(".")) == len(tickets)


def test_arabic_is_shaped(sheet):
    # Shaping replaces letters by their joining forms (initial, medial, final), which
    # DejaVu Sans keeps in the Arabic Presentation Forms-B range.
    _, pdf = sheet
    joining_forms = {name for name in embedded_glyph_names(pdf) if re.fullmatch(r"uniFE[7-9A-F][0-9A-F]", name)}
    assert len(joining_forms) >= 5


def test_rtl_instruction_is_right_aligned(tmp_path):
    tickets = make_tickets(1)
    pdf = render_ticket_sheet(tickets, HEADER)
    boxes = word_boxes(pdf_text(pdf, tmp_path, "-bbox"))
    right_edge = sheets.PAGE_MARGIN + sheets.CELL_WIDTH - sheets.CELL_PADDING
    arabic = [box for box in boxes if any("\u0600" <= c <= "\u06ff" for c in plain(box[4]))]
    dutch = [box for box in boxes if box[4] == "Scan"]
    assert arabic and dutch
    assert max(box[2] for box in arabic) == pytest.approx(right_edge, abs=1.5)
    assert dutch[0][0] == pytest.approx(sheets.PAGE_MARGIN + sheets.CELL_PADDING, abs=1.0)


def word_boxes(bbox_html: str) -> list[tuple[float, float, float, float, str]]:
    """(x0, y0, x1, y1 in mm from the top left, word) from pdftotext -bbox output."""
    mm = 25.4 / 72
    boxes = []
    for match in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
        bbox_html,
    ):
        x0, y0, x1, y1 = (float(value) * mm for value in match.groups()[:4])
        boxes.append((x0, y0, x1, y1, match.group(5)))
    return boxes


def test_long_texts_stay_inside_their_ticket_and_off_the_qr(tmp_path):
    header = SheetHeader(
        title="Bewonersberaad Geuzenveld-Slotermeer en De Aker, Nieuw-Sloten: tweede avond",
        when="donderdag 12 juni 2025, 19:30 tot 22:00 uur, inloop met koffie vanaf 19:00",
        venue="Buurthuis De Tagerijn, Pieter Calandlaan 2, 1065 KH Amsterdam (achteringang)",
        instructions=[
            (
                "nl",
                "Scan de code met je telefoon om je aan te melden. Lukt dat niet? "
                "Ga naar wijkstem.nl en typ de code die hiernaast staat.",
            ),
            (
                "en",
                "Scan the code with your phone to sign in. Does that not work? "
                "Go to wijkstem.nl and type the code shown next to it.",
            ),
            ("tr", TURKISH),
            ("ar", ARABIC + " إذا لم ينجح ذلك، اذهب إلى wijkstem.nl واكتب الرمز."),
            ("pl", POLISH),
        ],
    )
    tickets = make_tickets(12, buurt="Ruys de Beerenbroukbuurt")
    pdf = render_ticket_sheet(tickets, header)

    decoded = [url for png in page_images(pdf, tmp_path) for url in decode(png)]
    assert sorted(decoded) == sorted(ticket.url for ticket in tickets)

    boxes = word_boxes(pdf_text(pdf, tmp_path, "-bbox"))
    assert len(boxes) > 12 * 40
    for x0, y0, x1, y1, word in boxes:
        column = int((x0 - sheets.PAGE_MARGIN) // sheets.CELL_WIDTH)
        row = int((y0 - sheets.PAGE_MARGIN) // sheets.CELL_HEIGHT)
        left = sheets.PAGE_MARGIN + column * sheets.CELL_WIDTH
        top = sheets.PAGE_MARGIN + row * sheets.CELL_HEIGHT
        # Inside the ticket, clear of the cut lines ...
        assert left + 2 < x0 and x1 < left + sheets.CELL_WIDTH - 2, word
        assert top + 1 < y0 and y1 < top + sheets.CELL_HEIGHT - 1, word
        # ... and clear of the QR code with most of its quiet zone (font boxes are taller
        # than the letters, so allow a little).
        qr_left, qr_top = left + sheets.CELL_PADDING, top + sheets.CELL_PADDING
        margin = 2.5
        overlaps_qr = (
            x0 < qr_left + sheets.QR_SIZE + margin
            and x1 > qr_left - margin
            and y0 < qr_top + sheets.QR_SIZE + margin
            and y1 > qr_top - margin
        )
        assert not overlaps_qr, word
    text = pdf_text(pdf, tmp_path)
    assert "…" in text  # the long date line was shortened rather than overflowing


def test_tickets_without_buurt_date_venue_or_instructions(tmp_path):
    # A budget round's voter codes have no council evening: no date and no venue.
    tickets = make_tickets(3)
    pdf = render_ticket_sheet(tickets, SheetHeader(title="Begroting Osdorp 2026", when="", venue=""))
    decoded = [url for png in page_images(pdf, tmp_path) for url in decode(png)]
    assert sorted(decoded) == sorted(ticket.url for ticket in tickets)


def test_empty_or_invalid_tickets_are_refused():
    with pytest.raises(ValueError):
        render_ticket_sheet([], HEADER)
    with pytest.raises(ValueError):
        render_ticket_sheet([TicketPrint("K7F-93Q-P2U", BASE_URL + "X")], HEADER)
    with pytest.raises(ValueError):
        render_ticket_sheet([TicketPrint("K7F93QP2M", "")], HEADER)


def test_more_languages_than_fit_on_a_ticket_are_refused():
    crowded = SheetHeader("Beraad", "1 juli", "Osdorp", INSTRUCTIONS * 3)
    with pytest.raises(ValueError):
        render_ticket_sheet(make_tickets(1), crowded)


# --- QR geometry --------------------------------------------------------------------


def test_qr_symbol_shape():
    rows = qr.qr_modules(BASE_URL + "K7F93QP2M")
    assert len(rows) == 29  # version 3 at level M holds a 40-byte URL
    assert all(len(row) == 29 and set(row) <= {"0", "1"} for row in rows)
    for finder in (rows[0][:7], rows[0][-7:], rows[-1][:7], rows[6][:7]):
        assert finder == "1111111"


def qrcode_symbol(data, mask):
    """The symbol exactly as the qrcode library makes it with a fixed mask pattern."""
    symbol = qrcode.QRCode(error_correction=ERROR_CORRECT_M, mask_pattern=mask, border=0)
    symbol.add_data(data)
    symbol.make(fit=True)
    return tuple("".join("1" if dark else "0" for dark in row) for row in symbol.get_matrix())


@pytest.mark.parametrize("length", [1, 20, 41, 90, 150, 230, 400])  # versions 1 to 12
def test_chosen_symbol_is_qrcodes_symbol_with_the_lowest_penalty_mask(length):
    data = (BASE_URL + "K7F93QP2M" * 50)[:length]
    by_mask = [qrcode_symbol(data, mask) for mask in range(8)]
    penalties = [qr.mask_penalty(rows) for rows in by_mask]
    # Exactly qrcode's own symbol for the best mask: deriving masks 1-7 from mask 0
    # got every data module and format bit right, and the lowest penalty won.
    assert qr.qr_modules(data) == by_mask[penalties.index(min(penalties))]


def reference_penalty(rows):
    """ISO/IEC 18004 mask penalty written out plainly, one module at a time."""
    size = len(rows)
    lines = list(rows) + ["".join(column) for column in zip(*rows)]
    score = 0
    for line in lines:  # N1
        start = 0
        while start < size:
            end = start
            while end < size and line[end] == line[start]:
                end += 1
            if end - start >= 5:
                score += 3 + (end - start - 5)
            start = end
    for r in range(size - 1):  # N2
        for c in range(size - 1):
            if rows[r][c] == rows[r][c + 1] == rows[r + 1][c] == rows[r + 1][c + 1]:
                score += 3
    for line in lines:  # N3, the quiet zone being light
        padded = "0000" + line + "0000"
        for start in range(len(padded) - 10):
            if padded[start : start + 11] in ("10111010000", "00001011101"):
                score += 40
    dark_percent = 100 * sum(row.count("1") for row in rows) / size**2  # N4
    return score + 10 * int(abs(dark_percent - 50) // 5)


@settings(database=None, max_examples=300)
@given(
    st.integers(min_value=11, max_value=45).flatmap(
        lambda size: st.lists(st.text(alphabet="01", min_size=size, max_size=size), min_size=size, max_size=size)
    )
)
def test_mask_penalty_matches_the_plain_reference(rows):
    assert qr.mask_penalty(rows) == reference_penalty(rows)


def test_mask_penalty_on_known_patterns():
    light = ["0" * 21] * 21
    # 21 + 21 runs of 21 (19 each), 400 blocks (3 each), no dark: 50 % off -> 100.
    assert qr.mask_penalty(light) == 42 * 19 + 400 * 3 + 100
    finder_row = "10111010000" + "0" * 10
    assert qr.mask_penalty([finder_row] + light[1:]) == reference_penalty([finder_row] + light[1:])


@settings(database=None, max_examples=200)
@given(
    st.integers(min_value=1, max_value=25).flatmap(
        lambda size: st.lists(st.text(alphabet="01", min_size=size, max_size=size), min_size=size, max_size=size)
    )
)
def test_dark_rectangles_cover_exactly_the_dark_modules(rows):
    covered = set()
    for column, row, width, height in qr.dark_rectangles(rows):
        assert width > 0 and height > 0
        cells = {(r, c) for r in range(row, row + height) for c in range(column, column + width)}
        assert not cells & covered  # no module is painted twice
        covered |= cells
    dark = {(r, c) for r, line in enumerate(rows) for c, bit in enumerate(line) if bit == "1"}
    assert covered == dark


def test_rectangles_are_fewer_than_dark_runs():
    rows = qr.qr_modules(BASE_URL + "K7F93QP2M")
    runs = sum(len(re.findall("1+", row)) for row in rows)
    assert len(qr.dark_rectangles(rows)) < runs


# --- poster -------------------------------------------------------------------------


def test_poster_is_one_page_with_one_qr(tmp_path):
    url = "https://wijkstem.example.nl/raden/12"
    pdf = render_poster(url, "Bewonersberaad Osdorp", INSTRUCTIONS)
    pages = page_images(pdf, tmp_path, dpi=72)
    assert len(pages) == 1
    assert decode(pages[0]) == [url]
    text = pdf_text(pdf, tmp_path)
    assert "Bewonersberaad Osdorp" in text
    assert "İğde" in text and "żółw" in text
    assert plain(ARABIC).rstrip(".") in plain(text)


def test_poster_with_many_long_lines_stays_on_one_page(tmp_path):
    url = "https://wijkstem.example.nl/raden/12"
    lines = [(language, text * 3) for language, text in INSTRUCTIONS] * 2
    pdf = render_poster(url, "Bewonersberaad " * 6, lines)
    pages = page_images(pdf, tmp_path, dpi=72)
    assert len(pages) == 1
    assert decode(pages[0]) == [url]
    boxes = word_boxes(pdf_text(pdf, tmp_path, "-bbox"))
    assert all(0 < y0 and y1 < sheets.PAGE_HEIGHT for _, y0, _, y1, _ in boxes)
    text = " ".join(plain(pdf_text(pdf, tmp_path)).split())
    assert plain(POLISH * 3).strip() in text  # nothing was cut off


def test_poster_refuses_text_that_cannot_fit():
    lines = [(language, text * 6) for language, text in INSTRUCTIONS] * 4
    with pytest.raises(ValueError):
        render_poster("https://wijkstem.example.nl/raden/12", "Beraad", lines)
