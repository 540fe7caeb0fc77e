"""The in-memory caches have a size limit and forget after their time (a hand-driven clock,
so nothing here waits), and ids made up by a client do not grow them."""

import re

from app.cache import BoundedCache
from app.voting import resident_routes, results, results_routes, services
from app.voting.models import RoundStatus


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_size_limit_drops_the_least_recently_used():
    cache = BoundedCache(maxsize=3)
    for key in "abc":
        cache.set(key, key.upper())
    assert cache.get("a") == "A"  # a is now the most recently used
    cache.set("d", "D")
    assert len(cache) == 3
    assert [cache.get(k) for k in "abcd"] == ["A", None, "C", "D"]


def test_entries_expire_after_their_time():
    clock = Clock()
    cache = BoundedCache(maxsize=10, ttl=1.0, timer=clock)
    cache.set(1, "open")
    clock.now += 0.9
    assert cache.get(1) == "open"
    clock.now += 0.2
    assert cache.get(1) is None and cache.get(1, "gone") == "gone"
    assert len(cache) == 0


def test_forget_and_falsy_values():
    cache = BoundedCache(maxsize=2)
    cache.set("zero", 0)
    assert cache.get("zero", "default") == 0
    cache.forget("zero")
    cache.forget("never stored")
    assert cache.get("zero", "default") == "default"


def test_made_up_round_ids_do_not_grow_the_status_cache(client, make_round, monkeypatch):
    # The production cache, on a clock that stands still: how long the requests take does not matter.
    cache = BoundedCache(maxsize=services.STATUS_CACHE.maxsize, ttl=services.STATUS_TTL_SECONDS, timer=Clock())
    monkeypatch.setattr(services, "STATUS_CACHE", cache)
    round_ = make_round()
    assert client.get(f"/rounds/{round_.id}/status.json").get_json() == {"status": "open"}
    for round_id in range(round_.id + 1, round_.id + 1 + 2 * services.STATUS_CACHE.maxsize):
        assert client.get(f"/rounds/{round_id}/status.json").status_code == 404
    assert len(services.STATUS_CACHE) == 1
    assert services.STATUS_CACHE.get(round_.id) == "open"


def test_the_results_caches_are_bounded():
    assert results.COUNTS.maxsize <= 64 and results_routes.PAGES.maxsize <= 128
    for round_id in range(1000):
        results_routes.PAGES.set((round_id, "nl"), (0.0, (RoundStatus.results_published.value, 0), "page"))
        results.COUNTS.set(round_id, ((RoundStatus.closed.value, 0), []))
    assert len(results_routes.PAGES) == results_routes.PAGES.maxsize
    assert len(results.COUNTS) == results.COUNTS.maxsize
    results_routes.PAGES.clear()
    results.COUNTS.clear()


def _ballot_of(app, round_, ticket_for, language):
    phone = app.test_client()
    phone.set_cookie("lang", language)
    assert phone.get(f"/t/{ticket_for(round_)}").headers["Location"] == "/t/welcome"
    page = phone.get("/vote")
    assert page.status_code == 200
    return phone, page.get_data(as_text=True)


def test_the_plans_of_a_fresh_ballot_are_made_once_per_language(app, make_round, ticket_for):
    round_ = make_round()
    plan_ids = [o.id for o in round_.options]
    _, dutch = _ballot_of(app, round_, ticket_for, "nl")
    _, english = _ballot_of(app, round_, ticket_for, "en")
    _, dutch_again = _ballot_of(app, round_, ticket_for, "nl")
    assert "Meer over dit plan" in dutch and "More about this plan" not in dutch
    assert "More about this plan" in english and "Meer over dit plan" not in english
    for html in (dutch, english, dutch_again):
        assert all(f'value="{i}" id="option-{i}">' in html for i in plan_ids)  # every plan, none ticked
    assert len(resident_routes.PLANS_AS_SHOWN) == 2


def test_a_ballot_sent_back_keeps_its_own_choices_after_others_were_shown_fresh(app, make_round, ticket_for, db):
    round_ = make_round("cumulative", points_total=10, points_max_per_project=6)
    first, second = (o.id for o in round_.options[:2])
    _ballot_of(app, round_, ticket_for, "en")  # a fresh ballot made and kept
    phone, html = _ballot_of(app, round_, ticket_for, "en")
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    refused = phone.post("/vote", data={"token": token, f"points_{first}": "6", f"points_{second}": "5"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert re.search(rf'id="points_{first}"[^>]*value="6"', page) and re.search(
        rf'id="points_{second}"[^>]*value="5"', page
    )
    _, fresh = _ballot_of(app, round_, ticket_for, "en")
    assert 'value="6"' not in fresh and 'value="5"' not in fresh  # the next voter's ballot is empty again


def test_the_plans_are_not_kept_for_a_round_that_is_not_open(app, make_round, ticket_for, db):
    round_ = make_round()
    _ballot_of(app, round_, ticket_for, "en")
    round_.status = RoundStatus.closed
    db.session.commit()
    phone = app.test_client()
    phone.set_cookie("lang", "en")
    phone.get(f"/t/{ticket_for(round_)}")
    resident_routes.PLANS_AS_SHOWN.clear()
    assert "More about this plan" not in phone.get("/vote").get_data(as_text=True)
    assert len(resident_routes.PLANS_AS_SHOWN) == 0
