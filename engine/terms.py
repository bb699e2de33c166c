"""The business terms of EN 16931 (BT-n, BG-n) named in words, and the values
a rule compared shown with those names.

The glossary is packaged data, `terms.toml`: each term's name in French (as
the French edition of EN 16931 and the French e-invoicing guides name it) and
in English, and where it is found in a UBL and a CII document. The names of
the code lists are messages of the catalogue (`locales/*/values.ftl`). A value read in
a document is named by where its node is (`term_of`), so that "Montant à payer
(BT-115) = 120.00" is true of the document whatever path the rule used to
reach it; a node the glossary has no path for keeps its element's name.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files

from lxml import etree

from facteur.engine.messages import DEFAULT, text
from facteur.engine.model import Value

UBL_NAMESPACES = ("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
                  "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2")
# A UBL credit note's line and quantity carry the terms of an invoice's.
_CREDIT_NOTE = {"CreditNoteLine": "InvoiceLine", "CreditedQuantity": "InvoicedQuantity"}


@cache
def glossary() -> dict:
    return tomllib.loads((files("facteur.engine") / "terms.toml").read_text(encoding="utf-8"))


@cache
def _by_path() -> dict[tuple[str, str], str]:
    data = glossary()
    prefixes = data["prefixes"]
    found = {}
    for term, entry in data["terms"].items():
        for syntax in ("ubl", "cii"):
            for path in entry.get(syntax, ()):
                found[(syntax, path.format(**prefixes))] = term
    return found


def name(term: str, lang: str = DEFAULT) -> str:
    """The term's name in `lang` ("Montant à payer"), or "" for no term of EN 16931."""
    entry = glossary()["terms"].get(term)
    return entry[lang] if entry else ""


# The code list an element or attribute takes its codes from, by its local
# name: the catalogue's key of the list's name.
LISTS = {
    "mimeCode": "list-allowed-mime-types",
    "currencyID": "list-iso-4217-currency-codes",
    "unitCode": "list-units-of-measure-un-ece-rec-20-and-21",
    "schemeID": "list-identification-schemes-iso-6523-eas",
    "format": "list-date-formats",
    "CountryID": "list-iso-3166-1-country-codes",
    "IdentificationCode": "list-iso-3166-1-country-codes",
    "DocumentCurrencyCode": "list-iso-4217-currency-codes",
    "InvoiceCurrencyCode": "list-iso-4217-currency-codes",
    "TaxCurrencyCode": "list-iso-4217-currency-codes",
    "TypeCode": "list-type-codes-untdid",
    "InvoiceTypeCode": "list-invoice-types-untdid-1001",
    "CreditNoteTypeCode": "list-credit-note-types-untdid-1001",
    "PaymentMeansCode": "list-payment-means-untdid-4461",
    "CategoryCode": "list-vat-categories-untdid-5305",
    "ExemptionReasonCode": "list-vat-exemption-reasons-vatex",
    "TaxExemptionReasonCode": "list-vat-exemption-reasons-vatex",
    "ReasonCode": "list-reason-codes-untdid-5189-7161",
    "AllowanceChargeReasonCode": "list-reason-codes-untdid-5189-7161",
    "ReferenceTypeCode": "list-reference-types-untdid-1153",
    "DueDateTypeCode": "list-vat-point-date-codes-untdid-2475",
    "TaxPointDateCode": "list-vat-point-date-codes-untdid-2005",
    "SubjectCode": "list-note-subject-codes-untdid-4451",
    "listID": "list-item-classification-schemes-untdid-7143",
}


def list_key(field: str) -> str:
    """The catalogue's key of the name of the code list `field` (`@mimeCode`,
    `ram:TypeCode`, `cbc:EndpointID/@schemeID`) takes its codes from, or ""."""
    return LISTS.get(field.rsplit("/", 1)[-1].lstrip("@").split(":")[-1], "")


def term_of(node) -> str:
    """The business term a node of a UBL or CII document carries (`BT-115`),
    else its own name (`cbc:Percent`, `@mimeCode`)."""
    attribute = node.attrname if getattr(node, "is_attribute", False) else ""
    element = node.getparent() if attribute else node
    steps = []
    while element is not None and element.getparent() is not None:
        local = etree.QName(element).localname
        steps.append(_CREDIT_NOTE.get(local, local))
        element = element.getparent()
    if element is None:
        return f"@{attribute}" if attribute else _qname(node)
    syntax = "ubl" if etree.QName(element).namespace in UBL_NAMESPACES else "cii"
    path = "/".join(reversed(steps)) + (f"/@{attribute}" if attribute else "")
    return _by_path().get((syntax, path)) or (f"@{attribute}" if attribute else _qname(node))


def _qname(node) -> str:
    local = etree.QName(node).localname
    return f"{node.prefix}:{local}" if node.prefix else local


def shown(value: Value, lang: str = DEFAULT) -> str:
    """One value in words: "Montant à payer (BT-115) = 120.00"."""
    named = name(value.term, lang)
    if value.count:
        return text("value-sum", lang, name=named or value.term, term=value.term, count=value.count, value=value.value)
    if named:
        return text("value-named", lang, name=named, term=value.term, value=value.value)
    return text("value-plain", lang, term=value.term, value=value.value)


def values_text(values: tuple[Value, ...], lang: str = DEFAULT) -> str:
    """The values a finding carries, in one sentence, or "" for none."""
    if not values:
        return ""
    return f"{text('values-read', lang)} " + text("values-separator", lang).join(shown(v, lang) for v in values)
