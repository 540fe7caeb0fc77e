"""The audit log: readable, translated action names; details in euros; filters by who, action,
object and date range; a CSV export with the same filters; staff logins (good and failed)."""

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.auth.models import AuditEvent
from app.roles import Role

PASSWORD = "correct horse battery"


def add_event(db, action, actor=None, object_type=None, object_id=None, when=None, **detail):
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        created_at=when or datetime.now(UTC),
    )
    db.session.add(event)
    db.session.commit()
    return event


def csv_rows(client, query=""):
    response = client.get(f"/staff/audit.csv{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def events(db, make_user):
    tamara = make_user(Role.treasurer, name="Tamara")
    bart = make_user(Role.board, name="Bart")
    # 2026-03-10 23:30 UTC is 11 March 00:30 in Amsterdam: it belongs to 11 March.
    add_event(
        db,
        "allowance.claim.approve",
        tamara,
        "allowance_claim",
        "17",
        datetime(2026, 3, 10, 23, 30, tzinfo=UTC),
        amount_cents=179950,
    )
    add_event(
        db,
        "allowance.claim.record",
        tamara,
        "allowance_claim",
        "18",
        datetime(2026, 3, 9, 12, 0, tzinfo=UTC),
        amount_cents=1725,
        reduced_from_cents=2000,
        caps=["monthly"],
    )
    add_event(db, "round.open", bart, "budget_round", "3", datetime(2026, 3, 12, 9, 0, tzinfo=UTC))
    return tamara, bart


@pytest.mark.parametrize(
    "role, status",
    [
        (Role.admin, 200),
        (Role.board, 200),
        (Role.treasurer, 403),
        (Role.reviewer, 403),
        (Role.facilitator, 403),
        (Role.aanjager, 403),
    ],
)
def test_who_reads_the_audit_log(client, login_as, role, status):
    login_as(role)
    assert client.get("/staff/audit").status_code == status
    assert client.get("/staff/audit.csv").status_code == status


def test_actions_are_named_and_amounts_are_in_euros(client, login_as, events):
    client.set_cookie("lang", "en")
    login_as(Role.admin)
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "Kept for 7 years" in page
    html = page.split('class="cards audit"', 1)[1]  # the list, not the filters
    assert "Claim approved" in html and "Vote opened" in html
    assert "allowance.claim.approve" not in html
    assert "amount: €1,799.50" in html and "179950" not in html
    assert "reduced from: €20.00" in html
    client.set_cookie("lang", "nl")
    html = client.get("/staff/audit").get_data(as_text=True)
    assert "Declaratie goedgekeurd" in html and "bedrag: €\xa01.799,50" in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?action=allowance.claim.approve", {"17"}),
        ("?object_type=allowance_claim", {"17", "18"}),
        ("?object_type=allowance_claim&object_id=18", {"18"}),
        ("?date_from=2026-03-11&date_to=2026-03-11", {"17"}),  # Amsterdam days, both ends included
        ("?date_from=2026-03-10&date_to=2026-03-10", set()),
        ("?date_from=2026-03-09&date_to=2026-03-12", {"17", "18", "3"}),
    ],
)
def test_filters(client, login_as, events, query, expected):
    login_as(Role.board)
    client.set_cookie("lang", "en")
    rows = csv_rows(client, query)
    assert {r["Number"] for r in rows if r["Code"] != "auth.login"} == expected


def test_filter_by_who_and_the_csv_in_dutch(client, login_as, events):
    tamara, _bart = events
    login_as(Role.admin)
    client.set_cookie("lang", "nl")
    rows = csv_rows(client, f"?actor={tamara.id}")
    assert [(r["Wie"], r["Actie"], r["Nummer"]) for r in rows] == [
        ("Tamara", "Declaratie goedgekeurd", "17"),
        ("Tamara", "Declaratie ingevoerd", "18"),
    ]
    assert rows[0]["Wanneer"] == "2026-03-11 00:30:00"  # Amsterdam time
    assert "bedrag: €\xa017,25" in rows[1]["Details"] and "verlaagd van: €\xa020,00" in rows[1]["Details"]
    html = client.get(f"/staff/audit?actor={tamara.id}").get_data(as_text=True)
    assert "Vote opened" not in html and "Ronde geopend" not in html


def test_bad_filters_are_explained_beside_the_field_and_kept(client, login_as, events):
    login_as(Role.admin)
    client.set_cookie("lang", "en")
    response = client.get("/staff/audit?date_from=2026-03-12&date_to=2026-03-01&object_id=1%25")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="date_to-error"' in html and "The end must be after the start." in html
    assert 'id="object_id-error"' in html and 'value="2026-03-12"' in html
    assert client.get("/staff/audit?date_from=not-a-date").status_code == 400
    assert client.get("/staff/audit?actor=abc").status_code == 400


def test_logins_and_failed_logins_are_recorded(client, make_user, db):
    user = make_user(Role.treasurer, name="Tamara")
    assert client.post("/login", data={"email": user.email, "password": "wrong"}).status_code == 200
    assert client.post("/login", data={"email": "nobody@example.org", "password": "guess"}).status_code == 200
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 303
    events = list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("auth.%")).order_by(AuditEvent.id))
    )
    assert [(e.action, e.actor_id, e.object_id, e.detail) for e in events] == [
        ("auth.login_failed", None, str(user.id), {}),
        ("auth.login_failed", None, None, {"email": "nobody@example.org"}),
        ("auth.login", user.id, str(user.id), {}),
    ]
    assert all("wrong" not in str(e.detail) and "guess" not in str(e.detail) for e in events)
