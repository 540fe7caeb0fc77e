"""The status poll and the results page are sent without Flask once Flask has sent them
(app/shared_answers.py): the same bytes and headers as from Flask, never to someone Flask
would show another page, and never after the round's status changed."""

import pytest

from app.roles import Role
from tests.voting.test_results import CONFIRM, counted_round  # noqa: F401 (fixture)


@pytest.fixture
def flask_calls(app, monkeypatch):
    """How many requests reached Flask (under the middleware)."""
    middleware = app.extensions["wijkstem.shared_answers"]
    inner = middleware.wsgi_app
    calls = []

    def counting(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    monkeypatch.setattr(middleware, "wsgi_app", counting)
    return calls


def same_headers(a, b, but=("date",)):
    """Every header but ``but``, as a multiset (the order of headers carries no meaning)."""

    def cleaned(response):
        return sorted((k.lower(), v) for k, v in response.headers.items() if k.lower() not in but)

    return cleaned(a) == cleaned(b)


def closed_round(client, login_as, counted_round, approve=False):
    round_, _ids = counted_round()
    login_as(Role.board)
    assert client.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM).status_code == 303
    if approve:
        assert client.post(f"/staff/rounds/{round_.id}/approve", data=CONFIRM).status_code == 303
    return round_


def test_the_poll_is_sent_again_without_flask_with_the_same_bytes_and_headers(app, make_round, flask_calls):
    round_ = make_round()
    url = f"/rounds/{round_.id}/status.json"
    phone = app.test_client()
    first = phone.get(url)
    assert first.status_code == 200 and first.get_json() == {"status": "open"} and len(flask_calls) == 1
    again = phone.get(url)
    assert len(flask_calls) == 1, "the second poll went through Flask"
    assert again.get_data() == first.get_data() and same_headers(again, first)
    assert "Content-Security-Policy" in again.headers and again.headers["Cache-Control"] == "no-cache"

    unchanged = phone.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.get_data() == b"" and len(flask_calls) == 1
    assert unchanged.headers["ETag"] == first.headers["ETag"]
    head = phone.head(url)
    assert (
        head.status_code == 200
        and head.get_data() == b""
        and head.headers["Content-Length"] == str(len(first.get_data()))
    )
    assert len(flask_calls) == 1

    # What Flask itself answers to the same conditional request (a query string takes Flask's path).
    from_flask = phone.get(url + "?from=flask", headers={"If-None-Match": first.headers["ETag"]})
    assert len(flask_calls) == 2 and from_flask.status_code == 304
    # (Flask's 304 leaves out the Vary that flask-compress adds to the 200; the replayed 304
    # keeps the 200's, which is as true.)
    assert same_headers(from_flask, unchanged, but=("date", "vary"))
    assert set(from_flask.headers["Vary"].split(", ")) <= set(unchanged.headers["Vary"].split(", "))


def test_a_status_change_reaches_the_poll_at_once(app, client, login_as, make_round, flask_calls):
    round_ = make_round()
    url = f"/rounds/{round_.id}/status.json"
    phone = app.test_client()
    phone.get(url)
    assert phone.get(url).get_json() == {"status": "open"}
    login_as(Role.board)
    assert client.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM).status_code == 303
    assert phone.get(url).get_json() == {"status": "closed"}


def test_an_unknown_round_is_never_answered_without_flask(app, db, flask_calls):
    phone = app.test_client()
    for _ in range(2):
        assert phone.get("/rounds/987654/status.json").status_code == 404
        assert phone.get("/rounds/987654/results").status_code == 404
    assert phone.get("/rounds/99999999999/status.json").status_code == 404  # beyond the id range
    assert len(flask_calls) == 5


def test_the_results_page_is_sent_again_without_flask(app, client, login_as, counted_round, flask_calls):
    round_ = closed_round(client, login_as, counted_round, approve=True)
    url = f"/rounds/{round_.id}/results"
    phone = app.test_client()
    phone.set_cookie("lang", "en")
    before = len(flask_calls)
    first = phone.get(url)
    assert "Final result" in first.get_data(as_text=True) and len(flask_calls) == before + 1
    again = phone.get(url)
    assert len(flask_calls) == before + 1, "the second visitor went through Flask"
    assert again.get_data() == first.get_data() and same_headers(again, first)
    assert "Set-Cookie" not in again.headers

    compressed = phone.get(url, headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["Content-Encoding"] == "gzip" and compressed.headers["ETag"] != first.headers["ETag"]
    import gzip

    assert gzip.decompress(compressed.get_data()) == first.get_data()
    assert len(flask_calls) == before + 1

    # A phone that voted (a session with its receipt) gets the same page without Flask.
    assert phone.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert len(flask_calls) == before + 1


def test_the_language_is_the_one_flask_would_choose(app, client, login_as, counted_round, flask_calls):
    round_ = closed_round(client, login_as, counted_round, approve=True)
    url = f"/rounds/{round_.id}/results"
    cases = [
        ({}, {"Accept-Language": "ar,en;q=0.5"}, 'lang="ar" dir="rtl"'),
        ({"lang": "pl"}, {"Accept-Language": "ar"}, 'lang="pl"'),
    ]
    cases += [({}, {"Accept-Language": "de"}, 'lang="nl"'), ({"lang": "xx"}, {"Accept-Language": "tr"}, 'lang="tr"')]
    for cookies, headers, expected in cases * 2:  # the second time without Flask
        phone = app.test_client()
        for name, value in cookies.items():
            phone.set_cookie(name, value)
        assert expected in phone.get(url, headers=headers).get_data(as_text=True), (cookies, headers)


def test_staff_and_waiting_messages_always_go_through_flask(app, client, login_as, counted_round, flask_calls):
    round_ = closed_round(client, login_as, counted_round)
    url = f"/rounds/{round_.id}/results"
    visitor = app.test_client()
    visitor.get(url)
    visitor.get(url)
    reached = len(flask_calls)
    preview = client.get(url)  # the board, signed in
    assert len(flask_calls) == reached + 1
    assert f'action="/staff/rounds/{round_.id}/approve"' in preview.get_data(as_text=True)

    with visitor.session_transaction() as session:
        session["_flashes"] = [("message", "Dit bericht wacht op u.")]
    shown = visitor.get(url).get_data(as_text=True)
    assert "Dit bericht wacht op u." in shown and len(flask_calls) == reached + 2
    visitor.set_cookie("remember_token", "1|abc")
    visitor.get(url)
    assert len(flask_calls) == reached + 3


def test_a_new_status_is_never_answered_with_the_old_page(app, client, login_as, counted_round, flask_calls):
    round_ = closed_round(client, login_as, counted_round)
    url = f"/rounds/{round_.id}/results"
    phone = app.test_client()
    phone.set_cookie("lang", "en")
    phone.get(url)
    assert "Provisional result" in phone.get(url).get_data(as_text=True)
    assert client.post(f"/staff/rounds/{round_.id}/approve", data=CONFIRM).status_code == 303
    final = phone.get(url).get_data(as_text=True)
    assert "Final result" in final and "Provisional result" not in final


@pytest.fixture
def warming_app(tmp_path, monkeypatch):
    """An app of its own (a file database, no shared test connection) that makes results pages
    ahead, and the background threads it started."""
    from app import cache
    from app.voting import resident_routes
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'warm.db'}", WARM_RESULTS_PAGES=True)
    started = []
    warm = resident_routes.warm_results_pages

    def recorded(app_, round_id):
        started.append(warm(app_, round_id))
        return started[-1]

    monkeypatch.setattr(resident_routes, "warm_results_pages", recorded)
    cache.clear_all()
    yield app, started
    for thread in started:
        thread.join(timeout=30)
    cache.clear_all()


def test_the_first_closed_poll_makes_the_results_pages_ahead_in_every_language(warming_app):
    from sqlalchemy import update

    from app.extensions import db
    from app.i18n import LANGUAGE_CODES
    from app.voting.models import BudgetRound, RoundStatus
    from tests.voting.test_concurrency import _open_round_with_ticket

    app, started = warming_app
    round_id, _code, _options = _open_round_with_ticket(app)
    phone = app.test_client()
    assert phone.get(f"/rounds/{round_id}/status.json").get_json() == {"status": "open"}
    assert started == []  # nothing to make while the vote is open
    with app.app_context():
        db.session.execute(update(BudgetRound).where(BudgetRound.id == round_id).values(status=RoundStatus.closed))
        db.session.commit()
    from app.voting import services

    services.STATUS_CACHE.clear()  # (the other worker's cache, a second later)
    assert phone.get(f"/rounds/{round_id}/status.json").get_json() == {"status": "closed"}
    assert phone.get(f"/rounds/{round_id}/status.json").get_json() == {"status": "closed"}
    assert len(started) == 1  # once per status and worker, not per poll
    started[0].join(timeout=30)

    middleware = app.extensions["wijkstem.shared_answers"]
    inner, reached = middleware.wsgi_app, []
    middleware.wsgi_app = lambda environ, start_response: reached.append(1) or inner(environ, start_response)
    services.STATUS_CACHE.set(round_id, "closed")  # (kept fresh by the phones' polls)
    for code in LANGUAGE_CODES:
        page = app.test_client().get(f"/rounds/{round_id}/results", headers={"Accept-Language": code})
        assert page.status_code == 200 and f'lang="{code}"' in page.get_data(as_text=True)
        assert "Provisional result" in page.get_data(as_text=True) or code != "en"
    assert reached == [], "a visitor's request still had to make the page"
