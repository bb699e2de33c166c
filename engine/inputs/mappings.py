"""Proprietary formats, described in `mappings/formats/*.toml` rather than coded.

Operators carry their own legacy exports: a CSV with header and line records, a
fixed-width record file from a mainframe, an XML of their own. Each is described
by one TOML file (see the README, "Writing a mapping"): how to recognise its
files, how its records are laid out, and where each field of the canonical
invoice is. This module reads such descriptions (`Format.from_toml`), tells
whether a file is of a format (`recognises`), and turns a file into canonical
invoices (`read`), one per header record or invoice element, each with its
lines. A value that cannot be read (a date or an amount not in the declared
format) refuses that invoice with a `MappingRefused` naming the record, the field
and the value; the file's other invoices are still read.

No EN 16931 rule set judges what a mapping reads (the pivot is written from the
canonical invoice, never as UBL or CII): the mapping itself is the rule set its
invoices' verdicts record (`Format.rule_set`: its `id`, the file's name unless
[format] says otherwise, and its `version`), before the hub controls.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from lxml import etree

from facteur.engine.errors import MappingError, MappingRefused
from facteur.engine.messages import Message, say
from facteur.engine.model import Invoice, Line, Party, Syntax
from facteur.engine.validation.rulesets import Declared

KINDS = ("csv", "fixed", "xml")
HEADER_FIELDS = (
    "number", "type_code", "issue_date", "currency", "supplier_siret", "supplier_name", "recipient_siret",
    "service_code", "engagement", "contract", "total_without_vat", "total_vat", "total_with_vat", "amount_due",
    "payment_means", "due_date",
)
LINE_FIELDS = ("number", "name", "product_ref", "quantity", "unit_code", "unit_price", "net_amount", "vat_rate")
_AMOUNTS = {"total_without_vat", "total_vat", "total_with_vat", "amount_due", "quantity", "unit_price",
            "net_amount", "vat_rate"}
_DATES = {"issue_date", "due_date"}


@dataclass(frozen=True)
class Format:
    """One proprietary format, as its TOML file describes it."""

    name: str
    source: str  # the TOML file, for messages
    kind: str
    first_line: re.Pattern | None  # csv, fixed: what the first line of a file looks like
    root: str  # xml: the root element, {namespace}local
    header: dict  # field -> locator: column (csv), [start, length] (fixed), XPath (xml)
    line: dict
    defaults: dict
    rule_set: Declared  # what the verdict of each invoice read with it records
    record_type: object = None  # csv: column; fixed: [start, length]
    header_type: str = ""
    line_type: str = ""
    delimiter: str = ";"
    decimal_comma: bool = False
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    encoding: str = "utf-8"
    skip: int = 0  # csv, fixed: title lines before the first record
    invoices: str = ""  # xml: XPath to each invoice from the root
    lines: str = ""  # xml: XPath to each line from an invoice
    namespaces: dict | None = None

    @classmethod
    def from_toml(cls, data: dict, source: str) -> "Format":
        table = data.get("format", {})
        kind = table.get("kind", "")
        if kind not in KINDS:
            raise MappingError(say("mapping-kind", source=source, value=kind, known=", ".join(KINDS)))
        header, line = data.get("fields", {}), data.get("line_fields", {})
        for group, names, allowed in (("fields", header, HEADER_FIELDS), ("line_fields", line, LINE_FIELDS)):
            unknown = sorted(set(names) - set(allowed))
            if unknown:
                raise MappingError(say("mapping-unknown-fields", source=source, group=group, unknown=", ".join(unknown),
                                       known=", ".join(allowed)))
        recognise = data.get("recognise", {})
        first_line = recognise.get("first_line")
        root = recognise.get("root", "")
        if kind == "xml" and not root:
            raise MappingError(say("mapping-root-required", source=source))
        if kind != "xml" and not first_line:
            raise MappingError(say("mapping-first-line-required", source=source))
        layout = data.get(kind, {})
        name, identifier = str(table.get("name", source)), str(table.get("id") or PurePath(source).stem)
        try:
            return cls(
                name=name,
                source=source,
                kind=kind,
                first_line=re.compile(first_line) if first_line else None,
                root=root,
                header=dict(header),
                line=dict(line),
                defaults=dict(data.get("defaults", {})),
                rule_set=Declared.of(identifier, name, data, table.get("version")),
                record_type=layout.get("record_type"),
                header_type=str(layout.get("header", "")),
                line_type=str(layout.get("line", "")),
                delimiter=str(layout.get("delimiter", ";")),
                decimal_comma=layout.get("decimal", ".") == ",",
                date_formats=tuple(layout.get("date_formats", ("%Y-%m-%d",))),
                encoding=str(layout.get("encoding", "utf-8")),
                skip=int(layout.get("skip", 0)),
                invoices=str(layout.get("invoices", "")),
                lines=str(layout.get("lines", "")),
                namespaces=dict(layout.get("namespaces", {})) or None,
            )
        except re.error as err:
            raise MappingError(say("mapping-first-line-invalid", source=source, reason=err)) from None

    def recognises(self, content: bytes, root: etree._Element | None) -> bool:
        """Whether a file is of this format: its root element (xml), or its first line."""
        if self.kind == "xml":
            return root is not None and root.tag == self.root
        if root is not None:
            return False
        first = content.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode(self.encoding, "replace").rstrip("\r")
        return bool(self.first_line.match(first))

    def read(self, name: str, content: bytes, root: etree._Element | None) -> list[Invoice | MappingRefused]:
        """The invoices of a file of this format, each one read, or refused on
        its own when one of its values cannot be read (the others still go
        through); MappingRefused for the whole file when its records cannot be
        told apart (encoding, an unexpected record type)."""
        if self.kind == "xml":
            return [self._attempt(name, where, h, ls) for where, h, ls in self._xml_records(root)]
        try:
            text = content.lstrip(b"\xef\xbb\xbf").decode(self.encoding)
        except UnicodeDecodeError as err:
            raise MappingRefused(
                "FCT-MAPPING-ENCODING", say("mapping-encoding", name=name, encoding=self.encoding, mapping=self.name,
                                            reason=err), layer="mapping"
            ) from None
        records = self._csv_records(text) if self.kind == "csv" else self._fixed_records(text)
        return [self._attempt(name, where, h, ls) for where, h, ls in _grouped(name, self, records)]

    def _attempt(self, name: str, where: Message, header: dict, lines: list[dict]) -> Invoice | MappingRefused:
        try:
            return self._invoice(name, where, header, lines)
        except MappingRefused as refused:
            return refused

    # --- records of each kind: (where, kind, {field: raw text}) ---------------------

    def _csv_records(self, text: str):
        rows = csv.reader(io.StringIO(text), delimiter=self.delimiter)
        for number, row in enumerate(rows, 1):
            if number <= self.skip or not any(cell.strip() for cell in row):
                continue
            kind = _cell(row, self.record_type)
            yield say("mapping-line", n=number), kind, row

    def _fixed_records(self, text: str):
        for number, line in enumerate(text.splitlines(), 1):
            if number <= self.skip or not line.strip():
                continue
            yield say("mapping-line", n=number), _slice(line, self.record_type), line

    def _xml_records(self, root: etree._Element):
        for index, node in enumerate(root.xpath(self.invoices, namespaces=self.namespaces), 1):
            header = {f: _xml_value(node, path, self.namespaces) for f, path in self.header.items()}
            lines = [
                {f: _xml_value(line, path, self.namespaces) for f, path in self.line.items()}
                for line in node.xpath(self.lines, namespaces=self.namespaces)
            ] if self.lines else []
            yield say("mapping-invoice", n=index, path=node.getroottree().getpath(node)), header, lines

    def values(self, record, locators: dict) -> dict:
        """The raw values of a csv or fixed record, by field."""
        if self.kind == "csv":
            return {f: _cell(record, column) for f, column in locators.items()}
        return {f: _slice(record, span) for f, span in locators.items()}

    # --- typed values into the canonical invoice ------------------------------------

    def _invoice(self, name: str, where: Message, header: dict, lines: list[dict]) -> Invoice:
        value = self._typed(name, where, {**self.defaults, **{k: v for k, v in header.items() if v}})
        supplier, recipient = value.get("supplier_siret", ""), value.get("recipient_siret", "")
        return Invoice(
            syntax=Syntax.PROPRIETARY,
            number=value.get("number", ""),
            type_code=value.get("type_code", "380"),
            issue_date=value.get("issue_date"),
            currency=value.get("currency", ""),
            supplier=Party(name=value.get("supplier_name", ""), identifier=supplier,
                           identifier_type="1" if supplier else "", country="FR" if supplier else ""),
            buyer=Party(identifier=recipient, identifier_type="1" if recipient else "",
                        country="FR" if recipient else ""),
            total_without_vat=value.get("total_without_vat"),
            total_with_vat=value.get("total_with_vat"),
            amount_due=value.get("amount_due", value.get("total_with_vat")),
            total_vat=value.get("total_vat"),
            service_code=value.get("service_code", ""),
            engagement=value.get("engagement", ""),
            contract=value.get("contract", ""),
            payment_means=value.get("payment_means", ""),
            due_date=value.get("due_date"),
            lines=[self._line(name, say("mapping-invoice-line", where=where, n=n), raw) for n, raw in enumerate(lines, 1)],
        )

    def _line(self, name: str, where: Message, raw: dict) -> Line:
        value = self._typed(name, where, {k: v for k, v in raw.items() if v})
        return Line(
            number=value.get("number", ""),
            name=value.get("name", ""),
            product_ref=value.get("product_ref", ""),
            quantity=value.get("quantity", Decimal(0)),
            unit_code=value.get("unit_code", ""),
            unit_price=value.get("unit_price", Decimal(0)),
            net_amount=value.get("net_amount", Decimal(0)),
            vat_rate=value.get("vat_rate"),
        )

    def _typed(self, name: str, where: Message, raw: dict) -> dict:
        typed = {}
        for field, text in raw.items():
            text = str(text).strip()
            if field in _AMOUNTS:
                typed[field] = self._decimal(name, where, field, text)
            elif field in _DATES:
                typed[field] = self._date(name, where, field, text)
            else:
                typed[field] = text
        return typed

    def _decimal(self, name: str, where: Message, field: str, text: str) -> Decimal:
        cleaned = text.replace(" ", "").replace("\u00a0", "")
        cleaned = cleaned.replace(".", "").replace(",", ".") if self.decimal_comma else cleaned
        try:
            number = Decimal(cleaned)
            if number.is_finite():
                return number
        except InvalidOperation:
            pass
        raise self._refused(name, where, field, text,
                            say("mapping-expected-amount-comma" if self.decimal_comma else "mapping-expected-amount"))

    def _date(self, name: str, where: Message, field: str, text: str) -> date:
        for pattern in self.date_formats:
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise self._refused(name, where, field, text, say("mapping-expected-date", formats=" | ".join(self.date_formats)))

    def _refused(self, name: str, where: Message, field: str, text: str, expected: Message) -> MappingRefused:
        return MappingRefused(
            "FCT-MAPPING-VALUE",
            say("mapping-value", name=name, mapping=self.name, where=where, field=field, value=text, expected=expected,
                source=self.source),
            f"{where}, {field}",
            layer="mapping",
        )


def _grouped(name: str, fmt: Format, records):
    """Header records, each with the line records that follow it."""
    invoices: list[tuple[str, dict, list[dict]]] = []
    for where, kind, record in records:
        if kind == fmt.header_type:
            invoices.append((where, fmt.values(record, fmt.header), []))
        elif kind == fmt.line_type and invoices:
            invoices[-1][2].append(fmt.values(record, fmt.line))
        else:
            expected = (say("mapping-expected-record", header=fmt.header_type, line=fmt.line_type) if invoices
                        else say("mapping-expected-header", header=fmt.header_type))
            raise MappingRefused(
                "FCT-MAPPING-RECORD",
                say("mapping-record", name=name, mapping=fmt.name, where=where, kind=kind, expected=expected),
                str(where),
                layer="mapping",
            )
    return invoices


def _cell(row: list[str], column) -> str:
    index = int(column) - 1
    return row[index].strip() if 0 <= index < len(row) else ""


def _slice(line: str, span) -> str:
    start, length = int(span[0]) - 1, int(span[1])
    return line[start : start + length].strip()


def _xml_value(node: etree._Element, path: str, namespaces: dict | None) -> str:
    found = node.xpath(path, namespaces=namespaces)
    if isinstance(found, list):
        found = found[0] if found else ""
        found = found.text if isinstance(found, etree._Element) else found
    return str(found or "").strip()
