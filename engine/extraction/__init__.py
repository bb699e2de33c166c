"""Extraction: a validated XML invoice into the canonical `Invoice`.

The reader is that of the document's format (`inputs.formats`), found by the
root element, not by the syntax code: a Factur-X PDF or a mixed flow may carry
UBL as well as CII, and the code only says how the flow arrived. The syntax code
is kept on the invoice for the pivot and reports.

Extraction reports only what it cannot read (`ExtractionError`, with an XPath to
it); missing data, even mandatory, comes back empty for validation to judge.
"""

from __future__ import annotations

from lxml import etree

from facteur.engine.errors import ExtractionError
from facteur.engine.extraction.common import location
from facteur.engine.inputs import formats
from facteur.engine.messages import say
from facteur.engine.model import Invoice, Syntax


def extract(root: etree._Element, syntax: Syntax) -> Invoice:
    """The canonical invoice carried by a parsed document of a registered format."""
    fmt = formats.of(root)
    if fmt is None:
        raise ExtractionError(say("extract-root-unknown", root=root.tag, known=formats.names()), location(root))
    return fmt.read(root, syntax)


__all__ = ["extract"]
