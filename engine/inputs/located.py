"""Values found on the page's positioned text (`layout.py`), each with how
sure facteur is of it.

The mapping's labels (mappings/recognition.toml) say which field a piece of
text announces; this module says where its value is: in the label's own cell
("Total HT : 1 205,00 €"), in the next cell of its line (a label column and a
value column), or under it (a table header over its row). It also finds the
blocks a person sees: the buyer's block under its heading ("Facturé à", "Bill
to", "Rechnungsempfänger", "Vos identifiants": the mapping's [sections] buyer),
and the letterhead, the seller's name printed largest at the top of the first
page outside that block.

Each value comes with a confidence, a number between 0 and 1 that grows with
how directly the page states it: beside its label more than under it, under a
telling label ("Date de facture") more than a generic one ("Date"). The caller
(`recognise.py`) weighs it against the flat-text reading and the checks
between fields (totals that add up, a SIRET's check digit, the directory).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from facteur.engine.inputs.layout import Cell, Layout, Line
from facteur.engine.inputs.printed import Conventions, fold, read_date, read_text, sender

# Confidence of a value by where it stands to its label.
BESIDE = 0.9  # in the label's cell, after it
RIGHT = 0.85  # the next cell of the label's line
UNDER = 0.8  # under the label, within its columns
GENERIC = 0.1  # taken off for a short label that many texts print ("date", "nr", "total")
SENDER_LINE = 0.85  # the name of the sender line over the address window
LARGEST = 0.85  # the letterhead's name, printed larger than the text
WITH_LEGAL_FORM = 0.8  # the letterhead's first name with a legal form (SARL, GmbH)

UNDER_LINES = 3  # lines under a label where its value may be
LETTERHEAD_POINTS = 250  # the top of the first page (about 9 cm) that holds the letterhead
BLOCK_LINES = 10  # lines a buyer's block may hold under its heading
BLOCK_GAP = 2.5  # a vertical gap of this many font sizes ends a block
WINDOW_PRINT = 1.3  # an address window is printed at least this much larger than the sender line over it


@dataclass(frozen=True)
class Found:
    value: object
    confidence: float
    how: str  # where the value was read, for the bench and for reading a verdict


@dataclass(frozen=True)
class Region:
    """Part of a page: a buyer's block."""

    page: int
    x: float
    end: float
    top: float
    bottom: float

    def holds(self, cell: Cell) -> bool:
        return self.page == cell.page and self.top <= cell.top <= self.bottom and self.x - 2 <= cell.x < self.end


def label_regex(label: str) -> re.Pattern:
    """A label as a whole word; "^label" must start its cell."""
    if label.startswith("^"):
        return re.compile(r"^" + label_regex(label[1:].lstrip()).pattern)
    before = r"(?<!\w)" if label[:1].isalnum() else ""
    after = r"(?!\w)" if label[-1:].isalnum() else ""
    return re.compile(before + r"\s+".join(re.escape(word) for word in label.split()) + after)


def buyer_regions(layout: Layout, headings: tuple[str, ...]) -> list[Region]:
    """The buyer's blocks: under each heading cell, the cells in its column down
    to a wide gap, BLOCK_LINES lines at most, and the heading's own line right
    of it; and the address window under a sender line."""
    regions = []
    regexes = [label_regex(heading) for heading in headings]
    lines = layout.lines
    for index, line in enumerate(lines):
        for position, cell in enumerate(line.cells):
            if not any(regex.match(cell.folded.lstrip(" .:-")) for regex in regexes):
                continue
            neighbour = next((c.x for c in line.cells[position + 1 :] if not _value_of(cell, c)), None)
            end = neighbour if neighbour is not None else cell.x + max(250.0, cell.end - cell.x)
            bottom = _block_bottom(lines, index, cell, end, cell.size)
            regions.append(Region(cell.page, cell.x, end, cell.top - 1, bottom))
    window = address_window(layout)
    return regions + [window[0]] if window else regions


def address_window(layout: Layout) -> tuple[Region, str] | None:
    """The address window of a letter (DIN 5008, and French window envelopes):
    a sender line printed small in the letterhead, the seller's, over the
    buyer's address printed larger, which is then a buyer's block though no
    heading opens it (a letterhead's address line over the seller's own lines,
    in the same print, is no window).
    The region under the sender line, and the seller's name it gives."""
    lines = layout.lines
    for index, line in enumerate(lines):
        if line.top > lines[0].top + LETTERHEAD_POINTS:
            return None
        below = lines[index + 1].cells if index + 1 < len(lines) else ()
        for cell in line.cells:
            name = sender(cell.text)
            if name and any(abs(other.x - cell.x) < 20 and other.size >= WINDOW_PRINT * cell.size for other in below):
                bottom = _block_bottom(lines, index, cell, cell.x + 200, layout.body_size * 1.5)
                return Region(cell.page, cell.x - 10, cell.x + 200, cell.top + 1, bottom), name
    return None


def _value_of(heading: Cell, cell: Cell) -> bool:
    """Whether a cell right of a heading is its value ("Client :  Ville de Démo")."""
    return heading.text.rstrip().endswith(":") and cell.x - heading.end < 8 * heading.size


def _block_bottom(lines: tuple[Line, ...], index: int, heading: Cell, end: float, size: float) -> float:
    """Where the block under `heading` ends: a line with nothing in its columns,
    or a gap wider than BLOCK_GAP times `size`."""
    bottom = last = heading.top
    for line in lines[index + 1 : index + 1 + BLOCK_LINES]:
        if line.page != heading.page or line.top - last > BLOCK_GAP * size:
            break
        inside = [cell for cell in line.cells if heading.x - 2 <= cell.x < end]
        if not inside:
            break
        bottom = last = max(cell.top for cell in inside)
    return bottom + 1


def in_regions(cell: Cell, regions: list[Region]) -> bool:
    return any(region.holds(cell) for region in regions)


def labelled(layout: Layout, labels: tuple[str, ...], reader, conventions: Conventions, lead: re.Pattern,
             allowed, last: bool = False):
    """Found values announced by `labels`, best label first, then in reading
    order (from the end when `last`). `allowed(cell)` says whether a label's
    cell is in the part of the page the field belongs to."""
    lines = layout.lines
    order = range(len(lines) - 1, -1, -1) if last else range(len(lines))
    for rank, label in enumerate(labels):
        regex = label_regex(label)
        generic = GENERIC if len(label.strip("^ ")) <= 5 and " " not in label.strip() else 0.0
        for index in order:
            line = lines[index]
            for position, cell in enumerate(line.cells):
                folded = cell.folded
                for match in regex.finditer(folded):
                    if not allowed(cell) or (reader in (read_text, read_date) and folded[: match.start()].strip()):
                        continue  # "LE FOURNISSEUR" is a name, not the label "fournisseur"; "Due date" is not "date"
                    found = _beside(cell, folded, match.end(), reader, conventions, lead)
                    how, confidence = "beside", BESIDE
                    rest = folded[match.end() :].strip(" :#.-")
                    if found is None and not rest and position + 1 < len(line.cells) and reader is not read_text:
                        found = _read(line.cells[position + 1].text, reader, conventions, lead)
                        how, confidence = "right", RIGHT
                    if found is None and not rest and not label.startswith("^"):
                        found = _under(lines, index, cell, reader, conventions, lead)
                        how, confidence = "under", UNDER
                    if found is not None:
                        yield Found(found, round(confidence - generic, 3), f"{how} {label!r}")


def _beside(cell: Cell, folded: str, end: int, reader, conventions: Conventions, lead: re.Pattern):
    rest = cell.text[end:]
    matched = lead.match(folded[end:])
    if reader is read_text and ":" not in (matched[0] if matched else ""):
        return None  # a name follows its label after a colon
    found = reader(rest[matched.end() if matched else 0 :], conventions)
    return found[0] if found else None


def _read(text: str, reader, conventions: Conventions, lead: re.Pattern):
    matched = lead.match(fold(text))
    found = reader(text[matched.end() if matched else 0 :], conventions)
    return found[0] if found else None


def _under(lines: tuple[Line, ...], index: int, label: Cell, reader, conventions: Conventions, lead: re.Pattern):
    """The value in the first cell under the label, within its columns, on the next lines."""
    for line in lines[index + 1 : index + 1 + UNDER_LINES]:
        if line.page != label.page or line.top - label.top > (UNDER_LINES + 1) * 1.6 * label.size:
            return None
        for cell in line.cells:
            if cell.overlaps(label.x, label.end, label.size):
                value = _read(cell.text, reader, conventions, lead)
                if value is not None:
                    return value
    return None


def letterhead(layout: Layout, regions: list[Region], legal_forms: tuple[str, ...]) -> Found | None:
    """The seller's name in the letterhead: its sender line over the address
    window; else the text printed largest at the top of the first page, outside
    the buyer's block; else the first name there with a legal form."""
    if not layout.lines:
        return None
    window = address_window(layout)
    if window is not None:
        return Found(window[1], SENDER_LINE, "letterhead, sender line over the address window")
    first = layout.lines[0]
    limit = first.top + LETTERHEAD_POINTS
    cells = [cell for line in layout.lines if line.page == first.page and line.top <= limit
             for cell in line.cells if not in_regions(cell, regions) and _wordy(cell.text)]
    body = layout.body_size
    large = [cell for cell in cells if cell.size >= 1.2 * body and not _title(cell.text)]
    if large:
        biggest = max(large, key=lambda cell: (cell.size, -cell.top))
        return Found(_name(biggest.text), LARGEST, "letterhead, largest print")
    forms = [label_regex(form) for form in legal_forms]
    for cell in cells:
        if any(form.search(cell.folded) for form in forms):
            return Found(_name(cell.text), WITH_LEGAL_FORM, "letterhead, legal form")
    return None


def _wordy(text: str) -> bool:
    """Text that may be a name: mostly letters, no date in it."""
    letters = sum(c.isalpha() for c in text)
    return letters >= 3 and letters > 2 * sum(c.isdigit() for c in text) and not re.search(r"\d{4}", text)


_TITLES = re.compile(r"^(facture|avoir|invoice|credit note|rechnung|gutschrift)\b")


def _title(text: str) -> bool:
    """A document title printed large ("FACTURE N° 12"), not a name."""
    return bool(_TITLES.match(fold(text).strip()))


def _name(text: str) -> str:
    found = read_text(text, Conventions({}))
    return found[0] if found else text.strip()
