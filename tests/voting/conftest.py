from datetime import timedelta

import pytest

from app.councils.models import Council, CouncilStatus
from app.places.models import Neighbourhood
from app.proposals.lifecycle import Status
from app.proposals.models import CostLine, Proposal
from app.roles import Role
from app.types import utcnow
from app.voting.models import BudgetRound, RoundStatus


def approved_proposal(db, title, cost_cents, buurt=None):
    proposal = Proposal(
        title=title,
        summary=f"Samenvatting {title}",
        domain="youth",
        neighbourhood=buurt,
        cost_lines=[CostLine(position=0, description="Alles", amount_cents=cost_cents)],
    )
    db.session.add(proposal)
    for target in (Status.submitted, Status.in_review, Status.approved):
        proposal.move_to(target, None, "ok")
    return proposal


@pytest.fixture
def make_round(test_context, db, make_user):
    """A round on a council, with approved plans on its ballot; open unless told otherwise."""
    board = make_user(Role.board)

    def make(
        ballot_type="approval",
        rule="greedy",
        costs=(40_000_00, 30_000_00, 20_000_00),
        budget=60_000_00,
        status=RoundStatus.open,
        **settings,
    ):
        from app.voting import services

        start = utcnow() - timedelta(minutes=10)
        council = Council(
            title="Bewonersberaad",
            venue="Tagerijn",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            languages=["nl"],
            domains=["youth"],
            status=CouncilStatus.open,
        )
        db.session.add(council)
        db.session.flush()
        with test_context():
            round_ = services.save_round(
                None,
                {
                    "name": "Jeugdbudget",
                    "budget_cents": budget,
                    "ballot_type": ballot_type,
                    "rule": rule,
                    "eligibility": "council",
                    "council_id": council.id,
                    **settings,
                },
                board,
            )
            db.session.flush()
            for index, cost in enumerate(costs):
                services.add_option(round_, approved_proposal(db, f"Plan {chr(65 + index)}", cost), board)
            if status != RoundStatus.draft:
                services.open_round(round_, board)
            db.session.commit()
        return db.session.get(BudgetRound, round_.id)

    return make


@pytest.fixture
def ticket_for(test_context, db, make_user):
    """Issue a ticket for the round's council and return its plain code."""
    facilitator = make_user(Role.facilitator)

    def issue(round_, buurt=None):
        from app.councils import services

        with test_context():
            [(_ticket, code)] = services.generate_tickets(
                db.session.get(Council, round_.council_id), 1, facilitator, neighbourhood_id=buurt.id if buurt else None
            )
            db.session.commit()
        return code

    return issue


@pytest.fixture
def buurten(db):
    made = [Neighbourhood(name="Wildeman", is_focus=True), Neighbourhood(name="Osdorp-Midden")]
    db.session.add_all(made)
    db.session.commit()
    return made


@pytest.fixture(scope="session")
def oracle():
    """tests/voting/reference/pabutools_oracle.py: how each rule is asked of pabutools (a test
    dependency, used as an oracle only)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent / "reference" / "pabutools_oracle.py"
    spec = importlib.util.spec_from_file_location("pabutools_oracle", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def login_facilitator(login_as, make_user, db):
    """Sign the test client in as a new facilitator assigned to the round's (or the given) council."""

    def login(round_or_council):
        council = (
            round_or_council
            if isinstance(round_or_council, Council)
            else db.session.get(Council, round_or_council.council_id)
        )
        user = make_user(Role.facilitator)
        council.facilitators.append(user)
        db.session.commit()
        return login_as(user=user)

    return login


@pytest.fixture(autouse=True)
def _forget_cached_pages():
    """Results pages, counts and hashes are kept per worker, keyed by round id; ids come
    back after a rolled-back test on SQLite, so every test starts with empty caches."""
    from app.voting import results, results_routes, services

    for cache in (results_routes.PAGES, results_routes.HASHES, results.COUNTS, services.STATUS_CACHE):
        cache.clear()
    yield
