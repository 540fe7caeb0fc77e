"""From the receipt to the result (issue 14): the resident's receipt page waits for the
result and shows it, provisional after the vote closes and final with its hash after the
board approves; home, council page, outcomes page, e-mail and receipt check link to it."""

import re

import pytest

from app.councils.models import Council
from app.roles import Role
from tests.councils.test_outcomes import smtp  # noqa: F401  (the real SMTP server fixture)
from tests.voting.test_ballot_routes import sign_in, token_of

CONFIRM = {"confirm": "y", "confirming": "1"}


@pytest.fixture
def voted(app, make_round, ticket_for):
    """A round (A 40k, B 30k, C 20k; budget 60k) where one phone voted for A and C; the
    phone is returned with the round. Greedy on that one ballot funds A (40k) and C (20k)."""

    def make():
        round_ = make_round()
        phone = app.test_client()
        phone.set_cookie("lang", "en")
        sign_in(phone, ticket_for(round_))
        html = phone.get("/vote").get_data(as_text=True)
        a, _b, c = (o.id for o in round_.options)
        assert phone.post("/vote", data={"token": token_of(html), "choice": [str(a), str(c)]}).status_code == 303
        return round_, phone

    return make


def result_rows(html):
    section = re.search(r'<section aria-labelledby="result-title".*?</section>', html, re.S).group(0)
    return [
        (re.sub(r"<[^>]+>", "", title), badge)
        for title, badge in re.findall(
            r'<li class="(?:not-)?funded"><strong[^>]*>(.*?)</strong>\s*<span class="badge">([^<]+)</span>', section
        )
    ]


def test_the_receipt_page_waits_then_shows_the_provisional_then_the_final_result(app, client, login_as, voted, db):
    round_, phone = voted()
    waiting = phone.get("/vote/done").get_data(as_text=True)
    assert "The result appears here when the vote closes." in waiting
    assert '<noscript><meta http-equiv="refresh" content="20"></noscript>' in waiting
    assert 'data-status="open"' in waiting and "js/wait." in waiting
    assert f'data-status-url="/rounds/{round_.id}/status.json"' in waiting

    login_as(Role.board)
    assert client.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM).status_code == 303
    assert phone.get(f"/rounds/{round_.id}/status.json").get_json() == {"status": "closed"}
    provisional = phone.get("/vote/done").get_data(as_text=True)
    assert "Provisional result" in provisional and "Final result" not in provisional
    assert result_rows(provisional) == [("Plan A", "Funded"), ("Plan C", "Funded"), ("Plan B", "Not funded")]
    assert 'data-status="closed"' in provisional and '<noscript><meta http-equiv="refresh"' in provisional
    assert "SHA-256" not in provisional
    assert f'href="/rounds/{round_.id}/results"' in provisional
    assert phone.get(f"/rounds/{round_.id}/results").status_code == 200  # no longer "page not found"

    assert client.post(f"/staff/rounds/{round_.id}/approve", data=CONFIRM).status_code == 303
    final = phone.get("/vote/done").get_data(as_text=True)
    assert "Final result" in final and "Provisional result" not in final
    assert result_rows(final) == [("Plan A", "Funded"), ("Plan C", "Funded"), ("Plan B", "Not funded")]
    shown = re.search(r'SHA-256: <code class="hash">([0-9a-f]{64})</code>', final).group(1)
    # The hash is that of the public ballot list anyone can download.
    import hashlib

    assert shown == hashlib.sha256(phone.get(f"/rounds/{round_.id}/ballots.pb").get_data()).hexdigest()
    assert 'http-equiv="refresh"' not in final and "js/wait." not in final


def test_home_council_page_and_receipt_check_link_to_the_result(app, client, login_as, voted, db):
    round_, phone = voted()
    visitor = app.test_client()
    link = f'href="/rounds/{round_.id}/results"'
    assert link not in visitor.get("/").get_data(as_text=True)
    login_as(Role.board)
    client.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM)
    assert link in visitor.get("/").get_data(as_text=True)
    assert link in visitor.get(f"/councils/{round_.council_id}").get_data(as_text=True)
    receipt = re.search(r'class="receipt" dir="ltr">([^<]+)<', phone.get("/vote/done").get_data(as_text=True)).group(1)
    check = visitor.get("/receipt").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', check)
    data = {"receipt": receipt} | ({"csrf_token": token.group(1)} if token else {})
    assert link in visitor.post("/receipt", data=data).get_data(as_text=True)


def test_outcomes_page_and_e_mail_link_to_the_result(app, client, login_facilitator, voted, ticket_for, db, smtp):
    round_, _phone = voted()
    council = db.session.get(Council, round_.council_id)
    attendee = app.test_client()
    code = ticket_for(round_)
    login_facilitator(round_)
    attendee.get(f"/t/{code}")
    attendee.post(
        "/t/welcome",
        data={
            "first_name": "Buur",
            "neighbourhood_id": "0",
            "age_band": "",
            "consent": "y",
            "email": "buur@example.org",
        },
    )
    client.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM)
    client.post(f"/staff/councils/{council.id}/status/open", data=CONFIRM)
    client.post(f"/staff/councils/{council.id}/status/closed", data=CONFIRM)
    data = {
        "summary": "Meer plekken voor jongeren.",
        "decision_youth": "Huiswerkklas",
        "decision_safety": "",
        "publish": "1",
    }
    assert client.post(f"/staff/councils/{council.id}/outcomes", data=data).status_code == 303
    assert f'href="/rounds/{round_.id}/results"' in app.test_client().get(f"/councils/{council.id}/outcomes").get_data(
        as_text=True
    )
    [mail] = smtp.messages
    assert f"/rounds/{round_.id}/results" in mail.get_content()
