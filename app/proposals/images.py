"""Uploaded images: only real JPEG, PNG or WebP, re-encoded so that nothing of the
original file survives (no EXIF, no GPS, no hidden payload). Pure: Pillow only."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1600
THUMB_SIDE = 320
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow warns above this and refuses above twice this


class ImageRejected(ValueError):
    """`code`: too_large, too_many_pixels, not_an_image, wrong_type."""

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
        with warnings.catch_warnings():
            # Pillow's bomb warning (over MAX_PIXELS) is an error here: refused before decoding.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:  # reads the header only
                if probe.format not in ALLOWED_FORMATS:
                    raise ImageRejected("wrong_type")
                if probe.width * probe.height > MAX_PIXELS:
                    raise ImageRejected("too_many_pixels")
                probe.verify()
            image = Image.open(io.BytesIO(raw))
            image.load()
    except ImageRejected:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageRejected("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
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
