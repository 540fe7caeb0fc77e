"""Light on the wire: static files under content-hashed names with a year-long immutable
cache, answered before Flask (no session, no cookie, no `Vary: Cookie`), compressed once at
start; pages compressed with Flask-Compress where that cannot leak a secret (see below)."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from pathlib import Path

import brotli
from flask import Flask, request

from app.extensions import compress

#: Types worth compressing (images such as PNG and fonts are compressed already).
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
IMMUTABLE = "public, max-age=31536000, immutable"


def hashed_name(name: str, body: bytes) -> str:
    """css/app.css -> css/app.3f2a1b9c0d.css (ten hex digits of its SHA-256)."""
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(body).hexdigest()[:10]
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


class HashedStatic:
    """WSGI middleware: `/static/<hashed name>` from memory; anything else goes to the app
    (unhashed names keep working through Flask's own static view, revalidated as before)."""

    def __init__(self, app, folder: str, prefix: str, headers: dict[str, str]):
        self.app = app
        self.prefix = prefix.rstrip("/") + "/"
        self.headers = headers
        self.names: dict[str, str] = {}  # real name -> hashed name
        self.files: dict[str, tuple[str, dict[str, bytes]]] = {}  # hashed name -> (type, bodies)
        root = Path(folder)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = path.relative_to(root).as_posix()
            body = path.read_bytes()
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml"):
                kind += "; charset=utf-8"
            bodies = {"identity": body}
            if kind.startswith(COMPRESSIBLE) and len(body) > 256:
                bodies["br"] = brotli.compress(body, quality=11)
                bodies["gzip"] = gzip.compress(body, compresslevel=9, mtime=0)
            hashed = hashed_name(name, body)
            self.names[name] = hashed
            self.files[hashed] = (kind, bodies)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        found = self.files.get(path[len(self.prefix) :]) if path.startswith(self.prefix) else None
        if found is None or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        kind, bodies = found
        accepted = environ.get("HTTP_ACCEPT_ENCODING", "")
        encoding = next((e for e in ("br", "gzip") if e in bodies and e in accepted), "identity")
        body = bodies[encoding]
        headers = [
            ("Content-Type", kind),
            ("Content-Length", str(len(body))),
            ("Cache-Control", IMMUTABLE),
            *self.headers.items(),
        ]
        if len(bodies) > 1:
            headers.append(("Vary", "Accept-Encoding"))
        if encoding != "identity":
            headers.append(("Content-Encoding", encoding))
        start_response("200 OK", headers)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def init_app(app: Flask) -> None:
    from app.security import CONTENT_SECURITY_POLICY

    static = HashedStatic(
        app.wsgi_app,
        app.static_folder,
        app.static_url_path,
        {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": CONTENT_SECURITY_POLICY},
    )
    app.wsgi_app = static

    @app.url_defaults
    def _hashed_static_names(endpoint, values):
        if endpoint == "static" and values.get("filename") in static.names and not app.config.get("STATIC_PLAIN_NAMES"):
            values["filename"] = static.names[values["filename"]]

    app.config.setdefault("COMPRESS_REGISTER", False)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault(
        "COMPRESS_MIMETYPES",
        [
            "text/html",
            "text/css",
            "text/plain",
            "text/csv",
            "application/json",
            "application/javascript",
            "image/svg+xml",
        ],
    )
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    compress.init_app(app)
    if app.config.get("COMPRESS_PAGES", True):
        app.after_request(_compress_safely)


def _compress_safely(response):
    """Compress a page only when nothing in it can be chosen by someone else. A compressed
    page that holds a secret (the CSRF token) next to text an attacker controls tells them,
    by its size, whether a guess matches the secret (BREACH). Our pages echo the query
    string (language links, filters, pagers) and re-rendered forms echo what was posted, so
    only plain GETs without a query string that succeeded are compressed; a path with an
    unknown part answers 404 and is not compressed either."""
    if request.method in ("GET", "HEAD") and not request.query_string and response.status_code == 200:
        return compress.after_request(response)
    return response
