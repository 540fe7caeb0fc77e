from datetime import timedelta

import pytest
from sqlalchemy import select

from app.councils.models import Council, CouncilStatus, OutcomeSubscriber
from app.types import utcnow
from tests.support.smtp import start_smtp


@pytest.fixture
def smtp(app, monkeypatch):
    controller, inbox = start_smtp()
    state = app.extensions["mail"]
    monkeypatch.setattr(state, "server", "127.0.0.1")
    monkeypatch.setattr(state, "port", controller.port)
    monkeypatch.setattr(state, "suppress", False)
    yield inbox
    controller.stop()


def _attend(app, code, locale, email):
    phone = app.test_client()
    phone.set_cookie("lang", locale)
    phone.get(f"/t/{code}")
    phone.post(
        "/t/welcome",
        data={"first_name": "Buur", "neighbourhood_id": "0", "age_band": "", "consent": "y", "email": email},
    )


def test_publishing_outcomes_mails_each_consenting_attendee_in_their_language(
    app, client, login_as, council, issue, db, smtp
):
    ar_code, pl_code, silent_code = issue(3)
    _attend(app, ar_code, "ar", "amira@example.org")
    _attend(app, pl_code, "pl", "jan@example.org")
    app.test_client().get(f"/t/{silent_code}")
    login_as(user=council.facilitators[0])  # the council's own facilitator
    client.post(f"/staff/councils/{council.id}/status/open")
    client.post(f"/staff/councils/{council.id}/status/closed")
    data = {
        "summary": "Meer plekken voor jongeren.",
        "decision_youth": "Huiswerkklas",
        "decision_safety": "",
        "publish": "1",
    }
    assert client.post(f"/staff/councils/{council.id}/outcomes", data=data).status_code == 303
    db.session.refresh(council)
    assert council.status == CouncilStatus.outcomes_published
    assert sorted(m["To"] for m in smtp.messages) == ["amira@example.org", "jan@example.org"]
    arabic = next(m for m in smtp.messages if m["To"] == "amira@example.org")
    polish = next(m for m in smtp.messages if m["To"] == "jan@example.org")
    assert any("\u0600" <= ch <= "\u06ff" for ch in arabic["Subject"])
    assert "Meer plekken voor jongeren." in polish.get_content() and "Huiswerkklas" in polish.get_content()
    assert arabic["Subject"] != polish["Subject"]
    public = client.get(f"/councils/{council.id}/outcomes").get_data(as_text=True)
    assert "Huiswerkklas" in public


def test_outcomes_of_an_unpublished_council_are_not_public(client, council):
    assert client.get(f"/councils/{council.id}/outcomes").status_code == 404


def test_cannot_publish_before_closing(client, login_as, council, db):
    login_as(user=council.facilitators[0])  # the council's own facilitator
    response = client.post(f"/staff/councils/{council.id}/outcomes", data={"summary": "x", "publish": "1"})
    assert response.status_code == 409
    db.session.refresh(council)
    assert council.status == CouncilStatus.open and council.outcome_summary == ""


def test_contact_data_is_purged_after_the_retention_period(app, council, db):
    council.status = CouncilStatus.outcomes_published
    council.outcomes_published_at = utcnow() - timedelta(days=app.config["CONTACT_RETENTION_DAYS"] + 1)
    db.session.add(OutcomeSubscriber(council_id=council.id, email="oud@example.org"))
    recent = Council(
        title="Recent",
        venue="x",
        starts_at=utcnow(),
        ends_at=utcnow(),
        status=CouncilStatus.outcomes_published,
        outcomes_published_at=utcnow() - timedelta(days=10),
    )
    db.session.add(recent)
    db.session.flush()
    db.session.add(OutcomeSubscriber(council_id=recent.id, email="nieuw@example.org"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-contacts"])
    assert "Removed 1" in result.output
    assert [s.email for s in db.session.scalars(select(OutcomeSubscriber))] == ["nieuw@example.org"]


def test_privacy_notice_states_the_retention(client):
    client.set_cookie("lang", "en")
    assert "183 days after the outcomes are published" in client.get("/privacy").get_data(as_text=True)
