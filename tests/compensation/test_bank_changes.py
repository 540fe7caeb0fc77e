"""Four eyes on bank accounts (issue 13): an IBAN or holder-name change waits until another
treasurer or an administrator confirms it, the audit log keeps old and new masked, whoever
changed an account in a payout does not export it or mark it paid, duplicate IBANs are flagged."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from app.auth.models import AuditEvent
from app.compensation.models import PayoutBatch, Volunteer
from app.roles import Role
from tests.compensation.test_payouts import PAY_ON, make_batch

OLD_IBAN, NEW_IBAN = "NL91ABNA0417164300", "NL20INGB0001234567"
CONFIRM = {"confirm": "y", "confirming": "1"}


def as_user(app, user):
    client = app.test_client()
    client.set_cookie("lang", "en")
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def edit_form(volunteer, **changes):
    data = {
        "name": volunteer.name,
        "account_holder_name": volunteer.account_holder_name,
        "birth_year": str(volunteer.birth_year),
        "birth_month": str(volunteer.birth_month),
        "iban": volunteer.iban,
        "email": "",
        "phone": "",
        "started_on": volunteer.started_on.isoformat(),
        "ended_on": "",
    }
    return data | changes


def fresh(db, volunteer):
    db.session.expire_all()
    return db.session.get(Volunteer, volunteer.id)


def request_change(client, volunteer):
    data = edit_form(volunteer, iban="NL20 INGB 0001 2345 67", account_holder_name="Mallory Mule")
    assert client.post(f"/staff/allowances/volunteers/{volunteer.id}/edit", data=data).status_code == 303


def test_a_bank_change_waits_for_a_second_person_and_the_audit_keeps_it_masked(
    app, db, make_volunteer, treasurers, make_user
):
    volunteer = make_volunteer(name="Fatima El Amrani", iban=OLD_IBAN)
    first, second = treasurers
    alone = as_user(app, first)
    request_change(alone, volunteer)
    stored = fresh(db, volunteer)
    assert (stored.iban, stored.account_holder_name) == (
        OLD_IBAN,
        "Fatima El Amrani",
    )  # nothing paid to the new one yet
    assert (stored.pending_iban, stored.pending_account_holder_name) == (NEW_IBAN, "Mallory Mule")

    refused = alone.post(f"/staff/allowances/volunteers/{volunteer.id}/bank-change/confirm")
    assert refused.status_code == 409 and "Another treasurer or an administrator must confirm it" in refused.get_data(
        as_text=True
    )
    assert fresh(db, volunteer).iban == OLD_IBAN

    assert (
        as_user(app, second).post(f"/staff/allowances/volunteers/{volunteer.id}/bank-change/confirm").status_code == 303
    )
    stored = fresh(db, volunteer)
    assert (stored.iban, stored.account_holder_name, stored.pending_iban) == (NEW_IBAN, "Mallory Mule", None)

    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("allowance.volunteer.bank_change%")).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("allowance.volunteer.bank_change_requested", first.id),
        ("allowance.volunteer.bank_change_confirmed", second.id),
    ]
    for event in events:
        assert event.detail["old_iban"].startswith("NL") and event.detail["old_iban"].endswith("4300")
        assert event.detail["new_iban"].endswith("4567") and event.detail["new_holder"] == "M… M…"
        text = json.dumps(event.detail)
        assert OLD_IBAN not in text and NEW_IBAN not in text and "Mallory" not in text and "Fatima" not in text


def test_an_administrator_may_confirm_and_a_change_can_be_rejected(app, db, make_volunteer, treasurers, make_user):
    volunteer = make_volunteer(iban=OLD_IBAN)
    first, _second = treasurers
    request_change(as_user(app, first), volunteer)
    assert (
        as_user(app, make_user(Role.admin))
        .post(f"/staff/allowances/volunteers/{volunteer.id}/bank-change/reject")
        .status_code
        == 303
    )
    assert (fresh(db, volunteer).iban, fresh(db, volunteer).pending_iban) == (OLD_IBAN, None)
    request_change(as_user(app, first), volunteer)
    assert (
        as_user(app, make_user(Role.admin))
        .post(f"/staff/allowances/volunteers/{volunteer.id}/bank-change/confirm")
        .status_code
        == 303
    )
    assert fresh(db, volunteer).iban == NEW_IBAN


def test_who_changed_an_account_does_not_export_or_mark_paid_its_payout(
    app, db, make_volunteer, make_claim, treasurers, make_user
):
    first, second = treasurers
    approver = make_user(Role.treasurer)
    volunteer = make_volunteer(iban=OLD_IBAN)
    request_change(as_user(app, first), volunteer)
    assert (
        as_user(app, second).post(f"/staff/allowances/volunteers/{volunteer.id}/bank-change/confirm").status_code == 303
    )
    make_claim(fresh(db, volunteer), recorded_by=second, approved_by=approver)
    alone = as_user(app, first)
    batch_id = make_batch(alone)
    refused = alone.post(f"/staff/allowances/batches/{batch_id}/export", data={"execution_on": PAY_ON})
    assert refused.status_code == 409 and "You changed a bank account in this payout" in refused.get_data(as_text=True)
    assert db.session.get(PayoutBatch, batch_id).exported_at is None
    other = as_user(app, second)
    assert other.post(f"/staff/allowances/batches/{batch_id}/export", data={"execution_on": PAY_ON}).status_code == 303
    paid = {"paid_on": date.today().isoformat()} | CONFIRM
    assert alone.post(f"/staff/allowances/batches/{batch_id}/paid", data=paid).status_code == 409
    question = other.post(f"/staff/allowances/batches/{batch_id}/paid", data={"paid_on": date.today().isoformat()})
    assert question.status_code == 200 and "<dd>1</dd>" in question.get_data(as_text=True)  # one transfer
    assert other.post(f"/staff/allowances/batches/{batch_id}/paid", data=paid).status_code == 303


def test_two_volunteers_with_one_iban_are_flagged_in_the_payout(app, db, make_volunteer, make_claim, treasurers):
    first, second = treasurers
    one = make_volunteer(name="Anna de Vries", iban=OLD_IBAN)
    two = make_volunteer(name="Bram Bakker", iban=OLD_IBAN)
    clean = make_volunteer(name="Cem Yilmaz", iban=NEW_IBAN)
    for volunteer in (one, two, clean):
        make_claim(volunteer, recorded_by=first, approved_by=second)
    client = as_user(app, first)
    batch_id = make_batch(client)
    page = client.get(f"/staff/allowances/batches/{batch_id}").get_data(as_text=True)
    assert "Several volunteers share the account" in page and "Anna de Vries, Bram Bakker" in page
    assert "Cem Yilmaz" not in page.split("Several volunteers share the account")[1].split("</p>")[0]
