import csv
import io
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.councils.codes import format_code
from app.councils.models import AttendanceProfile, Council, OutcomeSubscriber, Ticket
from app.roles import Role
from app.types import utcnow


def test_facilitator_plans_a_council_in_local_time(client, login_as, db):
    client.set_cookie("lang", "en")
    login_as(Role.facilitator)
    data = {
        "title": "Bewonersberaad Slotervaart",
        "area_id": "0",
        "venue": "Huis van de Wijk",
        "address": "x",
        "starts_at": "2027-04-08T19:00",
        "ends_at": "2027-04-08T21:30",
        "languages": ["nl", "ar"],
        "capacity": "60",
        "domains": ["youth"],
        "description": "",
    }
    bad = client.post("/staff/councils/new", data=data | {"ends_at": "2027-04-08T18:00"})
    assert "The end must be after the start." in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Council)) == 0
    assert client.post("/staff/councils/new", data=data).status_code == 303
    council = db.session.scalar(select(Council))
    assert council.starts_at.hour == 17  # 19:00 in Amsterdam summer time is 17:00 UTC
    public = client.get(f"/councils/{council.id}").get_data(as_text=True)
    assert "Huis van de Wijk" in public and "العربية" in public


def test_plan_the_next_round_half_a_year_ahead(client, login_as, council, db):
    login_as(user=council.facilitators[0])  # the council's own facilitator
    response = client.post("/staff/councils/plan-next", data={"council_ids": [str(council.id)]})
    assert response.status_code == 303
    copy = db.session.scalars(select(Council).order_by(Council.id.desc())).first()
    assert copy.id != council.id and copy.title == council.title
    assert copy.languages == council.languages and copy.domains == council.domains
    months = (copy.starts_at.year - council.starts_at.year) * 12 + copy.starts_at.month - council.starts_at.month
    assert months == 6


def test_ticket_csv_codes_sign_in_and_only_hashes_are_stored(client, login_as, council, db):
    login_as(user=council.facilitators[0])  # the council's own facilitator
    response = client.post(
        f"/staff/councils/{council.id}/tickets", data={"count": "25", "neighbourhood_id": "0", "output": "csv"}
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 25 and len({r["code"] for r in rows}) == 25
    assert all(r["url"].endswith("/t/" + r["code"].replace("-", "")) for r in rows)
    hashes = set(db.session.scalars(select(Ticket.code_hash)))
    for row in rows:
        assert row["code"].replace("-", "") not in str(hashes)
    resident = client.application.test_client()
    assert resident.get(rows[0]["url"].replace("http://localhost", "")).status_code == 303


def test_ticket_pdf_download(client, login_as, council):
    login_as(user=council.facilitators[0])  # the council's own facilitator
    response = client.post(
        f"/staff/councils/{council.id}/tickets", data={"count": "12", "neighbourhood_id": "0", "output": "pdf"}
    )
    assert response.mimetype == "application/pdf" and response.get_data().startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "no-store"


def test_at_most_2000_tickets_at_once(client, login_as, council, db):
    client.set_cookie("lang", "en")
    login_as(user=council.facilitators[0])  # the council's own facilitator
    response = client.post(
        f"/staff/councils/{council.id}/tickets", data={"count": "2001", "neighbourhood_id": "0", "output": "csv"}
    )
    assert response.status_code == 400 and "1 to 2000" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_scanning_signs_in_and_drops_the_code_from_the_url(client, issue):
    code = issue()[0]
    response = client.get(f"/t/{code}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/t/welcome"
    welcome = client.get("/t/welcome")
    assert welcome.status_code == 200 and code not in welcome.get_data(as_text=True)
    assert welcome.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "mangle", [str.lower, format_code, lambda c: " ".join(c), lambda c: c.replace("0", "O").replace("1", "l")]
)
def test_typed_codes_are_forgiving(client, issue, mangle):
    code = issue()[0]
    response = client.post("/t", data={"code": mangle(code)})
    assert response.headers["Location"] == "/t/welcome"


def test_second_device_is_refused_politely_and_logged(app, client, issue, caplog):
    code = issue()[0]
    assert client.get(f"/t/{code}").headers["Location"] == "/t/welcome"
    assert client.get(f"/t/{code}").headers["Location"] == "/t/welcome"  # same phone again: fine
    other = app.test_client()
    other.set_cookie("lang", "en")
    with caplog.at_level(logging.WARNING, logger="wijkstem.tickets"):
        response = other.get(f"/t/{code}", follow_redirects=True)
    assert "already in use on another phone" in response.get_data(as_text=True)
    assert any("second device" in r.message for r in caplog.records)
    assert other.get("/t/welcome").headers["Location"].endswith("/t")


def test_expired_and_voided_tickets_are_refused(client, issue, council, db):
    expired, voided = issue(2)
    for ticket in db.session.scalars(select(Ticket)):
        ticket.expires_at = utcnow() - timedelta(minutes=1)
        break
    db.session.commit()
    client.set_cookie("lang", "en")
    texts = [client.get(f"/t/{c}", follow_redirects=True).get_data(as_text=True) for c in (expired, voided)]
    assert sum("can no longer be used" in t for t in texts) == 1


def test_void_and_reissue(client, login_as, issue, council, db):
    code = issue()[0]
    login_as(user=council.facilitators[0])  # the council's own facilitator
    data = {"code": format_code(code), "reissue": "y"}
    question = client.post(f"/staff/councils/{council.id}/void", data=data)
    assert question.status_code == 200 and db.session.scalar(select(Ticket)).voided_at is None  # asks first
    response = client.post(f"/staff/councils/{council.id}/void", data=data | {"confirm": "y", "confirming": "1"})
    assert response.mimetype == "application/pdf"
    tickets = db.session.scalars(select(Ticket).order_by(Ticket.id)).all()
    assert tickets[0].voided_at is not None and tickets[1].voided_at is None and len(tickets) == 2
    resident = client.application.test_client()
    assert resident.get(f"/t/{code}").headers["Location"].endswith("/t")


def test_desk_mode_counts_in_attendance(client, login_as, issue, council):
    phone_code, desk_code, _unused = issue(3)
    client.application.test_client().get(f"/t/{phone_code}")
    login_as(user=council.facilitators[0])  # the council's own facilitator
    client.post(f"/staff/councils/{council.id}/desk", data={"code": desk_code.lower()})
    again = client.post(f"/staff/councils/{council.id}/desk", data={"code": desk_code}, follow_redirects=True)
    assert again.status_code == 200
    page = client.get(f"/staff/councils/{council.id}").get_data(as_text=True)
    numbers = re.findall(r"<dd>(\d+)</dd>", page)
    # signed in, by phone, at the desk, unused, made, voided
    assert numbers == ["2", "1", "1", "1", "3", "0"]


def test_profile_is_anonymous_unless_consented(client, issue, council, db):
    code = issue()[0]
    client.get(f"/t/{code}")
    client.set_cookie("lang", "en")
    no_email = client.post(
        "/t/welcome",
        data={"first_name": "Amal", "neighbourhood_id": "0", "age_band": "27_65", "consent": "y", "email": ""},
    )
    assert "Fill in your e-mail address" in no_email.get_data(as_text=True)
    client.post(
        "/t/welcome",
        data={
            "first_name": "Amal",
            "neighbourhood_id": "0",
            "age_band": "27_65",
            "consent": "y",
            "email": "amal@example.org",
        },
    )
    # The profile waits sealed in the box until its shuffled batch is written; the reader sees it at once.
    from app.councils.reach import profiles_for

    [profile] = profiles_for([council.id])
    assert profile.age_band == "27_65" and not hasattr(profile, "ticket_id")
    assert not hasattr(AttendanceProfile, "ticket_id") and db.session.scalar(select(AttendanceProfile)) is None
    subscriber = db.session.scalar(select(OutcomeSubscriber))
    assert subscriber.email == "amal@example.org" and subscriber.locale == "en"


def test_profile_without_consent_keeps_no_contact(client, issue, db):
    client.get(f"/t/{issue()[0]}")
    client.post(
        "/t/welcome", data={"first_name": "Piet", "neighbourhood_id": "0", "age_band": "", "email": "piet@example.org"}
    )
    assert db.session.scalar(select(func.count()).select_from(OutcomeSubscriber)) == 0


def test_guessing_is_throttled_but_the_venue_is_not_locked_out(app, client, issue):
    codes = issue(5)
    statuses = []
    for attempt in range(60):
        statuses.append(client.get(f"/t/ZZZZZZ{attempt:03d}").status_code)
    assert statuses.count(429) > 0 and statuses.index(429) <= 40
    assert all(s in (303, 429) for s in statuses)
    # A resident at another address still gets in.
    neighbour = app.test_client()
    assert neighbour.get(f"/t/{codes[0]}", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 303


def test_three_hundred_sign_ins_from_one_address_all_succeed(app, issue):
    codes = issue(300)
    results = []
    for code in codes:
        phone = app.test_client()  # every resident has their own phone, all behind the venue's IP
        results.append(phone.get(f"/t/{code}", environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code)
    assert results == [303] * 300
    assert app.test_client().get("/t/welcome").status_code == 303  # no session: back to code entry


def test_facilitator_page_shows_print_links_and_counts(client, login_as, council):
    login_as(user=council.facilitators[0])  # the council's own facilitator
    page = client.get(f"/staff/councils/{council.id}").get_data(as_text=True)
    assert f"/staff/councils/{council.id}/poster.pdf" in page
    poster = client.get(f"/staff/councils/{council.id}/poster.pdf")
    assert poster.get_data().startswith(b"%PDF")


def test_printed_links_use_the_public_base_url(app, client, login_as, council, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://wijkstem.example.nl")
    login_as(user=council.facilitators[0])  # the council's own facilitator
    response = client.post(
        f"/staff/councils/{council.id}/tickets", data={"count": "2", "neighbourhood_id": "0", "output": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert all(r["url"].startswith("https://wijkstem.example.nl/t/") for r in rows)
