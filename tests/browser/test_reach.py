"""The reach report on a phone in Arabic: right to left, no sideways scroll, axe clean; the
welcome step's first-timer question and its skip button at phone size."""

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_fits_phone, axe_violations, log_in


def test_reach_report_reads_right_to_left_at_phone_size(page, live_app):
    from sqlalchemy import select

    from app.councils.models import Council
    from app.extensions import db

    with live_app.app_context():
        council_id = db.session.scalar(
            select(Council.id).where(Council.title.like("Bewonersberaad Geuzenveld (2-10-2024)%"))
        )
    log_in(page, "bestuur@wijkstem.example", DEMO_PASSWORD)
    page.goto("/lang/ar?next=/staff/reach")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == "مدى وصول الاجتماعات"
    assert_fits_phone(page)
    assert axe_violations(page) == []
    page.goto(f"/staff/councils/{council_id}/reach")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # Bars grow from the right in Arabic: the stylesheet mirrors them.
    assert page.evaluate("getComputedStyle(document.querySelector('.reach-bar')).transform") != "none"
    # The group names are HTML text and sit on the right of their row.
    row = page.locator(".reach-bars tbody th").first.bounding_box()
    bar = page.locator(".reach-bars .bar-cell").first.bounding_box()
    assert row["x"] > bar["x"]
    assert "أقل من 5" in page.locator("main").inner_text()
    assert_fits_phone(page)
    assert axe_violations(page) == []


def test_welcome_step_asks_for_the_first_time_and_can_be_skipped(page, live_app):
    from app.councils.demo import DEMO_TICKET_CODES

    code = DEMO_TICKET_CODES[-1]
    page.goto(f"/t/{code}")
    page.wait_for_url("**/t/welcome")
    assert page.locator("input[name=first_time]").count() == 3
    assert_fits_phone(page)
    assert axe_violations(page) == []
    page.click("button[name=skip]")
    page.wait_for_url("**/t/welcome")
    assert page.locator("input[name=first_time]").count() == 0
