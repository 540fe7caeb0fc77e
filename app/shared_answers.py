"""Answers that are the same for every visitor, replayed before Flask.

On a council evening 300 phones poll ``/rounds/<id>/status.json`` every few seconds, and
when the board approves, all of them open ``/rounds/<id>/results`` at the same moment. Both
answers are already kept in memory (the round's status, the finished results page), yet
going through Flask to send them costs more than making them did: opening the encrypted
session, loading the user, the rate limiter, choosing the language, the after-request hooks.

:class:`SharedAnswers` is a WSGI middleware that sends such an answer itself when it is
sure Flask would send the same bytes. The routes it may answer are listed where the app is
assembled (``create_app``); each one's ``find`` says which answer Flask would send now.

- Nothing is replayed before Flask has sent it once: the view marks the answer it sent
  (:func:`mark`) and the middleware keeps the headers Flask sent with it (security headers
  included), all but those that depend on the encoding (length, encoding, ETag).
- A route marked ``anonymous`` is answered only for visitors without an account and without
  a message waiting (their session cookie is opened with the app's own key; a cookie that
  could log someone in goes to Flask), in the language Flask would choose
  (:func:`app.i18n.visitor_language`).
- GET or HEAD without a query string only; ``If-None-Match`` gets a 304 as from Flask.
- ``find`` returns None whenever it is not sure (for the voting routes: the round's status
  is not in this worker's one-second status cache), and Flask answers.

What it skips: the session refresh (these views leave the cookie alone anyway, see
:func:`app.sessions.leaves_cookie_alone`) and the rate limiter's counting. An answer that
came with a cookie or with rate-limit headers is never replayed, so a limit put on one of
these routes later still holds; these two have none (a cached answer costs less than
counting it, and a venue's one public address must not use up a limit with its polls).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from itsdangerous import BadSignature
from werkzeug.datastructures import Headers
from werkzeug.http import is_resource_modified, parse_accept_header, parse_cookie, remove_entity_headers

_MARK = "wijkstem.shared_answer"
_PER_ENCODING = ("content-length", "content-encoding", "etag")
_ENCODINGS = ("br", "gzip")
#: An answer that set a cookie, or came under a rate limit, is never sent without Flask.
_NEVER_REPLAYED = ("set-cookie", "retry-after")


class Answer:
    """A finished answer: ``bodies`` per encoding ("identity" always), its ``etag``, and the
    headers Flask sent with it (None until it has sent it once)."""

    def __init__(self, bodies: dict[str, bytes], etag: str) -> None:
        self.bodies = bodies
        self.etag = etag
        self.headers: list[tuple[str, str]] | None = None


class Route(NamedTuple):
    """``pattern``: the path, its first group an id; ``rule``: the Flask rule (for the access
    log); ``find(id, language)``: the answer Flask would send now, or None (then Flask
    answers); ``anonymous``: only for visitors without an account or a message waiting
    (``language`` is then the one Flask would choose, else None)."""

    pattern: re.Pattern
    rule: str
    find: Callable[[int, str | None], Answer | None]
    anonymous: bool


def mark(request: Any, answer: Answer) -> None:
    """Called by a view that sends ``answer``: the middleware keeps Flask's headers for it."""
    request.environ[_MARK] = answer


class SharedAnswers:
    def __init__(self, app: Any, wsgi_app: Callable, routes: Iterable[Route]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.routes = tuple(routes)
        self._serializer: Any = None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and not environ.get("QUERY_STRING"):
            path = environ.get("PATH_INFO", "")
            for route in self.routes:
                match = route.pattern.fullmatch(path)
                if match is not None:
                    answer = self._find(environ, route, int(match[1]))
                    if answer is not None and answer.headers is not None:
                        environ["wijkstem.route"] = route.rule  # for the access log
                        return _send(environ, start_response, answer)
                    return self._capturing(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def _find(self, environ: dict, route: Route, key: int) -> Answer | None:
        if not route.anonymous:
            return route.find(key, None)
        cookies = parse_cookie(environ)
        if not self._anonymous(cookies):
            return None
        from app.i18n import LOCALE_COOKIE, visitor_language

        language = visitor_language(
            cookies.get(LOCALE_COOKIE), environ.get("HTTP_ACCEPT_LANGUAGE"), self.app.config["BABEL_DEFAULT_LOCALE"]
        )
        return route.find(key, language)

    def _anonymous(self, cookies: Any) -> bool:
        """No account and no message waiting (what the results view asks of Flask's session),
        read from the cookie with the app's own key; no cookie: a new visitor."""
        config = self.app.config
        if config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies:
            return False
        value = cookies.get(config["SESSION_COOKIE_NAME"])
        if not value:
            return True
        if self._serializer is None:
            self._serializer = self.app.session_interface.get_signing_serializer(self.app)
            if self._serializer is None:
                return False
        try:
            data = self._serializer.loads(value, max_age=int(self.app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            return True  # Flask opens such a cookie as an empty session too
        return "_user_id" not in data and not data.get("_flashes")

    # -- keeping Flask's headers -----------------------------------------------------------------

    def _capturing(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            answer = environ.get(_MARK)
            if (
                answer is not None
                and answer.headers is None
                and status.startswith("200 ")
                and not any(
                    name.lower() in _NEVER_REPLAYED or name.lower().startswith("x-ratelimit") for name, _ in headers
                )
            ):
                answer.headers = [(name, value) for name, value in headers if name.lower() not in _PER_ENCODING]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return self.wsgi_app(environ, capture)


def _send(environ: dict, start_response: Callable, answer: Any) -> Iterable[bytes]:
    accepted = parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING"))
    encoding = next((e for e in _ENCODINGS if e in answer.bodies and accepted[e]), "identity")
    body = answer.bodies[encoding]
    etag = answer.etag if encoding == "identity" else f"{answer.etag}:{encoding}"
    headers = Headers(answer.headers)
    headers["ETag"] = f'"{etag}"'
    if not is_resource_modified(environ, etag=etag):
        remove_entity_headers(headers)
        start_response("304 NOT MODIFIED", headers.to_wsgi_list())
        return []
    if encoding != "identity":
        headers["Content-Encoding"] = encoding
    headers["Content-Length"] = str(len(body))
    start_response("200 OK", headers.to_wsgi_list())
    return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]
