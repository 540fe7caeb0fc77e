"""The results spreadsheets are for people: euros (numbers with a euro format in XLSX, a decimal
comma in the CSV), column names in the reader's language. The JSON documents its fields and units."""

import csv
import io
import json

from openpyxl import load_workbook

from tests.voting.test_results import close_and_publish, counted_round  # noqa: F401 (fixture)

COSTS = (1_799_50, 2_500_25, 999_99)  # €1,799.50, €2,500.25 and €999.99: the budget funds all three


def published(client, login_as, counted_round):
    round_, ids = counted_round(costs=COSTS)
    assert close_and_publish(client, login_as, round_).status_code == 303
    return round_, ids


def test_the_xlsx_has_numeric_euro_cells(client, login_as, counted_round):
    round_, ids = published(client, login_as, counted_round)
    client.set_cookie("lang", "en")
    book = load_workbook(io.BytesIO(client.get(f"/rounds/{round_.id}/results.xlsx").get_data()))
    sheet = book["Plans"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Part", "Ballot option", "Plan number", "Title", "Cost (€)"]
    costs = {}
    for row in sheet.iter_rows(min_row=2):
        cell = row[4]
        assert cell.data_type == "n" and "€" in cell.number_format and "0.00" in cell.number_format
        costs[row[3].value] = cell.value
    assert costs == {"Plan A": 1799.5, "Plan B": 2500.25, "Plan C": 999.99}
    summary = {row[0].value: row[1] for row in book["Summary"].iter_rows()}
    assert summary["Budget (€)"].value == 60000 and "€" in summary["Budget (€)"].number_format
    assert summary["Spent (€)"].value == 5299.74  # 1799.50 + 2500.25 + 999.99
    per_part = list(book["Per buurt"].iter_rows(min_row=2, values_only=True))
    assert per_part[0][1:3] == (60000, 5299.74)


def test_the_csv_writes_euros_as_dutch_excel_reads_them_under_dutch_headers(client, login_as, counted_round):
    round_, ids = published(client, login_as, counted_round)
    client.set_cookie("lang", "nl")
    text = client.get(f"/rounds/{round_.id}/results.csv").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {r["Titel"]: r["Kosten (€)"] for r in rows} == {"Plan A": "1799,50", "Plan B": "2500,25", "Plan C": "999,99"}
    assert {r["Gefinancierd"] for r in rows} == {"ja"}


def test_the_csv_headers_follow_the_reader(client, login_as, counted_round):
    round_, _ids = published(client, login_as, counted_round)
    client.set_cookie("lang", "pl")
    header = client.get(f"/rounds/{round_.id}/results.csv").get_data().decode("utf-8-sig").splitlines()[0]
    assert "Koszt (€)" in header and "cost_cents" not in header


def test_the_json_keeps_cents_and_says_so(client, login_as, counted_round):
    round_, ids = published(client, login_as, counted_round)
    data = json.loads(client.get(f"/rounds/{round_.id}/results.json").get_data())
    assert "cents" in data["fields"]["units"]["money"]
    assert {p["title"]: p["cost_cents"] for p in data["parts"][0]["projects"]} == {
        "Plan A": 179950,
        "Plan B": 250025,
        "Plan C": 99999,
    }
