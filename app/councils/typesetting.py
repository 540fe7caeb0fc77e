"""Lines of text for the printed PDFs (tickets, posters): measured, wrapped and drawn with
the bundled fonts, right-to-left where the language or the script asks for it, and shaped
by harfbuzz only where needed (it is about ten times slower than plain text output).
Pure: no Flask, no database."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fpdf import FPDF

from app.fonts import FONT_BOLD, FONT_REGULAR

FAMILY = "dejavu"

# A line of text is this many times its font size high.
LINE_SPACING = 1.2
PT = 25.4 / 72  # one typographic point in millimetres

# Lines in these languages are right-aligned even if they start with a Latin word.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ckb", "yi", "dv", "sd", "ug"})
_RTL_BIDI_CLASSES = frozenset({"R", "AL"})


def needs_shaping(text: str) -> bool:
    """True when ``text`` needs harfbuzz: joining or right-to-left scripts, combining marks."""
    for char in text:
        code_point = ord(char)
        if code_point < 0x0300:
            continue  # Latin, Latin-1 and Latin Extended A/B: precomposed glyphs
        if (
            unicodedata.bidirectional(char) in _RTL_BIDI_CLASSES
            or unicodedata.category(char).startswith("M")
            or 0x0900 <= code_point <= 0x0DFF  # Indic scripts reorder and form conjuncts
        ):
            return True
    return False


def is_rtl(language: str, text: str) -> bool:
    if language.split("-")[0].lower() in RTL_LANGUAGES:
        return True
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in _RTL_BIDI_CLASSES:
            return True
        if direction == "L":
            return False
    return False


@dataclass(frozen=True)
class Line:
    """A line of text measured once and drawn on every ticket."""

    text: str
    size: float  # points
    width: float  # millimetres
    bold: bool = False
    rtl: bool = False
    shaped: bool = False

    @property
    def height(self) -> float:
        return line_height(self.size)


class Typesetter:
    """Measures, wraps and draws lines with the two bundled fonts."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf

    @contextmanager
    def _style(self, size: float, bold: bool, shaped: bool) -> Iterator[None]:
        self.pdf.set_font(FAMILY, "B" if bold else "", size)
        if shaped:
            self.pdf.set_text_shaping(True)
        try:
            yield
        finally:
            if shaped:
                self.pdf.set_text_shaping(False)

    def width(self, text: str, size: float, bold: bool = False) -> float:
        with self._style(size, bold, needs_shaping(text)):
            return self.pdf.get_string_width(text)

    def wrap(self, text: str, width: float, size: float, bold: bool = False) -> list[str]:
        """Split ``text`` into lines no wider than ``width`` (words are not broken)."""
        lines: list[str] = []
        current = ""
        for word in text.split():
            candidate = f"{current} {word}" if current else word
            if current and self.width(candidate, size, bold) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        if current:
            lines.append(current)
        return lines

    def fit(
        self,
        text: str,
        width: float,
        *,
        size: float,
        min_size: float,
        max_lines: int = 1,
        bold: bool = False,
        language: str = "",
    ) -> list[Line]:
        """Wrap ``text`` into at most ``max_lines`` lines of ``width``.

        Shrinks the font (in 0.25 pt steps, not below ``min_size``) until it fits and
        shortens the last line with an ellipsis if even the smallest size does not.
        """
        text = clean(text)
        if not text:
            return []
        while True:
            lines = self.wrap(text, width, size, bold)
            too_wide = any(self.width(line, size, bold) > width for line in lines)
            if (len(lines) <= max_lines and not too_wide) or size <= min_size:
                break
            size = max(min_size, size - 0.25)
        if len(lines) > max_lines or too_wide:
            lines = lines[:max_lines]
            lines[-1] = self._ellipsize(lines[-1], width, size, bold)
        # Every line of a paragraph keeps the paragraph's direction.
        rtl = is_rtl(language, text)
        return [
            Line(
                line,
                size,
                self.width(line, size, bold),
                bold=bold,
                rtl=rtl,
                shaped=needs_shaping(line),
            )
            for line in lines
        ]

    def _ellipsize(self, text: str, width: float, size: float, bold: bool) -> str:
        while text and self.width(text + "…", size, bold) > width:
            text = text[:-1].rstrip()
        return text + "…"

    def draw(self, line: Line, x: float, y: float, width: float, align: str = "") -> None:
        """Draw ``line`` in the box (x, y, width, line.height); align "L", "C", "R" or by
        the line's direction when empty."""
        if not align:
            align = "R" if line.rtl else "L"
        pdf = self.pdf
        if line.shaped:
            with self._style(line.size, line.bold, shaped=True):
                pdf.set_xy(x, y)
                pdf.cell(width, line.height, line.text, align=align)
            return
        # Unshaped text goes through text(), four times cheaper than cell(); the
        # baseline is where cell() would put it, so both kinds of line align.
        if align == "R":
            x += width - line.width
        elif align == "C":
            x += (width - line.width) / 2
        pdf.set_font(FAMILY, "B" if line.bold else "", line.size)
        pdf.text(x, y + line.height / 2 + 0.3 * line.size * PT, line.text)


def clean(text: str) -> str:
    """NFC-normalise (precomposed ş, ł, ż …) and collapse whitespace."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def new_pdf(title: str) -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0
    pdf.add_font(FAMILY, "", str(FONT_REGULAR))
    pdf.add_font(FAMILY, "B", str(FONT_BOLD))
    pdf.set_title(clean(title))
    pdf.set_creator("Wijkstem")
    return pdf


def line_height(size: float) -> float:
    return size * PT * LINE_SPACING
