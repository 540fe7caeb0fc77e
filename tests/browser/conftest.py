"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against the real
app served on loopback, at a phone's viewport."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app

CHROMIUM = os.environ.get("WIJKSTEM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_app(database_factory):
    from app.demo import seed_demo
    from app.extensions import db

    app = make_app(database_factory("live"))
    with app.app_context():
        seed_demo()
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") or os.environ.get("WIJKSTEM_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required here but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _close_every_page(browser):
    """Pages a test leaves open keep polling the shared live server (a receipt page waits for
    the result) while later tests run: every browser context ends with its test."""
    yield
    for context in list(browser.contexts):
        context.close()


class PageWatch:
    """Collects what a page asked for outside our server and what the console complained of."""

    def __init__(self, base_url: str):
        self.host = urlsplit(base_url).netloc
        self.foreign_requests: list[str] = []
        self.console_errors: list[str] = []

    def on_request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.host:
            self.foreign_requests.append(request.url)

    def on_console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server, locale="nl-NL")
    page = context.new_page()
    watch = PageWatch(live_server)
    page.on("request", watch.on_request)
    page.on("console", watch.on_console)
    page.watch = watch
    yield page
    context.close()
    assert watch.foreign_requests == [], "pages must not ask other hosts for anything"
    assert [e for e in watch.console_errors if "Content Security Policy" in e] == []


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in impacts
    ]


def assert_fits_phone(page) -> None:
    """Nothing makes the page scroll sideways on a 360 px screen."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the screen"


def log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/login/code" in page.url:  # the demo's board, treasurer and administrator: the second step
        import time

        import pyotp

        from app.demo import DEMO_TOTP_SECRET

        totp = pyotp.TOTP(DEMO_TOTP_SECRET)
        for moment in (time.time(), time.time() + totp.interval):  # a code works once: else the next one
            page.fill("#code", totp.at(moment))
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            if "/login/code" not in page.url:
                break
    page.wait_for_url("**/staff")


def log_out(page) -> None:
    page.click(".staff-nav button[type=submit]")
    page.wait_for_url("**/")
