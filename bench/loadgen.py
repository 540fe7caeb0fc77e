"""A small HTTP/1.1 load generator on asyncio streams: keep-alive connections, one cookie
jar per simulated phone, latencies per request kind. Standard library only.

Why this one: the server and the client share two cores, so every CPU cycle the client
spends is taken from the server it measures. Options that install here: locust 2.47 and
httpx 0.28 and aiohttp 3.14 from PyPI, wrk 4.1 from Debian. locust (gevent plus requests)
and httpx do a lot per request (cookie jars, URL objects, header models, redirects);
aiohttp is leaner but is one more dependency that would need pinning for nothing this
loop cannot do; wrk is the cheapest of all, but a resident is a stateful script (sign in,
read the CSRF and form tokens out of HTML, post a ballot, keep cookies, remember the
receipt), which is fragile in wrk's Lua, and a different client for the hello-world
ceiling would make the ratio unfair. This loop writes the request bytes itself and reads
the response with readuntil/readexactly: measured here at about 0.08 ms of client CPU per
request (345,000 hello-world requests for 28 s of CPU); the benchmark prints the client's
CPU next to the server's for every phase so that this stays visible.
"""

from __future__ import annotations

import asyncio
import gzip
import math
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode


def _server_keepalive() -> float:
    """How long gunicorn keeps an idle connection (gunicorn.conf.py; its default is 2 s)."""
    import runpy
    from pathlib import Path

    return float(runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py")).get("keepalive", 2))


#: Reconnect before gunicorn closes an idle keep-alive connection, as a browser would.
IDLE_RECONNECT_SECONDS = max(0.5, _server_keepalive() - 1.0)
REQUEST_TIMEOUT_SECONDS = 30.0
#: Set to "gzip" to ask for compressed pages as phones' browsers do (bodies are decompressed
#: here, so the client pays for that too); None: uncompressed, as in the first benchmark runs.
ACCEPT_ENCODING: str | None = None


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class HttpError(Exception):
    pass


class Connection:
    """One keep-alive connection. Not for concurrent use: one coroutine at a time."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_used = 0.0

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (ConnectionError, OSError):
                pass
        self.reader = self.writer = None

    async def _ensure(self) -> None:
        stale = (
            self.reader is None or self.reader.at_eof() or time.monotonic() - self.last_used > IDLE_RECONNECT_SECONDS
        )
        if stale:
            await self.close()
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        cookies: dict[str, str] | None = None,
    ) -> Response:
        try:
            return await asyncio.wait_for(
                self._request(method, path, headers or {}, body, cookies or {}), REQUEST_TIMEOUT_SECONDS
            )
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, OSError) as error:
            await self.close()
            raise HttpError(f"{method} {path}: {error.__class__.__name__}") from error

    async def _request(self, method, path, headers, body, cookies) -> Response:
        await self._ensure()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept-Language: nl"]
        if ACCEPT_ENCODING:
            lines.append(f"Accept-Encoding: {ACCEPT_ENCODING}")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        response_headers: dict[str, str] = {}
        set_cookies: dict[str, str] = {}
        for line in header_lines:
            if not line:
                continue
            name, _sep, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie_name, _eq, rest = value.partition("=")
                set_cookies[cookie_name] = rest.split(";", 1)[0]
            else:
                response_headers[name] = value
        if "content-length" in response_headers:
            payload = await self.reader.readexactly(int(response_headers["content-length"]))
        elif response_headers.get("transfer-encoding", "").lower() == "chunked":
            payload = await self._read_chunked()
        elif status in (204, 304):
            payload = b""
        else:
            payload = await self.reader.read()
            await self.close()
        if response_headers.get("connection", "").lower() == "close":
            await self.close()
        self.last_used = time.monotonic()
        if response_headers.get("content-encoding") == "gzip":
            payload = gzip.decompress(payload)
        return Response(status, response_headers, set_cookies, payload)

    async def _read_chunked(self) -> bytes:
        chunks = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(chunks)
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)


class Phone:
    """A resident's browser: its own cookies, a connection for pages and one for polling."""

    def __init__(self, host: str, port: int, stats: Stats):
        self.page = Connection(host, port)
        self.poll_connection = Connection(host, port)
        self.cookies: dict[str, str] = {}
        self.stats = stats

    async def call(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        expect: tuple[int, ...],
        form: dict | None = None,
        headers: dict[str, str] | None = None,
        connection: Connection | None = None,
    ) -> Response | None:
        body = urlencode(form, doseq=True).encode() if form is not None else b""
        extra = dict(headers or {})
        if form is not None:
            extra["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            response = await (connection or self.page).request(
                method, path, headers=extra, body=body, cookies=self.cookies
            )
        except HttpError as error:
            self.stats.fail(kind, str(error), time.perf_counter() - started)
            return None
        elapsed = time.perf_counter() - started
        self.cookies.update(response.cookies)
        if response.status not in expect:
            self.stats.fail(kind, f"{method} {path.split('?')[0][:40]}: HTTP {response.status}", elapsed)
            return None
        self.stats.ok(kind, elapsed)
        return response

    async def close(self) -> None:
        await self.page.close()
        await self.poll_connection.close()

    def session_value(self, key: str):
        """Read a value from the session cookie (encrypted: see app/sessions.py; the benchmark
        knows the server's secret, set in SESSION_SECRET by the scripts)."""
        return decode_session(self.cookies.get("session", "")).get(key)


#: The server's SECRET_KEY (the benchmark's own), to open the encrypted session cookie.
SESSION_SECRET: str | None = None
_OPENER = None


def decode_session(cookie: str) -> dict:
    global _OPENER
    if not cookie:
        return {}
    if _OPENER is None:
        import sys
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from flask.json.tag import TaggedJSONSerializer

        from app.ballot_box import _derive
        from app.sessions import _SealingSerializer

        _OPENER = _SealingSerializer(_derive(SESSION_SECRET.encode(), b"session cookie"), TaggedJSONSerializer())
    return _OPENER.loads(cookie.strip('"'))


_INPUT = re.compile(r"<input\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def hidden_value(html: str, name: str) -> str | None:
    for tag in _INPUT.findall(html):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get("name") == name:
            return attributes.get("value")
    return None


def input_values(html: str, name: str) -> list[str]:
    return [
        a.get("value", "") for tag in _INPUT.findall(html) if (a := dict(_ATTRIBUTE.findall(tag))).get("name") == name
    ]


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def ok(self, kind: str, seconds: float) -> None:
        self.latencies[kind].append(seconds)

    def fail(self, kind: str, reason: str, seconds: float) -> None:
        self.errors[kind].append(reason)
        self.latencies[kind].append(seconds)

    def all_latencies(self, kinds=None) -> list[float]:
        return [v for k, values in self.latencies.items() if kinds is None or k in kinds for v in values]

    def error_count(self, kinds=None) -> int:
        return sum(len(v) for k, v in self.errors.items() if kinds is None or k in kinds)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)  # nearest rank
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def summary(values: list[float]) -> str:
    if not values:
        return "n=0"
    ms = lambda q: percentile(values, q) * 1000  # noqa: E731
    return f"n={len(values):>6}  p50 {ms(0.50):7.1f} ms  p95 {ms(0.95):7.1f} ms  p99 {ms(0.99):7.1f} ms  max {max(values) * 1000:7.1f} ms"
