"""The results report as a PDF (fpdf2 with a shipped font; Arabic shaped right-to-left)."""
from __future__ import annotations

from pathlib import Path

from flask_babel import get_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from app.formatting import money
from app.reach.templating import count_text
from app.voting.explain import why

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
GREEN, GREY = (0, 97, 74), (200, 203, 196)


def _pdf(rtl: bool) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else "ltr")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    return pdf


def render_report(round_, parts, turnout, rule_text: str) -> bytes:
    rtl = str(get_locale()) == "ar"
    align = "R" if rtl else "L"
    pdf = _pdf(rtl)
    total, by_channel = turnout.published()
    pdf.set_title(round_.name)
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(0, 9, round_.name, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    lines = [
        _("Budget: %(budget)s", budget=money(round_.budget_cents)),
        _("Ballots: %(count)s (phone: %(phone)s, paper: %(paper)s)", count=count_text(total),
          phone=count_text(by_channel["phone"]), paper=count_text(by_channel["paper"])),
    ]
    for line in lines:
        pdf.multi_cell(0, 6, line, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    titles = {str(p.option.id): p.option.proposal.title for part in parts for p in part.projects}
    for part in parts:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 13)
        heading = part.sub_budget.neighbourhood.name if part.sub_budget else _("Results")
        pdf.multi_cell(0, 8, heading, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        _bar(pdf, part)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, _("Spent: %(spent)s of %(budget)s", spent=money(part.spent_cents), budget=money(part.budget_cents)),
                       align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        with pdf.table(col_widths=(50, 22, 16, 18, 74), text_align=align, line_height=5) as table:
            table.row([_("Plan"), _("Cost"), _("Support"), _("Funded"), _("Why")])
            for p in part.projects:
                table.row([p.option.proposal.title, money(p.option.cost_cents), str(p.support),
                           _("Yes") if p.funded else _("No"), why(p, titles)])
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 7, _("How the votes were counted"), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, rule_text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _bar(pdf: FPDF, part) -> None:
    """The budget as a bar: one block per funded plan, grey for what is left."""
    x, y, width, height = pdf.l_margin, pdf.get_y() + 1, pdf.epw, 8
    budget = max(part.budget_cents, 1)
    for index, p in enumerate(part.funded):
        w = width * p.option.cost_cents / budget
        pdf.set_fill_color(*(GREEN if index % 2 == 0 else (47, 138, 108)))
        pdf.rect(x, y, w, height, style="F")
        x += w
    pdf.set_fill_color(*GREY)
    pdf.rect(x, y, max(pdf.l_margin + width - x, 0), height, style="F")
    pdf.set_y(y + height + 2)
