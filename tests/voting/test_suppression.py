"""One rule for counts of people on the results page and in every export: 6 phone ballots
and 1 paper ballot. Before, the page said "On paper: fewer than 5" beside "Ballots: 7" and
"By phone: 6", and the JSON gave the channels exactly. Now an attacker who subtracts what is
shown gets nothing."""

import json
import re
import subprocess

from openpyxl import load_workbook

from tests.voting.test_ballot_routes import token_of
from tests.voting.test_results import close_and_publish, counted_round  # noqa: F401 (fixture)


def paper_ballot(client, login_facilitator, round_, code):
    login_facilitator(round_)
    client.post(f"/staff/councils/{round_.council_id}/desk", data={"code": code})
    page = client.get(f"/staff/rounds/{round_.id}/paper").get_data(as_text=True)
    response = client.post(
        f"/staff/rounds/{round_.id}/paper",
        data={"token": token_of(page), "paper-code": code, "choice": [str(round_.options[0].id)]},
    )
    assert response.status_code == 303
    batch_id = re.search(
        r"/paper/(\d+)/confirm", client.get(f"/staff/rounds/{round_.id}/paper").get_data(as_text=True)
    ).group(1)
    login_facilitator(round_)  # a second facilitator confirms it
    assert client.post(f"/staff/rounds/{round_.id}/paper/{batch_id}/confirm").status_code == 303


def numbers_after(label, text):
    match = re.search(re.escape(label) + r":\s*(?:<strong>)?([^<·]+)", text)
    return match.group(1).strip()


def test_no_hidden_count_comes_back_by_subtraction(app, client, login_as, login_facilitator, counted_round, ticket_for):
    round_, _ids = counted_round()
    paper_ballot(client, login_facilitator, round_, ticket_for(round_))
    close_and_publish(client, login_as, round_)
    visitor = app.test_client()
    visitor.set_cookie("lang", "en")
    page = visitor.get(f"/rounds/{round_.id}/results").get_data(as_text=True)
    total, phone, paper = (numbers_after(label, page) for label in ("Ballots", "By phone", "On paper"))
    assert (total, phone, paper) == ("7", "hidden", "fewer than 5")
    # The attacker's subtraction: total minus every shown channel. Nothing to subtract from.
    shown = [int(n) for n in (phone, paper) if n.isdigit()]
    assert len(shown) == 0
    # What the labels still allow: paper 1..4, phone 5 or more, adding up to 7: (6, 1) or (5, 2).
    assert [(p, 7 - p) for p in range(1, 5) if 7 - p >= 5] == [(1, 6), (2, 5)]

    data = json.loads(visitor.get(f"/rounds/{round_.id}/results.json").get_data())
    assert data["turnout"] == {"ballots": 7, "by_channel": {"phone": "hidden", "paper": "<5"}}
    workbook = load_workbook(__import__("io").BytesIO(visitor.get(f"/rounds/{round_.id}/results.xlsx").get_data()))
    # The spreadsheet is for people (issue 16): sheet and row names in the reader's language.
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)}
    assert summary["Ballots"] == 7 and summary["Ballots: By phone"] == "hidden" and summary["Ballots: On paper"] == "<5"
    assert not any(key.startswith("Ballots: ") and isinstance(value, int) for key, value in summary.items())
    csv_text = visitor.get(f"/rounds/{round_.id}/results.csv").get_data(as_text=True)
    assert "paper" not in csv_text and "phone" not in csv_text  # the CSV has no channel counts at all
    pdf_text = subprocess.run(
        ["pdftotext", "-", "-"],
        input=visitor.get(f"/rounds/{round_.id}/results.pdf").get_data(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "Ballots: 7 (phone: hidden, paper: fewer than 5)" in " ".join(pdf_text.split())


def test_the_round_page_says_fewer_than_5_ballots(app, client, make_round, ticket_for):
    from tests.voting.test_ballot_routes import sign_in

    round_ = make_round()
    for _ in range(3):
        voter = app.test_client()
        sign_in(voter, ticket_for(round_))
        html = voter.get("/vote").get_data(as_text=True)
        assert (
            voter.post("/vote", data={"token": token_of(html), "choice": [str(round_.options[0].id)]}).status_code
            == 303
        )
    client.set_cookie("lang", "en")
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "fewer than 5 ballots" in page and "3 ballots" not in page
