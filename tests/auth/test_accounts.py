"""Accounts: role names in the reader's language; invitations e-mailed through a real SMTP server,
listed with their state, sent again with a new link, withdrawn; passwords after ASVS 2.1."""

import pytest
from sqlalchemy import select

from app.auth.models import AuditEvent, Invitation, User
from app.auth.passwords import problem
from app.roles import Role
from tests.auth.test_auth import smtp  # noqa: F401 (fixture)


@pytest.mark.parametrize(
    "password, reason",
    [
        ("short pass", "too_short"),  # 10 characters
        ("a" * 129, "too_long"),
        ("aaaaaaaaaaaa", "guessable"),  # the example
        ("password1234", "common"),
        ("qwertyuiop12", "common"),
        ("1234567890ab", "guessable"),
        ("Welkom2026!!", "common"),  # a Dutch favourite with digits and marks stuck on
        ("Wachtwoord123", "common"),
        ("galatasaray1905", "common"),
        ("Kochanie2024", "common"),
        ("fatima.elamrani", "guessable"),  # her own name and address (known words below)
        ("correct horse battery", None),
        ("een lange zin als wachtwoord", None),
        ("zonnebloem fiets regen 7", None),
    ],
)
def test_password_rules(password, reason):
    assert problem(password, known_words=("Fatima El Amrani", "fatima.elamrani@example.org")) == reason


def invite(client, email="nieuw@wijkstem.example", roles=("treasurer",)):
    return client.post("/staff/users/invite", data={"name": "Nadia Nieuw", "email": email, "roles": list(roles)})


def link_in(message) -> str:
    return next(w for w in message.get_content().split() if "/invitation/" in w).replace("http://localhost", "")


def test_roles_are_shown_by_their_translated_names(client, login_as, make_user):
    make_user(Role.treasurer, Role.board, name="Tamara")
    login_as(Role.admin)
    client.set_cookie("lang", "nl")
    html = client.get("/staff/users").get_data(as_text=True)
    assert "Bestuur wijkalliantie, Penningmeester" in html
    assert "treasurer" not in html.split("<main", 1)[1].split("</table>", 1)[0]


def test_an_invitation_is_e_mailed_listed_sent_again_and_withdrawn(client, login_as, db, smtp):
    login_as(Role.admin)
    client.set_cookie("lang", "en")
    assert invite(client).status_code == 303
    [first] = smtp.messages
    assert first["To"] == "nieuw@wijkstem.example" and "expires in 72 hours" in first.get_content()
    listing = client.get("/staff/users").get_data(as_text=True)
    assert "Nadia Nieuw" in listing and "E-mailed, waiting for an answer" in listing and "Treasurer" in listing
    assert "/invitation/" not in listing  # the admin never sees the link

    invitation = db.session.scalar(select(Invitation))
    assert client.post(f"/staff/users/invitations/{invitation.id}/resend").status_code == 303
    second = smtp.messages[1]
    assert link_in(second) != link_in(first)
    assert client.get(link_in(first)).status_code == 404  # the old link stopped working
    assert client.get(link_in(second)).status_code == 200

    assert client.post(f"/staff/users/invitations/{invitation.id}/revoke").status_code == 303
    assert client.get(link_in(second)).status_code == 404
    assert "Withdrawn" in client.get("/staff/users").get_data(as_text=True)
    assert client.post(f"/staff/users/invitations/{invitation.id}/resend").status_code == 409
    actions = [
        e.action
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("user.%")).order_by(AuditEvent.id))
    ]
    assert actions == ["user.invite", "user.invitation_renew", "user.invitation_revoke"]


def test_when_the_mail_server_is_down_the_invitation_says_so_and_can_be_sent_later(
    app, client, login_as, db, monkeypatch
):
    from tests.support.smtp import free_port

    state = app.extensions["mail"]
    monkeypatch.setattr(state, "server", "127.0.0.1")
    monkeypatch.setattr(state, "port", free_port())  # nobody listens there
    monkeypatch.setattr(state, "suppress", False)
    login_as(Role.admin)
    client.set_cookie("lang", "en")
    response = invite(client)
    assert response.status_code == 303
    page = client.get("/staff/users").get_data(as_text=True)
    assert "the e-mail could not be sent" in page and "Not e-mailed yet" in page
    invitation = db.session.scalar(select(Invitation))
    assert invitation.mail_failed_at is not None and invitation.mailed_at is None


def test_an_invitation_refuses_a_common_password_beside_the_field(client, login_as, db, smtp):
    login_as(Role.admin)
    invite(client)
    path = link_in(smtp.messages[0])
    client.post("/logout")
    client.set_cookie("lang", "en")
    response = client.post(path, data={"password": "Welkom2026!!", "confirm": "Welkom2026!!"})
    html = response.get_data(as_text=True)
    assert 'id="password-error"' in html and "list of common passwords" in html
    assert db.session.scalar(select(User).where(User.email == "nieuw@wijkstem.example")) is None


def test_only_admins_handle_invitations(client, login_as, make_user, db, test_context):
    from app.auth.services import create_invitation

    admin = make_user(Role.admin)
    with test_context():
        invitation, _token = create_invitation("x@wijkstem.example", "X", ["board"], admin)
        db.session.commit()
    login_as(Role.board)
    assert client.post(f"/staff/users/invitations/{invitation.id}/revoke").status_code == 403
    assert db.session.get(Invitation, invitation.id).revoked_at is None
