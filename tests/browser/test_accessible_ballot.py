"""The ballot everyone can use, in a real browser at phone size (issue 14): for each of the
four ballot types a wrong choice brings the error summary to the top with the focus on it,
with and without JavaScript, in Dutch and in Arabic, with no serious axe finding; a warm
page costs one request."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.auth.models import User
from app.councils import services as council_services
from app.councils.models import Council, CouncilStatus
from app.extensions import db
from app.proposals.lifecycle import Status
from app.proposals.models import CostLine, Proposal
from app.types import utcnow
from app.voting import services
from tests.browser.conftest import PHONE, assert_fits_phone, axe_violations

SETTINGS = {
    "approval": {"max_choices": 1},
    "knapsack": {},
    "cumulative": {"points_total": 10, "points_max_per_project": 6},
    "ranking": {"max_choices": 3},
}


@pytest.fixture(scope="module")
def ballots(live_app):
    """One open round per ballot type (plans of 12k, 9k and 15k; budget 20k), each on its own
    council tonight, with five tickets each."""
    made = {}
    with live_app.test_request_context():
        board = db.session.query(User).filter_by(email="bestuur@wijkstem.example").one()
        start = utcnow() - timedelta(minutes=30)
        for ballot_type, settings in SETTINGS.items():
            council = Council(
                title=f"Toegankelijk {ballot_type}",
                venue="Tagerijn",
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                languages=["nl", "ar"],
                domains=["youth"],
                status=CouncilStatus.open,  # tickets sign in only while the council is open
            )
            db.session.add(council)
            db.session.flush()
            round_ = services.save_round(
                None,
                {
                    "name": f"Stemming {ballot_type}",
                    "budget_cents": 20_000_00,
                    "ballot_type": ballot_type,
                    "rule": "greedy",
                    "eligibility": "council",
                    "council_id": council.id,
                    **settings,
                },
                board,
            )
            db.session.flush()
            for title, cost in (("Voetbaltoernooi", 12_000_00), ("Kookclub", 9_000_00), ("Muurschildering", 15_000_00)):
                proposal = Proposal(
                    title=f"{title} {ballot_type}",
                    summary=f"{title} voor de jeugd",
                    domain="youth",
                    cost_lines=[CostLine(position=0, description=title, amount_cents=cost)],
                )
                db.session.add(proposal)
                for target in (Status.submitted, Status.in_review, Status.approved):
                    proposal.move_to(target, board, "ok")
                services.add_option(round_, proposal, board)
            services.open_round(round_, board)
            made[ballot_type] = [code for _t, code in council_services.generate_tickets(council, 5, board)]
        db.session.commit()
    return made


def make_a_mistake(phone, ballot_type):
    if ballot_type in ("approval", "knapsack"):  # two plans (approval: one allowed; 12k + 15k > 20k)
        phone.locator("input[name=choice]").nth(0).check()
        phone.locator("input[name=choice]").nth(2).check()
    elif ballot_type == "cumulative":  # 9 points on one plan, at most 6 allowed
        phone.locator("input.points").nth(0).fill("9")
    else:  # the same rank twice
        phone.locator("select.rank").nth(0).select_option("1")
        phone.locator("select.rank").nth(1).select_option("1")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("locale", ["nl", "ar"])
@pytest.mark.parametrize("ballot_type", list(SETTINGS))
def test_errors_at_the_top_with_focus(browser, live_server, ballots, ballot_type, locale, javascript):
    code = ballots[ballot_type][(0 if locale == "nl" else 2) + (0 if javascript else 1)]
    context = browser.new_context(viewport=PHONE, base_url=live_server, java_script_enabled=javascript)
    phone = context.new_page()
    phone.goto(f"/lang/{locale}?next=/")
    phone.goto(f"/t/{code}")
    phone.goto("/vote")
    assert phone.locator("#ballot").count() == 1
    make_a_mistake(phone, ballot_type)
    phone.click("#ballot .review button[type=submit]")
    phone.wait_for_selector("#error-summary")
    expect(phone.locator("#error-summary")).to_be_focused()  # no page.evaluate: it waits forever without JavaScript
    summary = phone.locator("#error-summary").bounding_box()
    first_plan = phone.locator(".ballot-option").first.bounding_box()
    assert summary["y"] < first_plan["y"] and summary["y"] < PHONE["height"]  # on the first screen
    target = phone.locator("#error-summary a").first.get_attribute("href")
    assert phone.locator(target).get_attribute("aria-invalid") == "true"
    phone.click("#error-summary a >> nth=0")
    expect(phone.locator(target)).to_be_focused()  # the link takes you to the plan
    if javascript:  # both need page.evaluate, which never returns in a page without JavaScript
        assert_fits_phone(phone)
        assert axe_violations(phone) == []
    if locale == "ar":
        assert phone.locator("html").get_attribute("dir") == "rtl"
    context.close()


def test_a_warm_page_is_one_request(browser, live_server, live_app, ballots):
    hits = []
    inner = live_app.wsgi_app

    def counting(environ, start_response):
        hits.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    live_app.wsgi_app = counting
    try:
        context = browser.new_context(viewport=PHONE, base_url=live_server)
        phone = context.new_page()
        phone.goto(f"/t/{ballots['knapsack'][4]}")  # a ticket no other test signs in with
        phone.goto("/vote")
        phone.goto("/")
        hits.clear()
        phone.goto("/vote")  # everything on it was fetched once already
        phone.wait_for_load_state("networkidle")
        assert hits == ["/vote"]
        context.close()
    finally:
        live_app.wsgi_app = inner
