"""The staff export of plans: euros (numeric XLSX cells with a euro format, a decimal comma in
the CSV), headers and domains in the reader's language."""

import csv
import io

from openpyxl import load_workbook

from app.proposals.lifecycle import Status
from app.proposals.models import CostLine
from app.roles import Role


def test_plans_export_in_euros(client, login_as, make_proposal, db):
    proposal = make_proposal(Status.approved, title="Buurtmoestuin", cost=1_500_00)
    proposal.cost_lines.append(CostLine(position=1, description="Zaden", amount_cents=299_50))
    db.session.commit()  # total €1,799.50 (the 179950 cents)
    login_as(Role.board)
    client.set_cookie("lang", "nl")
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/staff/proposals/export.csv").get_data().decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[0]["Totale kosten (€)"] == "1799,50" and rows[0]["Thema"] == "Kansen voor jongeren"
    assert "total_cents" not in rows[0]

    client.set_cookie("lang", "en")
    book = load_workbook(io.BytesIO(client.get("/staff/proposals/export.xlsx").get_data()))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    total = sheet.cell(row=2, column=header.index("Total cost (€)") + 1)
    assert total.data_type == "n" and total.value == 1799.5 and "€" in total.number_format
    assert sheet.cell(row=2, column=header.index("Domain") + 1).value == "Opportunities for young people"
