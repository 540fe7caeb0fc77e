"""Access checks in one place, security headers, and small helpers."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app
from flask_login import current_user

from app.roles import Role

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def roles_required(*roles: Role):
    """Only signed-in staff holding one of ``roles`` may call the view.

    Anonymous visitors are sent to the login page; staff without the role get 403.
    The roles are kept on the view so that tests can check every route.
    """
    wanted = frozenset(Role(r) for r in roles)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if wanted and not current_user.has_role(*wanted):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = wanted
        return wrapped

    return decorator


def staff_required(view):
    """Any signed-in staff member, whatever their role."""
    return roles_required()(view)


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def safe_next_url(target: str | None, fallback: str) -> str:
    """Only follow same-site relative paths, so that a link cannot send people elsewhere."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target:
        return fallback
    return target
