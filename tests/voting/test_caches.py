"""The in-memory caches have a size limit and forget after their time (a hand-driven clock,
so nothing here waits), and ids made up by a client do not grow them."""

from app.cache import BoundedCache
from app.voting import results, results_routes, services
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
