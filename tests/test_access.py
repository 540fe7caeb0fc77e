"""Who may do what, driven by a specification table kept here (../shared/DESIGN.md section 3b
and issue 13), never by the roles the code declares. The README's "Who may do what" table is
the same table in words.

Two tables:

- ROUTES: every route of the app -> who may reach it at all (PUBLIC, STAFF = any staff
  account, or a set of roles). A route of the app missing from the table fails the test, so
  new routes must be added here by hand.
- OBJECT_CASES: role x action x ownership -> allowed, 403 (may not do this), 404 (may not
  even see it) or 409 (a second person is needed), on real objects: councils with their own
  facilitators, a council's round and a district-wide round, plans of two alliances, a bank
  change and a payout."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.compensation.models import Claim, ClaimStatus, PayoutBatch, Volunteer
from app.councils import services as council_services
from app.councils.models import Council, CouncilStatus
from app.places.models import Alliance, Neighbourhood
from app.proposals.lifecycle import Status
from app.proposals.models import CostLine, Proposal
from app.roles import Role
from app.types import utcnow
from app.voting import services as voting_services
from tests.compensation.test_payouts import _a_business_day_after

PUBLIC = "public"
STAFF = "any staff"
A, B, R, F, J, T = Role.admin, Role.board, Role.reviewer, Role.facilitator, Role.aanjager, Role.treasurer

#: Who may reach each route at all (the object-level rules are in OBJECT_CASES).
ROUTES: dict[str, object] = {
    "static": PUBLIC,
    # public pages, the resident's ticket and ballot
    "public.home": PUBLIC,
    "public.set_language": PUBLIC,
    "public.privacy": PUBLIC,
    "public.health": PUBLIC,
    "public.dashboard": STAFF,
    "councils.public_list": PUBLIC,
    "councils.public_show": PUBLIC,
    "councils.public_outcomes": PUBLIC,
    "councils.public_ticket": PUBLIC,
    "councils.public_enter_code": PUBLIC,
    "councils.public_welcome": PUBLIC,
    "proposals.public_list": PUBLIC,
    "proposals.public_list_json": PUBLIC,
    "proposals.public_show": PUBLIC,
    "proposals.public_show_json": PUBLIC,
    "proposals.public_image": PUBLIC,
    "voting.public_ballot": PUBLIC,
    "voting.public_choose_buurt": PUBLIC,
    "voting.public_voted": PUBLIC,
    "voting.public_status": PUBLIC,
    "voting.public_receipt": PUBLIC,
    "voting.public_round": PUBLIC,
    "voting.public_results": PUBLIC,
    "voting.public_export": PUBLIC,
    "voting.public_ballot_list": PUBLIC,
    "finance.public_page": PUBLIC,
    "finance.public_download": PUBLIC,
    # accounts: the administrator; the audit log also the board
    "auth.login": PUBLIC,
    "auth.accept_invitation": PUBLIC,
    "auth.logout": STAFF,
    "auth.preferences": STAFF,
    "auth.users": {A},
    "auth.invite": {A},
    "auth.user_detail": {A},
    "auth.toggle_active": {A},
    "auth.audit_log": {A, B},
    "auth.audit_log_csv": {A, B},
    "auth.invitation_action": {A},
    "auth.two_step_code": PUBLIC,
    "auth.two_step_setup": STAFF,  # the second step comes before the session
    "public.accessibility": PUBLIC,
    "places.index": {A},
    "places.new_area": {A},
    "places.edit_buurt": {A},
    "places.edit_alliance": {A},
    # plans: aanjagers write; reviewers review; the board follows up; drafts readable by those four
    "proposals.create": {J},
    "proposals.edit": {J},
    "proposals.submit": {J},
    "proposals.withdraw": {J},
    "proposals.mine": {J},
    "proposals.staff_show": {J, R, B, A},
    "proposals.staff_image": {J, R, B, A},
    "proposals.queue": {R},
    "proposals.review": {R},
    "proposals.add_progress": {J, B},
    "proposals.complete": {J, B},
    "proposals.export_csv": {R, B, A},
    "proposals.export_xlsx": {R, B, A},
    # councils: planned and edited by facilitators, the board, an admin; the evening only by its facilitators
    "councils.staff_list": {F, B, A},
    "councils.create": {F, B, A},
    "councils.manage": {F, B, A},
    "councils.plan_next": {F, B, A},
    "councils.poster": {F, B, A},
    "councils.tickets": {F},
    "councils.desk": {F},
    "councils.void": {F},
    "councils.set_status": {F},
    "councils.outcomes": {F},
    "councils.resend_outcomes": {F},
    # the evening page, the desk and the paper ballot: the council's own facilitators (the board may print it)
    "voting.evening": {F},
    "voting.evening_attach": {F},
    "voting.evening_add_plan": {F},
    "voting.evening_remove_plan": {F},
    "voting.evening_start": {F},
    "voting.evening_close": {F},
    "voting.desk": {F},
    "voting.desk_release": {F},
    "voting.paper_ballot_pdf": {F, B},
    # who a council reached: its facilitators, the board, an admin; the overview and the reference table
    # for the board (an admin reads the reference; only the board replaces it)
    "reach.council_report": {F, B, A},
    "reach.council_report_csv": {F, B, A},
    "reach.overview": {B, A},
    "reach.overview_csv": {B, A},
    "reach.reference": {B, A},
    # rounds: set up, approved, reopened by the board; run by facilitators (their own, see below)
    "voting.staff_list": {B, F, A},
    "voting.create": {B},
    "voting.manage": {B},
    "voting.add_option": {B},
    "voting.remove_option": {B},
    "voting.split": {B},
    "voting.voter_codes": {B},
    "voting.approve": {B},
    "voting.reopen": {B},
    "voting.discard_paper": {B},
    "voting.set_status": {F, B},
    "voting.live": {F, B},
    "voting.present": {F, B},
    "voting.paper": {F},
    "voting.confirm_paper": {F},
    # money: funding streams by the board; allowances by the treasurer (an admin confirms bank changes
    # and keeps the fiscal limits); the board may look at volunteers, teams and limits
    "finance.sources": {B, A},
    "finance.edit_source": {B},
    "compensation.volunteers": {T, A, B},
    "compensation.volunteer": {T, A, B},
    "compensation.teams": {T, A, B},
    "compensation.team": {T, A, B},
    "compensation.activity": {T, A, B},
    "compensation.limits": {T, A, B},
    "compensation.limit_form": {A},
    "compensation.volunteer_form": {T, A},
    "compensation.volunteer_leave": {T, A},
    "compensation.bank_change": {T, A},
    "compensation.expense_new": {T, A},
    "compensation.team_create": {T, A},
    "compensation.activity_create": {T, A},
    "compensation.record_attendance": {T, A},
    "compensation.claims": {T, A},
    "compensation.claim_new": {T, A},
    "compensation.claim_approve": {T, A},
    "compensation.claim_reject": {T, A},
    "compensation.claims_approve": {T, A},
    "compensation.expense_approve": {T, A},
    "compensation.expense_reject": {T, A},
    "compensation.batches": {T, A},
    "compensation.batch_create": {T, A},
    "compensation.batch": {T, A},
    "compensation.batch_export": {T, A},
    "compensation.batch_sepa": {T, A},
    "compensation.batch_csv": {T, A},
    "compensation.batch_remove_claim": {T, A},
    "compensation.batch_discard": {T, A},
    "compensation.batch_paid": {T, A},
    "compensation.statement": {T, A},
}


def sample_url(rule) -> str:
    """Fill every URL argument with a value that names no existing object."""
    path = re.sub(r"<int:[^>]+>", "999999", rule.rule)
    path = re.sub(r"<any\(([^,)]+)[^>]*>", lambda m: m.group(1).strip(), path)
    return re.sub(r"<(?:string:|path:)?[^>]+>", "nothing-here", path)


def _request(client, rule):
    return client.open(sample_url(rule), method="GET" if "GET" in rule.methods else "POST")


def _rules(app):
    # Logging out ends the session, so it goes last.
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule))


def test_every_route_is_in_the_table_and_the_table_has_no_stale_rows(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - ROUTES.keys()) == [], "add these routes to ROUTES (and to the README table)"
    assert sorted(ROUTES.keys() - endpoints) == []


def test_anonymous_visitors_reach_public_routes_and_are_sent_to_login_elsewhere(app, client):
    for rule in _rules(app):
        response = _request(client, rule)
        if rule.endpoint == "auth.two_step_code":  # public, but without a right password first it sends you to it
            assert response.status_code == 303 and response.headers["Location"].endswith("/login"), rule.rule
        elif ROUTES[rule.endpoint] == PUBLIC:
            assert "/login" not in response.headers.get("Location", ""), rule.rule
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], rule.rule


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_its_routes(app, client, login_as, role):
    login_as(role)
    for rule in _rules(app):
        allowed = ROUTES[rule.endpoint]
        if allowed == PUBLIC:
            continue
        response = _request(client, rule)
        if allowed == STAFF or role in allowed:
            assert response.status_code not in (302, 401, 403), (rule.rule, response.status_code)
        else:
            assert response.status_code == 403, (rule.rule, response.status_code)


# --- object-level cases ---------------------------------------------------------------------
CONFIRM = {"confirm": "y", "confirming": "1"}
OK = "allowed"


@pytest.fixture
def world(db, make_user, test_context):
    """Two open councils with their own facilitators, a council's round and a district-wide
    round, plans of two alliances, a bank change waiting and a payout paying a changed account."""
    people = {
        "facilitator of A": make_user(F),
        "second facilitator of A": make_user(F),
        "facilitator of B": make_user(F),
        "board": make_user(B),
        "admin": make_user(A),
        "reviewer": make_user(R),
        "aanjager of X": make_user(J),
        "aanjager of Y": make_user(J),
        "author who reviews": make_user(J, R),
        "treasurer who changed": make_user(T),
        "other treasurer": make_user(T),
    }
    start = utcnow() - timedelta(minutes=10)
    councils = {}
    for name, facilitators in (("A", ["facilitator of A", "second facilitator of A"]), ("B", ["facilitator of B"])):
        councils[name] = Council(
            title=f"Council {name}",
            venue="Tagerijn",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            languages=["nl"],
            domains=["youth"],
            status=CouncilStatus.open,
            facilitators=[people[f] for f in facilitators],
        )
    alliances = {
        name: Alliance(neighbourhood=Neighbourhood(name=f"Buurt {name}", is_focus=True), name=f"Alliance {name}")
        for name in "XY"
    }
    alliances["X"].aanjagers += [people["aanjager of X"], people["author who reviews"]]
    alliances["Y"].aanjagers.append(people["aanjager of Y"])
    db.session.add_all([*councils.values(), *alliances.values()])
    db.session.flush()

    def plan(title, status, author):
        proposal = Proposal(
            title=title,
            summary=title,
            domain="youth",
            alliance=alliances["X"],
            author=people[author],
            cost_lines=[CostLine(position=0, description="x", amount_cents=100_00)],
        )
        db.session.add(proposal)
        path = [Status.submitted, Status.in_review, Status.approved, Status.on_ballot, Status.funded]
        for target in path[: {"draft": 0, "in_review": 2, "approved": 3, "funded": 5}[status]]:
            proposal.move_to(target, None, "ok")
        return proposal

    plans = {
        "draft of X": plan("Draft", "draft", "aanjager of X"),
        "in review of X": plan("Own", "in_review", "author who reviews"),
        "funded of X": plan("Funded", "funded", "aanjager of X"),
    }
    with test_context():
        rounds = {}
        for name, council in (("round of A", councils["A"]), ("district-wide round", None)):
            round_ = voting_services.save_round(
                None,
                {
                    "name": name,
                    "budget_cents": 1_000_00,
                    "ballot_type": "approval",
                    "rule": "greedy",
                    "eligibility": "council" if council else "codes",
                    "council_id": council.id if council else None,
                },
                people["board"],
            )
            db.session.flush()
            voting_services.add_option(round_, plan(f"Option {name}", "approved", "aanjager of X"), people["board"])
            voting_services.open_round(round_, people["board"])
            rounds[name] = round_
        # A paper ballot entered by A's facilitator, waiting for a second one.
        [(ticket, _code)] = council_services.generate_tickets(councils["A"], 1, people["facilitator of A"])
        ticket.signed_in_at, ticket.sign_in_channel = utcnow(), "desk"
        batch = voting_services.open_paper_batch(rounds["round of A"], people["facilitator of A"])
        stored = voting_services.check_choices(rounds["round of A"], None, [rounds["round of A"].options[0].id])
        voting_services.cast_ballot(rounds["round of A"], ticket.id, None, "paper", stored, "t", paper_batch=batch)
        # A bank change waiting; an account changed earlier, paid in an open payout.
        waiting = Volunteer(
            name="Wachtend",
            account_holder_name="Wachtend",
            birth_year=1980,
            birth_month=5,
            iban="NL91ABNA0417164300",
            started_on=date(2024, 1, 1),
            consent_text="ok",
            consent_accepted_at=utcnow(),
            pending_iban="NL20INGB0001234567",
            bank_change_requested_by_id=people["treasurer who changed"].id,
        )
        changed = Volunteer(
            name="Veranderd",
            account_holder_name="Veranderd",
            birth_year=1980,
            birth_month=5,
            iban="NL44RABO0123456789",
            started_on=date(2024, 1, 1),
            consent_text="ok",
            consent_accepted_at=utcnow(),
            bank_changed_by_id=people["treasurer who changed"].id,
        )
        db.session.add_all([waiting, changed])
        db.session.flush()
        db.session.add(
            Claim(
                volunteer=changed,
                worked_on=date(2025, 3, 11),
                minutes=60,
                rate_cents_per_hour=560,
                amount_cents=560,
                requested_cents=560,
                status=ClaimStatus.approved,
                approved_by_id=people["other treasurer"].id,
            )
        )
        db.session.flush()
        payout = PayoutBatch(created_by_id=people["other treasurer"].id)
        db.session.add(payout)
        db.session.flush()
        for claim in db.session.scalars(select(Claim)):
            claim.batch_id = payout.id
        db.session.commit()
    ids = {
        "council A": councils["A"].id,
        "round of A": rounds["round of A"].id,
        "district-wide round": rounds["district-wide round"].id,
        "batch of A": batch.id,
        "waiting volunteer": waiting.id,
        "payout": payout.id,
        **{name: p.id for name, p in plans.items()},
        **{name: u.id for name, u in people.items()},
    }
    return people, ids


PAY_ON = _a_business_day_after(3).isoformat()  # a SEPA business day, whatever the day of the run

#: (action, who, ownership) -> expected. Ownership is in the words of "who".
OBJECT_CASES = [
    # councils: edit by its facilitators, the board, an admin; the evening by its facilitators only
    ("see a council's desk page", "facilitator of A", "GET", "/staff/councils/{council A}", None, OK),
    ("see a council's desk page", "facilitator of B", "GET", "/staff/councils/{council A}", None, 403),
    ("see a council's desk page", "board", "GET", "/staff/councils/{council A}", None, OK),
    ("edit a council", "facilitator of B", "GET", "/staff/councils/{council A}/edit", None, 403),
    ("edit a council", "admin", "GET", "/staff/councils/{council A}/edit", None, OK),
    (
        "print tickets",
        "facilitator of A",
        "POST",
        "/staff/councils/{council A}/tickets",
        {"count": "1", "neighbourhood_id": "0", "output": "csv"},
        OK,
    ),
    (
        "print tickets",
        "facilitator of B",
        "POST",
        "/staff/councils/{council A}/tickets",
        {"count": "1", "neighbourhood_id": "0", "output": "csv"},
        403,
    ),
    ("desk sign-in", "facilitator of B", "POST", "/staff/councils/{council A}/desk", {"code": "x"}, 403),
    ("void a ticket", "facilitator of B", "POST", "/staff/councils/{council A}/void", {"code": "x"}, 403),
    ("close a council", "facilitator of B", "POST", "/staff/councils/{council A}/status/closed", None, 403),
    ("write the outcomes", "facilitator of B", "GET", "/staff/councils/{council A}/outcomes", None, 403),
    ("read who a council reached", "facilitator of B", "GET", "/staff/councils/{council A}/reach", None, 403),
    ("read who a council reached", "facilitator of A", "GET", "/staff/councils/{council A}/reach", None, OK),
    # the council's round: its facilitators run it; paper needs a second facilitator of that council
    ("follow the vote", "facilitator of A", "GET", "/staff/rounds/{round of A}/live", None, OK),
    ("follow the vote", "facilitator of B", "GET", "/staff/rounds/{round of A}/live", None, 403),
    ("enter paper ballots", "facilitator of A", "GET", "/staff/rounds/{round of A}/paper", None, OK),
    ("enter paper ballots", "facilitator of B", "GET", "/staff/rounds/{round of A}/paper", None, 403),
    (
        "confirm paper ballots",
        "facilitator of A",
        "POST",
        "/staff/rounds/{round of A}/paper/{batch of A}/confirm",
        None,
        409,
    ),
    (
        "confirm paper ballots",
        "facilitator of B",
        "POST",
        "/staff/rounds/{round of A}/paper/{batch of A}/confirm",
        None,
        403,
    ),
    (
        "confirm paper ballots",
        "second facilitator of A",
        "POST",
        "/staff/rounds/{round of A}/paper/{batch of A}/confirm",
        None,
        OK,
    ),
    ("close the council's vote", "facilitator of B", "POST", "/staff/rounds/{round of A}/status/closed", CONFIRM, 403),
    (
        "close the council's vote",
        "facilitator of A",
        "POST",
        "/staff/rounds/{round of A}/status/closed",
        CONFIRM,
        409,
    ),  # paper waits
    (
        "close the council's vote (asks first)",
        "facilitator of A",
        "POST",
        "/staff/rounds/{round of A}/status/closed",
        None,
        OK,
    ),
    (
        "discard waiting paper",
        "facilitator of A",
        "POST",
        "/staff/rounds/{round of A}/paper/discard",
        CONFIRM | {"reason": "x"},
        403,
    ),
    (
        "discard waiting paper",
        "board",
        "POST",
        "/staff/rounds/{round of A}/paper/discard",
        CONFIRM | {"reason": "x"},
        OK,
    ),
    # district-wide rounds: only the board opens and closes them
    (
        "close a district-wide round",
        "facilitator of A",
        "POST",
        "/staff/rounds/{district-wide round}/status/closed",
        CONFIRM,
        403,
    ),
    ("close a district-wide round", "board", "POST", "/staff/rounds/{district-wide round}/status/closed", CONFIRM, OK),
    ("follow a district-wide round", "facilitator of A", "GET", "/staff/rounds/{district-wide round}/live", None, 403),
    ("approve results", "facilitator of A", "POST", "/staff/rounds/{round of A}/approve", CONFIRM, 403),
    ("reopen a round", "facilitator of A", "POST", "/staff/rounds/{round of A}/reopen", CONFIRM | {"reason": "x"}, 403),
    # plans: drafts exist only for their alliance, reviewers, board, admin
    ("read a draft", "aanjager of X", "GET", "/staff/proposals/{draft of X}", None, OK),
    ("read a draft", "aanjager of Y", "GET", "/staff/proposals/{draft of X}", None, 404),
    ("read a draft", "reviewer", "GET", "/staff/proposals/{draft of X}", None, OK),
    ("read a draft", "board", "GET", "/staff/proposals/{draft of X}", None, OK),
    ("read a draft", "admin", "GET", "/staff/proposals/{draft of X}", None, OK),
    ("read a plan in review", "aanjager of Y", "GET", "/staff/proposals/{in review of X}", None, 404),
    ("read a funded plan", "aanjager of Y", "GET", "/staff/proposals/{funded of X}", None, OK),
    ("edit a draft", "aanjager of Y", "GET", "/staff/proposals/{draft of X}/edit", None, 404),
    ("edit a draft", "aanjager of X", "GET", "/staff/proposals/{draft of X}/edit", None, OK),
    ("withdraw a draft", "aanjager of Y", "POST", "/staff/proposals/{draft of X}/withdraw", None, 404),
    ("review", "author who reviews", "GET", "/staff/proposals/{in review of X}/review", None, 403),
    ("review", "reviewer", "GET", "/staff/proposals/{in review of X}/review", None, OK),
    (
        "post progress",
        "aanjager of Y",
        "POST",
        "/staff/proposals/{funded of X}/progress",
        {"happened_on": "2026-11-20", "text": "x", "spent": "1"},
        403,
    ),
    (
        "post progress",
        "aanjager of X",
        "POST",
        "/staff/proposals/{funded of X}/progress",
        {"happened_on": "2026-11-20", "text": "x", "spent": "1"},
        OK,
    ),
    (
        "post progress",
        "board",
        "POST",
        "/staff/proposals/{funded of X}/progress",
        {"happened_on": "2026-11-20", "text": "x", "spent": "1"},
        OK,
    ),
    ("mark completed", "aanjager of Y", "POST", "/staff/proposals/{funded of X}/complete", None, 403),
    # money: a bank change needs a second person; who changed an account does not pay it
    (
        "confirm a bank change",
        "treasurer who changed",
        "POST",
        "/staff/allowances/volunteers/{waiting volunteer}/bank-change/confirm",
        None,
        409,
    ),
    (
        "confirm a bank change",
        "other treasurer",
        "POST",
        "/staff/allowances/volunteers/{waiting volunteer}/bank-change/confirm",
        None,
        OK,
    ),
    (
        "confirm a bank change",
        "admin",
        "POST",
        "/staff/allowances/volunteers/{waiting volunteer}/bank-change/confirm",
        None,
        OK,
    ),
    (
        "confirm a bank change",
        "board",
        "POST",
        "/staff/allowances/volunteers/{waiting volunteer}/bank-change/confirm",
        None,
        403,
    ),
    (
        "export a payout",
        "treasurer who changed",
        "POST",
        "/staff/allowances/batches/{payout}/export",
        {"execution_on": PAY_ON},
        409,
    ),
    (
        "export a payout",
        "other treasurer",
        "POST",
        "/staff/allowances/batches/{payout}/export",
        {"execution_on": PAY_ON},
        OK,
    ),
    # accounts: an administrator does not grant roles to themselves
    ("grant roles", "admin", "POST", "/staff/users/{admin}", {"roles": ["admin", "board"]}, 403),
    ("grant roles", "admin", "POST", "/staff/users/{reviewer}", {"roles": ["reviewer"]}, OK),
]


@pytest.mark.parametrize(
    ("action", "who", "method", "url", "data", "expected"),
    OBJECT_CASES,
    ids=[f"{c[0]} by {c[1]}" for c in OBJECT_CASES],
)
def test_object_level_access(app, client, login_as, world, action, who, method, url, data, expected):
    people, ids = world
    login_as(user=people[who])
    response = client.open(url.format_map(ids), method=method, data=data)
    if expected == OK:
        assert response.status_code < 400, (action, who, response.status_code)
    else:
        assert response.status_code == expected, (action, who, response.status_code)


#: The README's table, row by row: (action, who). Rows with an ownership rule map to the
#: object cases above that try them (README_TO_CASES); the others are route-level (ROUTES).
README_SPEC = [
    ("write, edit, submit, withdraw a plan", "aanjager"),
    ("read a draft or a plan in review", "aanjagers of its alliance, reviewers, board, admin"),
    ("review a plan", "reviewer"),
    ("post progress, mark completed", "aanjagers of its alliance, board"),
    ("schedule and edit a council", "its facilitators, board, admin"),
    ("print, void, reissue tickets; desk sign-in", "the council's facilitators"),
    ("read who a council reached", "its facilitators, board, admin"),
    ("enter paper ballots", "the council's facilitators"),
    ("start, follow and close a council's vote", "the council's facilitators, board"),
    ("open and close a district-wide round", "board"),
    ("create a round: budget, sub-budgets, ballot type, rule, plans, voter codes", "board"),
    ("approve results; reopen a closed round; discard waiting paper", "board"),
    ("register volunteers, record hours and expenses, approve claims", "treasurer, admin"),
    ("change a volunteer's IBAN or account holder", "treasurer, admin"),
    ("export a payout, mark it paid", "treasurer, admin"),
    ("funding streams", "board (admin reads)"),
    ("accounts and roles", "admin"),
    ("places, fiscal-limit table", "admin"),
    ("read the audit log", "admin, board"),
    ("vote", "resident with a signed-in, unused ticket of an open round"),
]

#: README row -> the object cases above that try it.
README_TO_CASES = {
    "write, edit, submit, withdraw a plan": {"edit a draft", "withdraw a draft"},
    "read a draft or a plan in review": {"read a draft", "read a plan in review"},
    "review a plan": {"review"},
    "post progress, mark completed": {"post progress", "mark completed"},
    "schedule and edit a council": {"edit a council", "see a council's desk page"},
    "print, void, reissue tickets; desk sign-in": {"print tickets", "void a ticket", "desk sign-in"},
    "read who a council reached": {"read who a council reached"},
    "enter paper ballots": {"enter paper ballots", "confirm paper ballots"},
    "start, follow and close a council's vote": {"follow the vote", "close the council's vote"},
    "open and close a district-wide round": {"close a district-wide round", "follow a district-wide round"},
    "approve results; reopen a closed round; discard waiting paper": {
        "approve results",
        "reopen a round",
        "discard waiting paper",
    },
    "change a volunteer's IBAN or account holder": {"confirm a bank change"},
    "export a payout, mark it paid": {"export a payout"},
    "accounts and roles": {"grant roles"},
}


def test_the_readme_table_is_the_spec_table(app):
    with open(app.root_path + "/../README.md", encoding="utf-8") as readme:
        text = readme.read()
    section = text.split("### Who may do what", 1)[1].split("\n## ", 1)[0]
    rows = [
        line.split("|")[1:3]
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| action") and not line.startswith("|---")
    ]
    assert [(action.strip(), who.strip()) for action, who in rows] == README_SPEC
    tried = {case[0].split(" (")[0] for case in OBJECT_CASES}
    assert {row: cases - tried for row, cases in README_TO_CASES.items() if cases - tried} == {}
    assert set(README_TO_CASES) <= {action for action, _who in README_SPEC}
