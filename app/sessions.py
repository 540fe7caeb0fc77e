"""An encrypted session cookie.

Flask's cookie is signed, not encrypted: anyone holding a phone's cookie could read the
ticket id beside the receipt. This interface keeps Flask's cookie session (nothing is stored
on the server, so no guarantee rests on one process's memory) but seals its content with
AES-GCM under a key derived from BALLOT_BOX_KEY (or SECRET_KEY); the issue time is inside
the sealed part and checked against the session lifetime. A tampered, foreign or expired
cookie opens as an empty session."""

from __future__ import annotations

import base64
import secrets
import time
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from app.ballot_box import _derive

_AAD = b"wijkstem session v1"


class _SealingSerializer:
    def __init__(self, key: bytes, serializer):
        self.aead = AESGCM(key)
        self.serializer = serializer

    def dumps(self, data: dict) -> str:
        nonce = secrets.token_bytes(12)
        # Compressed like Flask's own cookie (which compresses before signing), so a long
        # list of flashed messages still fits in a cookie.
        body = zlib.compress(f"{int(time.time())}:".encode() + self.serializer.dumps(data).encode(), 6)
        return base64.urlsafe_b64encode(nonce + self.aead.encrypt(nonce, body, _AAD)).decode().rstrip("=")

    def loads(self, value: str, max_age: int | None = None) -> dict:
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            body = zlib.decompress(self.aead.decrypt(raw[:12], raw[12:], _AAD))
            issued, _sep, payload = body.partition(b":")
            if max_age is not None and time.time() - int(issued) > max_age:
                raise BadSignature("expired")
            return self.serializer.loads(payload.decode())
        except (InvalidTag, ValueError, TypeError, zlib.error) as problem:
            raise BadSignature("not a session of this server") from problem


class EncryptedSessionInterface(SecureCookieSessionInterface):
    def should_set_cookie(self, app, session) -> bool:
        if not session.modified and has_request_context():
            view = app.view_functions.get(request.endpoint) if request.endpoint else None
            if getattr(view, "refreshes_session", True) is False:
                return False
        return super().should_set_cookie(app, session)

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        secret = (app.config.get("BALLOT_BOX_KEY") or app.secret_key).encode()
        return _SealingSerializer(_derive(secret, b"session cookie"), self.serializer)


def leaves_cookie_alone(view):
    """For pages that many phones ask for at the same moment (status polls, the results
    page): the session is read but the cookie is not sent again unless the view changed it.
    Refreshing it would re-encrypt it on every poll, and a poll answered after the vote
    could give the phone back its cookie from before the vote (without the receipt). These
    requests therefore do not extend the session's lifetime either."""
    view.refreshes_session = False
    return view
