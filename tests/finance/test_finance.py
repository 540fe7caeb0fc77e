import csv
import io
import json

import pytest

from app.finance.models import FundingSource
from app.finance.overview import Allocation, summarise
from app.places.models import Area, Neighbourhood
from app.proposals.lifecycle import Status
from app.proposals.models import ProgressUpdate
from app.roles import Role
from app.voting.models import RoundOption
from tests.voting.conftest import approved_proposal


def test_summary_adds_up_per_source_domain_and_focus():
    allocations = [
        Allocation(1, "youth", "Osdorp", "Wildeman", True, 30_000_00, 10_000_00),
        Allocation(1, "safety", "Osdorp", "Osdorp-Midden", False, 10_000_00, 0),
        Allocation(2, "youth", None, None, False, 5_000_00, 5_000_00),
    ]
    overview = summarise(
        [(1, "Vliegwiel", 60_000_000_00), (2, "SPUK", 12_000_000_00)], allocations, ["youth", "safety", "work"]
    )
    sources = {line.key: line for line in overview.sources}
    assert sources["Vliegwiel"].allocated_cents == 40_000_00 and sources["Vliegwiel"].spent_cents == 10_000_00
    assert sources["SPUK"].total_cents == 12_000_000_00 and sources["SPUK"].plans == 1
    domains = {line.key: line.allocated_cents for line in overview.domains}
    assert domains == {"youth": 35_000_00, "safety": 10_000_00, "work": 0}
    assert overview.focus.allocated_cents == 30_000_00 and overview.other.allocated_cents == 15_000_00
    assert overview.focus_share_percent == 67


@pytest.fixture
def funded_plan(db, make_round, test_context):
    """A round drawing from a source, with one funded plan in a focus buurt that spent money."""
    source = FundingSource(name="Vliegwielmiddelen", amount_cents=60_000_000_00)
    area = Area(name="Osdorp")
    buurt = Neighbourhood(name="Wildeman", is_focus=True, area=area)
    db.session.add_all([source, area, buurt])
    db.session.commit()
    round_ = make_round(costs=(), budget=50_000_00, funding_source_id=source.id, status="draft")
    proposal = approved_proposal(db, "Huiswerkklas", 12_000_00, buurt)
    for target in (Status.on_ballot, Status.funded, Status.in_progress):
        proposal.move_to(target, None, "")
    round_.options.append(RoundOption(proposal=proposal, cost_cents=12_000_00))
    proposal.progress_updates.append(
        ProgressUpdate(happened_on=proposal.created_at.date(), text="Begonnen", spent_cents=4_000_00)
    )
    db.session.commit()
    return proposal


def test_public_finance_page_shows_sources_allocations_and_spending(client, funded_plan):
    client.set_cookie("lang", "en")
    page = client.get("/finance").get_data(as_text=True)
    assert "Vliegwielmiddelen" in page and "€12,000.00" in page and "€4,000.00" in page
    assert "<svg" in page and '<table class="stack-on-phone">' in page
    assert "Focus buurten received 100% of the money allocated so far." in page


def test_finance_downloads(client, funded_plan):
    client.set_cookie("lang", "en")
    rows = list(csv.reader(io.StringIO(client.get("/finance.csv").get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Group", "Name", "Total (€)", "Allocated (€)", "Spent (€)", "Plans"]
    assert ["Buurt", "Wildeman", "0,00", "12000,00", "4000,00", "1"] in rows  # euros, as Dutch Excel reads them
    assert ["Domain", "Opportunities for young people", "0,00", "12000,00", "4000,00", "1"] in rows
    data = json.loads(client.get("/finance.json").get_data())
    assert {
        "group": "domain",
        "name": "youth",
        "total_cents": 0,
        "allocated_cents": 1200000,
        "spent_cents": 400000,
        "plans": 1,
    } in data


def test_board_records_a_funding_source(client, login_as, db):
    login_as(Role.board)
    response = client.post(
        "/staff/finance/sources/new",
        data={"name": "Energiefixers", "amount": "3.900.000", "period": "verwacht", "note": ""},
    )
    assert response.status_code == 303
    assert db.session.query(FundingSource).one().amount_cents == 3_900_000_00


def test_every_funding_stream_has_a_plain_line_and_money_has_one_format(client, db):
    from app.finance.services import seed_funding_sources

    seed_funding_sources()
    db.session.commit()
    client.set_cookie("lang", "en")
    page = client.get("/finance").get_data(as_text=True)
    glossary = page.split('<dl class="glossary">', 1)[1].split("</dl>", 1)[0]
    for name in (
        "Vliegwielmiddelen",
        "SPUK Kansrijke wijk",
        "Preventie met gezag",
        "Volkshuisvestingsfonds",
        "Energiefixers",
        "Europese subsidie",
    ):
        assert name in glossary
    assert "special purpose grant" in glossary and "flywheel" in glossary
    client.set_cookie("lang", "pl")
    page = client.get("/finance").get_data(as_text=True)
    assert "60\xa0000\xa0000,00\xa0€" in page and "€\xa0" not in page  # one Polish format, the sign after
