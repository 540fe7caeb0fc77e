"""Uploaded images: only real JPEG, PNG or WebP, re-encoded so that nothing of the
original file survives (no EXIF, no GPS, no hidden payload). Pure: Pillow only."""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1600
THUMB_SIDE = 320
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs early


class ImageRejected(ValueError):
    """`code`: too_large, not_an_image, wrong_type."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes
    thumbnail: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


def _encode(image: Image.Image, side: int, quality: int) -> tuple[bytes, int, int]:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue(), copy.width, copy.height


def process_upload(raw: bytes) -> ProcessedImage:
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ImageRejected("too_large")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise ImageRejected("wrong_type")
            probe.verify()
        image = Image.open(io.BytesIO(raw))
        image.load()
    except ImageRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ImageRejected("not_an_image") from None
    image = ImageOps.exif_transpose(image)  # keep the orientation, then drop the metadata
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    else:
        image = image.convert("RGB")
    data, width, height = _encode(image, MAX_SIDE, 82)
    thumbnail, _w, _h = _encode(image, THUMB_SIDE, 72)
    return ProcessedImage(data=data, thumbnail=thumbnail, width=width, height=height)
