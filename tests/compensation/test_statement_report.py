"""The yearly statement names the organisation, the period and each payment date, and breaks no
column heading inside a word."""

import subprocess
from datetime import date

from app.compensation.models import ClaimStatus, PayoutBatch
from app.roles import Role


def test_the_statement_names_organisation_period_and_payment_dates(
    english, login_as, make_volunteer, make_claim, treasurers, db
):
    recorder, approver = treasurers
    volunteer = make_volunteer(name="Fatima El Amrani")
    batch = PayoutBatch(created_by_id=approver.id, paid_on=date(2025, 5, 2))
    db.session.add(batch)
    db.session.flush()
    march = make_claim(
        volunteer,
        worked_on=date(2025, 3, 11),
        minutes=120,
        status=ClaimStatus.paid,
        recorded_by=recorder,
        approved_by=approver,
    )
    march.batch_id = batch.id
    db.session.commit()
    login_as(Role.treasurer)
    pdf = english.get(f"/staff/allowances/volunteers/{volunteer.id}/statement-2025.pdf").get_data()
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Samen Nieuw-West demo" in text  # PAYOUT_DEBTOR_NAME
    assert "January 1, 2025 to December 31, 2025" in text
    assert f"May 2, 2025 (payout {batch.id}, €11.20)" in text

    english.set_cookie("lang", "nl")
    pdf = english.get(f"/staff/allowances/volunteers/{volunteer.id}/statement-2025.pdf").get_data()
    words = (
        subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    assert "Maandmaximum" in words and "Maandmaxi" not in words
