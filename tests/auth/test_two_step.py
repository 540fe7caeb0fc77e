"""Two-step sign-in (TOTP with pyotp as the authenticator app, recovery codes): required for the
board, treasurers and administrators, who enrol at their first login; a code works once; the
secret and the recovery codes are not readable from the database."""

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from app.auth.models import AuditEvent, RecoveryCode, User
from app.roles import Role

PASSWORD = "correct horse battery"


def login(client, email, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": PASSWORD})


def enrol(client):
    page = client.get("/staff/two-step").get_data(as_text=True)
    secret = re.search(r'<code dir="ltr" class="hash">([A-Z2-7]+)</code>', page).group(1)
    assert "<svg" in page  # the QR code, drawn in the page (no request to another host)
    done = client.post("/staff/two-step", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code></li>", done.get_data(as_text=True))
    return secret, codes


@pytest.mark.parametrize("role", [Role.board, Role.treasurer, Role.admin])
def test_roles_that_move_money_enrol_before_anything_else(client, make_user, db, role):
    client.set_cookie("lang", "en")
    user = make_user(role)
    response = login(client, user.email, next_url="/staff/audit" if role != Role.treasurer else None)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/two-step"
    blocked = client.get("/staff")
    assert blocked.status_code == 303 and blocked.headers["Location"] == "/staff/two-step"
    wrong = client.post("/staff/two-step", data={"code": "000000"})
    assert wrong.status_code == 400 and 'id="code-error"' in wrong.get_data(as_text=True)
    secret, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/staff").status_code == 200
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.totp_enabled_at is not None and secret not in (stored.totp_secret or "")
    hashes = [r.code_hash for r in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id))]
    assert len(hashes) == 10 and not any(code.replace("-", "") in h.upper() for code in codes for h in hashes)


def test_other_roles_log_in_with_their_password(client, make_user):
    user = make_user(Role.reviewer)
    response = login(client, user.email)
    assert response.status_code == 303 and response.headers["Location"] == "/staff"
    assert client.get("/staff").status_code == 200


def test_after_enrolment_the_login_asks_for_a_code_that_works_once(app, client, make_user, db):
    client.set_cookie("lang", "en")
    user = make_user(Role.treasurer)
    login(client, user.email)
    secret, codes = enrol(client)
    client.post("/logout")
    totp = pyotp.TOTP(secret)

    response = login(client, user.email, next_url="/staff/allowances")
    assert response.status_code == 303 and response.headers["Location"] == "/login/code"
    assert client.get("/staff").status_code == 302  # not signed in before the second step
    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 400 and "This code is not right" in wrong.get_data(as_text=True)
    # The code used to switch it on cannot be used again; the next one can (one step of drift).
    now_code = totp.now()
    first = client.post("/login/code", data={"code": now_code})
    if first.status_code != 303:
        first = client.post("/login/code", data={"code": totp.at(time.time() + totp.interval)})
    assert first.status_code == 303 and first.headers["Location"] == "/staff/allowances"
    assert client.get("/staff").status_code == 200
    client.post("/logout")

    login(client, user.email)
    used = db.session.get(User, user.id).totp_last_step
    replay = client.post("/login/code", data={"code": totp.at(used * totp.interval)})
    assert replay.status_code == 400  # the same code twice: refused
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 303  # a recovery code
    client.post("/logout")
    login(client, user.email)
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 400  # once only
    events = [
        (e.action, e.detail.get("second_step"))
        for e in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_id == str(user.id), AuditEvent.action.like("auth.%"))
            .order_by(AuditEvent.id)
        )
    ]
    assert ("auth.two_step_on", None) in events and ("auth.login", "recovery") in events
    assert ("auth.login_failed", "code") in events


def test_the_code_page_needs_a_password_first(client):
    response = client.get("/login/code")
    assert response.status_code == 303 and response.headers["Location"] == "/login"


def test_the_demo_board_uses_the_published_key(app, client, db):
    from app.councils.demo import DEMO_TICKET_CODES
    from app.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo

    shared_codes = list(DEMO_TICKET_CODES)  # seeding fills this module list; browser tests read it
    with app.app_context():
        seed_demo()
        db.session.commit()
    DEMO_TICKET_CODES[:] = shared_codes
    response = client.post("/login", data={"email": "bestuur@wijkstem.example", "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/login/code"
    assert client.post("/login/code", data={"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()}).status_code == 303
