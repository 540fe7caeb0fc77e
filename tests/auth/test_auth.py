from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import AuditEvent, Invitation, User
from app.roles import Role
from app.types import utcnow

PASSWORD = "correct horse battery"


@pytest.fixture
def smtp(app, monkeypatch):
    from tests.support.smtp import start_smtp

    controller, inbox = start_smtp()
    state = app.extensions["mail"]
    monkeypatch.setattr(state, "server", "127.0.0.1")
    monkeypatch.setattr(state, "port", controller.port)
    monkeypatch.setattr(state, "suppress", False)
    yield inbox
    controller.stop()


def login(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_staff_login_and_dashboard(client, make_user):
    user = make_user(Role.reviewer, name="Rania")
    response = login(client, user.email)
    assert response.status_code == 303
    page = client.get("/staff").get_data(as_text=True)
    assert "Rania" in page


def test_wrong_password_keeps_the_email_and_explains_beside_the_field(client, make_user):
    client.set_cookie("lang", "en")
    user = make_user(Role.admin)
    response = login(client, user.email, "wrong password")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The e-mail address or the password is not right." in html
    assert f'value="{user.email}"' in html
    assert 'aria-invalid="true"' in html


def test_login_only_follows_local_next_urls(client, make_user):
    user = make_user(Role.reviewer)  # no second step for this role (tests/auth/test_two_step.py has those)
    response = client.post("/login?next=https://evil.example/x", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/staff"


ATTACKER, ELSEWHERE = "203.0.113.66", "203.0.113.99"


def test_wrong_passwords_slow_the_source_and_never_lock_out_the_right_password(app, client, make_user):
    """OWASP ASVS 2.2.1: failures slow the guessing source down; nobody can lock a staff
    account by typing wrong passwords for it (the issue: ten wrong passwords from anyone
    locked a facilitator out on the evening)."""
    victim = make_user(Role.facilitator)
    own_laptop = app.test_client()
    assert login(own_laptop, victim.email).status_code == 303  # the laptop is now known to this account
    own_laptop.post("/logout")
    attacker = app.test_client()
    statuses = [
        attacker.post(
            "/login", data={"email": victim.email, "password": f"guess {n}"}, environ_base={"REMOTE_ADDR": ATTACKER}
        ).status_code
        for n in range(40)
    ]
    assert statuses[:10] == [200] * 10 and statuses[-1] == 429  # slowed down after ten
    throttled = attacker.post(
        "/login", data={"email": victim.email, "password": "guess"}, environ_base={"REMOTE_ADDR": ATTACKER}
    )
    assert 1 <= int(throttled.headers["Retry-After"]) <= 61  # a minute at most, never a day
    # The facilitator on their own laptop, behind the attacker's address, gets in at once.
    assert (
        own_laptop.post(
            "/login", data={"email": victim.email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": ATTACKER}
        ).status_code
        == 303
    )
    # A colleague behind the same address signs in normally once the minute has passed, and
    # anyone at another address is not slowed by this source at all.
    colleague = make_user(Role.facilitator)
    assert login(app.test_client(), colleague.email).status_code == 303


def test_a_known_device_counts_its_own_failures(app, make_user):
    user = make_user(Role.admin)
    laptop = app.test_client()
    assert login(laptop, user.email).status_code == 303
    laptop.post("/logout")
    for _ in range(10):
        assert login(laptop, user.email, "typo").status_code == 200
    assert login(laptop, user.email, "typo").status_code == 429  # its own typos do slow it down
    # ... but not the account elsewhere: a new browser at another address still signs in.
    assert (
        app.test_client()
        .post("/login", data={"email": user.email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": ELSEWHERE})
        .status_code
        == 303
    )


def test_successful_logins_do_not_count_against_the_account(client, make_user):
    user = make_user(Role.admin)
    for _ in range(8):
        assert login(client, user.email).status_code == 303
        client.post("/logout")


def test_throttled_page_is_translated_with_retry_after(client, make_user):
    client.set_cookie("lang", "en")
    user = make_user(Role.admin)
    for _ in range(11):
        response = login(client, user.email, "nope")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert 1 <= int(response.headers["Retry-After"]) <= 61


def test_logout_ends_every_session_of_the_account(app, db, make_user):
    user = make_user(Role.reviewer)
    laptop, phone = app.test_client(), app.test_client()
    assert login(laptop, user.email).status_code == 303
    assert login(phone, user.email).status_code == 303
    assert phone.get("/staff").status_code == 200
    laptop.post("/logout")
    assert laptop.get("/staff").status_code == 302
    # The stolen or forgotten cookie on the other device no longer works either.
    assert phone.get("/staff").status_code == 302


def test_invitation_flow_is_single_use(client, login_as, db, smtp):
    login_as(Role.admin)
    response = client.post(
        "/staff/users/invite",
        data={"name": "Nieuwe Facilitator", "email": "Nieuw@Wijkstem.example", "roles": ["facilitator", "reviewer"]},
    )
    assert response.status_code == 303
    [message] = smtp.messages  # the link goes by e-mail, never onto the admin's screen
    link = next(word for word in message.get_content().split() if "/invitation/" in word)
    path = link.replace("http://localhost", "")
    client.post("/logout")

    weak = client.post(path, data={"password": "short", "confirm": "short"})
    assert (
        weak.status_code == 200
        and db.session.scalar(select(User).where(User.email == "nieuw@wijkstem.example")) is None
    )
    common = client.post(path, data={"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"})
    assert (
        common.status_code == 200
        and db.session.scalar(select(User).where(User.email == "nieuw@wijkstem.example")) is None
    )

    response = client.post(
        path, data={"password": "een lange zin als wachtwoord", "confirm": "een lange zin als wachtwoord"}
    )
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "nieuw@wijkstem.example"))
    assert user.roles == {Role.facilitator, Role.reviewer}
    assert user.password_hash.startswith("$argon2")
    assert client.get(path).status_code == 404  # used


def test_expired_invitation_is_refused(test_context, client, login_as, db):
    from app.auth.services import create_invitation

    admin = login_as(Role.admin)
    with test_context():
        invitation, token = create_invitation("laat@wijkstem.example", "Laat", ["board"], admin)
        invitation.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        invitation_id = invitation.id
    assert client.get(f"/invitation/{token}").status_code == 404
    assert db.session.get(Invitation, invitation_id).used_at is None


def test_invitations_expire_after_72_hours(test_context, login_as, db):
    from app.auth.services import create_invitation

    admin = login_as(Role.admin)
    with test_context():
        invitation, _token = create_invitation("x@wijkstem.example", "X", ["board"], admin)
    assert timedelta(hours=71) < invitation.expires_at - invitation.created_at <= timedelta(hours=72)


def test_role_change_is_audited_and_ends_the_sessions(app, client, login_as, make_user, db):
    admin = login_as(Role.admin)
    member = make_user(Role.aanjager)
    other = app.test_client()
    login(other, member.email)
    response = client.post(f"/staff/users/{member.id}", data={"roles": ["reviewer"]})
    assert response.status_code == 303
    assert other.get("/staff").status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.roles"))
    assert event.actor_id == admin.id and event.object_id == str(member.id)
    assert event.detail == {"before": ["aanjager"], "after": ["reviewer"]}
    assert "user.roles" in client.get("/staff/audit").get_data(as_text=True)


def test_deactivated_account_cannot_log_in(client, login_as, make_user, db):
    login_as(Role.admin)
    member = make_user(Role.board)
    client.post(f"/staff/users/{member.id}/active")
    client.post("/logout")
    assert login(client, member.email).status_code == 200


def test_staff_language_preference_is_used(client, login_as):
    login_as(Role.board)
    client.post("/staff/preferences", data={"locale": "pl"})
    assert '<html lang="pl"' in client.get("/staff").get_data(as_text=True)


def test_forms_refuse_a_missing_csrf_token(database_factory):
    from tests.conftest import make_app

    app = make_app(database_factory("csrf"), WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/login", data={"email": "a@b.test", "password": "x"})
    assert response.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    assert 'name="csrf_token"' in page
