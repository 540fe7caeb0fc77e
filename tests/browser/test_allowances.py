"""A treasurer records a volunteer's hours on a phone, a second treasurer approves them (four
eyes), makes a payout and exports the SEPA file for the bank."""

from sqlalchemy import select

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_fits_phone, axe_violations, log_in, log_out

SECOND_TREASURER = "theo.tweede@wijkstem.example"


def sign_in(page, email: str) -> None:
    log_in(page, email, DEMO_PASSWORD)


sign_out = log_out


def check_page(page) -> None:
    assert_fits_phone(page)
    assert axe_violations(page) == []


def test_treasurer_flow_from_claim_to_exported_batch_at_phone_size(page, live_app):
    from app.auth.models import User
    from app.auth.services import create_user
    from app.compensation.models import Claim, Volunteer
    from app.extensions import db
    from app.roles import Role

    with live_app.app_context():
        if db.session.scalar(select(User).where(User.email == SECOND_TREASURER)) is None:
            from app.auth import two_step
            from app.demo import DEMO_TOTP_SECRET

            theo = create_user(SECOND_TREASURER, "Theo Tweede", DEMO_PASSWORD, [Role.treasurer])
            two_step.enrol_with_known_secret(theo, DEMO_TOTP_SECRET)  # treasurers sign in with two steps
            db.session.commit()
        fatima = db.session.scalar(select(Volunteer).where(Volunteer.name == "Fatima El Amrani"))
        fatima_id, fatima_iban = fatima.id, fatima.iban

    # The demo treasurer records two hours by hand (2025 has limits; Fatima started on 1 September
    # 2025 and has no claims then).
    sign_in(page, "penningmeester@wijkstem.example")
    page.click("a[href$='/staff/allowances/claims/new']")
    page.wait_for_url("**/staff/allowances/claims/new")
    check_page(page)
    page.select_option("#volunteer_id", str(fatima_id))
    page.fill("#worked_on", "2025-09-16")
    page.click("main form button[type=submit]")
    # Bad input: the message sits beside the field and the choices made so far stay.
    assert page.locator("#minutes-error").is_visible()
    assert page.input_value("#volunteer_id") == str(fatima_id)
    assert page.input_value("#worked_on") == "2025-09-16"
    check_page(page)
    page.fill("#minutes", "120")
    page.fill("#note", "Voorbereiding buurtfeest")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/staff/allowances/volunteers/{fatima_id}")
    assert "Voorbereiding buurtfeest" in page.content()
    check_page(page)
    with live_app.app_context():
        claim_id = db.session.scalar(select(Claim.id).where(Claim.volunteer_id == fatima_id).order_by(Claim.id.desc()))
    # The recorder cannot approve their own claim: the page offers no button for it.
    page.goto("/staff/allowances/claims")
    assert page.locator(f"#claim-{claim_id} form[action$='/approve']").count() == 0
    sign_out(page)

    # The second treasurer approves it, makes a payout and exports it.
    sign_in(page, SECOND_TREASURER)
    page.goto("/staff/allowances/claims")
    check_page(page)
    page.click(f"#claim-{claim_id} form[action$='/approve'] button")
    page.wait_for_url("**/staff/allowances/claims")
    page.goto("/staff/allowances/batches")
    check_page(page)
    page.click("form[action$='/staff/allowances/batches'] button")
    page.wait_for_url("**/staff/allowances/batches/*")
    assert fatima_iban in page.content()
    check_page(page)
    page.click("form[action$='/export'] button")
    page.wait_for_url("**/staff/allowances/batches/*")
    assert page.locator("form[action$='/export']").count() == 0  # exported: nothing can change any more
    with page.expect_download() as download:
        page.click("a[href$='/sepa.xml']")
    xml = open(download.value.path(), encoding="utf-8").read()
    assert "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03" in xml and f"<IBAN>{fatima_iban}</IBAN>" in xml
    check_page(page)
    with live_app.app_context():
        claim = db.session.get(Claim, claim_id)
        assert claim.batch is not None and claim.batch.is_exported
