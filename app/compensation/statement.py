"""The yearly statement of a volunteer's allowances as an A4 PDF.

Pure rendering with fpdf2: callers pass already translated and formatted strings and get PDF
bytes back. No Flask, no database. DejaVu Sans ships with the app and has Latin, Turkish,
Polish and Arabic glyphs; the harfbuzz shaper joins Arabic names and puts them right to left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from fpdf import FPDF
from fpdf.fonts import FontFace

from app.fonts import FONT_BOLD, FONT_REGULAR

_FAMILY = "dejavu"


@dataclass(frozen=True)
class Statement:
    title: str
    facts: Sequence[tuple[str, str]]  # (label, value) lines under the title
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    total: Sequence[str]
    notes: Sequence[str] = field(default_factory=tuple)
    footer: str = ""
    #: Column widths in mm (of 174): wide enough that no heading breaks inside a word.
    widths: Sequence[float] | None = None


def render_statement(statement: Statement) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(statement.title)
    pdf.set_creator("Wijkstem")
    pdf.add_font(_FAMILY, "", str(FONT_REGULAR))
    pdf.add_font(_FAMILY, "B", str(FONT_BOLD))
    pdf.set_text_shaping(True)
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()

    pdf.set_font(_FAMILY, "B", 16)
    pdf.multi_cell(0, 8, statement.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(_FAMILY, "", 10)
    for label, value in statement.facts:
        pdf.set_font(_FAMILY, "B", 10)
        pdf.cell(55, 6, label)
        pdf.set_font(_FAMILY, "", 10)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_font(_FAMILY, "", 9)
    numeric = tuple("RIGHT" if index else "LEFT" for index in range(len(statement.columns)))
    with pdf.table(
        text_align=numeric,
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 233, 228)),
        line_height=6,
        padding=1.5,
        col_widths=tuple(statement.widths) if statement.widths else None,
    ) as table:
        table.row(list(statement.columns))
        for values in statement.rows:
            table.row(list(values))
        total = table.row()
        for value in statement.total:
            total.cell(value, style=FontFace(emphasis="BOLD"))
    pdf.ln(4)

    pdf.set_font(_FAMILY, "", 9)
    for note in statement.notes:
        pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    if statement.footer:
        pdf.ln(3)
        pdf.set_text_color(90, 90, 90)
        pdf.multi_cell(0, 5, statement.footer, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
