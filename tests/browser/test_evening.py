"""A whole council evening on a phone: ticket URL, signed in, waiting, the vote opens,
vote, receipt — in Dutch and in Arabic; then the results in a browser."""

import re
from datetime import timedelta

import pytest

from app.auth.models import User
from app.councils import services as council_services
from app.councils.models import Council, CouncilStatus
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.proposals.lifecycle import Status
from app.proposals.models import CostLine, Proposal
from app.types import utcnow
from app.voting import services
from app.voting.models import BudgetRound
from tests.browser.conftest import assert_fits_phone, axe_violations, log_in, log_out


@pytest.fixture
def evening(live_app):
    """A council tonight with a knapsack round in draft and four tickets."""
    with live_app.test_request_context():
        board = db.session.query(User).filter_by(email="bestuur@wijkstem.example").one()
        facilitator = db.session.query(User).filter_by(email="facilitator@wijkstem.example").one()
        start = utcnow() - timedelta(minutes=30)
        council = Council(
            title="Avond in de Tagerijn",
            venue="Tagerijn",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            languages=["nl", "ar"],
            domains=["youth"],
            status=CouncilStatus.open,
            facilitators=[facilitator],
        )
        db.session.add(council)
        db.session.flush()
        round_ = services.save_round(
            None,
            {
                "name": "Avondstemming",
                "budget_cents": 30_000_00,
                "ballot_type": "knapsack",
                "rule": "greedy",
                "eligibility": "council",
                "council_id": council.id,
            },
            board,
        )
        db.session.flush()
        for title, cost in (("Voetbaltoernooi", 12_000_00), ("Kookclub", 9_000_00), ("Muurschildering", 15_000_00)):
            proposal = Proposal(
                title=title,
                summary=f"{title} voor de jeugd",
                domain="youth",
                cost_lines=[CostLine(position=0, description=title, amount_cents=cost)],
            )
            db.session.add(proposal)
            for target in (Status.submitted, Status.in_review, Status.approved):
                proposal.move_to(target, board, "ok")
            services.add_option(round_, proposal, board)
        codes = [code for _ticket, code in council_services.generate_tickets(council, 4, board)]
        db.session.commit()
        return {"round_id": round_.id, "codes": codes}


def _vote_on_phone(browser, live_server, code, locale, evening, open_vote):
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server)
    phone = context.new_page()
    phone.goto(f"/lang/{locale}?next=/")
    phone.goto(f"/t/{code}")
    phone.wait_for_url("**/t/welcome")
    assert code not in phone.url
    assert phone.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
    assert axe_violations(phone) == []
    phone.click("main a.button.primary")  # to the vote
    phone.wait_for_url("**/vote")
    assert phone.locator("#wait-status").count() == 1 or phone.locator("#ballot").count() == 1
    if phone.locator("#wait-status").count():
        assert axe_violations(phone) == []
        open_vote()
        phone.wait_for_selector("#ballot", timeout=10_000)  # the waiting page notices by itself
    assert_fits_phone(phone)
    assert axe_violations(phone) == []
    boxes = phone.locator("input[name=choice]")
    assert not phone.locator("#over-budget").is_visible()  # nothing chosen: nothing over the budget
    boxes.nth(0).check()
    left_before = phone.inner_text("#left")
    boxes.nth(1).check()
    assert phone.inner_text("#left") != left_before  # the live counter (JavaScript) follows the choice
    assert not phone.locator("#over-budget").is_visible()  # 21,000 of 30,000
    boxes.nth(2).check()  # all three plans cost 36,000 of the 30,000: over budget
    assert "over" in (phone.get_attribute("#budget-meter", "class") or "")
    assert phone.locator("#over-budget").is_visible() and not phone.locator("#left-line").is_visible()
    assert re.search(r"6\D?000", phone.inner_text("#over-budget"))  # 36,000 chosen of 30,000: 6,000 over
    phone.click("#ballot button[type=submit]")
    # The server refuses the basket, explains beside it and keeps the three choices.
    assert phone.locator("#ballot-error").is_visible()
    assert [phone.locator("input[name=choice]").nth(i).is_checked() for i in range(3)] == [True, True, True]
    assert axe_violations(phone) == []
    phone.locator("input[name=choice]").nth(2).uncheck()
    phone.click("#ballot button[type=submit]")
    phone.wait_for_url("**/vote/done")
    receipt = phone.inner_text(".receipt")
    assert len(receipt.replace("-", "")) == 10
    assert axe_violations(phone) == []
    context.close()
    return receipt


def test_whole_evening_in_dutch_and_arabic(browser, live_server, live_app, page, evening):
    log_in(page, "facilitator@wijkstem.example", DEMO_PASSWORD)
    round_id = evening["round_id"]
    page.goto(f"/staff/rounds/{round_id}/live")
    assert axe_violations(page) == []

    def open_vote():
        page.goto(f"/staff/rounds/{round_id}/live")
        page.click("form[action*='/status/open'] button")
        page.wait_for_url(f"**/staff/rounds/{round_id}/live")
        page.goto("/staff")  # not left on the self-reloading live page while the phones vote

    receipts = [
        _vote_on_phone(browser, live_server, evening["codes"][0], "nl", evening, open_vote),
        _vote_on_phone(browser, live_server, evening["codes"][1], "ar", evening, open_vote),
    ]
    assert len(set(receipts)) == 2
    page.goto(f"/staff/rounds/{round_id}/present")
    assert "budget-bar" not in page.content()  # never before closing
    page.goto(f"/staff/rounds/{round_id}/live")
    page.click("form[action*='/status/closed'] button")
    assert axe_violations(page) == []  # it asks first, with the counts
    page.check("input[name=confirm]")
    page.click("form[action*='/status/closed'] button[type=submit]")
    page.goto(f"/staff/rounds/{round_id}/present")
    assert page.locator("svg.budget-bar").count() == 1
    log_out(page)

    log_in(page, "bestuur@wijkstem.example", DEMO_PASSWORD)
    page.goto(f"/rounds/{round_id}/results")
    page.check("form[action$='/approve'] input[name=confirm]")
    page.click("form[action$='/approve'] button")
    page.wait_for_url(f"**/rounds/{round_id}/results")
    log_out(page)
    page.goto(f"/rounds/{round_id}/results")
    assert page.locator("svg.budget-bar").count() == 1
    assert_fits_phone(page)
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.click(f"a[href='/rounds/{round_id}/results.pdf']")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    page.goto("/receipt")
    page.fill("#receipt", receipts[0].lower())
    page.click("main form button[type=submit]")
    assert page.locator(".notice").first.is_visible()


def test_finance_page_at_phone_size(page):
    page.goto("/finance")
    assert (
        page.locator("figure.bars").count() >= 2
    )  # HTML bar charts (tests/browser/test_charts.py checks their labels)
    assert page.locator("table").count() >= 4
    assert_fits_phone(page)
    assert axe_violations(page) == []
    page.goto("/lang/ar?next=/finance")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert_fits_phone(page)
    assert axe_violations(page) == []
    page.goto("/lang/nl?next=/")


def test_sign_in_and_vote_on_a_phone_without_javascript(browser, live_server, live_app, evening):
    with live_app.test_request_context():
        round_ = db.session.get(BudgetRound, evening["round_id"])
        board = db.session.query(User).filter_by(email="bestuur@wijkstem.example").one()
        services.open_round(round_, board)
        db.session.commit()
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, base_url=live_server, java_script_enabled=False
    )
    phone = context.new_page()
    phone.goto("/t")
    code = evening["codes"][3]
    phone.fill("#code", code.lower()[:3] + " " + code[3:])  # typed loosely: lower case, a space
    phone.click("main form button[type=submit]")
    phone.wait_for_url("**/t/welcome")
    phone.click("main a.button.primary")
    phone.wait_for_url("**/vote")
    phone.locator("input[name=choice]").nth(0).check()
    phone.click("#ballot button[type=submit]")
    phone.wait_for_url("**/vote/done")
    assert len(phone.inner_text(".receipt").replace("-", "")) == 10
    context.close()
