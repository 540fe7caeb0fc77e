"""The finance and results pages on a 360 px phone, in Dutch and in Arabic (right to left): every
chart label lies inside its chart and inside the screen, labels stay readable (at least 14 px),
and nothing scrolls sideways."""

import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.conftest import PHONE
from tests.conftest import make_app

HEADER_CLEAR = """() => {
  const brand = document.querySelector('.site-header .brand').getBoundingClientRect();
  const nav = document.querySelector('.site-header nav.languages').getBoundingClientRect();
  const bar = document.querySelector('.site-header .bar');
  return {brandBottom: brand.bottom, navTop: nav.top, transform: getComputedStyle(bar).transform};
}"""
LABELS_INSIDE = """() => {
  const out = [];
  const width = document.documentElement.clientWidth;
  const charts = [...document.querySelectorAll('figure.bars, svg.chart, svg.budget-bar')];
  for (const chart of charts) {
    const box = chart.getBoundingClientRect();
    const labels = [...chart.querySelectorAll('.bar-label, .bar-amounts, text')];
    for (const label of labels) {
      const r = label.getBoundingClientRect();
      const size = parseFloat(getComputedStyle(label).fontSize);
      out.push({text: label.textContent.trim(), inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5
                && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5, onScreen: r.left >= -0.5 && r.right <= width + 0.5,
                size: size, visible: r.width > 0 && r.height > 0});
    }
  }
  return {charts: charts.length, labels: out};
}"""


@pytest.fixture(scope="module")
def published_server(database_factory):
    """The demo with its open round closed and its results approved, so that the finance page
    has funded plans and the round has a results page."""
    from app.auth.models import User
    from app.councils.demo import DEMO_TICKET_CODES
    from app.demo import seed_demo
    from app.extensions import db
    from app.voting import services
    from app.voting.models import BudgetRound, RoundStatus
    from app.voting.results import round_results

    shared_codes = list(DEMO_TICKET_CODES)  # seeding fills this module list; the live app's tests read it
    app = make_app(database_factory("charts"))
    with app.app_context():
        seed_demo()
        db.session.commit()
        DEMO_TICKET_CODES[:] = shared_codes
        board = db.session.query(User).filter_by(email="bestuur@wijkstem.example").one()
        with app.test_request_context():
            round_ = db.session.query(BudgetRound).filter_by(status=RoundStatus.open).first()
            services.close_round(round_, board)
            services.approve_results(round_, round_results(round_), board)
            db.session.commit()
            round_id = round_.id
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", round_id
    server.shutdown()


@pytest.mark.parametrize("locale", ["nl", "ar"])
def test_finance_and_results_charts_fit_a_phone(browser, published_server, locale):
    base, round_id = published_server
    context = browser.new_context(viewport=PHONE, base_url=base)
    context.add_cookies([{"name": "lang", "value": locale, "url": base}])
    page = context.new_page()
    try:
        for path in ("/finance", f"/rounds/{round_id}/results"):
            response = page.goto(path)
            assert response.status == 200, path
            assert page.get_attribute("html", "dir") == ("rtl" if locale == "ar" else "ltr")
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} ({locale}) is {overflow}px wider than the screen"
            header = page.evaluate(HEADER_CLEAR)
            # The page's chart styles leave the site header alone: the brand sits above the
            # language links, not on them, and nothing in the header is mirrored.
            assert header["brandBottom"] <= header["navTop"] + 0.5 and header["transform"] == "none", (path, header)
            found = page.evaluate(LABELS_INSIDE)
            assert found["charts"] >= 1, path
            for label in found["labels"]:
                assert label["visible"] and label["inside"] and label["onScreen"], (path, locale, label)
                assert label["size"] >= 14, (path, locale, label)
            if path == "/finance":
                assert len(found["labels"]) >= 4  # per domain and focus/other, each with a name and amounts
                transform = page.eval_on_selector("svg.bar", "bar => getComputedStyle(bar).transform")
                assert (
                    transform.startswith("matrix(-1")
                    if locale == "ar"
                    else transform in ("none", "matrix(1, 0, 0, 1, 0, 0)")
                )
    finally:
        context.close()
