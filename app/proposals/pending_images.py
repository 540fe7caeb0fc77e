"""An uploaded photo kept while the plan form is not yet saved (after a validation error or
"More cost lines"), so that nobody has to choose it again. Kept as the already re-encoded image
(EXIF gone) in the instance folder, under a random name bound to the uploader, for a day."""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

from flask import current_app

from app.proposals.images import ProcessedImage

KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "pending-images"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def keep(user_id: int, image: ProcessedImage) -> str:
    folder = _folder()
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    stem = folder / f"{user_id}-{token}"
    stem.with_suffix(".full").write_bytes(image.data)
    stem.with_suffix(".thumb").write_bytes(image.thumbnail)
    stem.with_suffix(".json").write_text(
        json.dumps({"width": image.width, "height": image.height, "content_type": image.content_type})
    )
    return token


def load(user_id: int, token: str | None) -> ProcessedImage | None:
    """The kept image of this user, or None (wrong user, unknown or expired token)."""
    if not token or not _TOKEN.match(token):
        return None
    stem = _folder() / f"{user_id}-{token}"
    try:
        meta = json.loads(stem.with_suffix(".json").read_text())
        return ProcessedImage(
            data=stem.with_suffix(".full").read_bytes(),
            thumbnail=stem.with_suffix(".thumb").read_bytes(),
            width=meta["width"],
            height=meta["height"],
            content_type=meta["content_type"],
        )
    except (OSError, ValueError, KeyError):
        return None


def forget(user_id: int, token: str | None) -> None:
    if token and _TOKEN.match(token):
        for suffix in (".full", ".thumb", ".json"):
            (_folder() / f"{user_id}-{token}").with_suffix(suffix).unlink(missing_ok=True)
