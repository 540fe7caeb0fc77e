"""The whole council evening at phone size, in Dutch and Arabic (issue 14, "Done when"):
the facilitator creates the council and its vote from the evening page, prints the tickets
(QR decoded, address printed) and the paper ballot, 10 phones vote, 2 paper ballots are
entered and confirmed by a second facilitator who sees their choices, the vote closes, the
provisional result appears on the phones without a rescan, the board approves, the phones
show the final result. The facilitator's clicks are counted (the README states them)."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from app.auth.models import User
from app.auth.services import create_user
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.proposals.lifecycle import Status
from app.proposals.models import CostLine, Proposal
from app.roles import Role
from app.types import utcnow
from app.voting import services
from tests.browser.conftest import PHONE, assert_fits_phone, axe_violations, log_in

PLANS = (("Skatebaan Sloterplas", 12_000_00), ("Naaiatelier", 9_000_00), ("Zomerschool", 15_000_00))
SECOND = ("tweede.facilitator@wijkstem.example", "Tweede facilitator wachtwoord")
README = Path(__file__).resolve().parents[2] / "README.md"


def readme_clicks() -> int:
    """The number of facilitator clicks the README promises for the evening."""
    return int(re.search(r"takes the facilitator (\d+) clicks", README.read_text()).group(1))


@pytest.fixture(scope="module")
def prepared(live_app):
    """What the board did before: a budget envelope for a council evening (knapsack, 30k)
    and three approved plans; and a second facilitator for the four-eyes check."""
    with live_app.test_request_context():
        board = db.session.query(User).filter_by(email="bestuur@wijkstem.example").one()
        envelope = services.save_round(
            None,
            {
                "name": "Avondbudget De Aker",
                "budget_cents": 30_000_00,
                "ballot_type": "knapsack",
                "rule": "greedy",
                "eligibility": "council",
                "paper_four_eyes": True,
            },
            board,
        )
        for title, cost in PLANS:
            proposal = Proposal(
                title=title,
                summary=f"{title} voor de buurt",
                domain="youth",
                cost_lines=[CostLine(position=0, description=title, amount_cents=cost)],
            )
            db.session.add(proposal)
            for target in (Status.submitted, Status.in_review, Status.approved):
                proposal.move_to(target, board, "ok")
        second = db.session.query(User).filter_by(email=SECOND[0]).first()
        if not second:
            second = create_user(SECOND[0], "Tweede Facilitator", SECOND[1], [Role.facilitator])
        db.session.commit()
        return {"envelope": envelope.id, "second": second.id}


class Clicks:
    """Counts what the facilitator clicks (and presses), so the README's number is tested."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, selector: str):
        self.count += 1
        self.page.locator(selector).first.click()

    def check(self, selector: str):  # a tick is a tap too
        self.count += 1
        self.page.locator(selector).check()

    def choose(self, selector: str, **option):  # opening a list and picking from it: one tap each... counted as one
        self.count += 1
        self.page.select_option(selector, **option)

    def download(self, selector: str, tmp_path, name: str):
        with self.page.expect_download() as info:
            self.click(selector)
        path = tmp_path / name
        info.value.save_as(path)
        return path


def pdf_pages(pdf, tmp_path, stem):
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / stem)], check=True, capture_output=True)
    return sorted(tmp_path.glob(f"{stem}-*.png"))


def pdf_text(pdf) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True
    ).stdout.decode()


def test_the_whole_evening_on_phones_in_dutch_and_arabic(browser, live_server, live_app, prepared, tmp_path):
    context = browser.new_context(viewport=PHONE, base_url=live_server, locale="nl-NL", accept_downloads=True)
    page = context.new_page()
    page.goto("/lang/nl?next=/")
    log_in(page, "facilitator@wijkstem.example", DEMO_PASSWORD)
    clicks = Clicks(page)

    # 1. The council, from "new council".
    page.goto("/staff/councils/new")
    start = (utcnow() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")  # local time is fine: it only has to be tonight
    page.fill("#title", "Bewonersberaad De Aker")
    page.fill("#venue", "Buurthuis De Aker")
    page.fill("#starts_at", (utcnow() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#ends_at", start)
    clicks.check("input[name=languages][value=nl]")
    clicks.check("input[name=languages][value=ar]")
    clicks.check("input[name=domains][value=youth]")
    # the second facilitator runs the evening too: paper ballots need a second person of the council
    clicks.check(f"input[name=facilitator_ids][value='{prepared['second']}']")
    clicks.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/staff/councils/\d+$"))
    council_id = int(page.url.rsplit("/", 1)[1])
    clicks.click(f"a[href='/staff/councils/{council_id}/evening']")

    # 2. Its vote, from the evening page: the board's budget, then the plans.
    assert axe_violations(page) == []
    clicks.choose("#round_id", value=str(prepared["envelope"]))
    clicks.click("form[action$='/evening/budget'] button")
    for title, _cost in PLANS:
        value = page.locator("#proposal_id option", has_text=title).get_attribute("value")
        clicks.choose("#proposal_id", value=value)
        clicks.click("form[action$='/evening/plans'] button")
    assert page.locator("#plans li").count() == 3

    # 3. Tickets (12: 10 phones, 2 paper) and the paper ballot.
    clicks.click(f"main a[href='/staff/councils/{council_id}']")
    page.fill("#count", "12")
    sheet = clicks.download("form[action$='/tickets'] button[type=submit]", tmp_path, "tickets.pdf")
    urls = [b.text for png in pdf_pages(sheet, tmp_path, "tickets") for b in zxingcpp.read_barcodes(Image.open(png))]
    assert len(urls) == 12 and all(u.startswith(live_server + "/t/") for u in urls)
    address = live_server.split("://", 1)[1] + "/t"
    assert pdf_text(sheet).count(address) == 12  # the address to type, on every ticket
    codes = [u.rsplit("/", 1)[1] for u in urls]
    page.goto(f"/staff/councils/{council_id}/evening")  # back (the browser's back button is not counted)
    ballot_pdf = clicks.download("a[href$='/paper-ballot.pdf']", tmp_path, "ballot.pdf")
    text = pdf_text(ballot_pdf)
    assert all(title in text for title, _ in PLANS) and "Code van je kaartje" in text

    # 4. One action starts council and vote; the page goes to the desk.
    clicks.click("form[action$='/evening/start'] button")
    page.wait_for_url(re.compile(r".*/desk$"))
    round_id = int(re.search(r"/rounds/(\d+)/desk", page.url).group(1))
    assert axe_violations(page) == []

    # 5. Ten phones, five in Dutch and five in Arabic; each keeps its receipt page open.
    phones = []
    for index, url in enumerate(urls[:10]):
        locale = "nl" if index % 2 == 0 else "ar"
        phone_context = browser.new_context(viewport=PHONE, base_url=live_server)
        phone = phone_context.new_page()
        phone.goto(f"/lang/{locale}?next=/")
        phone.goto(url)
        phone.wait_for_url("**/t/welcome")
        phone.click("main a.button.primary")
        phone.wait_for_url("**/vote")
        phone.locator("input[name=choice]").nth(index % 3).check()
        if index < 4:
            phone.locator("input[name=choice]").nth((index + 1) % 3).check()
        if index in (0, 1):  # the first phone in each language: the ballot passes axe and fits
            assert_fits_phone(phone)
            assert axe_violations(phone) == []
        phone.click("#ballot .review button[type=submit]")
        phone.wait_for_url("**/vote/done")
        assert phone.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
        if index in (0, 1):
            assert_fits_phone(phone)
            assert axe_violations(phone) == []
        phones.append((phone_context, phone, locale))

    # 6. Two paper ballots at the desk (sign in + ballot in one step) ...
    receipts = []
    for code, pick in ((codes[10], (0, 1)), (codes[11], (2,))):
        page.fill("#paper-code", code)
        for i in pick:
            clicks.check(f"#ballot input[name=choice] >> nth={i}")
        clicks.click("#ballot button[type=submit]")
        page.wait_for_url(re.compile(r".*/desk$"))
        receipts.append(re.search(r": ([0-9A-Z]{10})", page.inner_text(".flash-success")).group(1))
    assert page.inner_text("#count-pending") == "2" and page.inner_text("#count-paper") == "0"

    # ... confirmed by a second facilitator, who sees each ballot's choices.
    second_context = browser.new_context(viewport=PHONE, base_url=live_server, locale="nl-NL")
    second = second_context.new_page()
    second.goto("/lang/nl?next=/")
    log_in(second, *SECOND)
    second.goto(f"/staff/rounds/{round_id}/desk")
    rows = {r: second.inner_text(f"tr:has(code:text-is('{r}')) td") for r in receipts}
    assert (
        PLANS[0][0] in rows[receipts[0]] and PLANS[1][0] in rows[receipts[0]] and PLANS[2][0] not in rows[receipts[0]]
    )
    assert rows[receipts[1]].strip() == PLANS[2][0]
    assert axe_violations(second) == []
    second.click("form[action*='/confirm'] button")
    second.wait_for_url(re.compile(r".*/desk$"))
    assert second.inner_text("#count-paper") == "2" and second.inner_text("#count-pending") == "0"
    second_context.close()

    # 7. Close: the counts, a confirmation, then the presenter view.
    page.goto(f"/staff/rounds/{round_id}/desk")  # reload to see the confirmed counts (not counted)
    clicks.click(f"a[href='/staff/rounds/{round_id}/close-evening']")
    assert page.inner_text("#count-phone") == "10" and page.inner_text("#count-paper") == "2"
    clicks.click("main form button[name=confirm]")
    page.wait_for_url(f"**/staff/rounds/{round_id}/present")
    assert page.locator(".presenter-status.provisional").count() == 1 and page.locator(".plan-bar").count() == 3
    facilitator_clicks = clicks.count
    print(f"facilitator clicks from 'new council' to the vote closed: {facilitator_clicks}")
    assert facilitator_clicks == readme_clicks()

    # 8. The provisional result reaches every phone by itself (no rescan, no tap).
    for _context, phone, _locale in phones:
        phone.wait_for_selector(".result-wait .notice.provisional", timeout=30_000)
        assert phone.locator(".result-rows li").count() == 3
    _c, arabic_phone, _l = phones[1]
    assert axe_violations(arabic_phone) == []
    assert_fits_phone(arabic_phone)

    # 9. The board approves; the phones show the final result with its hash.
    board_context = browser.new_context(viewport=PHONE, base_url=live_server, locale="nl-NL")
    board = board_context.new_page()
    log_in(board, "bestuur@wijkstem.example", DEMO_PASSWORD)
    board.goto(f"/rounds/{round_id}/results")
    board.check("form[action$='/approve'] input[name=confirm]")  # an irreversible step asks to be sure
    board.click("form[action$='/approve'] button")
    board.wait_for_url(f"**/rounds/{round_id}/results")
    board.wait_for_selector(".notice.final")
    board_context.close()
    for _phone_context, phone, _locale in phones:
        phone.wait_for_selector(".result-wait .notice.final", timeout=30_000)
        assert re.fullmatch(r"[0-9a-f]{64}", phone.inner_text(".result-wait code.hash"))
    for locale_phone in (phones[0][1], phones[1][1]):
        locale_phone.goto(f"/rounds/{round_id}/results")
        assert_fits_phone(locale_phone)
        assert axe_violations(locale_phone) == []
    for phone_context, _phone, _locale in phones:
        phone_context.close()
    context.close()
