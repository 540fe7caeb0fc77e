"""The results PDF as a board report: organisation, title, approval date and approver, the SHA-256
of the public ballot list (the same as the downloadable ballots.pb), a legend, no word broken."""

import hashlib
import subprocess

from app.roles import Role
from tests.voting.test_results import counted_round  # noqa: F401 (fixture)


def pdf_text(client, round_id, tmp_path, locale):
    client.set_cookie("lang", locale)
    response = client.get(f"/rounds/{round_id}/results.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / f"report-{locale}.pdf"
    path.write_bytes(response.get_data())
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_board_report(client, login_as, counted_round, make_user, tmp_path):
    round_, _ids = counted_round("greedy")
    board = make_user(Role.board, name="Bram Bestuur")
    login_as(user=board)
    confirm = {"confirm": "y", "confirming": "1"}
    assert client.post(f"/staff/rounds/{round_.id}/status/closed", data=confirm).status_code == 303
    assert client.post(f"/staff/rounds/{round_.id}/approve", data=confirm).status_code == 303
    ballot_list = client.get(f"/rounds/{round_.id}/ballots.pb").get_data()
    expected_hash = hashlib.sha256(ballot_list).hexdigest()

    text = pdf_text(client, round_.id, tmp_path, "nl")
    assert "Nationaal Programma Samen Nieuw-West" in text
    assert "Uitslag: Jeugdbudget" in text
    assert "Goedgekeurd door Bram Bestuur op" in text
    assert expected_hash in text.replace("\n", "")
    assert "gefinancierde plannen" in text and "over" in text  # the legend of the bar
    words = text.split()
    assert "Gefinancierd" in words  # the column heading in one piece, not "Gefinanci" + "erd"
    assert not any(w in ("Gefinanci", "erd") for w in words)

    english = pdf_text(client, round_.id, tmp_path, "en")
    assert "Approved by Bram Bestuur on" in english and "Results: Jeugdbudget" in english
