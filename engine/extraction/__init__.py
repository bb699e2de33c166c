"""Extraction: a validated XML invoice into the canonical `Invoice`.

The reader is chosen by the root element, not by the syntax code: a Factur-X PDF
or a mixed flow may carry UBL as well as CII, and the code only says how the
flow arrived. The syntax code is kept on the invoice for the pivot and reports.

Extraction reports only what it cannot read (`ExtractionError`, with an XPath to
it); missing data, even mandatory, comes back empty for validation to judge.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from facteur.engine.errors import ExtractionError
from facteur.engine.extraction import cii, ubl, zugferd1
from facteur.engine.extraction.common import location
from facteur.engine.model import Invoice, Syntax

_UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
_READERS: dict[str, Callable[[etree._Element, Syntax], Invoice]] = {
    f"{{{_UBL}Invoice-2}}Invoice": ubl.read,
    f"{{{_UBL}CreditNote-2}}CreditNote": ubl.read,
    "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice": cii.read,
    "{urn:ferd:CrossIndustryDocument:invoice:1p0}CrossIndustryDocument": zugferd1.read,
}


def extract(root: etree._Element, syntax: Syntax) -> Invoice:
    """The canonical invoice carried by a parsed UBL, CII or ZUGFeRD 1.0 document."""
    reader = _READERS.get(root.tag)
    if reader is None:
        raise ExtractionError(
            f"root element {root.tag} is neither a UBL Invoice or CreditNote, a CII CrossIndustryInvoice "
            "nor a ZUGFeRD 1.0 CrossIndustryDocument",
            location(root),
        )
    return reader(root, syntax)


__all__ = ["extract"]
