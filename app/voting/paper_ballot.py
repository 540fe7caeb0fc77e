"""The printable paper ballot (A4 PDF): one version per language of the evening, the plans
in the phone ballot's order and wording, a box for the ticket code, and for each plan a box
to tick, or to write points or a rank in. Plain values in, PDF bytes out (no Flask here);
Arabic is shaped and right-aligned (fpdf2 with uharfbuzz)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FAMILY = "dejavu"
MARGIN = 18.0
WIDTH = 210.0 - 2 * MARGIN
BOX = 9.0  # the box to tick or write in, in mm


@dataclass(frozen=True)
class PaperPlan:
    title: str
    cost: str  # formatted in the page's language
    summary: str = ""


@dataclass(frozen=True)
class PaperVersion:
    """The ballot in one language; every string already translated."""

    language: str
    rtl: bool
    title: str
    instruction: str
    code_label: str  # "Ticket code"
    mark_label: str  # "Tick" / "Points" / "Rank": the heading of the boxes
    footer: str
    plans: list[PaperPlan] = field(default_factory=list)


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def render_paper_ballot(versions: list[PaperVersion]) -> bytes:
    if not versions:
        raise ValueError("no language to print")
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_text_shaping(True)  # joins Arabic letters and orders mixed text (Unicode bidi)
    pdf.set_title(_clean(versions[0].title))
    pdf.set_creator("Wijkstem")
    for version in versions:
        _page(pdf, version)
    return bytes(pdf.output())


def _page(pdf: FPDF, v: PaperVersion) -> None:
    align = "R" if v.rtl else "L"
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 18)
    pdf.multi_cell(WIDTH, 9, _clean(v.title), align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FAMILY, "", 12)
    pdf.multi_cell(WIDTH, 6.5, _clean(v.instruction), align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    # The ticket code box: the desk types this code when it enters the ballot.
    pdf.set_font(FAMILY, "B", 12)
    label_w = min(WIDTH - 80, pdf.get_string_width(_clean(v.code_label)) + 4)
    y = pdf.get_y()
    box_x = MARGIN if v.rtl else MARGIN + label_w
    label_x = MARGIN + 80 if v.rtl else MARGIN
    pdf.set_xy(label_x, y)
    pdf.cell(label_w, 12, _clean(v.code_label), align=align)
    pdf.rect(box_x, y, 80, 12)
    pdf.set_y(y + 18)
    pdf.set_font(FAMILY, "B", 10)
    pdf.cell(WIDTH, 6, _clean(v.mark_label), align="L" if v.rtl else "R", new_x="LMARGIN", new_y="NEXT")
    for plan in v.plans:
        _plan(pdf, v, plan)
    pdf.ln(4)
    pdf.set_font(FAMILY, "", 9)
    pdf.multi_cell(WIDTH, 5, _clean(v.footer), align=align, new_x="LMARGIN", new_y="NEXT")


def _plan(pdf: FPDF, v: PaperVersion, plan: PaperPlan) -> None:
    text_w = WIDTH - BOX - 6
    if pdf.get_y() + 22 > pdf.h - MARGIN:
        pdf.add_page()
    y = pdf.get_y() + 2
    text_x = MARGIN + BOX + 6 if v.rtl else MARGIN
    box_x = MARGIN if v.rtl else MARGIN + WIDTH - BOX
    align = "R" if v.rtl else "L"
    pdf.rect(box_x, y, BOX, BOX)
    pdf.set_xy(text_x, y)
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(text_w, 6, _clean(f"{plan.title} · {plan.cost}"), align=align, new_x="LEFT", new_y="NEXT")
    if plan.summary:
        pdf.set_font(FAMILY, "", 9.5)
        pdf.multi_cell(text_w, 4.8, _clean(plan.summary), align=align, new_x="LEFT", new_y="NEXT")
    bottom = max(pdf.get_y(), y + BOX) + 2
    pdf.set_draw_color(180)
    pdf.line(MARGIN, bottom, MARGIN + WIDTH, bottom)
    pdf.set_draw_color(0)
    pdf.set_xy(MARGIN, bottom)
