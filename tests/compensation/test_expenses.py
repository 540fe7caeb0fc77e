"""Receipted expenses: recorded by one treasurer, approved by another, paid in the same payout
batch and SEPA transfer as the allowance, counted towards the caps (rejected ones not)."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.compensation.models import ClaimStatus, Expense, PayoutBatch
from app.roles import Role
from tests.compensation.test_payouts import PAY_ON, export, make_batch

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


def record_expense(client, volunteer, amount="12.40", spent_on="2025-03-12", reference="NS-4411"):
    return client.post(
        f"/staff/allowances/volunteers/{volunteer.id}/expenses/new",
        data={"spent_on": spent_on, "description": "Treinkaartje", "amount": amount, "receipt_reference": reference},
    )


def test_an_expense_goes_from_submitted_to_paid_with_the_allowance(
    client, login_as, make_volunteer, make_claim, treasurers, db
):
    recorder, approver = treasurers
    volunteer = make_volunteer(name="Fatima El Amrani")
    make_claim(volunteer, minutes=120, rate=560, recorded_by=recorder, approved_by=approver)  # €11.20 approved
    client.set_cookie("lang", "en")
    login_as(user=recorder)
    assert record_expense(client, volunteer).status_code == 303
    expense = db.session.scalar(select(Expense))
    assert expense.status == ClaimStatus.submitted

    # Four eyes: the recorder sees no approve button and is refused.
    page = client.get("/staff/allowances/claims").get_data(as_text=True)
    assert "Receipted expenses waiting for approval" in page and f"/expenses/{expense.id}/approve" not in page
    assert client.post(f"/staff/allowances/expenses/{expense.id}/approve").status_code == 409
    db.session.expire_all()
    assert db.session.get(Expense, expense.id).status == ClaimStatus.submitted

    login_as(user=approver)
    assert client.post(f"/staff/allowances/expenses/{expense.id}/approve").status_code == 303
    db.session.expire_all()
    assert db.session.get(Expense, expense.id).status == ClaimStatus.approved

    batch_id = make_batch(client)
    batch = db.session.get(PayoutBatch, batch_id)
    assert [e.id for e in batch.expenses] == [expense.id] and batch.claims_total_cents == 1120 + 1240
    assert export(client, batch_id).status_code == 303
    xml = client.get(f"/staff/allowances/batches/{batch_id}/sepa.xml").get_data()
    transfers = list(ET.fromstring(xml).iterfind(".//p:CdtTrfTxInf", NS))
    assert len(transfers) == 1  # one transfer per volunteer: allowance and expense together
    assert Decimal(transfers[0].find("p:Amt/p:InstdAmt", NS).text) == Decimal("23.60")
    csv_text = client.get(f"/staff/allowances/batches/{batch_id}/claims.csv").get_data().decode("utf-8-sig")
    assert "Treinkaartje (NS-4411)" in csv_text and ";12,40" in csv_text

    assert (
        client.post(
            f"/staff/allowances/batches/{batch_id}/paid", data={"paid_on": PAY_ON, "confirm": "y", "confirming": "1"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(Expense, expense.id).status == ClaimStatus.paid


def test_a_rejected_expense_no_longer_uses_up_the_caps(client, login_as, make_volunteer, treasurers, db):
    recorder, approver = treasurers
    volunteer = make_volunteer()
    client.set_cookie("lang", "en")
    login_as(user=recorder)
    assert record_expense(client, volunteer, amount="200.00").status_code == 303  # of the €210.00 monthly maximum
    refused = record_expense(client, volunteer, amount="20.00", reference="B-2")
    assert refused.status_code == 409 and "Expenses count towards the caps" in refused.get_data(as_text=True)
    expense = db.session.scalar(select(Expense))
    login_as(user=approver)
    assert (
        client.post(
            f"/staff/allowances/expenses/{expense.id}/reject", data={f"expense{expense.id}-reason": "Geen bonnetje"}
        ).status_code
        == 303
    )
    login_as(user=recorder)
    assert record_expense(client, volunteer, amount="20.00", reference="B-2").status_code == 303


def test_the_limits_page_cites_the_belastingdienst_example(client, login_as):
    login_as(Role.board)
    client.set_cookie("lang", "en")
    html = client.get("/staff/allowances/limits").get_data(as_text=True)
    assert "vergoeding voor inzet en voor kosten" in html and "monthly maximum exceeded" in html


def test_an_expense_in_an_exported_batch_cannot_change(client, login_as, make_volunteer, treasurers, db):
    from app.compensation.models import BatchExported

    recorder, approver = treasurers
    volunteer = make_volunteer()
    expense = Expense(
        volunteer=volunteer,
        spent_on=date(2025, 3, 12),
        description="Tram",
        amount_cents=340,
        receipt_reference="GVB",
        recorded_by_id=recorder.id,
    )
    db.session.add(expense)
    db.session.commit()
    login_as(user=approver)
    client.post(f"/staff/allowances/expenses/{expense.id}/approve")
    batch_id = make_batch(client)
    assert export(client, batch_id).status_code == 303
    expense = db.session.get(Expense, expense.id)
    expense.amount_cents = 1
    try:
        db.session.flush()
    except BatchExported:
        db.session.rollback()
    else:
        raise AssertionError("an exported expense changed")


def test_approving_an_expense_checks_the_caps_again(client, login_as, make_volunteer, treasurers, db):
    """Recorded within the €210.00 monthly maximum of 2025; the administrator then corrects that
    maximum down to €150.00. Approving the €200.00 expense is refused and it stays submitted;
    an expense that still fits is approved."""
    from app.compensation.models import FiscalLimitRow

    recorder, approver = treasurers
    volunteer = make_volunteer()
    client.set_cookie("lang", "en")
    login_as(user=recorder)
    assert record_expense(client, volunteer, amount="200.00").status_code == 303
    assert record_expense(client, volunteer, amount="9.00", spent_on="2025-04-02", reference="B-2").status_code == 303
    march, april = db.session.scalars(select(Expense).order_by(Expense.spent_on)).all()
    row = db.session.scalar(select(FiscalLimitRow).where(FiscalLimitRow.year == 2025))
    row.monthly_max_cents = 150_00
    db.session.commit()
    login_as(user=approver)
    refused = client.post(f"/staff/allowances/expenses/{march.id}/approve")
    assert refused.status_code == 409 and "This expense no longer fits the fiscal limits" in refused.get_data(
        as_text=True
    )
    assert client.post(f"/staff/allowances/expenses/{april.id}/approve").status_code == 303
    db.session.expire_all()
    assert db.session.get(Expense, march.id).status == ClaimStatus.submitted
    assert db.session.get(Expense, april.id).status == ClaimStatus.approved
