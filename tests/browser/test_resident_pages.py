"""Every resident page at 360 px, in Dutch and in Arabic (issue 14): no sideways scroll, and
axe finds nothing serious or critical. Results included (provisional and final)."""

from datetime import timedelta

import pytest

from app.auth.models import User
from app.councils.models import Council
from app.extensions import db
from app.proposals.lifecycle import Status
from app.proposals.models import CostLine, Proposal
from app.types import utcnow
from app.voting import services
from tests.browser.conftest import assert_fits_phone, axe_violations


@pytest.fixture(scope="module")
def closed_round(live_app):
    """A closed round with long plan titles (the results page must still fit)."""
    with live_app.test_request_context():
        board = db.session.query(User).filter_by(email="bestuur@wijkstem.example").one()
        start = utcnow() - timedelta(hours=3)
        council = Council(
            title="Bewonersberaad Geuzenveld-Slotermeer, tweede avond",
            venue="Tagerijn",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            languages=["nl", "ar"],
            domains=["youth"],
        )
        db.session.add(council)
        db.session.flush()
        round_ = services.save_round(
            None,
            {
                "name": "Jongerenbudget Geuzenveld-Slotermeer",
                "budget_cents": 50_000_00,
                "ballot_type": "approval",
                "rule": "greedy",
                "eligibility": "council",
                "council_id": council.id,
            },
            board,
        )
        db.session.flush()
        for title, cost in (
            ("Huiswerkbegeleiding en bijles voor middelbare scholieren in de Dichtersbuurt", 24_000_00),
            ("Zomerprogramma", 18_000_00),
            ("Buurtmoestuin", 9_000_00),
        ):
            proposal = Proposal(
                title=title,
                summary=f"{title}.",
                domain="youth",
                cost_lines=[CostLine(position=0, description=title, amount_cents=cost)],
            )
            db.session.add(proposal)
            for target in (Status.submitted, Status.in_review, Status.approved):
                proposal.move_to(target, board, "ok")
            services.add_option(round_, proposal, board)
        services.open_round(round_, board)
        services.close_round(round_, board)
        db.session.commit()
        proposal_id = round_.options[0].proposal_id
        return {"round_id": round_.id, "council_id": council.id, "proposal_id": proposal_id}


PAGES = [
    "/",
    "/proposals",
    "/proposals/{proposal_id}",
    "/councils",
    "/councils/{council_id}",
    "/finance",
    "/receipt",
    "/t",
    "/privacy",
    "/toegankelijkheid",
    "/rounds/{round_id}",
    "/rounds/{round_id}/results",
]


@pytest.mark.parametrize("locale", ["nl", "ar"])
def test_resident_pages_fit_a_phone_and_pass_axe(page, closed_round, locale):
    page.goto(f"/lang/{locale}?next=/")
    problems = {}
    for template in PAGES:
        path = template.format(**closed_round)
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        found = axe_violations(page)
        if overflow > 0 or found:
            problems[path] = {"overflow": overflow, "axe": found}
    assert problems == {}
    page.goto(f"/rounds/{closed_round['round_id']}/results")
    assert page.locator(".notice.provisional").count() == 1
    assert_fits_phone(page)
    page.goto("/lang/nl?next=/")
