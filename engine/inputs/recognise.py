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

The page is read twice: as that flat text, and as positioned text (`layout.py`,
`located.py`: values beside or under their labels, the buyer's block under its
heading, the letterhead printed largest). Each field gets a confidence: how
directly the page states it, raised when the two readings agree or when the
fields check each other (the totals add up, EN 16931 BR-CO-15; a SIRET's check
digit; the seller's SIRET starting with the SIREN of its letterhead), lowered
when they disagree or a date's day and month could be swapped. A SIRET printed
on the page that is an active public structure of the directory is the
recipient (French public buyers first), never the supplier.

What is found is a `Recognised` record, field by field, which `invoice` turns
into the canonical invoice (no lines: a PDF is read for its header and footer
only). Fields are not guessed: one below the configured confidence
(`[recognition] min_confidence`) counts as missing, the mapping lists the
mandatory ones, and `missing` names those that were not found or not surely.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

from facteur.engine.errors import MappingError, Unrecognised
from facteur.engine.inputs import located
from facteur.engine.inputs.layout import EMPTY, Layout
from facteur.engine.inputs.printed import (
    CURRENCY_CODE,
    CURRENCY_SIGNS,
    ISO_CURRENCIES,
    POSTCODE,
    READERS,
    SEPARATOR,
    TEXT,
    Conventions,
    sender,
    fold,
    read_amount,
    read_date,
    read_text,
)
from facteur.engine.messages import Message, say
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
CANDIDATES = 6  # values kept per field, for the totals to be checked against each other
TOTALS = ("total_without_vat", "total_vat", "total_with_vat")
BREAKDOWN = 4  # VAT candidates whose sums may be the total VAT of a breakdown by rate



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
    seller_ids: tuple[str, ...] = ()  # labels of the seller's SIREN or VAT number, which its SIRET starts with
    day_first_words: tuple[str, ...] = ()  # words of the languages that write the day first (03/04 is 3 April)
    month_first_words: tuple[str, ...] = ()  # words of those that write the month first (03/04 is March 4)
    threshold: float = 0.6  # below this confidence a field counts as missing ([recognition] min_confidence)

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
        dates = data.get("dates", {})
        return cls(
            fields=tuple(fields),
            mandatory=mandatory,
            buyer_headings=tuple(fold(h) for h in sections.get("buyer", ())),
            conventions=Conventions(months, order == "DMY"),
            rule_set=Declared.of(RULE_SET, "plain-PDF recognition", data, settings.get("version")),
            section_lines=int(settings.get("section_lines", 10)),
            credit_note_titles=tuple(fold(str(t)) for t in settings.get("credit_note_titles", ())),
            legal_forms=tuple(fold(str(form)) for form in settings.get("legal_forms", ())),
            seller_ids=tuple(fold(str(label)) for label in sections.get("seller_ids", ())),
            day_first_words=tuple(fold(str(word)) for word in dates.get("day_first", ())),
            month_first_words=tuple(fold(str(word)) for word in dates.get("month_first", ())),
        )


@dataclass
class Recognised:
    """The values found, field by field (absent when not found), each with its
    confidence (0 to 1) and how it was found."""

    values: dict[str, object] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)

    def sure(self, threshold: float) -> dict[str, object]:
        """The values at or above `threshold`: the others count as missing."""
        return {name: value for name, value in self.values.items()
                if value not in (None, "") and self.confidence.get(name, 1.0) >= threshold}

    def missing(self, mandatory: tuple[str, ...], threshold: float = 0.0) -> list[str]:
        sure = self.sure(threshold)
        return [name for name in mandatory if name not in sure]

    def set(self, name: str, value: object, confidence: float, how: str) -> None:
        self.values[name] = value
        self.confidence[name] = round(min(max(confidence, 0.0), 0.99), 3)
        self.how[name] = how


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


def recognise(text: str, patterns: Patterns, layout: Layout = EMPTY, structures: dict | None = None) -> Recognised:
    """The header and footer values found in `text` (its two ends, when it is
    long) and in the positioned text `layout`, each with its confidence;
    `structures` are the directory's (SIRET -> Structure), for the public buyer."""
    patterns, order = _date_order(text, patterns)
    page = _Page.of(_ends(text))
    buyer = _blocks(page, patterns.buyer_headings, patterns.section_lines)
    regions = located.buyer_regions(layout, patterns.buyer_headings)
    found = Recognised()
    titles = "\n".join(page.folded[:TITLE_LINES])
    if any(_label_regex(title).search(titles) for title in patterns.credit_note_titles):
        found.values["type_code"] = "381"
    candidates = {pattern.name: _candidates(page, pattern, patterns, buyer) for pattern in patterns.fields}
    placed = {pattern.name: _placed(layout, pattern, patterns, regions) for pattern in patterns.fields}
    for pattern in patterns.fields:
        _choose(found, pattern.name, candidates[pattern.name], placed[pattern.name])
    _reconcile_totals(found, candidates, placed)
    # Fallbacks come second, so that a value derived from others (a total from
    # two totals) uses every value the labels gave, in whatever order the fields are listed.
    for pattern in patterns.fields:
        if pattern.fallback == "letterhead":
            _seller_name(found, pattern.name, _letterhead(page, patterns.legal_forms, buyer),
                         located.letterhead(layout, regions, patterns.legal_forms))
        if pattern.fallback == "first-date" and pattern.name not in found.values:
            dated = _date_by_number(page, str(found.values.get("number", "")), patterns.conventions)
            if dated:
                found.set(pattern.name, dated, BY_NUMBER, "the date after the invoice number")
        if pattern.name not in found.values:
            value = _fallback(page, pattern, patterns, found, buyer)
            if value is not None:
                found.set(pattern.name, value, FALLBACK_CONFIDENCE[pattern.fallback], f"fallback {pattern.fallback}")
    if found.values.get("type_code") == "381":
        _credit_amounts(found)
    _parties(found, page, buyer, patterns, structures or {})
    _amounts_due(found)
    _ambiguous_date(found, order, text)
    return found


# Confidences (0 to 1) of what the flat text gives, and how checks move them;
# located.py gives those of the positioned text.
TEXT_LABEL = 0.8  # a value after or under one of its labels in the flat text
BY_NUMBER = 0.75  # the date printed after the invoice number on its line ("Facture N° 12 du 03/11/2026")
FALLBACK_CONFIDENCE = {"first-date": 0.65, "currency-sign": 0.75, "total-with-vat": 0.8,
                       "without-vat-plus-vat": 0.8, "with-vat-less-without-vat": 0.8}
AGREE = 0.1  # both readings give the value
DISAGREE = 0.2  # they give different values: the surer one, less this
RECONCILED = 0.99  # the totals add up (BR-CO-15)
UNRECONCILED = 0.25  # three totals that do not add up: each is less sure
WRONG_CHECK_DIGIT = 0.7  # at most, for a SIRET whose check digit is wrong (misprinted, or invented)
SAME_SIREN = 0.1  # the seller's SIRET starts with the SIREN or VAT number of its letterhead
PUBLIC_BUYER = 0.99  # an active public structure of the directory printed on the page
ORDER_BY_LANGUAGE, ORDER_BY_DEFAULT = 0.1, 0.2  # an ambiguous date (03/04) read by the labels' language, by default


def _placed(layout: Layout, pattern: FieldPattern, patterns: Patterns, regions: list) -> list:
    """The distinct values of a field on the positioned text, best first (`located.Found`)."""

    def allowed(cell) -> bool:
        inside = located.in_regions(cell, regions)
        return inside if pattern.section == "buyer" else not inside if pattern.section == "seller" else True

    reader = READERS[FIELDS[pattern.name]]
    values: list = []
    found = located.labelled(layout, pattern.labels, reader, patterns.conventions, _LEAD, allowed, pattern.last)
    for item in itertools.islice(found, CANDIDATES):
        if all(item.value != known.value for known in values):
            values.append(item)
    return values


def _same(first: object, second: object) -> bool:
    if isinstance(first, str) and isinstance(second, str):
        return fold(first).strip(" .,:") == fold(second).strip(" .,:")
    return first == second


def _choose(found: Recognised, name: str, texts: list, placed: list) -> None:
    """A field's value from the flat text's first candidate and the positioned
    text's best, with the confidence their agreement gives."""
    text, place = (texts[0] if texts else None), (placed[0] if placed else None)
    if place is None:
        if text is not None:
            found.set(name, text, TEXT_LABEL, "label (text)")
    elif text is None:
        found.set(name, place.value, place.confidence, place.how)
    elif _same(text, place.value):
        found.set(name, text, max(TEXT_LABEL, place.confidence) + AGREE, f"{place.how}, the text agrees")
    elif isinstance(text, str) and _holds(text, place.value):
        longer = max(text, str(place.value), key=len)  # a reference cut in two runs ("RE-20201121" "/508")
        found.set(name, longer, max(TEXT_LABEL, place.confidence), f"{place.how}, the text reads {text}")
    elif place.confidence > TEXT_LABEL:
        found.set(name, place.value, place.confidence - DISAGREE, f"{place.how}; the text read {text}")
    else:
        found.set(name, text, TEXT_LABEL - DISAGREE, f"label (text); the layout read {place.value}")


def _seller_name(found: Recognised, name: str, *letterheads) -> None:
    """The seller's name: the letterheads (of the flat text, of the positioned
    text) confirm a labelled name, or give it, surer when both read the same
    name (one holding the other: "LOGO LE VENDEUR" and "LE VENDEUR")."""
    read = [letterhead for letterhead in letterheads if letterhead is not None]
    if name in found.values:
        if any(_holds(found.values[name], letterhead.value, words=2) for letterhead in read):
            found.set(name, found.values[name], found.confidence[name] + AGREE, f"{found.how[name]}, the letterhead agrees")
        return
    if len(read) == 2 and _holds(read[0].value, read[1].value, words=2):
        best = max(read, key=lambda letterhead: letterhead.confidence)
        found.set(name, read[0].value, best.confidence + AGREE, f"{read[0].how}, {read[1].how} agrees")
    elif read:
        best = max(read, key=lambda letterhead: letterhead.confidence)
        found.set(name, best.value, best.confidence - (DISAGREE if len(read) == 2 else 0), best.how)


def _holds(first: object, second: object, words: int = 1) -> bool:
    """Whether one text holds the other, the shorter of at least three
    characters and `words` words (a legal form alone is no name)."""
    one, other = fold(str(first)).strip(" .,:"), fold(str(second)).strip(" .,:")
    shorter = min(one, other, key=len)
    return len(shorter) >= 3 and len(shorter.split()) >= words and (one in other or other in one)


def _date_order(text: str, patterns: Patterns) -> tuple[Patterns, str]:
    """Whether this document writes the day or the month first: a numeric date
    whose first or second number is above 12 settles it; else the language of
    its words (the mapping's [dates]); else the mapping's date_order."""
    head = text[: 2 * END_CHARS]
    pairs = [(int(a), int(b)) for a, b in _NUMERIC_PAIR.findall(head)]
    if any(a > 12 >= b for a, b in pairs) or _DOTTED.search(head):
        day_first, how = True, "page"  # 25/03, or 05.03.2018: dates written with dots are day first
    elif any(b > 12 >= a for a, b in pairs):
        day_first, how = False, "page"
    else:
        folded = fold(text[: 2 * END_CHARS])
        day = sum(bool(_label_regex(word).search(folded)) for word in patterns.day_first_words)
        month = sum(bool(_label_regex(word).search(folded)) for word in patterns.month_first_words)
        if day == month:
            return patterns, "default"
        day_first, how = day > month, "language"
    return replace(patterns, conventions=replace(patterns.conventions, day_first=day_first)), how


_DOTTED = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.\d{4}(?![\d.])")
_NUMERIC_PAIR = re.compile(r"(?<![\d.,/-])(\d{1,2})[./-](\d{1,2})[./-](?:\d{4}|\d{2})(?![\d.,/-]*\d)")


def _ambiguous_date(found: Recognised, order: str, text: str) -> None:
    """A date printed in numbers whose day and month could be swapped, read by
    the language or the default order rather than by the page, is less sure."""
    value = found.values.get("issue_date")
    if order == "page" or value is None or value.day > 12 or value.day == value.month:
        return
    numeric = re.compile(rf"(?<!\d)0?({value.day}|{value.month})[./-]0?({value.month}|{value.day})[./-]")
    if numeric.search(text):
        penalty = ORDER_BY_LANGUAGE if order == "language" else ORDER_BY_DEFAULT
        found.set("issue_date", value, found.confidence["issue_date"] - penalty,
                  f"{found.how['issue_date']}, day and month read by the {order}")


def _amounts_due(found: Recognised) -> None:
    """The amount due equal to totals that add up is as sure as they are."""
    due, total = found.values.get("amount_due"), found.values.get("total_with_vat")
    if due is not None and due == total and found.confidence.get("total_with_vat", 0) >= RECONCILED:
        found.set("amount_due", due, max(found.confidence["amount_due"], RECONCILED), found.how["amount_due"])


def _parties(found: Recognised, page: "_Page", buyer: list, patterns: Patterns, structures: dict) -> None:
    """The recipient and the supplier by their SIRETs: an active public
    structure of the directory printed on the page is the recipient (inside the
    buyer's block first); the supplier's SIRET is never the recipient's nor a
    public structure's, its check digit is checked, and it is surer when it
    starts with the SIREN or VAT number of the seller."""
    printed = list(dict.fromkeys(_printed_sirets(page)))
    public = [siret for siret in printed if siret in structures and structures[siret].active]
    if public:
        inside = [siret for siret in public if siret in _printed_sirets(page, buyer)]
        found.set("recipient_siret", (inside or public)[0], PUBLIC_BUYER, "active public structure of the directory")
    recipient, supplier = found.values.get("recipient_siret"), found.values.get("supplier_siret")
    if supplier and (supplier == recipient or supplier in public):
        others = [siret for siret in printed if siret != recipient and siret not in public and check_digit(siret)]
        if others:
            found.set("supplier_siret", others[0], TEXT_LABEL - DISAGREE, "the SIRET printed that is not the buyer's")
        else:
            for table in (found.values, found.confidence, found.how):
                table.pop("supplier_siret", None)
    for name in ("supplier_siret", "recipient_siret"):
        value = found.values.get(name)
        if value and not check_digit(str(value)):
            found.set(name, value, min(found.confidence[name], WRONG_CHECK_DIGIT), f"{found.how[name]}, check digit wrong")
    supplier = found.values.get("supplier_siret")
    if supplier and str(supplier)[:9] in _seller_sirens(page, buyer, patterns):
        found.set("supplier_siret", supplier, found.confidence["supplier_siret"] + SAME_SIREN,
                  f"{found.how['supplier_siret']}, its SIREN is the seller's")


def _printed_sirets(page: "_Page", blocks: list | None = None):
    """The SIRETs printed on the page (inside `blocks` when given), in order."""
    for row, line in enumerate(page.lines):
        for match in re.finditer(r"(?<![\d\w])\d{3}\s?\d{3}\s?\d{3}\s?\d{5}(?![\d\w])", line):
            if blocks is None or any(block.holds(row, match.start()) for block in blocks):
                yield "".join(match[0].split())


_SIREN = re.compile(r"^[\s:.#n°o-]*(?:fr\s?[0-9a-z]{2}\s?)?(\d{3}\s?\d{3}\s?\d{3})(?!\d)")


def _seller_sirens(page: "_Page", buyer: list, patterns: Patterns) -> set[str]:
    """The SIRENs the seller prints under its labels (SIREN, RCS, VAT number): a
    French VAT number is FR, two check characters, then the SIREN."""
    seller = FieldPattern("supplier_siret", patterns.seller_ids, section="seller")
    sirens = set()
    for label in patterns.seller_ids:
        for row, line in enumerate(page.folded):
            for match in _label_regex(label).finditer(line):
                value = _SIREN.match(line[match.end() :])
                if value and _allowed(seller, row, match.start(), buyer):
                    sirens.add("".join(value[1].split()))
    return sirens


def check_digit(siret: str) -> bool:
    """The SIRET's Luhn check digit; La Poste's establishments (SIREN 356000000)
    are numbered beyond it, their digits summing to a multiple of 5."""
    if len(siret) != 14 or not siret.isdigit():
        return False
    if siret.startswith("356000000"):
        return sum(map(int, siret)) % 5 == 0 or _luhn(siret)
    return _luhn(siret)


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _reconcile_totals(found: Recognised, candidates: dict[str, list], placed: dict[str, list]) -> None:
    """The totals that add up (total without VAT + VAT = total with VAT, EN 16931
    BR-CO-15; the VAT may be the sum of a breakdown's rows, BR-CO-14), among the
    candidates of both readings: a VAT breakdown repeats
    the labels of the totals row by row, and the first candidate of each is not
    always the grand total. Among the consistent triples, the one whose
    candidates come first (best label, best place) wins, sure; with none, three
    totals that are all there and do not add up are each less sure."""
    lists = []
    for name in TOTALS:
        values = list(candidates.get(name, []))
        values += [item.value for item in placed.get(name, []) if item.value not in values]
        lists.append([value for value in values if not _cut(value, values)])
    # A VAT breakdown without a total VAT row: its rows' sum, after every printed candidate.
    lists[1] += [total for size in range(2, BREAKDOWN + 1) for rows in itertools.combinations(lists[1][:BREAKDOWN], size)
                 if (total := sum(rows)) not in lists[1]]
    triples = [
        (i + j + k, (without, vat, with_vat))
        for i, without in enumerate(lists[0])
        for j, vat in enumerate(lists[1])
        for k, with_vat in enumerate(lists[2])
        if without + vat == with_vat
    ]
    if triples:
        for name, value in zip(TOTALS, min(triples, key=lambda triple: triple[0])[1]):
            found.set(name, value, RECONCILED, "totals that add up (BR-CO-15)")
    elif all(name in found.values for name in TOTALS):
        for name in TOTALS:
            found.set(name, found.values[name], found.confidence[name] - UNRECONCILED,
                      f"{found.how[name]}; the totals do not add up")


def _cut(value, values: list) -> bool:
    """Whether an amount printed without cents is only the thousands of another
    candidate ("55" of "55 446,73" whose groups a reader took for two cells): such cut amounts add
    up as well as whole ones, and must not be taken for them."""
    whole = str(abs(int(value)))
    return value.as_tuple().exponent == 0 and any(
        len(str(abs(int(other)))) > len(whole) and str(abs(int(other))).startswith(whole) for other in values
    )


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
        return next((value for line in page.folded for value in _dates(line, patterns.conventions)), None)
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


def _letterhead(page: _Page, legal_forms: tuple[str, ...], buyer: list[_Block]) -> located.Found | None:
    """The seller's name as its letterhead prints it, outside the buyer's block,
    by the most telling of its usual forms: a sender line over the address window
    ("Kraxi GmbH · Flugzeugallee 17 · 12345 Papierfeld"); else the first name
    with a legal form (SARL, GmbH...) among the first lines; else the name over
    the first address (name, street, then postcode and city); else the first
    text of the page."""
    head = itertools.islice(_cells(page, HEAD_LINES), HEAD_CELLS)
    cells = [cell for cell in head if not any(b.holds(cell[0], cell[1]) for b in buyer)]
    texts = [text for _, _, text in cells]
    first = next((SEPARATOR.split(text)[0].strip() for text in texts if sum(c.isalpha() for c in text) >= 3), None)
    for value, confidence, how in ((_sender_line(texts), 0.75, "sender line"),
                                   (_with_legal_form(texts, legal_forms), 0.7, "name with a legal form"),
                                   (_over_address(cells), 0.65, "name over the address"),
                                   (first, 0.5, "first text of the page")):
        if value:
            return located.Found(value, confidence, f"letterhead (text), {how}")
    return None


def _sender_line(texts: list[str]) -> str | None:
    return next((name for name in map(sender, texts) if name), None)


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
        if POSTCODE.match(text) and len(above) >= 2 and not POSTCODE.match(above[-2]):
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


def read(name: str, text: str, patterns: Patterns, layout: Layout = EMPTY, structures: dict | None = None) -> Invoice:
    """The canonical invoice of a plain PDF, from the values found at or above
    the configured confidence; or Unrecognised naming every mandatory field
    that was not found, or not surely (with what was read and how sure)."""
    found = recognise(text, patterns, layout, structures)
    missing = found.missing(patterns.mandatory, patterns.threshold)
    if missing:
        raise Unrecognised(
            "FCT-PDF-FIELDS-MISSING",
            say("recognise-missing", name=name, fields=[_described(found, m, patterns.threshold) for m in missing]),
            ", ".join(missing),
            layer="recognise",
        )
    return invoice(Recognised(found.sure(patterns.threshold)))


def _described(found: Recognised, name: str, threshold: float) -> Message:
    """A missing field, with what was read of it and how sure, in percent."""
    value = found.values.get(name)
    if value in (None, ""):
        return say(DESCRIPTIONS[name])
    return say("field-unsure", field=say(DESCRIPTIONS[name]), value=value,
               confidence=round(found.confidence[name] * 100), threshold=round(threshold * 100))


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
