import io
import json

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select

from app.proposals.lifecycle import Status
from app.proposals.models import Proposal
from app.roles import Role


def form_data(english=False, **overrides):
    data = {
        "title": "Huiswerkklas",
        "summary": "Hulp bij huiswerk voor kinderen",
        "description": "Drie middagen per week.",
        "language": "nl",
        "domain": "youth",
        "neighbourhood_id": "0",
        "origin": "council",
        "origin_detail": "",
        "backers_count": "12",
        "cost_lines-0-description": "Begeleiders",
        "cost_lines-0-amount": "1.250,50",
        "cost_lines-1-description": "Boeken",
        "cost_lines-1-amount": "99,5",
        "save": "1",
    }
    if english:
        data.update({"cost_lines-0-amount": "1,250.50", "cost_lines-1-amount": "99.5"})
    data.update(overrides)
    return data


def count(db):
    return db.session.scalar(select(func.count()).select_from(Proposal))


def test_aanjager_writes_a_draft_with_dutch_amounts(client, login_as, aanjager, buurt, db):
    login_as(user=aanjager)
    response = client.post("/staff/proposals/new", data=form_data(neighbourhood_id=str(buurt.id)))
    assert response.status_code == 303
    proposal = db.session.scalar(select(Proposal))
    assert [line.amount_cents for line in proposal.cost_lines] == [125050, 9950]
    assert proposal.total_cents == 135000
    assert proposal.status == Status.draft
    assert proposal.alliance.name == "Wijkalliantie Wildeman"


def test_english_visitors_type_english_amounts(client, login_as, aanjager, db):
    client.set_cookie("lang", "en")
    login_as(user=aanjager)
    client.post(
        "/staff/proposals/new", data=form_data(**{"cost_lines-0-amount": "1,250.50", "cost_lines-1-amount": "2"})
    )
    assert db.session.scalar(select(Proposal)).total_cents == 125250


@pytest.mark.parametrize(
    "amount,message",
    [
        ("-5", "more than zero"),
        ("0", "more than zero"),
        ("20,000,000", "€10 million"),
        ("12.345", "two digits"),
        ("twaalf", "not an amount"),
    ],
)
def test_nonsense_amounts_are_refused_and_the_input_kept(client, login_as, aanjager, db, amount, message):
    client.set_cookie("lang", "en")
    login_as(user=aanjager)
    response = client.post("/staff/proposals/new", data=form_data(english=True, **{"cost_lines-0-amount": amount}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert f'value="{amount}"' in html
    assert 'value="Huiswerkklas"' in html
    assert count(db) == 0


def test_summary_longer_than_300_characters_is_refused(client, login_as, aanjager, db):
    client.set_cookie("lang", "en")
    login_as(user=aanjager)
    response = client.post("/staff/proposals/new", data=form_data(english=True, summary="x" * 301))
    assert "300 characters" in response.get_data(as_text=True)
    assert count(db) == 0


def test_more_cost_lines_without_javascript(client, login_as, aanjager, db):
    login_as(user=aanjager)
    response = client.post("/staff/proposals/new", data=form_data(add_line="1", save=""))
    html = response.get_data(as_text=True)
    assert 'name="cost_lines-4-description"' in html
    assert 'value="1.250,50"' in html
    assert count(db) == 0


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (3000, 2000), "orange")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_images_are_re_encoded_resized_and_stripped(client, login_as, aanjager, db):
    login_as(user=aanjager)
    raw = _jpeg_with_gps()
    assert b"SpyCam" in raw
    data = form_data(image=(io.BytesIO(raw), "foto.jpg"), image_alt="Kinderen aan tafel")
    response = client.post("/staff/proposals/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    stored = db.session.scalar(select(Proposal)).image
    assert b"SpyCam" not in stored.data and b"Exif" not in stored.data
    with Image.open(io.BytesIO(stored.data)) as image:
        assert max(image.size) == 1600 and not image.getexif()
    with Image.open(io.BytesIO(stored.thumbnail)) as thumb:
        assert max(thumb.size) == 320


@pytest.mark.parametrize(
    "payload,name",
    [
        (b"%PDF-1.4 not an image", "plan.pdf"),
        (b"GIF89a" + b"\0" * 100, "anim.gif"),
        (b"\x89PNG\r\n\x1a\nbroken", "kapot.png"),
    ],
)
def test_other_files_are_refused_with_a_message(client, login_as, aanjager, db, payload, name):
    client.set_cookie("lang", "en")
    login_as(user=aanjager)
    data = form_data(english=True, image=(io.BytesIO(payload), name))
    response = client.post("/staff/proposals/new", data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "not an image we can read" in html or "Use a JPEG, PNG or WebP image" in html
    assert count(db) == 0


def test_images_over_5_mb_are_refused(client, login_as, aanjager, db):
    client.set_cookie("lang", "en")
    login_as(user=aanjager)
    data = form_data(english=True, image=(io.BytesIO(b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 10)), "groot.jpg"))
    response = client.post("/staff/proposals/new", data=data, content_type="multipart/form-data")
    assert "larger than 5 MB" in response.get_data(as_text=True)


def test_the_whole_review_path_and_its_timeline(client, app, login_as, make_proposal, make_user, db):
    proposal = make_proposal()
    login_as(user=proposal.author)
    assert client.post(f"/staff/proposals/{proposal.id}/submit").status_code == 303
    reviewer = make_user(Role.reviewer)
    login_as(user=reviewer)
    queue = client.get("/staff/review").get_data(as_text=True)
    assert "Huiswerkklas" in queue
    response = client.post(
        f"/staff/proposals/{proposal.id}/review",
        data={
            "feasible": "yes",
            "decision": "approve",
            "adjusted_cost": "1.400",
            "public_reason": "Haalbaar",
            "internal_note": "Budget checken",
        },
    )
    assert response.status_code == 303
    db.session.refresh(proposal)
    assert proposal.status == Status.approved and proposal.adjusted_cost_cents == 140000
    moves = [(e.from_status, e.to_status) for e in proposal.events]
    assert moves == [
        (Status.draft, Status.submitted),
        (Status.submitted, Status.in_review),
        (Status.in_review, Status.approved),
    ]
    public = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Haalbaar" in public and "Budget checken" not in public  # the internal note stays internal


def test_rejection_needs_a_public_reason(client, login_as, make_proposal, make_user, db):
    client.set_cookie("lang", "en")
    proposal = make_proposal(Status.in_review)
    login_as(Role.reviewer)
    response = client.post(
        f"/staff/proposals/{proposal.id}/review", data={"feasible": "no", "decision": "reject", "public_reason": ""}
    )
    assert "Write the reason" in response.get_data(as_text=True)
    db.session.refresh(proposal)
    assert proposal.status == Status.in_review


def test_sent_back_plan_becomes_editable_with_the_comment(client, login_as, make_proposal, db):
    proposal = make_proposal(Status.in_review)
    login_as(Role.reviewer)
    client.post(
        f"/staff/proposals/{proposal.id}/review",
        data={"feasible": "yes", "decision": "changes", "public_reason": "Meer details graag"},
    )
    login_as(user=proposal.author)
    page = client.get(f"/staff/proposals/{proposal.id}/edit").get_data(as_text=True)
    assert "Meer details graag" in page
    response = client.post(f"/staff/proposals/{proposal.id}/edit", data=form_data(title="Huiswerkklas plus"))
    assert response.status_code == 303
    assert client.post(f"/staff/proposals/{proposal.id}/submit").status_code == 303


def test_illegal_move_is_a_409_and_changes_nothing(client, login_as, make_proposal, db):
    client.set_cookie("lang", "en")
    proposal = make_proposal(Status.on_ballot)
    login_as(user=proposal.author)
    before = len(proposal.events)
    response = client.post(f"/staff/proposals/{proposal.id}/withdraw", data={"reason": "te laat"})
    assert response.status_code == 409
    assert "cannot become" in response.get_data(as_text=True)
    db.session.refresh(proposal)
    assert proposal.status == Status.on_ballot and len(proposal.events) == before


def test_only_the_alliance_aanjagers_can_edit(client, login_as, make_proposal):
    proposal = make_proposal()
    login_as(Role.aanjager)  # an aanjager of no alliance: another alliance's draft does not exist for them
    assert client.get(f"/staff/proposals/{proposal.id}/edit").status_code == 404
    assert client.post(f"/staff/proposals/{proposal.id}/submit").status_code == 404


@pytest.mark.parametrize(
    "status", [Status.draft, Status.submitted, Status.in_review, Status.changes_requested, Status.withdrawn]
)
def test_hidden_statuses_do_not_exist_for_the_public(client, make_proposal, db, status):
    if status == Status.changes_requested:
        proposal = make_proposal(Status.in_review)
        proposal.move_to(Status.changes_requested, None, "meer")
    elif status == Status.withdrawn:
        proposal = make_proposal()
        proposal.move_to(Status.withdrawn, None)
    else:
        proposal = make_proposal(status)
    db.session.commit()
    for url in (f"/proposals/{proposal.id}", f"/proposals/{proposal.id}.json", f"/proposals/{proposal.id}/image/thumb"):
        assert client.get(url).status_code == 404
    listing = client.get("/proposals").get_data(as_text=True) + client.get("/proposals.json").get_data(as_text=True)
    assert "Huiswerkklas" not in listing


def test_public_list_filters_search_and_pages(client, make_proposal):
    make_proposal(Status.approved, title="Voetbalkooi", domain="youth")
    make_proposal(Status.approved, title="Lantaarns", domain="safety")
    make_proposal(Status.draft, title="Geheim plan", domain="safety")
    assert "Lantaarns" in client.get("/proposals?domain=safety").get_data(as_text=True)
    assert "Voetbalkooi" not in client.get("/proposals?domain=safety").get_data(as_text=True)
    assert "Voetbalkooi" in client.get("/proposals?q=voetbal").get_data(as_text=True)
    data = client.get("/proposals.json?size=10").get_json()
    assert {p["title"] for p in data["proposals"]} == {"Voetbalkooi", "Lantaarns"}
    assert data["total"] == 2


@pytest.mark.parametrize(
    "query",
    [
        "size=13",
        "size=1000000",
        "page=0",
        "domain=sport",
        "status=draft",
        "buurt=1%20OR%201=1",
        "domain=youth'--",
        "status=approved;DROP",
    ],
)
def test_filters_outside_the_allow_lists_are_a_400(client, query):
    assert client.get(f"/proposals?{query}").status_code == 400
    assert client.get(f"/proposals.json?{query}").status_code == 400


def test_visitor_language_with_fallback_notice(client, make_proposal, db):
    from app.proposals.models import ProposalTranslation

    proposal = make_proposal(Status.approved)
    proposal.translations.append(ProposalTranslation(locale="en", title="Homework club", summary="Help with homework"))
    db.session.commit()
    client.set_cookie("lang", "en")
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Homework club" in page and "not yet available" not in page
    client.set_cookie("lang", "tr")
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Huiswerkklas" in page and 'lang="nl"' in page and 'class="notice"' in page


def test_staff_exports_are_safe_spreadsheets(client, login_as, make_proposal):
    make_proposal(Status.approved, title='=HYPERLINK("http://evil")', summary="+1;@SUM(A1)")
    login_as(Role.board)
    csv_response = client.get("/staff/proposals/export.csv")
    raw = csv_response.get_data()
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Nummer;Titel;Samenvatting")  # the reader's language (Dutch by default)
    assert "'=HYPERLINK" in text and "'+1;@SUM" in text.replace('"', "")
    login_as(Role.reviewer)
    book = load_workbook(io.BytesIO(client.get("/staff/proposals/export.xlsx").get_data()))
    titles = [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert titles == ['\'=HYPERLINK("http://evil")']


def test_progress_updates_move_a_funded_plan_on(client, login_as, make_proposal, db):
    proposal = make_proposal(Status.funded)
    login_as(Role.board)
    response = client.post(
        f"/staff/proposals/{proposal.id}/progress",
        data={"happened_on": "2026-03-01", "text": "Gestart", "spent": "250"},
    )
    assert response.status_code == 303
    db.session.refresh(proposal)
    assert proposal.status == Status.in_progress and proposal.spent_cents == 25000
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Gestart" in page
    assert json.loads(client.get(f"/proposals/{proposal.id}.json").get_data())["spent_cents"] == 25000
