"""Recognising the header and footer data of a plain PDF from its text.

Chorus Pro accepts PDF invoices with no data in them and reads the header and
footer off the page; facteur does the same, with label patterns that live in
`mappings/recognition.toml`, not here: this module knows how to find a value
of a given kind (a date, an amount, a SIRET...) after or under a label, and the
mapping says which labels announce which field, in whichever languages the
operator's suppliers print. Reading the values themselves is `printed.py`'s job.

The text comes from pypdf's layout mode, so columns keep their positions: a
value is looked for on the label's line, right after it, and then in the few
lines below within the label's columns (tables print their headers above their
values). Labels and text are compared case- and accent-insensitively.

What is found is a `Recognised` record, field by field, which `invoice` turns
into the canonical invoice (no lines: a PDF is read for its header and footer
only). Missing fields are not guessed: the mapping lists the mandatory ones,
and `missing` names those that were not found.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from facteur.engine.errors import MappingError, Unrecognised
from facteur.engine.inputs.printed import (
    CURRENCY_CODE,
    CURRENCY_SIGNS,
    ISO_CURRENCIES,
    READERS,
    SEPARATOR,
    TEXT,
    Conventions,
    fold,
    read_amount,
    read_date,
    read_text,
)
from facteur.engine.messages import say
from facteur.engine.model import Invoice, Party, Syntax
from facteur.engine.validation.rulesets import Declared

RULE_SET = "FACTEUR-PDF-RECONNAISSANCE"

# The fields a mapping may describe, with the kind of value each one holds.
FIELDS = {
    "number": "reference",
    "issue_date": "date",
    "supplier_siret": "siret",
    "supplier_name": "text",
    "recipient_siret": "siret",
    "service_code": "code",
    "engagement": "reference",
    "total_without_vat": "amount",
    "total_vat": "amount",
    "total_with_vat": "amount",
    "amount_due": "amount",
    "currency": "currency",
}
# What each field is, for rejections a person reads.
DESCRIPTIONS = {  # each field named for a person, by its catalogue key
    "number": "field-number",
    "issue_date": "field-issue-date",
    "supplier_siret": "field-supplier-siret",
    "supplier_name": "field-supplier-name",
    "recipient_siret": "field-recipient-siret",
    "service_code": "field-service-code",
    "engagement": "field-engagement",
    "total_without_vat": "field-total-without-vat",
    "total_vat": "field-total-vat",
    "total_with_vat": "field-total-with-vat",
    "amount_due": "field-amount-due",
    "currency": "field-currency",
}
FALLBACKS = ("first-date", "letterhead", "currency-sign", "total-with-vat", "without-vat-plus-vat",
             "with-vat-less-without-vat")
SEARCHES = ("first", "last")
SECTIONS = ("buyer", "seller")
BELOW = 4  # lines searched under a label for a value printed below it
COLUMN_SLACK = 12  # characters a value printed below may stray from its label's column
TITLE_LINES = 15  # where a document's title (invoice, credit note) is printed
HEAD_LINES = 20  # where a letterhead is printed
HEAD_CELLS = 100  # cells of those lines looked at, however long a hostile line is
# Characters of the text read from each end: the header is printed at the top of
# the first page and the totals at the foot of the last, and what lies between
# (the lines) has no place in a plain PDF's pivot. Reading costs about 15 µs a
# character, so this bounds a hostile text of millions of characters to well
# under a second, while the invoices of the corpus (90% under 10 000
# characters) are read whole.
END_CHARS = 12_000
# A postcode starting a line: "75018 PARIS", "D-07545 GERA", "1000 Bruxelles".
_POSTCODE = re.compile(r"(?:[A-Z]{1,2}-)?\d{4,5}\s+[^\W\d]")
CANDIDATES = 6  # values kept per field, for the totals to be checked against each other
TOTALS = ("total_without_vat", "total_vat", "total_with_vat")



@dataclass(frozen=True)
class FieldPattern:
    name: str
    labels: tuple[str, ...]  # folded (lower case, no accents)
    section: str = ""
    fallback: str = ""
    last: bool = False  # search from the end of the document (footer totals)


@dataclass(frozen=True)
class Patterns:
    """A recognition mapping, as loaded from TOML by `Patterns.from_toml`;
    `rule_set` is what the verdict of a PDF read with it records."""

    fields: tuple[FieldPattern, ...]
    mandatory: tuple[str, ...]
    buyer_headings: tuple[str, ...]
    conventions: Conventions
    rule_set: Declared
    section_lines: int = 10
    credit_note_titles: tuple[str, ...] = ()  # a title among the first lines that makes the document a credit note
    legal_forms: tuple[str, ...] = ()  # words that end a company's name (SARL, GmbH, Ltd): the letterhead's name

    @classmethod
    def from_toml(cls, data: dict, source: str) -> "Patterns":
        settings = data.get("recognition", {})
        sections = data.get("sections", {})
        fields = []
        for name, table in data.get("fields", {}).items():
            if name not in FIELDS:
                raise MappingError(say("recognition-field-unknown", source=source, field=name, known=", ".join(FIELDS)))
            section, fallback = table.get("section", ""), table.get("fallback", "")
            if section and section not in SECTIONS:
                raise MappingError(say("recognition-section", source=source, field=name, value=section))
            if fallback and fallback not in FALLBACKS:
                raise MappingError(say("recognition-fallback", source=source, field=name, value=fallback,
                                           known=", ".join(FALLBACKS)))
            search = table.get("search", "first")
            if search not in SEARCHES:
                raise MappingError(say("recognition-search", source=source, field=name, value=search))
            labels = tuple(fold(str(label)) for label in table.get("labels", ()))
            fields.append(FieldPattern(name, labels, section, fallback, search == "last"))
        mandatory = tuple(settings.get("mandatory", ()))
        unknown = [name for name in mandatory if name not in FIELDS]
        if unknown:
            raise MappingError(say("recognition-mandatory", source=source, unknown=", ".join(unknown)))
        order = settings.get("date_order", "DMY")
        if order not in ("DMY", "MDY"):
            raise MappingError(say("recognition-date-order", source=source, value=order))
        months = {fold(str(name)): int(number) for number, names in data.get("months", {}).items() for name in names}
        return cls(
            fields=tuple(fields),
            mandatory=mandatory,
            buyer_headings=tuple(fold(h) for h in sections.get("buyer", ())),
            conventions=Conventions(months, order == "DMY"),
            rule_set=Declared.of(RULE_SET, "plain-PDF recognition", data, settings.get("version")),
            section_lines=int(settings.get("section_lines", 10)),
            credit_note_titles=tuple(fold(str(t)) for t in settings.get("credit_note_titles", ())),
            legal_forms=tuple(fold(str(form)) for form in settings.get("legal_forms", ())),
        )


@dataclass
class Recognised:
    """The values found, field by field (absent when not found)."""

    values: dict[str, object] = field(default_factory=dict)

    def missing(self, mandatory: tuple[str, ...]) -> list[str]:
        return [name for name in mandatory if self.values.get(name) in (None, "")]


# --- finding values after or under labels ------------------------------------------


@dataclass(frozen=True)
class _Page:
    """The text as lines, with their folded twins for matching."""

    lines: tuple[str, ...]
    folded: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> "_Page":
        lines = tuple(line.rstrip() for line in text.splitlines())
        return cls(lines, tuple(fold(line) for line in lines))


@dataclass(frozen=True)
class _Block:
    """Where a section (the buyer's address block) is on the page."""

    first: int
    last: int
    column: int

    def holds(self, row: int, column: int) -> bool:
        if not self.first <= row <= self.last:
            return False
        return column >= self.column - COLUMN_SLACK if self.column >= 25 else column < self.column + 40


# What may stand between a label and its value: punctuation, a "n°", a note in
# brackets, a rate ("TVA 20 % : 241,00", "MwSt. 19%  190,00"); never a minus
# sign against a digit, which is the value's own sign (a credit note prints
# "Total HT  -218,48 €").
_SEPARATORS = r"(?:[\s:#=.–—]|-(?!\d))*"
_LEAD = re.compile(
    r"^" + _SEPARATORS + r"(?:\([^)]{0,30}\)\s*)?(?:(?:n°|no\.?|nr\.?|number|numero|num\.)(?![a-z])\s*[:#.]?\s*)?"
    r"(?:\(?\d{1,2}(?:[.,]\d{1,3})?\s?%\)?)?" + _SEPARATORS
)


def _label_regex(label: str) -> re.Pattern:
    """A label as a whole word: not inside a longer word on either side. A label
    written with a leading "^" must also start its cell (the line, or after two
    spaces): "^total" is the grand total, not the end of "VAT total"."""
    if label.startswith("^"):
        return re.compile(r"(?:^|(?<=\s\s))" + _label_regex(label[1:].lstrip()).pattern)
    before = r"(?<!\w)" if label[:1].isalnum() else ""
    after = r"(?!\w)" if label[-1:].isalnum() else ""
    words = r"\s+".join(re.escape(word) for word in label.split())
    return re.compile(before + words + after)


def recognise(text: str, patterns: Patterns) -> Recognised:
    """The header and footer values found in `text` (its two ends, when it is long)."""
    page = _Page.of(_ends(text))
    buyer = _blocks(page, patterns.buyer_headings, patterns.section_lines)
    found = Recognised()
    titles = "\n".join(page.folded[:TITLE_LINES])
    if any(_label_regex(title).search(titles) for title in patterns.credit_note_titles):
        found.values["type_code"] = "381"
    candidates = {pattern.name: _candidates(page, pattern, patterns, buyer) for pattern in patterns.fields}
    for name, values in candidates.items():
        if values:
            found.values[name] = values[0]
    _reconcile_totals(found, candidates)
    # Fallbacks come second, so that a value derived from others (a total from
    # two totals) uses every value the labels gave, in whatever order the fields are listed.
    for pattern in patterns.fields:
        if pattern.name not in found.values:
            value = _fallback(page, pattern, patterns, found, buyer)
            if value is not None:
                found.values[pattern.name] = value
    if found.values.get("type_code") == "381":
        _credit_amounts(found)
    return found


def _reconcile_totals(found: Recognised, candidates: dict[str, list]) -> None:
    """The totals that add up (total without VAT + VAT = total with VAT, EN 16931
    BR-CO-15), when the labels gave several candidates for them: a VAT breakdown
    repeats the labels of the totals row by row, and the first candidate of each
    is not always the grand total. Among the consistent triples, the one whose
    candidates come first (best label, best place) wins; with none, the first
    candidates stand."""
    lists = [candidates.get(name, []) for name in TOTALS]
    triples = [
        (i + j + k, (without, vat, with_vat))
        for i, without in enumerate(lists[0])
        for j, vat in enumerate(lists[1])
        for k, with_vat in enumerate(lists[2])
        if without + vat == with_vat
    ]
    if triples:
        found.values.update(zip(TOTALS, min(triples, key=lambda triple: triple[0])[1]))


def _credit_amounts(found: Recognised) -> None:
    """A credit note states its amounts as positive (its type says they are owed
    back), however the printout signs them: many print "-233,47 €"."""
    for name, kind in FIELDS.items():
        if kind == "amount" and found.values.get(name) is not None:
            found.values[name] = abs(found.values[name])


def _blocks(page: _Page, headings: tuple[str, ...], span: int) -> list[_Block]:
    blocks = []
    for row, line in enumerate(page.folded):
        for heading in headings:
            match = _label_regex(heading).search(line)
            if match:
                blocks.append(_Block(row, row + span, match.start()))
                break
    return blocks


def _allowed(pattern: FieldPattern, row: int, column: int, buyer: list[_Block]) -> bool:
    in_buyer = any(block.holds(row, column) for block in buyer)
    if pattern.section == "buyer":
        return in_buyer
    if pattern.section == "seller":
        return not in_buyer
    return True


def _candidates(page: _Page, pattern: FieldPattern, patterns: Patterns, buyer: list[_Block]) -> list:
    """The distinct values among the first CANDIDATES the field's labels
    announce, best first: by the order of the labels, then by where they are
    printed (from the end for the footer totals). Bounded so that a text
    repeating a label costs no more than a handful of reads."""
    values: list = []
    for value in itertools.islice(_labelled(page, pattern, patterns, buyer), CANDIDATES):
        if value not in values:
            values.append(value)
    return values


def _labelled(page: _Page, pattern: FieldPattern, patterns: Patterns, buyer: list[_Block]):
    reader = READERS[FIELDS[pattern.name]]
    rows = list(enumerate(page.folded))
    if pattern.last:
        rows.reverse()
    for label in pattern.labels:
        regex = _label_regex(label)
        for row, line in rows:
            for match in regex.finditer(line):
                if not _allowed(pattern, row, match.start(), buyer):
                    continue
                if reader in (read_text, read_date) and not _starts_cell(line, match.start()):
                    continue  # "LE FOURNISSEUR" is a name, not the label "fournisseur"; "Due date" is not "date"
                value = _after(page, row, match.end(), reader, patterns.conventions)
                if value is None and not label.startswith("^") and _below_allowed(line, match, reader):
                    value = _below(page, row, match.start(), _cell_end(line, match.end()), reader,
                                   patterns.conventions)
                if value is not None:
                    yield value


def _starts_cell(line: str, column: int) -> bool:
    """Whether text at `column` starts a cell: the line, or after two spaces."""
    return not line[:column].strip() or line[:column].endswith("  ")


def _below_allowed(line: str, match: re.Match, reader) -> bool:
    """Whether a label may announce a value under it. A name is announced by a
    heading that is the whole cell ("Fournisseur", "Seller:"), not by a word of
    a longer cell ("SELLER TRADE NAME")."""
    return reader is not read_text or not line[match.end() : _cell_end(line, match.end())].strip(" :")


def _cell_end(line: str, end: int) -> int:
    """Where the cell holding a label ends: a column heading says more than its
    label ("MwSt. EUR", "Total HT (EUR)"), and amounts are aligned on the right
    of the heading, not of the label."""
    gap = line.find("  ", end)
    return len(line) if gap < 0 else gap


def _after(page: _Page, row: int, end: int, reader, conventions: Conventions):
    """The value right after a label on its line (read in the original text, not the folded one)."""
    rest = page.lines[row][end:]
    lead = _LEAD.match(page.folded[row][end:])
    if reader is read_text and ":" not in (lead[0] if lead else ""):
        return None  # a name follows its label after a colon; anything else is the next column
    found = reader(rest[lead.end() if lead else 0 :], conventions)
    return found[0] if found else None


def _below(page: _Page, row: int, start: int, end: int, reader, conventions: Conventions):
    """A value printed under its label, in the label's columns, in the next lines.

    A column of amounts whose last one is the sum of those above it is a
    breakdown with its total (per VAT rate, then all rates): the total is the value."""
    column = list(_column(page, row, start, end, reader, conventions))
    if reader is read_amount and len(column) >= 3 and sum(column[:-1]) == column[-1]:
        return column[-1]
    return column[0] if column else None


def _column(page: _Page, row: int, start: int, end: int, reader, conventions: Conventions):
    """The values printed under a label, in its columns, in the BELOW lines after it."""
    for below in range(row + 1, min(row + 1 + BELOW, len(page.lines))):
        value = _cell_under(page.lines[below], start, end, reader, conventions)
        if value is not None:
            yield value


def _cell_under(line: str, start: int, end: int, reader, conventions: Conventions):
    """The value of `line` in a cell under the label spanning start..end: a cell
    starting near the label, or reaching under it from the left (a value aligned
    on the right of a shorter label). Cells are set apart by two spaces or more."""
    for cell in TEXT.finditer(line):
        column = cell.start()
        if column > end + COLUMN_SLACK:
            break
        if column < start - COLUMN_SLACK and cell.end() < start:
            continue
        if line[:column].rstrip().endswith(":"):
            continue  # the value of another label on that line
        lead = _LEAD.match(fold(line[column:]))
        found = reader(line[column + (lead.end() if lead else 0) :], conventions)
        if found and column + found[2] > start - 2:
            return found[0]
    return None


def _fallback(page: _Page, pattern: FieldPattern, patterns: Patterns, found: Recognised, buyer: list[_Block]):
    if pattern.fallback == "first-date":
        return _date_by_number(page, str(found.values.get("number", "")), patterns.conventions) or next(
            (value for line in page.folded for value in _dates(line, patterns.conventions)), None
        )
    if pattern.fallback == "letterhead":
        return _letterhead(page, patterns.legal_forms, buyer)
    if pattern.fallback == "currency-sign":
        signs = [CURRENCY_SIGNS[c] for line in page.lines for c in line if c in CURRENCY_SIGNS]
        signs += [code for line in page.lines for code in CURRENCY_CODE.findall(line) if code in ISO_CURRENCIES]
        return max(set(signs), key=signs.count) if signs else None
    if pattern.fallback == "total-with-vat":
        return found.values.get("total_with_vat")
    without, vat, with_vat = (found.values.get(f) for f in ("total_without_vat", "total_vat", "total_with_vat"))
    if pattern.fallback == "without-vat-plus-vat" and without is not None and vat is not None:
        return without + vat
    if pattern.fallback == "with-vat-less-without-vat" and without is not None and with_vat is not None:
        return with_vat - without
    return None


def _date_by_number(page: _Page, number: str, conventions: Conventions):
    """The date printed after the invoice number on its line: an invoice often
    dates itself there ("Facture N° FA-12 du 03/11/2026", "Rechnung Nr. 506 vom
    18.11.2017", "Invoice # 507 issued at 2019-06-10"), under no date label."""
    for line in page.lines if number else ():
        at = line.find(number)
        if at >= 0:
            return next(_dates(fold(line[at + len(number) :]), conventions), None)
    return None


def _dates(line: str, conventions: Conventions):
    """The dates of a (folded) line, in order."""
    for match in re.finditer(r"\d", line):
        if match.start() and line[match.start() - 1].isdigit():
            continue
        value = read_date(line[match.start():], conventions)
        if value:
            yield value[0]


def _letterhead(page: _Page, legal_forms: tuple[str, ...], buyer: list[_Block]) -> str | None:
    """The seller's name as its letterhead prints it, outside the buyer's block,
    by the most telling of its usual forms: a sender line over the address window
    ("Kraxi GmbH · Flugzeugallee 17 · 12345 Papierfeld"); else the first name
    with a legal form (SARL, GmbH...) among the first lines; else the name over
    the first address (name, street, then postcode and city); else the first
    text of the page."""
    head = itertools.islice(_cells(page, HEAD_LINES), HEAD_CELLS)
    cells = [cell for cell in head if not any(b.holds(cell[0], cell[1]) for b in buyer)]
    texts = [text for _, _, text in cells]
    return _sender_line(texts) or _with_legal_form(texts, legal_forms) or _over_address(cells) or next(
        (SEPARATOR.split(text)[0].strip() for text in texts if sum(c.isalpha() for c in text) >= 3), None
    )


def _sender_line(texts: list[str]) -> str | None:
    for text in texts:
        parts = SEPARATOR.split(text)
        if len(parts) >= 3 and any(_POSTCODE.match(part.strip()) for part in parts[1:]):
            return parts[0].strip()
    return None


def _with_legal_form(texts: list[str], legal_forms: tuple[str, ...]) -> str | None:
    forms = [_label_regex(form) for form in legal_forms]
    for text in texts:
        for part in SEPARATOR.split(text):
            if any(form.search(fold(part)) for form in forms):
                return part.strip()
    return None


def _over_address(cells: list[tuple[int, int, str]]) -> str | None:
    for index, (_, column, text) in enumerate(cells):
        above = [cell[2] for cell in cells[:index] if abs(cell[1] - column) <= 2]
        if _POSTCODE.match(text) and len(above) >= 2 and not _POSTCODE.match(above[-2]):
            return SEPARATOR.split(above[-2])[0].strip()
    return None


def _ends(text: str) -> str:
    """The first and last END_CHARS characters of a long text, cut at line breaks."""
    if len(text) <= 2 * END_CHARS:
        return text
    head = text[:END_CHARS].rpartition("\n")[0]
    tail = text[-END_CHARS:].partition("\n")[2]
    return f"{head}\n{tail}"


def _cells(page: _Page, lines: int):
    """(row, column, text) of each cell of the first `lines` lines, in reading order."""
    for row, line in enumerate(page.lines[:lines]):
        for cell in TEXT.finditer(line):
            yield row, cell.start(), cell[0].strip()


def read(name: str, text: str, patterns: Patterns) -> Invoice:
    """The canonical invoice of a plain PDF, or Unrecognised naming every
    mandatory field that was not found."""
    found = recognise(text, patterns)
    missing = found.missing(patterns.mandatory)
    if missing:
        raise Unrecognised(
            "FCT-PDF-FIELDS-MISSING",
            say("recognise-missing", name=name, fields=[say(DESCRIPTIONS[m]) for m in missing]),
            ", ".join(missing),
            layer="recognise",
        )
    return invoice(found)


def invoice(found: Recognised) -> Invoice:
    """The canonical invoice of a plain PDF: header and footer, no lines.

    A SIRET is French by definition, so a party found by its SIRET is French
    (Chorus Pro identifier type 1)."""
    values = found.values
    supplier_siret = str(values.get("supplier_siret", ""))
    recipient_siret = str(values.get("recipient_siret", ""))
    return Invoice(
        syntax=Syntax.PDF,
        number=str(values.get("number", "")),
        type_code=str(values.get("type_code", "380")),
        issue_date=values.get("issue_date"),
        currency=str(values.get("currency", "")),
        supplier=Party(
            name=str(values.get("supplier_name", "")),
            identifier=supplier_siret,
            identifier_type="1" if supplier_siret else "",
            country="FR" if supplier_siret else "",
        ),
        buyer=Party(identifier=recipient_siret, identifier_type="1" if recipient_siret else "",
                    country="FR" if recipient_siret else ""),
        total_without_vat=values.get("total_without_vat"),
        total_with_vat=values.get("total_with_vat"),
        amount_due=values.get("amount_due"),
        total_vat=values.get("total_vat"),
        service_code=str(values.get("service_code", "")),
        engagement=str(values.get("engagement", "")),
    )
