"""Searching plans: wildcards are plain characters, accents and case do not matter, translations
count, and a page beyond the last shows the last page."""

import pytest

from app.proposals.lifecycle import Status
from app.proposals.models import ProposalTranslation
from app.proposals.search import fold


def titles(client, query):
    data = client.get(f"/proposals.json?{query}").get_json()
    return {p["title"] for p in data["proposals"]}


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Café", "cafe"),
        ("CAFÉ  de  Buurt", "cafe de buurt"),
        ("Łódź", "lodz"),
        ("İstanbul", "istanbul"),
        ("Straße", "strasse"),
        ("Ça ira", "ca ira"),
        ("Øresund", "oresund"),
        ("مَدْرَسَة", "مدرسة"),
    ],
)
def test_fold_by_hand(text, folded):
    assert fold(text) == folded


@pytest.fixture
def plans(make_proposal, db):
    cafe = make_proposal(Status.approved, title="Buurtcafé De Wildeman", summary="Koffie voor iedereen")
    percent = make_proposal(Status.approved, title="Korting 50% op sport", summary="Sportclub")
    underscore = make_proposal(Status.approved, title="Repair_cafe", summary="Fietsen maken")
    other = make_proposal(Status.approved, title="Lantaarns", summary="Licht op straat")
    other.translations.append(ProposalTranslation(locale="tr", title="Sokak lambaları", summary="Sokakta ışık"))
    db.session.commit()
    make_proposal(Status.draft, title="Geheim café", summary="Nog niet openbaar")
    return cafe, percent, underscore, other


@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=%25", {"Korting 50% op sport"}),  # % is a percent sign, not "anything"
        ("q=_", {"Repair_cafe"}),  # _ is an underscore, not "any one character"
        ("q=50%25", {"Korting 50% op sport"}),
        ("q=ir_c", {"Repair_cafe"}),  # the underscore itself, between two letters
        ("q=ai_", set()),  # LIKE would match "ai" followed by any letter
        ("q=cafe", {"Buurtcafé De Wildeman", "Repair_cafe"}),
        ("q=CAFÉ", {"Buurtcafé De Wildeman", "Repair_cafe"}),
        ("q=wildeman", {"Buurtcafé De Wildeman"}),
        ("q=lambalari", {"Lantaarns"}),  # the Turkish translation, without its dotless ı
        ("q=%C4%B1%C5%9Fik", {"Lantaarns"}),  # "ışik" in the translated summary
        ("q=geheim", set()),  # drafts stay hidden from search
    ],
)
def test_public_search(client, plans, query, expected):
    assert titles(client, query) == expected


def test_a_page_beyond_the_last_shows_the_last_page(client, make_proposal):
    for n in range(12):
        make_proposal(Status.approved, title=f"Plan {n:02d}")
    html = client.get("/proposals?size=10&page=5").get_data(as_text=True)
    assert "Pagina 2 van 2" in html
    assert "Plan 00" in html and "Plan 01" in html and "Plan 02" not in html  # the newest first
    data = client.get("/proposals.json?size=10&page=5").get_json()
    assert len(data["proposals"]) == 2
