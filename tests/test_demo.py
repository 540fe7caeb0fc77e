"""`flask --app wsgi seed-demo` on a fresh database: realistic, complete and idempotent."""

from datetime import date

from sqlalchemy import func, select

from app.councils.models import Council, CouncilStatus, Ticket
from app.extensions import db
from app.finance.models import FundingSource
from app.places.models import Alliance, Neighbourhood
from app.proposals.lifecycle import Status
from app.proposals.models import Proposal
from app.voting.models import BudgetRound, RoundStatus
from tests.conftest import make_app

FUNDED = (Status.funded, Status.in_progress, Status.completed)


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_seed_demo_twice_gives_the_full_demo_once(database_factory):
    app = make_app(database_factory("demo"))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo ticket codes" in first.output
    second = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already has data" in second.output
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert count(Neighbourhood, Neighbourhood.is_focus.is_(True)) == 10
        assert count(Alliance) == 10
        assert count(Proposal) >= 15
        assert {p.domain for p in db.session.scalars(select(Proposal))} == {
            "youth",
            "democracy",
            "safety",
            "work",
            "housing",
        }
        assert len({p.status for p in db.session.scalars(select(Proposal))}) >= 6
        first_evening = [c for c in db.session.scalars(select(Council)) if c.starts_at.date() == date(2023, 10, 4)]
        assert len(first_evening) == 5 and all(c.status == CouncilStatus.outcomes_published for c in first_evening)
        attended = count(Ticket, Ticket.council_id.in_([c.id for c in first_evening]), Ticket.signed_in_at.is_not(None))
        assert attended == 228
        assert count(FundingSource) == 7
        assert (
            db.session.scalar(select(FundingSource.amount_cents).where(FundingSource.name.like("Vliegwiel%")))
            == 6_000_000_000
        )
        assert count(BudgetRound, BudgetRound.status == RoundStatus.open) == 1


def test_the_demos_funded_plans_were_funded_by_a_vote_and_count_on_the_finance_page(database_factory):
    """The issue's "demo plans marked funded count for nothing": each funded demo plan is on
    the 2023 round's ballot, that round's public result funds it under the recorded hash,
    and the finance page adds up its money (two plans of €18,000; €5,500 spent so far)."""
    import hashlib
    import json

    app = make_app(database_factory("demo"))
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    client = app.test_client()
    client.set_cookie("lang", "en")
    with app.app_context():
        funded = {p.title for p in db.session.scalars(select(Proposal).where(Proposal.status.in_(FUNDED)))}
        past = db.session.scalar(select(BudgetRound).where(BudgetRound.status == RoundStatus.results_published))
        round_id, stored_hashes = past.id, past.results_hashes
    assert funded == {"Zomerschool Confuciusbuurt", "Taal en werk voor moeders"}
    results = json.loads(client.get(f"/rounds/{round_id}/results.json").get_data())
    [part] = results["parts"]
    assert {p["title"] for p in part["projects"] if p["funded"]} == funded
    assert stored_hashes == [hashlib.sha256(client.get(f"/rounds/{round_id}/ballots.pb").get_data()).hexdigest()]
    page = client.get(f"/rounds/{round_id}/results").get_data(as_text=True)
    assert stored_hashes[0] in page and "Final result" in page
    rows = json.loads(client.get("/finance.json").get_data())
    [vliegwiel] = [r for r in rows if r["group"] == "source" and r["name"].startswith("Vliegwiel")]
    assert (vliegwiel["allocated_cents"], vliegwiel["spent_cents"], vliegwiel["plans"]) == (36_000_00, 5_500_00, 2)
