"""Payout batches: SEPA pain.001.001.03 that validates and adds up, the CSV, immutability once
exported, marking paid, the yearly statement and removing contact details of those who left."""

import csv
import io
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from sqlalchemy import select

from app.auth.models import AuditEvent
from app.compensation.models import BatchExported, Claim, ClaimStatus, PayoutBatch, Volunteer
from app.compensation.sepa import Account, SepaError, Transfer, credit_transfer
from app.roles import Role
from app.types import utcnow

SCHEMA = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
#: TARGET2 closing days besides weekends, written out by hand for the years these tests may run in.
BANK_HOLIDAYS = {
    date(2026, 12, 25),
    date(2026, 12, 26),
    date(2027, 1, 1),
    date(2027, 3, 26),
    date(2027, 3, 29),
    date(2027, 12, 25),
    date(2027, 12, 26),
    date(2028, 1, 1),
    date(2028, 4, 14),
    date(2028, 4, 17),
    date(2028, 5, 1),
}


def _a_business_day_after(days: int) -> date:
    day = date.today() + timedelta(days=days)
    while day.weekday() >= 5 or day in BANK_HOLIDAYS:
        day += timedelta(days=1)
    return day


PAY_ON = _a_business_day_after(3).isoformat()


@pytest.fixture
def approved(make_volunteer, make_claim, treasurers):
    """Four approved claims of three volunteers (one with an Arabic name and a Latin account name)."""
    recorder, approver = treasurers
    fatima = make_volunteer(name="Fatima El Amrani")
    khadija = make_volunteer(name="خديجة بنعلي", holder="Khadija Benali")
    piotr = make_volunteer(name="Piotr Wiśniewski", holder="Piotr Wiśniewski")
    claims = [
        make_claim(v, worked_on=d, minutes=m, recorded_by=recorder, approved_by=approver)
        for v, d, m in (
            (fatima, date(2025, 3, 11), 120),
            (fatima, date(2025, 4, 8), 90),
            (khadija, date(2025, 3, 11), 150),
            (piotr, date(2025, 4, 8), 45),
        )
    ]
    return claims


def make_batch(client):
    response = client.post("/staff/allowances/batches")
    assert response.status_code == 303
    return int(response.headers["Location"].rsplit("/", 1)[1])


def export(client, batch_id, on=PAY_ON):
    return client.post(f"/staff/allowances/batches/{batch_id}/export", data={"execution_on": on})


def test_the_sepa_file_validates_against_pain_001_001_03_and_its_totals_match(app, english, login_as, approved, db):
    login_as(Role.treasurer)
    batch_id = make_batch(english)
    assert export(english, batch_id).status_code == 303
    response = english.get(f"/staff/allowances/batches/{batch_id}/sepa.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    xml = response.get_data()
    xmlschema.XMLSchema(str(SCHEMA)).validate(xml.decode("utf-8"))

    root = ET.fromstring(xml)
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    amounts = [Decimal(a.text) for a in root.iterfind(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", NS)]
    total_cents = sum(c.amount_cents for c in approved)  # 1120 + 840 + 1400 + 420
    assert total_cents == 3780
    assert header.find("p:NbOfTxs", NS).text == "3"  # one transfer per volunteer
    assert Decimal(header.find("p:CtrlSum", NS).text) == sum(amounts) == Decimal(total_cents) / 100
    info = root.find(".//p:PmtInf", NS)
    assert info.find("p:NbOfTxs", NS).text == "3" and Decimal(info.find("p:CtrlSum", NS).text) == Decimal("37.80")
    assert info.find("p:ReqdExctnDt", NS).text == PAY_ON
    assert info.find("p:DbtrAcct/p:Id/p:IBAN", NS).text == app.config["PAYOUT_DEBTOR_IBAN"]
    transfers = {
        t.find("p:Cdtr/p:Nm", NS).text: (
            t.find("p:CdtrAcct/p:Id/p:IBAN", NS).text,
            Decimal(t.find("p:Amt/p:InstdAmt", NS).text),
            t.find("p:PmtId/p:EndToEndId", NS).text,
        )
        for t in root.iterfind(".//p:CdtTrfTxInf", NS)
    }
    fatima, khadija, piotr = approved[0].volunteer, approved[2].volunteer, approved[3].volunteer
    assert transfers == {
        "Fatima El Amrani": (fatima.iban, Decimal("19.60"), f"WS-B{batch_id}-V{fatima.id}"),
        "Khadija Benali": (khadija.iban, Decimal("14.00"), f"WS-B{batch_id}-V{khadija.id}"),
        "Piotr Wisniewski": (piotr.iban, Decimal("4.20"), f"WS-B{batch_id}-V{piotr.id}"),  # SEPA's Latin subset
    }
    batch = db.session.get(PayoutBatch, batch_id)
    assert (batch.total_cents, batch.transfer_count) == (3780, 3)
    assert batch.message_id == header.find("p:MsgId", NS).text


def test_the_csv_lists_every_claim_and_neutralises_formulas(english, login_as, make_volunteer, make_claim, treasurers):
    volunteer = make_volunteer(name='=HYPERLINK("http://x")', holder="Ayse Yilmaz")
    make_claim(volunteer, minutes=60, recorded_by=treasurers[0], approved_by=treasurers[1], note="@SUM(A1)")
    login_as(Role.treasurer)
    batch_id = make_batch(english)
    export(english, batch_id)
    response = english.get(f"/staff/allowances/batches/{batch_id}/claims.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1
    row = rows[0]
    assert row["Volunteer"] == '\'=HYPERLINK("http://x")' and row["Activity"] == "'@SUM(A1)"
    # Euros with a decimal comma: what Dutch Excel reads as a number (17.25 would become text or a date).
    assert (row["Amount (€)"], row["Rate per hour (€)"], row["Minutes"], row["IBAN"]) == (
        "5,60",
        "5,60",
        "60",
        volunteer.iban,
    )
    assert row["Transfer"] == f"WS-B{batch_id}-V{volunteer.id}"


def test_an_exported_batch_is_immutable(english, login_as, approved, make_claim, treasurers, db):
    login_as(Role.treasurer)
    batch_id = make_batch(english)
    claim = approved[0]
    assert export(english, batch_id).status_code == 303
    first_file = english.get(f"/staff/allowances/batches/{batch_id}/sepa.xml").get_data()

    for response in (
        export(english, batch_id),
        english.post(f"/staff/allowances/batches/{batch_id}/claims/{claim.id}/remove"),
        english.post(f"/staff/allowances/batches/{batch_id}/discard"),
    ):
        assert response.status_code == 409
        assert "can no longer change" in response.get_data(as_text=True)
    assert english.get(f"/staff/allowances/batches/{batch_id}/sepa.xml").get_data() == first_file
    batch = db.session.get(PayoutBatch, batch_id)
    assert {c.id for c in batch.claims} == {c.id for c in approved}

    # Underneath the services too: the database layer refuses to change what went to the bank.
    with pytest.raises(BatchExported), db.session.begin_nested():
        db.session.get(Claim, claim.id).amount_cents += 100
        db.session.flush()
    db.session.expire_all()
    with pytest.raises(BatchExported), db.session.begin_nested():
        db.session.get(PayoutBatch, batch_id).sepa_xml = "<changed/>"
        db.session.flush()
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).amount_cents == 1120

    # A correction is a new claim, paid in the next batch.
    correction = make_claim(approved[0].volunteer, minutes=30, recorded_by=treasurers[0], approved_by=treasurers[1])
    assert correction.batch_id is None
    assert make_batch(english) != batch_id


def test_before_export_claims_can_be_left_out_and_the_batch_discarded(english, login_as, approved, db):
    login_as(Role.treasurer)
    batch_id = make_batch(english)
    left_out = approved[3]
    assert english.post(f"/staff/allowances/batches/{batch_id}/claims/{left_out.id}/remove").status_code == 303
    assert db.session.get(Claim, left_out.id).batch_id is None
    assert english.post(f"/staff/allowances/batches/{batch_id}/discard").status_code == 303
    assert db.session.get(PayoutBatch, batch_id) is None
    assert all(db.session.get(Claim, c.id).batch_id is None for c in approved)


def test_no_batch_without_approved_claims(english, login_as, make_volunteer, make_claim, db):
    make_claim(make_volunteer(), status=ClaimStatus.submitted)
    login_as(Role.treasurer)
    response = english.post("/staff/allowances/batches", follow_redirects=True)
    assert "There are no approved claims waiting" in response.get_data(as_text=True)
    assert db.session.scalar(select(PayoutBatch)) is None


def test_a_batch_is_marked_paid_only_after_export_and_only_once(english, login_as, approved, db):
    login_as(Role.treasurer)
    batch_id = make_batch(english)
    paid = {"paid_on": "2025-05-02"}
    refused = english.post(f"/staff/allowances/batches/{batch_id}/paid", data=paid)
    assert refused.status_code == 409 and "Export the payout files" in refused.get_data(as_text=True)
    export(english, batch_id)
    question = english.post(f"/staff/allowances/batches/{batch_id}/paid", data=paid)
    assert question.status_code == 200 and db.session.get(PayoutBatch, batch_id).paid_on is None  # asks first
    paid |= {"confirm": "y", "confirming": "1"}
    assert english.post(f"/staff/allowances/batches/{batch_id}/paid", data=paid).status_code == 303
    batch = db.session.get(PayoutBatch, batch_id)
    assert batch.paid_on == date(2025, 5, 2)
    assert {db.session.get(Claim, c.id).status for c in approved} == {ClaimStatus.paid}
    assert english.post(f"/staff/allowances/batches/{batch_id}/paid", data=paid).status_code == 409
    assert "Paid on" in english.get("/staff/allowances/batches").get_data(as_text=True)


def test_an_execution_date_in_the_past_is_refused_beside_the_field(english, login_as, approved, db):
    login_as(Role.treasurer)
    batch_id = make_batch(english)
    response = export(english, batch_id, on="2020-01-01")
    assert response.status_code == 400 and 'id="execution_on-error"' in response.get_data(as_text=True)
    assert db.session.get(PayoutBatch, batch_id).exported_at is None


def test_every_view_of_payments_is_audited(english, login_as, approved, db):
    treasurer = login_as(Role.treasurer)
    batch_id = make_batch(english)
    export(english, batch_id)
    english.get("/staff/allowances/batches")
    english.get(f"/staff/allowances/batches/{batch_id}")
    english.get(f"/staff/allowances/batches/{batch_id}/sepa.xml")
    english.get(f"/staff/allowances/batches/{batch_id}/claims.csv")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == treasurer.id).order_by(AuditEvent.id))
    assert [(e.action, e.detail.get("file")) for e in events] == [
        ("allowance.batch.create", None),
        ("allowance.batch.export", None),
        ("allowance.batches.view", None),
        ("allowance.batch.view", None),
        ("allowance.batch.download", "sepa"),
        ("allowance.batch.download", "csv"),
    ]


def test_the_yearly_statement_pdf_shows_months_against_the_caps(english, login_as, make_volunteer, make_claim, db):
    volunteer = make_volunteer(name="خديجة بنعلي", holder="Khadija Benali")
    make_claim(volunteer, worked_on=date(2025, 3, 11), minutes=120, status=ClaimStatus.paid)
    make_claim(volunteer, worked_on=date(2025, 4, 8), minutes=90)
    make_claim(volunteer, worked_on=date(2025, 4, 9), minutes=60, status=ClaimStatus.submitted)  # not on the statement
    treasurer = login_as(Role.treasurer)
    response = english.get(f"/staff/allowances/volunteers/{volunteer.id}/statement-2025.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.get_data().startswith(b"%PDF")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "allowance.statement.view"))
    assert event.actor_id == treasurer.id and event.detail == {"year": 2025}
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=response.get_data(), capture_output=True, check=True
        ).stdout.decode("utf-8")
        assert "yearly statement 2025" in text and "March" in text and "December" in text
        assert "€11.20" in text and "€8.40" in text and "€19.60" in text  # March, April, the year
        assert "€210.00" in text and "€2,100.00" in text  # the monthly and yearly maximum
        assert "€5.60" not in text.split("Fiscal limits")[0]  # the waiting claim is left out
    login_as(Role.board)
    assert english.get(f"/staff/allowances/volunteers/{volunteer.id}/statement-2025.pdf").status_code == 403


def test_purging_removes_contact_details_of_those_who_left_and_keeps_payments(app, make_volunteer, make_claim, db):
    left = make_volunteer(email="weg@example.org", phone="06 12345678", left_at=utcnow() - timedelta(days=1))
    staying = make_volunteer(email="blijft@example.org", phone="06 87654321")
    claim = make_claim(left, status=ClaimStatus.paid)
    result = app.test_cli_runner().invoke(args=["purge-volunteer-contacts"])
    assert result.exit_code == 0 and "Removed the contact details of 1 volunteer(s)." in result.output
    db.session.expire_all()
    left, staying = db.session.get(Volunteer, left.id), db.session.get(Volunteer, staying.id)
    assert (left.email, left.phone) == (None, None)
    assert (staying.email, staying.phone) == ("blijft@example.org", "06 87654321")
    assert db.session.get(Claim, claim.id).amount_cents == claim.amount_cents  # payment records stay 7 years
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "allowance.volunteer.purge_contacts")
    ).object_id == str(left.id)


def test_marking_a_volunteer_as_stopped_leads_to_the_purge(app, english, login_as, make_volunteer, db):
    volunteer = make_volunteer(email="fatima@example.org")
    login_as(Role.treasurer)
    assert (
        english.post(f"/staff/allowances/volunteers/{volunteer.id}/leave", data={"ended_on": "2026-01-31"}).status_code
        == 303
    )
    app.test_cli_runner().invoke(args=["purge-volunteer-contacts"])
    db.session.expire_all()
    volunteer = db.session.get(Volunteer, volunteer.id)
    assert volunteer.left_at is not None and volunteer.ended_on == date(2026, 1, 31) and volunteer.email is None


def test_the_privacy_notice_states_retention_and_removal(english):
    html = english.get("/privacy").get_data(as_text=True)
    assert "payment records for seven years" in html and "remove contact details when a volunteer stops" in html


# --- the pure SEPA builder --------------------------------------------------------------------------
DEBTOR = Account("Samen Nieuw-West", "NL91ABNA0417164300", "ABNANL2A")


def test_the_builder_refuses_arabic_script_and_empty_files():
    arabic = Transfer(Account("خديجة بنعلي", "NL44SNSB0912345670"), 1000, "Vergoeding", "WS-B1-V1")
    with pytest.raises(SepaError):
        credit_transfer(DEBTOR, [arabic], date(2026, 1, 5))
    with pytest.raises(SepaError):
        credit_transfer(DEBTOR, [], date(2026, 1, 5))


def test_the_builder_output_validates_without_a_debtor_bic():
    transfers = [
        Transfer(Account("Ayşe Yılmaz", "NL63TRIO0212345678"), 123456, "Vergoeding", "WS-B2-V7"),
        Transfer(Account("Jan de Vries", "NL20INGB0001234567", "INGBNL2A"), 1, "Vergoeding", "WS-B2-V8"),
    ]
    result = credit_transfer(Account(DEBTOR.name, DEBTOR.iban), transfers, date(2026, 1, 5), validate=False)
    xmlschema.XMLSchema(str(SCHEMA)).validate(result.xml.decode("utf-8"))
    assert (result.total_cents, result.transfer_count) == (123457, 2)
    assert b"<CtrlSum>1234.57</CtrlSum>" in result.xml and b"Ayse Yilmaz" in result.xml


def test_production_refuses_the_demo_debtor_account(app, english, login_as, approved, db):
    login_as(Role.treasurer)
    batch_id = make_batch(english)
    app.config["DEMO_ALLOWED"] = False
    try:
        response = export(english, batch_id)
    finally:
        app.config["DEMO_ALLOWED"] = True
    assert response.status_code == 409 and "PAYOUT_DEBTOR_IBAN" in response.get_data(as_text=True)
    assert db.session.get(PayoutBatch, batch_id).exported_at is None
