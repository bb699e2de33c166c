"""The page's positioned text: where each piece of text is printed, in what
size, grouped into lines, cells and blocks.

A plain PDF's data is read off its page the way a person reads it: the seller
is the letterhead at the top, the buyer the block under its heading ("Facturé
à", "Bill to"), a value sits right of its label or under it. That needs where
the text is, which a flat text loses.

Why pypdf's visitor (`extract_text(visitor_text=...)`) and not pdfminer.six or
pdfplumber: pypdf is already how facteur opens every PDF, under its safety
limits and a deadline (`pdf.layout_of`), so the positions are read by the
same hardened reader, with no second parser of hostile files to bound; pdfminer.six
(MIT) would parse every plain PDF a second time, with its own machinery outside
those limits, for the same positions, and pdfplumber (MIT) adds pdfminer.six, Pillow and
pypdfium2 for table helpers that invoices do not need. The visitor gives each
text operation's matrix, font and size; a run's width comes from the font's
/Widths when it is a simple font that has them, else is estimated (half its size
a character, the average of the usual sans-serif fonts): enough to set runs
apart into cells, which are separated by far more.

Positions are in points, `top` counted down from the top of the first page,
pages stacked one under the other, so that "under" means the same on every page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from facteur.engine.inputs.printed import fold

PAGES_AT_EACH_END = 1  # the header on the first page, the totals on the last: where the blocks are
MAX_RUNS = 20_000  # runs kept, however many a hostile page prints
# Lines kept at each end (an invoice's page holds well under a hundred: the header
# at the top, the totals at the foot), and cells kept per line: what recognition
# reads costs labels × cells, which a hostile page must not make unbounded.
END_LINES = 150
MAX_CELLS = 16
CHAR_WIDTH = 0.5  # a character's width, in font sizes (estimated: the visitor gives no widths)
CELL_GAP = 1.2  # a gap wider than this many font sizes starts a new cell
# A gap wider than this many font sizes between two runs is a space, when pypdf (which knows the
# standard fonts' widths) did not say so: wide enough for an estimated width's error ("W" is 0.94).
WORD_GAP = 0.45
SAME_LINE = 0.45  # runs whose baselines differ by less than this many font sizes share a line
PAGE_GAP = 10_000.0  # points between the tops of two pages, more than any page is tall


@dataclass(frozen=True)
class Run:
    """A piece of text as one text operation printed it."""

    page: int
    x: float
    top: float
    size: float
    text: str
    width: float
    spaced: bool = False  # pypdf saw a space before it (a gap it judged a word's)

    @property
    def end(self) -> float:
        return self.x + self.width


@dataclass(frozen=True)
class Cell:
    """Runs of one line close enough to be read as one piece of text."""

    page: int
    x: float
    end: float
    top: float
    size: float
    text: str
    folded: str  # lower case without accents, for matching labels

    def overlaps(self, x: float, end: float, slack: float) -> bool:
        return self.x <= end + slack and self.end >= x - slack


@dataclass(frozen=True)
class Line:
    page: int
    top: float
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Layout:
    """The positioned text of the pages read; empty for a PDF with no text."""

    runs: tuple[Run, ...] = ()
    lines: tuple[Line, ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, runs: list[Run]) -> "Layout":
        return cls(tuple(runs), _lines(runs))

    @property
    def body_size(self) -> float:
        """The font size most of the text is printed in."""
        sizes = [round(run.size, 1) for run in self.runs]
        return max(set(sizes), key=sizes.count) if sizes else 10.0


EMPTY = Layout()
def read(reader) -> Layout:
    """The positioned text of the first and last pages of a pypdf reader."""
    count = len(reader.pages)
    wanted = sorted({*range(min(PAGES_AT_EACH_END, count)), *range(max(count - PAGES_AT_EACH_END, 0), count)})
    runs: list[Run] = []
    fonts: dict[int, dict[str, float]] = {}
    for order, index in enumerate(wanted):
        page = reader.pages[index]
        height = float(page.mediabox.top)
        origin = order * PAGE_GAP

        def visit(text, cm, tm, font, size, page_index=index, height=height, origin=origin):
            if len(runs) >= MAX_RUNS or not text.strip():
                return
            a, b, c, d, e, f = _product(tm, cm)
            if abs(b) > 1e-3 or abs(c) > 1e-3 or a <= 0 or d <= 0:
                return  # rotated or mirrored text: margins, stamps, not the invoice's data
            scale = size * math.sqrt(a * d)
            widths = fonts.get(id(font))
            if widths is None:
                widths = fonts[id(font)] = _widths(font)
            for line in text.split("\n"):
                line = "".join(char for char in line if not "\ud800" <= char <= "\udfff")  # half pairs: no text
                if line.strip():
                    width = sum(widths.get(char, CHAR_WIDTH) for char in line.strip()) * scale
                    runs.append(Run(page_index, e, origin + height - f, scale, " ".join(line.split()), width,
                                    line[:1].isspace()))

        page.extract_text(visitor_text=visit)
    return Layout.of(runs)


def _widths(font) -> dict[str, float]:
    """The widths of a simple font's characters, in font sizes, from its /Widths
    (ASCII only: the codes of the usual single-byte encodings); empty for the
    standard fonts, which carry none, and for composite fonts."""
    try:
        first, widths = int(font["/FirstChar"]), font["/Widths"]
        return {chr(code): float(w) / 1000 for code, w in enumerate(widths, start=first) if 32 <= code < 127}
    except (KeyError, TypeError, ValueError, AttributeError):
        return {}


def _product(tm: list[float], cm: list[float]) -> tuple[float, ...]:
    """The text matrix in page space (tm × cm)."""
    a1, b1, c1, d1, e1, f1 = tm
    a2, b2, c2, d2, e2, f2 = cm
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def _lines(runs: list[Run]) -> tuple[Line, ...]:
    """Runs grouped into lines (close baselines), each line into cells (close runs)."""
    lines: list[list[Run]] = []
    for run in sorted(runs, key=lambda r: (r.top, r.x)):
        if lines and abs(lines[-1][0].top - run.top) < SAME_LINE * max(run.size, lines[-1][0].size):
            lines[-1].append(run)
        else:
            lines.append([run])
    if len(lines) > 2 * END_LINES:
        lines = lines[:END_LINES] + lines[-END_LINES:]
    return tuple(Line(group[0].page, group[0].top, _cells(sorted(group, key=lambda r: r.x))) for group in lines)


def _cells(runs: list[Run]) -> tuple[Cell, ...]:
    cells: list[Cell] = []
    for run in runs:
        last = cells[-1] if cells else None
        if last is not None and run.x - last.end < CELL_GAP * run.size:
            joiner = " " if run.spaced or run.x - last.end > WORD_GAP * run.size else ""
            text = last.text + joiner + run.text
            cells[-1] = Cell(last.page, last.x, max(last.end, run.end), last.top, max(last.size, run.size), text,
                             fold(text))
        elif len(cells) < MAX_CELLS:
            cells.append(Cell(run.page, run.x, run.end, run.top, run.size, run.text, fold(run.text)))
    return tuple(cells)
