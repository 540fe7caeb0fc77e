"""Light on the wire (issue 14): compressed pages, static files under content-hashed names
with a year-long immutable cache, a cold ballot page of at most 15 KB, and no compression
where a page could echo an attacker's text next to the CSRF token (BREACH)."""

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest

from tests.voting.test_ballot_routes import sign_in, token_of

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"
SUMMARY = (
    "Elke woensdag- en vrijdagmiddag een huiswerkklas in het buurthuis, met twee vrijwilligers en "
    "een vaste begeleider, voor kinderen van groep 6 tot en met de brugklas. Het geld is voor "
    "begeleiding, materiaal en een gezonde snack."
)  # about 230 characters, like the demo plans


def static_urls(html):
    return sorted(set(re.findall(r'(?:href|src)="(/static/[^"#]+)', html)))


def wire_bytes(response):
    head = sum(len(k) + len(v) + 4 for k, v in response.headers.items()) + len("HTTP/1.1 200 OK\r\n\r\n")
    return head + len(response.get_data())


@pytest.fixture
def nine_plan_ballot(client, make_round, ticket_for, db):
    round_ = make_round("knapsack", costs=[12_000_00 + 1_000_00 * i for i in range(9)], budget=50_000_00)
    for option in round_.options:
        option.proposal.title = f"Huiswerkklas en sport voor de jeugd, {option.proposal.title}"
        option.proposal.summary = SUMMARY
    db.session.commit()
    sign_in(client, ticket_for(round_))
    return round_


def test_a_cold_ballot_page_is_at_most_15_kb_on_the_wire(client, nine_plan_ballot):
    page = client.get("/vote", headers={"Accept-Encoding": "br, gzip"})
    assert page.headers["Content-Encoding"] == "br"
    html = brotli.decompress(page.get_data()).decode()
    assert html.count('<li class="ballot-option') == 9
    total = wire_bytes(page)
    for url in static_urls(html):
        asset = client.get(url, headers={"Accept-Encoding": "br, gzip"})
        assert asset.status_code == 200, url
        total += wire_bytes(asset)
    print(f"cold ballot page with 9 plans: {total} bytes on the wire in {1 + len(static_urls(html))} requests")
    assert total <= 15 * 1024
    uncompressed = len(html.encode()) + sum(
        len((STATIC / re.sub(r"\.[0-9a-f]{10}\.", ".", u[len("/static/") :])).read_bytes()) for u in static_urls(html)
    )
    assert uncompressed > 2 * 15 * 1024 or total < uncompressed  # compression did the work


def test_static_files_have_hashed_names_and_an_immutable_cache(client, nine_plan_ballot):
    html = client.get("/vote").get_data(as_text=True)
    urls = static_urls(html)
    assert {re.sub(r"\.[0-9a-f]{10}(\.\w+)$", r"\1", u) for u in urls} >= {
        "/static/css/app.css",
        "/static/js/ballot.js",
        "/static/favicon.svg",
    }
    for url in urls:
        name, digest, suffix = re.fullmatch(r"/static/(.+)\.([0-9a-f]{10})\.(\w+)", url).groups()
        body = (STATIC / f"{name}.{suffix}").read_bytes()
        assert hashlib.sha256(body).hexdigest()[:10] == digest
        plain = client.get(url)
        assert plain.get_data() == body
        assert plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "Set-Cookie" not in plain.headers and "Cookie" not in plain.headers.get("Vary", "")
        assert plain.headers["X-Content-Type-Options"] == "nosniff"
    css = next(u for u in urls if u.endswith(".css"))
    squeezed = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert (
        squeezed.headers["Content-Encoding"] == "gzip"
        and gzip.decompress(squeezed.get_data()) == (STATIC / "css/app.css").read_bytes()
    )
    # The icons inside pages are hashed too (the <use> reference of the SVG sprite).
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<use href="/static/icons\.[0-9a-f]{10}\.svg#', home) or "<use" not in home


def test_no_compression_where_a_page_could_echo_a_guess_next_to_a_secret(client, nine_plan_ballot):
    echoed = client.get("/vote?guess=csrf_token", headers={"Accept-Encoding": "br, gzip"})
    assert "csrf_token" in echoed.get_data(as_text=True) and "Content-Encoding" not in echoed.headers
    html = client.get("/vote").get_data(as_text=True)
    posted = client.post(
        "/vote", data={"token": token_of(html), "recalculate": "1"}, headers={"Accept-Encoding": "br, gzip"}
    )
    assert posted.status_code == 200 and "Content-Encoding" not in posted.headers
    missing = client.get("/vote/unknown-guess", headers={"Accept-Encoding": "br, gzip"})
    assert missing.status_code == 404 and "Content-Encoding" not in missing.headers
