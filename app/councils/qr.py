"""QR symbols for printing: encode once with ``qrcode``, choose the mask here, draw as
vector rectangles (pure: no Flask, no database).

``qrcode`` searches the eight mask patterns itself at about 3.5 ms a code; encoding once
with mask 0 and scoring the other masks on packed integers gives the same symbol (tests
compare) five times faster, which keeps a 500-ticket sheet under two seconds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from fpdf import FPDF
from fpdf.enums import RenderStyle
from qrcode.constants import ERROR_CORRECT_M


def qr_modules(data: str) -> tuple[str, ...]:
    """Return the QR symbol for ``data`` as rows of "1" (dark) and "0" (light), no quiet zone.

    Error correction level M (15 %) and the mask pattern with the lowest penalty
    score (ISO/IEC 18004:2015, 7.8.3). ``qrcode`` encodes the data once, with mask 0;
    the other seven masks are derived from that and scored here, in ~0.7 ms per
    symbol in all, because ``qrcode``'s own mask search takes ~3.5 ms per symbol:
    1.7 s for 500 tickets before anything is drawn.
    """
    version, rows = _qrcode_symbol(data, mask=0)
    layout = _penalty_layout(len(rows))
    base = _pack(rows, layout)
    candidates = [base ^ change for change in _mask_changes(version)]
    best = min(candidates, key=lambda symbol: _packed_penalty(symbol, layout))  # first on ties
    return _unpack_rows(best, layout)


_BOOLS_TO_BITS = bytes.maketrans(b"\x00\x01", b"01")


def _qrcode_symbol(data: str, mask: int, version: int | None = None) -> tuple[int, tuple[str, ...]]:
    """(version, rows) of the symbol ``qrcode`` makes with the given mask pattern."""
    symbol = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M, mask_pattern=mask, border=0)
    symbol.add_data(data)
    symbol.make(fit=version is None)
    matrix = symbol.get_matrix()
    rows = tuple(bytes(row).translate(_BOOLS_TO_BITS).decode("ascii") for row in matrix)
    return symbol.version, rows


@lru_cache(maxsize=8)
def _mask_changes(version: int) -> tuple[int, ...]:
    """For each mask k, what to XOR onto a packed mask-0 symbol of ``version`` to get mask k.

    Two symbols of one version and error correction level differ only in their data
    modules and format information. So for any data, symbol(k) = symbol(0) XOR
    template(k) XOR template(0), where the templates encode empty data: the XOR flips
    the data modules where masks 0 and k differ and swaps the format bits.
    """
    layout = _penalty_layout(version * 4 + 17)
    base = _pack(_qrcode_symbol("", 0, version)[1], layout)
    return tuple(base ^ _pack(_qrcode_symbol("", mask, version)[1], layout) for mask in range(8))


# The penalty is computed on one big integer holding every row and then every column
# of the symbol, each line followed by light "quiet zone" bits: a few dozen integer
# operations then score all lines at once (under 10 µs per mask, against 100+ µs with
# strings and regular expressions). Bit (line * stride + GAP + i) is module i of
# the line; shifting right by k looks k modules further along the line.
_GAP = 11  # longer than any pattern scored, so no pattern spans two lines


@dataclass(frozen=True)
class _PenaltyLayout:
    size: int
    stride: int  # bits per line including its gap
    modules: int  # mask: 1 on every module bit (rows and columns), 0 in the gaps
    row_modules: int  # mask: 1 on the module bits of the rows only
    block_corners: int  # mask: top-left corners of all 2 x 2 blocks


@lru_cache(maxsize=8)
def _penalty_layout(size: int) -> _PenaltyLayout:
    stride = size + _GAP
    line = ((1 << size) - 1) << _GAP
    modules = row_modules = block_corners = 0
    for index in range(2 * size):
        modules |= line << (index * stride)
        if index < size:
            row_modules |= line << (index * stride)
        if index < size - 1:
            block_corners |= (line >> 1 & line) << (index * stride)
    return _PenaltyLayout(size, stride, modules, row_modules, block_corners)


def _pack(rows: Sequence[str], layout: _PenaltyLayout) -> int:
    gap = "0" * _GAP
    lines = (*rows, *("".join(column) for column in zip(*rows)))
    text = gap + gap.join(lines) + gap
    return int(text[::-1], 2)  # first character = bit 0


def _unpack_rows(packed: int, layout: _PenaltyLayout) -> tuple[str, ...]:
    size, stride = layout.size, layout.stride
    bits = format(packed, f"0{2 * size * stride + _GAP}b")[::-1]
    return tuple(bits[row * stride + _GAP : row * stride + _GAP + size] for row in range(size))


def _windows(bits: int, length: int) -> int:
    """Bit p set where bits p .. p + length - 1 are all set."""
    result = bits
    for shift in range(1, length):
        result &= bits >> shift
    return result


# Finder look-alikes read along a line: dark 1:1:3:1:1 with four light modules after
# or before it (bit string written in line order).
_FINDER_LIKE_PATTERNS = ("10111010000", "00001011101")


def _packed_penalty(dark: int, layout: _PenaltyLayout) -> int:
    light = ~dark & layout.modules
    score = 0
    # N1: a run of 5 + i scores 3 + i = (number of 5-windows in it) + 2.
    for colour in (dark, light):
        windows = _windows(colour, 5)
        run_ends = windows & ~(windows >> 1)
        score += windows.bit_count() + 2 * run_ends.bit_count()
    # N2: 3 per 2 x 2 block of one colour, rows part only.
    same_right = ~(dark ^ (dark >> 1))
    same_below = ~(dark ^ (dark >> layout.stride))
    blocks = same_right & same_below & (same_below >> 1) & layout.block_corners
    score += 3 * blocks.bit_count()
    # N3: 40 per finder look-alike; the gaps are light, like the quiet zone.
    quiet_light = ~dark
    for pattern in _FINDER_LIKE_PATTERNS:
        found = -1  # all ones
        for shift, module in enumerate(pattern):
            found &= (dark if module == "1" else quiet_light) >> shift
        # A match may start in a gap (light before the line) but its dark core always
        # lies inside one line: gaps are longer than the pattern's light runs.
        score += 40 * found.bit_count()
    # N4: 10 per full 5 % away from half dark.
    size = layout.size
    dark_count = (dark & layout.row_modules).bit_count()
    score += 10 * (abs(20 * dark_count - 10 * size * size) // (size * size))
    return score


def mask_penalty(rows: Sequence[str]) -> int:
    """Penalty score of a masked QR symbol (ISO/IEC 18004:2015, 7.8.3.1); lower is better.

    N1: each run of 5 + i same-coloured modules in a row or column scores 3 + i.
    N2: each 2 x 2 block of one colour scores 3 (blocks may overlap).
    N3: each finder-like 1:1:3:1:1 pattern with 4 light modules beside it scores 40;
        the quiet zone around the symbol counts as light.
    N4: 10 for every full 5 % the dark share deviates from 50 %.
    """
    layout = _penalty_layout(len(rows))
    return _packed_penalty(_pack(rows, layout), layout)


_DARK_RUN = re.compile("1+")


def dark_rectangles(rows: Sequence[str]) -> list[tuple[int, int, int, int]]:
    """Cover the dark modules with few rectangles: (column, row, width, height).

    Each row is split into maximal runs of dark modules; a run that recurs at the
    same columns in the following rows is extended downwards instead of repeated.
    """
    done: list[tuple[int, int, int, int]] = []
    open_runs: dict[tuple[int, int], int] = {}  # (start, end) -> first row
    for row_index, row in enumerate(rows):
        runs = {match.span() for match in _DARK_RUN.finditer(row)}
        for span in [span for span in open_runs if span not in runs]:
            first = open_runs.pop(span)
            done.append((span[0], first, span[1] - span[0], row_index - first))
        for span in runs:
            open_runs.setdefault(span, row_index)
    for span, first in open_runs.items():
        done.append((span[0], first, span[1] - span[0], len(rows) - first))
    return done


# Rectangles of neighbouring rows reach this far into the next row so that
# anti-aliasing screen renderers show no hairline seams between them.
_SEAM_OVERLAP = 0.02


def draw_qr(pdf: FPDF, rows: Sequence[str], x: float, y: float, size: float) -> None:
    module = size / len(rows)
    for column, row, width, height in dark_rectangles(rows):
        overlap = _SEAM_OVERLAP if row + height < len(rows) else 0.0
        pdf.rect(
            x + column * module,
            y + row * module,
            width * module,
            height * module + overlap,
            style=RenderStyle.F,  # the enum: coercing the string costs a third of rect()
        )
