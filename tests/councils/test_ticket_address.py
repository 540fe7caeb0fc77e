"""Tickets print the short address to type when a camera cannot scan (issue 14): beside
the QR code, just above the code, on every ticket; the QR still decodes."""

import re

from app.councils import sheets
from app.councils.codes import format_code
from app.councils.sheets import SheetHeader, render_ticket_sheet
from tests.councils.test_sheets import (
    HEADER,
    decode,
    make_tickets,
    page_images,
    pdf_text,
    pytestmark,  # noqa: F401  (skips without poppler-utils)
    word_boxes,
)


def test_every_ticket_prints_the_address_above_its_code(tmp_path):
    tickets = make_tickets(10, buurt="Wildeman")  # one page: word boxes carry no page number
    header = SheetHeader(
        title=HEADER.title,
        when=HEADER.when,
        venue=HEADER.venue,
        instructions=HEADER.instructions,
        address="wijkstem.example.nl/t",
    )
    pdf = render_ticket_sheet(tickets, header)
    assert sorted(url for png in page_images(pdf, tmp_path) for url in decode(png)) == sorted(t.url for t in tickets)
    boxes = word_boxes(pdf_text(pdf, tmp_path, "-bbox"))
    addresses = [b for b in boxes if b[4] == "wijkstem.example.nl/t"]
    assert len(addresses) == 10
    for ticket in tickets:
        [code] = [b for b in boxes if b[4] == format_code(ticket.code)]
        # the address of this ticket: the one in the same cell, right above the code
        [address] = [a for a in addresses if abs(a[0] - code[0]) < 0.5 and 0 <= code[1] - a[3] < 2.5]
        column = int((code[0] - sheets.PAGE_MARGIN) // sheets.CELL_WIDTH)
        qr_right = sheets.PAGE_MARGIN + column * sheets.CELL_WIDTH + sheets.CELL_PADDING + sheets.QR_SIZE
        assert address[0] > qr_right  # beside the QR code, not on it


def test_the_council_sheet_prints_the_public_address(app, client, login_as, council, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "http://192.168.1.20:8000")
    login_as(user=council.facilitators[0])  # the council's own facilitator prints
    response = client.post(
        f"/staff/councils/{council.id}/tickets", data={"count": "3", "neighbourhood_id": "0", "output": "pdf"}
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.get_data()
    text = pdf_text(pdf, tmp_path)
    assert text.count("192.168.1.20:8000/t") == 3
    urls = [url for png in page_images(pdf, tmp_path) for url in decode(png)]
    assert len(urls) == 3 and all(re.fullmatch(r"http://192\.168\.1\.20:8000/t/[0-9A-Z]{9,}", u) for u in urls)
    for url in urls:  # the code printed is the one the address asks for
        assert format_code(url.rsplit("/", 1)[1]) in text
