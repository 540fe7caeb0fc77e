"""The results report as a PDF for the board (fpdf2 with a shipped font; Arabic shaped
right-to-left): title, organisation, date, approver, the SHA-256 of the public ballot list per
part, the budget bar with its legend, and a plain table whose columns fit their words."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, XPos, YPos

from app.fonts import FONT_BOLD, FONT_REGULAR
from app.formatting import money
from app.reach.templating import count_text
from app.voting.explain import why

GREEN, GREEN_2, GREY = (0, 97, 74), (47, 138, 108), (200, 203, 196)
ORGANISATION = "Nationaal Programma Samen Nieuw-West"
#: Plan, cost, support, funded, why (mm of the 190 mm text width): wide enough for the longest
#: word of each column in every language ("Gefinancierd", "Finansman", "Sfinansowany").
COLUMNS = (44, 27, 20, 27, 72)


def _pdf(rtl: bool) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_REGULAR))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else "ltr")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    return pdf


def render_report(
    round_,
    parts,
    turnout,
    rule_text: str,
    *,
    hashes: list[str] | None = None,
    approver: str | None = None,
    approved_on: str | None = None,
) -> bytes:
    rtl = str(get_locale()) == "ar"
    align = "R" if rtl else "L"
    pdf = _pdf(rtl)
    total, by_channel = turnout.published()
    pdf.set_title(round_.name)
    pdf.set_author(ORGANISATION)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 6, ORGANISATION, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(0, 9, _("Results: %(round)s", round=round_.name), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    lines = [
        _("Approved by %(name)s on %(date)s", name=approver or "—", date=approved_on or "—")
        if approver or approved_on
        else _("Not approved yet"),
        _("Budget: %(budget)s", budget=money(round_.budget_cents)),
        _(
            "Ballots: %(count)s (phone: %(phone)s, paper: %(paper)s)",
            count=count_text(total),
            phone=count_text(by_channel["phone"]),
            paper=count_text(by_channel["paper"]),
        ),
    ]
    for line in lines:
        pdf.multi_cell(0, 6, line, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    titles = {str(p.option.id): p.option.proposal.title for part in parts for p in part.projects}
    for index, part in enumerate(parts):
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 13)
        heading = part.sub_budget.neighbourhood.name if part.sub_budget else _("Results")
        pdf.multi_cell(0, 8, heading, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if hashes and index < len(hashes):
            pdf.set_font("DejaVu", "", 8)
            pdf.multi_cell(
                0,
                4.5,
                _("SHA-256 of the public ballot list: %(hash)s", hash=hashes[index]),
                align=align,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        _bar(pdf, part)
        _legend(pdf, align)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(
            0,
            5,
            _("Spent: %(spent)s of %(budget)s", spent=money(part.spent_cents), budget=money(part.budget_cents)),
            align=align,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(1)
        # A plain table: bold headings, thin lines between rows, no shaded cells.
        with pdf.table(
            col_widths=COLUMNS,
            text_align=align,
            line_height=5,
            first_row_as_headings=True,
            headings_style=FontFace(emphasis="BOLD", fill_color=None),
            cell_fill_color=None,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        ) as table:
            table.row([_("Plan"), _("Cost"), _("Support"), _("Funded"), _("Why")])
            for p in part.projects:
                table.row(
                    [
                        p.option.proposal.title,
                        money(p.option.cost_cents),
                        str(p.support),
                        _("Yes") if p.funded else _("No"),
                        why(p, titles),
                    ]
                )
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 7, _("How the votes were counted"), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, rule_text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _legend(pdf: FPDF, align: str) -> None:
    """What the colours of the bar mean."""
    pdf.set_font("DejaVu", "", 8)
    y = pdf.get_y()
    entries = ((GREEN, _("funded plans, one block each")), (GREY, _("left over")))
    x = pdf.l_margin
    for colour, label in entries:
        pdf.set_fill_color(*colour)
        pdf.rect(x, y + 1, 4, 3, style="F")
        pdf.set_xy(x + 5, y)
        width = pdf.get_string_width(label) + 2
        pdf.cell(width, 5, label)
        x += width + 9
    pdf.set_xy(pdf.l_margin, y + 6)


def _bar(pdf: FPDF, part) -> None:
    """The budget as a bar: one block per funded plan, grey for what is left."""
    x, y, width, height = pdf.l_margin, pdf.get_y() + 1, pdf.epw, 8
    budget = max(part.budget_cents, 1)
    for index, p in enumerate(part.funded):
        w = width * p.option.cost_cents / budget
        pdf.set_fill_color(*(GREEN if index % 2 == 0 else GREEN_2))
        pdf.rect(x, y, w, height, style="F")
        x += w
    pdf.set_fill_color(*GREY)
    pdf.rect(x, y, max(pdf.l_margin + width - x, 0), height, style="F")
    pdf.set_y(y + height + 2)
