"""An aanjager writes and submits a plan in Dutch on a phone, a reviewer approves it,
and the public page shows it, also in Arabic."""

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_fits_phone, axe_violations, log_in, log_out


def test_plan_from_draft_to_public_page_at_phone_size(page):
    log_in(page, "aanjager@wijkstem.example", DEMO_PASSWORD)
    page.goto("/staff/proposals/new")
    assert_fits_phone(page)
    assert axe_violations(page) == []
    page.fill("#title", "Zwemles voor moeders")
    page.fill("#summary", "Zwemles in het Sloterparkbad voor moeders die nooit leerden zwemmen.")
    page.check("input[name=domain][value=youth]")
    page.fill("#cost_lines-0-description", "Badhuur")
    page.fill("#cost_lines-0-amount", "-5")
    page.click("button[name=save]")
    # Bad input: a message beside the field, and what was typed is still there.
    assert page.locator("#cost_lines-0-amount-error").is_visible()
    assert page.input_value("#title") == "Zwemles voor moeders"
    page.fill("#cost_lines-0-amount", "1.250,50")
    page.fill("#cost_lines-1-description", "Badmutsen")
    page.fill("#cost_lines-1-amount", "99,50")
    page.click("button[name=save]")
    page.wait_for_url("**/staff/proposals/*")
    assert "1.350,00" in page.content()
    page.click("form[action$='/submit'] button")
    page.wait_for_url("**/staff/proposals/*")
    proposal_url = page.url
    proposal_id = proposal_url.rstrip("/").split("/")[-1]
    log_out(page)

    log_in(page, "toets@wijkstem.example", DEMO_PASSWORD)
    page.goto(f"/staff/proposals/{proposal_id}/review")
    assert axe_violations(page) == []
    page.check("input[name=feasible][value=yes]")
    page.check("input[name=decision][value=approve]")
    page.fill("#public_reason", "Haalbaar, het bad heeft plek op zondag.")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/staff/review")
    log_out(page)

    page.goto(f"/proposals/{proposal_id}")
    assert page.locator("h1").inner_text() == "Zwemles voor moeders"
    assert "Haalbaar, het bad heeft plek op zondag." in page.content()
    assert_fits_phone(page)
    assert axe_violations(page) == []
    page.goto(f"/lang/ar?next=/proposals/{proposal_id}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    # The plan has no Arabic text: the original shows, marked as Dutch, with a notice.
    assert page.locator("h1").get_attribute("lang") == "nl"
    assert page.locator(".notice").first.is_visible()
    assert_fits_phone(page)
    assert axe_violations(page) == []
    page.goto("/lang/nl?next=/")
