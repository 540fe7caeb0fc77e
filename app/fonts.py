"""The fonts the PDFs use: DejaVu Sans ships with the app (Latin, Turkish, Polish and Arabic
glyphs), so no PDF depends on the fonts of the machine it runs on."""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "static" / "fonts"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
