"""Outcome e-mails go out after the publication is committed; each recipient's e-mail is
sent or failed, and the facilitator can send the failed ones again. Real SMTP servers on
loopback (tests/support/smtp.py), one of them refusing recipients."""

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text

from app.auth.models import AuditEvent, User
from app.auth.services import create_user
from app.councils.models import Council, CouncilStatus, OutcomeSubscriber
from app.extensions import db as _db
from app.roles import Role
from app.types import utcnow
from tests.conftest import make_app
from tests.support.smtp import free_port, start_smtp

PUBLISH = {
    "summary": "Meer plekken voor jongeren.",
    "decision_youth": "Huiswerkklas",
    "decision_safety": "",
    "publish": "1",
}


def _point_mail_at(app, monkeypatch, port):
    state = app.extensions["mail"]
    monkeypatch.setattr(state, "server", "127.0.0.1")
    monkeypatch.setattr(state, "port", port)
    monkeypatch.setattr(state, "suppress", False)


@pytest.fixture
def smtp(app, monkeypatch):
    controller, inbox = start_smtp()
    _point_mail_at(app, monkeypatch, controller.port)
    yield inbox
    controller.stop()


@pytest.fixture
def closed_council(council, db):
    """A council that has met, with two attendees who asked for the outcomes."""
    council.status = CouncilStatus.closed
    db.session.add_all(
        [
            OutcomeSubscriber(council_id=council.id, first_name="Amira", email="amira@example.org", locale="ar"),
            OutcomeSubscriber(council_id=council.id, first_name="Jan", email="jan@example.org", locale="pl"),
        ]
    )
    db.session.commit()
    return council


def own_facilitator(login_as, council, db):
    """Only the council's own facilitators publish and resend its outcomes (issue 13)."""
    user = login_as(Role.facilitator)
    council.facilitators.append(user)
    db.session.commit()
    return user


def mail_states(db, council):
    rows = db.session.execute(
        select(OutcomeSubscriber.email, OutcomeSubscriber.mail_status, OutcomeSubscriber.sent_at).where(
            OutcomeSubscriber.council_id == council.id
        )
    ).all()
    return {email: (status, sent_at is not None) for email, status, sent_at in rows}


def test_a_refused_recipient_is_marked_failed_and_can_be_sent_again(client, login_as, closed_council, db, smtp):
    council = closed_council
    client.set_cookie("lang", "en")
    smtp.refuse = lambda address: address == "jan@example.org"
    facilitator = own_facilitator(login_as, council, db)
    page = client.post(f"/staff/councils/{council.id}/outcomes", data=PUBLISH, follow_redirects=True).get_data(
        as_text=True
    )
    db.session.refresh(council)
    assert council.status == CouncilStatus.outcomes_published  # the publication stands
    assert [m["To"] for m in smtp.messages] == ["amira@example.org"]
    assert mail_states(db, council) == {"amira@example.org": ("sent", True), "jan@example.org": ("failed", False)}
    assert "E-mails sent: 1." in page
    assert "The e-mails could not be sent. Check the mail settings and try again." in page
    assert "Outcome e-mails: 1 sent, 1 not sent." in page
    assert f'action="/staff/councils/{council.id}/outcomes/resend"' in page

    smtp.refuse = lambda address: False  # the mailbox has room again
    page = client.post(f"/staff/councils/{council.id}/outcomes/resend", follow_redirects=True).get_data(as_text=True)
    assert [m["To"] for m in smtp.messages] == ["amira@example.org", "jan@example.org"]  # Amira gets no second one
    assert mail_states(db, council) == {"amira@example.org": ("sent", True), "jan@example.org": ("sent", True)}
    assert "E-mails sent: 1." in page and "Outcome e-mails: 2 sent, 0 not sent." in page
    assert "outcomes/resend" not in page  # nothing left to send again
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "council.outcomes.resend"))
    assert event.actor_id == facilitator.id and event.object_id == str(council.id) and event.detail["count"] == 1

    client.post(f"/staff/councils/{council.id}/outcomes/resend")  # again: nothing is failed, nothing is sent
    assert len(smtp.messages) == 2


def test_an_unreachable_mail_server_fails_every_mail_but_not_the_publication(
    app, client, login_as, closed_council, db, monkeypatch
):
    council = closed_council
    client.set_cookie("lang", "en")
    _point_mail_at(app, monkeypatch, free_port())  # nothing listens there
    own_facilitator(login_as, council, db)
    page = client.post(f"/staff/councils/{council.id}/outcomes", data=PUBLISH, follow_redirects=True).get_data(
        as_text=True
    )
    db.session.refresh(council)
    assert council.status == CouncilStatus.outcomes_published
    assert mail_states(db, council) == {"amira@example.org": ("failed", False), "jan@example.org": ("failed", False)}
    assert "E-mails sent: 0." in page and "Outcome e-mails: 0 sent, 2 not sent." in page


@pytest.mark.parametrize("role", [Role.aanjager, Role.treasurer, Role.reviewer, Role.board])
def test_only_council_managers_send_again(client, login_as, closed_council, db, smtp, role):
    council = closed_council
    council.status = CouncilStatus.outcomes_published
    for subscriber in db.session.scalars(select(OutcomeSubscriber)):
        subscriber.mail_status = "failed"
    db.session.commit()
    login_as(role)
    assert client.post(f"/staff/councils/{council.id}/outcomes/resend").status_code == 403
    assert smtp.messages == []
    assert {status for status, _sent in mail_states(db, council).values()} == {"failed"}


def test_sending_again_before_publication_is_refused(client, login_as, closed_council, db, smtp):
    own_facilitator(login_as, closed_council, db)
    assert client.post(f"/staff/councils/{closed_council.id}/outcomes/resend").status_code == 409
    assert smtp.messages == []


def test_anonymous_cannot_send_again(client, closed_council, smtp):
    response = client.post(f"/staff/councils/{closed_council.id}/outcomes/resend")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    assert smtp.messages == []


def test_the_mails_go_out_after_the_publication_is_committed(database_factory, monkeypatch):
    """While the mail server receives an e-mail, another connection already sees the council
    published: no transaction of the request is open during SMTP (on SQLite, that
    transaction would hold the write lock for every other request)."""
    url = database_factory("outcome_mails")
    app = make_app(url)
    controller, inbox = start_smtp()
    _point_mail_at(app, monkeypatch, controller.port)
    outside = create_engine(url)
    seen = []

    def look_from_outside():
        with outside.connect() as connection:
            seen.append(connection.execute(text("SELECT status FROM council")).scalar_one())

    inbox.on_data = look_from_outside
    try:
        with app.test_request_context():
            facilitator = create_user("facilitator-mails@wijkstem.example", "Fatima", "x" * 12, [Role.facilitator])
            start = utcnow() - timedelta(hours=3)
            council = Council(
                title="Avond",
                venue="Tagerijn",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                languages=["nl"],
                domains=["youth"],
                status=CouncilStatus.closed,
            )
            _db.session.add(council)
            council.facilitators.append(facilitator)  # the council's own facilitator
            _db.session.flush()
            _db.session.add(OutcomeSubscriber(council_id=council.id, first_name="Buur", email="buur@example.org"))
            _db.session.commit()
            council_id, user_id = council.id, _db.session.get(User, facilitator.id).get_id()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        data = {"summary": "Samen", "decision_youth": "Huiswerkklas", "publish": "1"}
        assert client.post(f"/staff/councils/{council_id}/outcomes", data=data).status_code == 303
    finally:
        controller.stop()
        outside.dispose()
        with app.app_context():
            _db.engine.dispose()
    assert [m["To"] for m in inbox.messages] == ["buur@example.org"]
    assert seen == ["outcomes_published"]
