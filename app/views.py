"""Helpers shared by the views of every blueprint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, request
from sqlalchemy import Select, func, select

from app.extensions import db

PAGE_SIZES = (10, 20, 50)
DEFAULT_PAGE_SIZE = 20


def get_or_404(model, object_id: Any):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


@dataclass
class Page:
    items: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_args() -> tuple[int, int]:
    """Page number and size from the query string. Anything but plain digits, or a size
    outside the allow-list, is a 400: no guessing at what a malformed value meant."""
    number = _strict_int(request.args.get("page"), default=1)
    size = _strict_int(request.args.get("size"), default=DEFAULT_PAGE_SIZE)
    if number < 1 or size not in PAGE_SIZES:
        abort(400)
    return number, size


def _strict_int(text: str | None, default: int) -> int:
    if text is None or text == "":
        return default
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        abort(400)
    return int(text)


def paginate(query: Select) -> Page:
    """A page of the query; a number beyond the last page shows the last page."""
    number, size = page_args()
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = min(number, max(1, -(-total // size)))
    items = db.session.scalars(query.limit(size).offset((number - 1) * size)).all()
    return Page(items=list(items), number=number, size=size, total=total)


def public_url(endpoint: str, **values) -> str:
    """An absolute link for print and e-mail (QR codes, letters): PUBLIC_BASE_URL when set,
    so a laptop at a venue prints links phones can open, else the request's own host."""
    from flask import current_app, url_for

    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def short_address(endpoint: str, **values) -> str:
    """`public_url` without its scheme, to print where people type it ("wijkstem.nl/t")."""
    url = public_url(endpoint, **values)
    return url.split("://", 1)[-1]


def download(body, mimetype: str, filename: str, *, private: bool = True):
    """A file to save (bytes or a streaming iterator). Private files (ticket codes,
    payouts, staff exports) are never kept by caches."""
    from flask import Response

    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if private:
        headers["Cache-Control"] = "no-store"
    return Response(body, mimetype=mimetype, headers=headers)
