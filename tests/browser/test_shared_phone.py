"""A shared phone: resident A votes, then resident B signs in with their own ticket on the
same browser. B sees nothing of A's, a cached ballot form of A's is refused with a clear
message and B gets a fresh ballot, B's ballot is stored, and both receipts are found."""

from datetime import timedelta

import pytest

from app.auth.models import User
from app.councils import services as council_services
from app.councils.models import Council, CouncilStatus
from app.extensions import db
from app.proposals.lifecycle import Status
from app.proposals.models import CostLine, Proposal
from app.types import utcnow
from app.voting import services
from app.voting.models import BudgetRound
from tests.browser.conftest import PHONE, assert_fits_phone


@pytest.fixture
def shared_evening(live_app):
    with live_app.test_request_context():
        board = db.session.query(User).filter_by(email="bestuur@wijkstem.example").one()
        start = utcnow() - timedelta(minutes=10)
        council = Council(
            title="Gedeelde telefoon",
            venue="Buurthuis",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            languages=["nl"],
            domains=["youth"],
            status=CouncilStatus.open,
        )  # its tickets sign in while it is open
        db.session.add(council)
        db.session.flush()
        round_ = services.save_round(
            None,
            {
                "name": "Telefoonstemming",
                "budget_cents": 100_00,
                "ballot_type": "approval",
                "rule": "greedy",
                "eligibility": "council",
                "council_id": council.id,
            },
            board,
        )
        db.session.flush()
        for title in ("Speeltuin", "Bankjes", "Bomen"):
            proposal = Proposal(
                title=title,
                summary=title,
                domain="youth",
                cost_lines=[CostLine(position=0, description=title, amount_cents=30_00)],
            )
            db.session.add(proposal)
            for target in (Status.submitted, Status.in_review, Status.approved):
                proposal.move_to(target, board, "ok")
            services.add_option(round_, proposal, board)
        services.open_round(round_, board)
        codes = [code for _ticket, code in council_services.generate_tickets(council, 2, board)]
        db.session.commit()
        return {"round_id": round_.id, "codes": codes}


def _close(live_app, round_id):
    with live_app.test_request_context():
        board = db.session.query(User).filter_by(email="bestuur@wijkstem.example").one()
        services.close_round(db.session.get(BudgetRound, round_id), board)
        db.session.commit()


def test_a_shared_phone_keeps_each_residents_ballot_apart(browser, live_server, live_app, shared_evening):
    context = browser.new_context(viewport=PHONE, base_url=live_server, locale="en-GB")
    phone = context.new_page()
    phone.goto("/lang/en?next=/")
    code_a, code_b = shared_evening["codes"]

    # Resident A signs in and votes for "Speeltuin".
    phone.goto(f"/t/{code_a}")
    phone.wait_for_url("**/t/welcome")
    phone.goto("/vote")
    form_a = phone.locator("#ballot input[name=token]").get_attribute("value")
    phone.get_by_label("Speeltuin").check()
    phone.click("#ballot button[type=submit]")
    phone.wait_for_url("**/vote/done")
    receipt_a = phone.inner_text(".receipt")
    assert phone.get_by_text("Speeltuin").count() >= 1

    # Resident B signs in on the same phone: nothing of A's is shown.
    phone.goto(f"/t/{code_b}")
    phone.wait_for_url("**/t/welcome")
    assert receipt_a not in phone.content()
    phone.goto("/vote/done")
    phone.wait_for_url("**/vote")
    assert receipt_a not in phone.content() and phone.locator("#ballot").count() == 1

    # A's cached ballot form (the back button) is posted from B's session: refused, clearly.
    option_a = phone.get_by_label("Speeltuin").get_attribute("value")
    with phone.expect_navigation():
        phone.evaluate(
            """([token, option]) => {
            const form = document.querySelector('#ballot');
            form.querySelector('input[name=token]').value = token;
            form.querySelectorAll('input[name=choice]').forEach(box => { box.checked = box.value === option; });
            form.submit();
        }""",
            [form_a, option_a],
        )
    phone.wait_for_load_state()
    assert "opened for another ticket" in phone.content()
    assert receipt_a not in phone.content()
    assert phone.locator("#ballot").count() == 1 and not phone.get_by_label("Speeltuin").is_checked()
    assert_fits_phone(phone)

    # B votes on the fresh ballot and gets a receipt of their own.
    phone.get_by_label("Bomen").check()
    phone.click("#ballot button[type=submit]")
    phone.wait_for_url("**/vote/done")
    receipt_b = phone.inner_text(".receipt")
    assert receipt_b != receipt_a and "Bomen" in phone.content() and "Speeltuin" not in phone.content()

    # After closing, both receipts are found in the public list with their own choices.
    _close(live_app, shared_evening["round_id"])
    for receipt, title in ((receipt_a, "Speeltuin"), (receipt_b, "Bomen")):
        phone.goto("/receipt")
        phone.fill("input[name=receipt]", receipt)
        phone.click("main form button[type=submit]")
        assert "in the count of Telefoonstemming" in phone.content()
        assert title in phone.inner_text("main ol")
    context.close()
