"""Which file embedded in a PDF is the invoice's data, and which are supporting
documents.

A Factur-X / ZUGFeRD PDF carries its XML under a name its standard fixes:
`factur-x.xml` (Factur-X 1.0, ZUGFeRD 2.1 and later), `zugferd-invoice.xml`
(ZUGFeRD 1.0 and 2.0), `xrechnung.xml` (XRechnung in a PDF). The name decides,
compared without case as producers vary it; when a PDF carries several (a
producer's transition from ZUGFeRD 1 to Factur-X), the Factur-X one is the data,
in the order above. Every other embedded file is a supporting document the
hub forwards with the invoice (PJ type 02); an XML that is not the data (a
producer's additional data) is one too.

The PDF also says, in its XMP metadata, which profile its data follows
(`ConformanceLevel` of the Factur-X / ZUGFeRD extension schema); `xmp_level`
reads it so that validation can point out a PDF that contradicts its XML.
"""

from __future__ import annotations

from lxml import etree

from facteur.engine.errors import UnsafeXml
from facteur.engine.inputs import attachments
from facteur.engine.inputs.parse import parse_xml
from facteur.engine.inputs.pdf import EmbeddedFile
from facteur.engine.model import Attachment

DATA_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")
MAX_XMP_BYTES = 1_000_000
# XMP ConformanceLevel -> the level names of rulesets (Factur-X and ZUGFeRD 2; ZUGFeRD 1.0 levels are
# their own names). ZUGFeRD 2.0 called EN 16931 COMFORT; XRechnung in a PDF is an EN 16931 CIUS.
XMP_LEVELS = {
    "MINIMUM": "minimum",
    "BASIC WL": "basicwl",
    "BASIC": "basic",
    "EN 16931": "en16931",
    "COMFORT": "en16931",
    "XRECHNUNG": "en16931",
    "EXTENDED": "extended",
}
_CONFORMANCE = etree.XPath("//*[local-name()='ConformanceLevel'] | //@*[local-name()='ConformanceLevel']")


def data_file(files: tuple[EmbeddedFile, ...]) -> EmbeddedFile | None:
    """The embedded invoice XML, by its standard name; None for a plain PDF."""
    by_name = {f.name.lower(): f for f in reversed(files)}
    for name in DATA_NAMES:
        if name in by_name:
            return by_name[name]
    return None


def supporting(files: tuple[EmbeddedFile, ...], data: EmbeddedFile | None) -> list[Attachment]:
    """The other embedded files, as supporting documents (PJ type 02)."""
    return [attachments.supporting(f.name, f.content, f.mime_type, f.description) for f in files if f is not data]


def xmp_level(xmp: bytes) -> str | None:
    """The conformance level the PDF's XMP metadata declares, as written, or
    None when it declares none (or cannot be read)."""
    if not xmp.strip():
        return None
    try:
        root = parse_xml(xmp, "XMP metadata", MAX_XMP_BYTES)
    except UnsafeXml:
        return None
    found = _CONFORMANCE(root)
    if not found:
        return None
    value = found[0] if isinstance(found[0], str) else (found[0].text or "")
    return " ".join(value.split()).upper() or None
