"""Counting failures that nobody can turn against other people.

Only failures count (a wrong ticket code, a wrong password), each against several keys:
the source address, the code or account, and the browser's own device cookie. A request
that succeeds is never refused because of someone else's failures, so an attacker behind
the same address as a council's residents cannot lock them out. Windows are a minute
long: the refusal lasts seconds, never a day. The counters live in the limiter's storage
(Redis when configured), so several workers share them."""

from __future__ import annotations

import time

from flask import abort, current_app, g
from limits import parse_many

from app.extensions import limiter


def _strategy():
    return limiter.limiter


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True)) and limiter.enabled


def refuse_if_over(scope: str, keys: list[tuple[str, str]]) -> None:
    """Abort with 429 (and a Retry-After of the seconds left in the window) when any key has
    used up its allowance. `keys`: (key, limit string such as "20 per minute")."""
    if not _enabled():
        return
    strategy = _strategy()
    for key, spec in keys:
        for item in parse_many(spec):
            if not strategy.test(item, scope, key):
                reset_at = strategy.get_window_stats(item, scope, key).reset_time
                g.retry_after = max(1, int(reset_at - time.time()) + 1)
                abort(429)


def count_failure(scope: str, keys: list[tuple[str, str]]) -> None:
    if not _enabled():
        return
    strategy = _strategy()
    for key, spec in keys:
        for item in parse_many(spec):
            strategy.hit(item, scope, key)
