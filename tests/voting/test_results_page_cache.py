"""The public results page is served from memory as finished bytes (the reveal: 300 phones at
once), but only when every visitor in that language would get the same page."""

import brotli

from app.roles import Role
from tests.voting.test_ballot_routes import sign_in
from tests.voting.test_results import CONFIRM, counted_round  # noqa: F401 (fixture)


def close(client, login_as, round_):
    login_as(Role.board)
    assert client.post(f"/staff/rounds/{round_.id}/status/closed", data=CONFIRM).status_code == 303


def test_the_cached_page_changes_when_the_board_approves(app, client, login_as, counted_round):
    round_, _ids = counted_round()
    close(client, login_as, round_)
    phone = app.test_client()
    phone.set_cookie("lang", "en")
    first = phone.get(f"/rounds/{round_.id}/results")
    assert "Provisional result" in first.get_data(as_text=True)
    assert phone.get(f"/rounds/{round_.id}/results").get_data() == first.get_data()  # the same bytes
    assert client.post(f"/staff/rounds/{round_.id}/approve", data=CONFIRM).status_code == 303
    # No cache is cleared by hand: the approval itself makes the page new.
    after = phone.get(f"/rounds/{round_.id}/results", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    text = after.get_data(as_text=True)
    assert "Final result" in text and "Provisional result" not in text and "SHA-256" in text
    assert after.headers["ETag"] != first.headers["ETag"]


def test_a_staff_user_never_gets_the_visitors_page(app, client, login_as, counted_round):
    round_, _ids = counted_round()
    close(client, login_as, round_)
    visitor = app.test_client()
    assert "/approve" not in visitor.get(f"/rounds/{round_.id}/results").get_data(as_text=True)
    preview = client.get(f"/rounds/{round_.id}/results")  # the board, after the visitor filled the cache
    text = preview.get_data(as_text=True)
    assert f'action="/staff/rounds/{round_.id}/approve"' in text and 'name="csrf_token"' in text
    assert "ETag" not in preview.headers
    assert "/approve" not in visitor.get(f"/rounds/{round_.id}/results").get_data(as_text=True)


def test_each_language_gets_its_own_page(app, client, login_as, counted_round):
    round_, _ids = counted_round()
    close_and_approve = (f"/staff/rounds/{round_.id}/status/closed", f"/staff/rounds/{round_.id}/approve")
    login_as(Role.board)
    for url in close_and_approve:
        client.post(url, data=CONFIRM)
    pages = {}
    for code in ("nl", "en", "ar", "nl"):
        phone = app.test_client()
        phone.set_cookie("lang", code)
        pages.setdefault(code, []).append(phone.get(f"/rounds/{round_.id}/results").get_data(as_text=True))
    assert '<html lang="nl" dir="ltr">' in pages["nl"][0] and "Definitieve uitslag" in pages["nl"][0]
    assert '<html lang="en" dir="ltr">' in pages["en"][0] and "Final result" in pages["en"][0]
    assert '<html lang="ar" dir="rtl">' in pages["ar"][0]
    assert pages["nl"][0] == pages["nl"][1]


def test_unchanged_page_answers_304_and_compressed_bodies_match(app, client, login_as, counted_round):
    round_, _ids = counted_round()
    close(client, login_as, round_)
    phone = app.test_client()
    plain = phone.get(f"/rounds/{round_.id}/results")
    assert plain.headers["Cache-Control"] == "no-cache" and "Accept-Encoding" in plain.headers["Vary"]
    again = phone.get(f"/rounds/{round_.id}/results", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    packed = phone.get(f"/rounds/{round_.id}/results", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "br" and packed.headers["ETag"] != plain.headers["ETag"]
    assert brotli.decompress(packed.get_data()) == plain.get_data()
    revalidated = phone.get(
        f"/rounds/{round_.id}/results", headers={"Accept-Encoding": "br", "If-None-Match": packed.headers["ETag"]}
    )
    assert revalidated.status_code == 304


def test_messages_and_query_strings_are_not_shared(app, client, login_as, counted_round):
    round_, _ids = counted_round()
    close(client, login_as, round_)
    phone = app.test_client()
    phone.set_cookie("lang", "en")
    phone.get(f"/rounds/{round_.id}/results")  # fills the cache
    phone.get("/t/NOT-A-CODE")  # leaves a message for the next page
    text = phone.get(f"/rounds/{round_.id}/results").get_data(as_text=True)
    assert "We do not know this code" in text
    echoed = phone.get(f"/rounds/{round_.id}/results?from=poster").get_data(as_text=True)
    assert "from%3Dposter" in echoed
    assert "poster" not in phone.get(f"/rounds/{round_.id}/results").get_data(as_text=True)
    assert "We do not know this code" not in phone.get(f"/rounds/{round_.id}/results").get_data(as_text=True)


def test_polls_and_the_results_page_do_not_send_the_cookie_again(app, client, login_as, counted_round, ticket_for):
    round_, _ids = counted_round()
    phone = app.test_client()
    sign_in(phone, ticket_for(round_))
    assert "Set-Cookie" in phone.get("/t/welcome").headers  # an ordinary page refreshes the session
    poll = phone.get(f"/rounds/{round_.id}/status.json")
    assert poll.status_code == 200 and "Set-Cookie" not in poll.headers
    close(client, login_as, round_)
    results = phone.get(f"/rounds/{round_.id}/results")
    assert results.status_code == 200 and "Set-Cookie" not in results.headers
