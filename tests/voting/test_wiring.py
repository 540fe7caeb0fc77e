"""What one domain shows on another's pages, through the signals create_app connects
(app/signals.py): each link appears where the design puts it, and only there."""

import re
from datetime import timedelta

import pytest

from app.councils.models import Council
from app.roles import Role
from app.types import utcnow
from tests.voting.test_ballot_routes import sign_in, token_of


def test_a_councils_staff_page_links_to_running_its_own_vote(client, login_facilitator, make_round):
    round_ = make_round()
    other = make_round()
    login_facilitator(round_)
    client.set_cookie("lang", "en")
    page = client.get(f"/staff/councils/{round_.council_id}").get_data(as_text=True)
    assert f'href="/staff/rounds/{round_.id}/live">Run the vote: Jeugdbudget</a>' in page
    assert f"/staff/rounds/{other.id}/live" not in page


def test_the_welcome_page_leads_to_the_vote_then_to_the_receipt(app, client, make_round, ticket_for):
    round_ = make_round()
    client.set_cookie("lang", "en")
    sign_in(client, ticket_for(round_))
    assert '<a class="button primary" href="/vote">Go to the vote</a>' in client.get("/t/welcome").get_data(
        as_text=True
    )
    html = client.get("/vote").get_data(as_text=True)
    assert (
        client.post("/vote", data={"token": token_of(html), "choice": [str(round_.options[0].id)]}).status_code == 303
    )
    assert '<a class="button primary" href="/vote">See your receipt</a>' in client.get("/t/welcome").get_data(
        as_text=True
    )


def test_the_home_page_shows_open_rounds_and_coming_councils(client, make_round, db):
    round_ = make_round()
    council = db.session.get(Council, round_.council_id)
    council.starts_at = utcnow() + timedelta(days=3)  # upcoming
    council.ends_at = council.starts_at + timedelta(hours=2)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert f'href="/rounds/{round_.id}"' in page
    assert f'href="/councils/{council.id}"' in page


#: The staff dashboard per role (DESIGN.md section 2: each person's main job), written out by hand.
DASHBOARD = {
    Role.admin: ["Administration", "Volunteer allowances", "Who did we reach?"],
    Role.board: ["Plans", "Money", "Votes", "Volunteer allowances", "Who did we reach?"],
    Role.reviewer: ["Review"],
    Role.facilitator: ["Resident councils", "Evening vote"],
    Role.aanjager: ["Plans"],
    Role.treasurer: ["Volunteer allowances"],
}


@pytest.mark.parametrize("role", list(DASHBOARD))
def test_the_staff_dashboard_shows_each_roles_panels(client, login_as, role):
    login_as(role)
    client.set_cookie("lang", "en")
    page = client.get("/staff").get_data(as_text=True)
    assert re.findall(r"<h2>([^<]+)</h2>", page) == DASHBOARD[role]
