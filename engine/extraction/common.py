"""What the UBL and CII readers share: typed values, and the model pieces whose
structure is the same in both syntaxes (lines, VAT breakdowns, attachments).

Both readers go through these helpers so that an amount, a date or an embedded
file means the same thing whether it came from UBL or CII, and so that data which
cannot be read always fails the same way: an `ExtractionError` that says where.
Absent data is never an error here (it comes back as None or ""): deciding what
is mandatory is the validation stage's job.

A reader differs from the other only in where things are, so it describes that
with compiled XPaths (`PartyPaths`, `AccountPaths`, `LinePaths`,
`BreakdownPaths`, `AttachmentPaths`) and the builders here do the rest.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lxml import etree

from facteur.engine.errors import ExtractionError
from facteur.engine.extraction.parties import PartyData, SchemedId
from facteur.engine.messages import say
from facteur.engine.model import Attachment, Line, VatBreakdown


def location(node: etree._Element) -> str:
    """An XPath a person can follow to `node` (prefixes as written in the document)."""
    return node.getroottree().getpath(node)


def first(nodes: list) -> etree._Element | None:
    """The first node an XPath found: EN 16931 keeps the first of repeated groups
    (payment means, preceding invoices) when the model holds only one."""
    return nodes[0] if nodes else None


def text(node: etree._Element | None) -> str:
    """The stripped text of `node`, "" when absent.

    `itertext` rather than `.text`, so that a comment inside a value (producers
    annotate fields this way) does not cut the value short.
    """
    if node is None:
        return ""
    if not len(node):
        return (node.text or "").strip()
    return "".join(node.itertext()).strip()


def attribute(node: etree._Element | None, name: str) -> str:
    """The stripped value of attribute `name`, "" when the node or attribute is absent."""
    if node is None:
        return ""
    return (node.get(name) or "").strip()


# xsd:decimal's lexical space: no exponent, no underscores, no NaN or Infinity,
# all of which Python's Decimal constructor would otherwise accept.
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def decimal(node: etree._Element | None) -> Decimal | None:
    """The amount or quantity exactly as written (trailing zeros kept), None when absent.

    Built from the text, never through a float, so the pivot carries the source's
    amounts digit for digit.
    """
    raw = text(node)
    if not raw:
        return None
    if not _DECIMAL.fullmatch(raw):
        raise ExtractionError(say("extract-not-decimal", value=raw), location(node))
    return Decimal(raw)


# xsd:date, with the optional time zone the schema allows (it does not move the day).
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?")


def iso_date(node: etree._Element | None) -> date | None:
    """A UBL date (xsd:date, YYYY-MM-DD), None when absent."""
    raw = text(node)
    if not raw:
        return None
    match = _ISO_DATE.fullmatch(raw)
    if not match:
        raise ExtractionError(say("extract-not-iso-date", value=raw), location(node))
    return _calendar_date(node, raw, int(match[1]), int(match[2]), int(match[3]))


def _calendar_date(node: etree._Element, raw: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ExtractionError(say("extract-not-calendar-date", value=raw), location(node)) from None


def _week_date(node: etree._Element, raw: str, year: int, week: int) -> date:
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ExtractionError(say("extract-not-iso-week", value=raw), location(node)) from None


# UNTDID 2379 format code -> number of digits of a value in that format
_CII_FORMATS = {"102": 8, "203": 12, "204": 14, "610": 6, "616": 6}


def cii_date(node: etree._Element | None) -> date | None:
    """A CII udt:DateTimeString, None when absent.

    UNTDID 2379 format 102 (CCYYMMDD) is the only one EN 16931 allows, but other
    CII profiles and producers send coarser or finer ones. A month (610, CCYYMM)
    becomes its first day and a week (616, CCYYWW) its Monday: the earliest day
    the source allows, which is what a payment-delay clock must assume. Date-times
    (203, 204) keep their day. A missing format is read as 102.
    """
    raw = text(node)
    if not raw:
        return None
    code = attribute(node, "format") or "102"
    digits = _CII_FORMATS.get(code)
    if digits is None:
        raise ExtractionError(say("extract-date-format-unknown", format=code, known=", ".join(_CII_FORMATS)),
                              location(node))
    if len(raw) != digits or not raw.isascii() or not raw.isdigit():
        raise ExtractionError(say("extract-date-format-mismatch", value=raw, format=code), location(node))
    if code == "616":
        return _week_date(node, raw, int(raw[:4]), int(raw[4:6]))
    day = int(raw[6:8]) if digits >= 8 else 1
    return _calendar_date(node, raw, int(raw[:4]), int(raw[4:6]), day)

# Base64 in XML is usually wrapped over many lines; the whitespace is not data.
_WHITESPACE = re.compile(rb"\s+")


def binary(node: etree._Element) -> bytes:
    """The bytes of an embedded base64 object; strict, so a damaged attachment is
    reported rather than silently truncated."""
    encoded = _WHITESPACE.sub(b"", text(node).encode("ascii", "replace"))
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error as err:
        raise ExtractionError(say("extract-not-base64", reason=err), location(node)) from None


def value(path: etree.XPath, node: etree._Element) -> str:
    """The text of the first node `path` finds from `node`, "" when none."""
    return text(first(path(node)))


def amount(path: etree.XPath, node: etree._Element) -> Decimal | None:
    """The decimal at the first node `path` finds from `node`, None when none."""
    return decimal(first(path(node)))


def in_currency(amounts: list[etree._Element], currency: str) -> etree._Element | None:
    """The amount stated in the document currency among repeated ones.

    A document in one currency may state its VAT total a second time in the
    accounting currency (BT-111); only the one in the invoice currency is BT-110.
    A lone amount that names no currency is taken as in the invoice currency.
    """
    for node in amounts:
        if attribute(node, "currencyID") == currency:
            return node
    if len(amounts) == 1 and not attribute(amounts[0], "currencyID"):
        return amounts[0]
    return None


def _or_zero(number: Decimal | None) -> Decimal:
    """The model's line and breakdown amounts are not optional, so an absent one
    is zero there; validation (BR-24, BR-45, BR-46...) reports the absence."""
    return Decimal(0) if number is None else number


@dataclass(frozen=True)
class LinePaths:
    """Where a syntax keeps the parts of an invoice line (BG-25), from the line."""

    number: etree.XPath
    name: etree.XPath
    seller_id: etree.XPath
    standard_id: etree.XPath
    quantity: etree.XPath
    price: etree.XPath
    net_amount: etree.XPath
    category: etree.XPath
    rate: etree.XPath


def read_line(node: etree._Element, paths: LinePaths) -> Line:
    """One line; the product is named by the seller's own id (BT-155) first, the
    one the buyer ordered by, and by a standard id (BT-157) otherwise."""
    quantity = first(paths.quantity(node))
    return Line(
        number=value(paths.number, node),
        name=value(paths.name, node),
        product_ref=value(paths.seller_id, node) or value(paths.standard_id, node),
        quantity=_or_zero(decimal(quantity)),
        unit_code=attribute(quantity, "unitCode"),
        unit_price=_or_zero(amount(paths.price, node)),
        net_amount=_or_zero(amount(paths.net_amount, node)),
        vat_rate=amount(paths.rate, node),
        vat_category=value(paths.category, node),
    )


@dataclass(frozen=True)
class BreakdownPaths:
    """Where a syntax keeps the parts of a VAT breakdown (BG-23), from the breakdown."""

    category: etree.XPath
    rate: etree.XPath
    taxable_amount: etree.XPath
    tax_amount: etree.XPath


def read_breakdown(node: etree._Element, paths: BreakdownPaths) -> VatBreakdown:
    """One VAT breakdown; its rate stays None when absent, as exempt categories allow."""
    return VatBreakdown(
        category=value(paths.category, node),
        rate=amount(paths.rate, node),
        taxable_amount=_or_zero(amount(paths.taxable_amount, node)),
        tax_amount=_or_zero(amount(paths.tax_amount, node)),
    )


@dataclass(frozen=True)
class AttachmentPaths:
    """Where a syntax keeps the parts of a supporting document (BG-24), from the reference."""

    content: etree.XPath
    reference: etree.XPath
    description: etree.XPath


def read_attachments(references: list[etree._Element], paths: AttachmentPaths) -> list[Attachment]:
    """The supporting documents that travel inside the invoice. A reference that
    only points elsewhere (an external URI) is not something the hub can forward."""
    found = (_attachment(reference, paths) for reference in references)
    return [attachment for attachment in found if attachment is not None]


def _attachment(node: etree._Element, paths: AttachmentPaths) -> Attachment | None:
    content = first(paths.content(node))
    if content is None:
        return None
    reference = value(paths.reference, node)
    return Attachment(
        name=attribute(content, "filename") or reference,
        mime_type=attribute(content, "mimeCode"),
        content=binary(content),
        kind="02",
        description=value(paths.description, node),
        reference=reference,
    )


@dataclass(frozen=True)
class PartyPaths:
    """Where a syntax keeps what the party rules need (BG-4, BG-7), from the party."""

    registration_name: etree.XPath
    trading_name: etree.XPath
    country: etree.XPath
    vat_id: etree.XPath
    party_ids: etree.XPath
    legal_ids: etree.XPath
    electronic_address: etree.XPath


def read_party(node: etree._Element | None, paths: PartyPaths) -> PartyData:
    """What the document says about a party; an absent party reads as an empty one."""
    if node is None:
        return PartyData()
    addresses = _schemed(paths.electronic_address(node))
    return PartyData(
        name=value(paths.registration_name, node) or value(paths.trading_name, node),
        country=value(paths.country, node),
        vat_id=value(paths.vat_id, node),
        party_ids=_schemed(paths.party_ids(node)),
        legal_ids=_schemed(paths.legal_ids(node)),
        electronic_address=addresses[0] if addresses else None,
    )


def _schemed(nodes: list[etree._Element]) -> tuple[SchemedId, ...]:
    return tuple(SchemedId(text(node), attribute(node, "schemeID")) for node in nodes)


@dataclass(frozen=True)
class AccountPaths:
    """Where a syntax keeps the seller's bank account: the first credit transfer
    (BG-17, the payment means that names a payee account), from the root, then
    its account id (BT-84) and bank id (BT-86), from the payment means."""

    credit_transfer: etree.XPath
    iban: etree.XPath
    bank_id: etree.XPath


def read_account(root: etree._Element, paths: AccountPaths) -> tuple[str, str]:
    """(BT-84, BT-86) of the first credit transfer, empty when there is none."""
    transfer = first(paths.credit_transfer(root))
    if transfer is None:
        return "", ""
    return value(paths.iban, transfer), value(paths.bank_id, transfer)
