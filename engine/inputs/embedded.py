"""Which file embedded in a PDF is the invoice's data, which are supporting
documents, and what the PDF's XMP metadata declares about them.

A Factur-X / ZUGFeRD PDF carries its XML under a name its standard fixes:
`factur-x.xml` (Factur-X 1.0, ZUGFeRD 2.1 and later), `zugferd-invoice.xml`
(ZUGFeRD 1.0 and 2.0), `xrechnung.xml` (XRechnung in a PDF). A file of one of
those names is the data, compared without case as producers vary it; when a
PDF carries several (a producer's transition from ZUGFeRD 1 to Factur-X), the
Factur-X one is, in the order above. A PDF may also carry its invoice under
another name (`facture.xml`, `UBL-Invoice-2.1.xml`): an embedded file is then
the data when its content is an invoice of a registered format (root element
and namespace: UBL Invoice or CreditNote, CII CrossIndustryInvoice, ZUGFeRD 1.0
CrossIndustryDocument), whatever its name; whether that name is allowed is a
matter for the container rules (`validation/container.py`), not for finding it.

Every other embedded file is a supporting document the hub forwards with the
invoice (PJ type 02); an XML that is not the data (a producer's additional
data, an order) is one too. When no file is the data, `not_invoices` says
what each XML is, for the messages that name it.

The PDF also says, in its XMP metadata, which profile its data follows and
whether it is PDF/A: `read_xmp` reads the properties the container rules and
validation look at.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from facteur.engine.errors import UnsafeXml
from facteur.engine.inputs import attachments, detect, formats
from facteur.engine.inputs.parse import parse_xml
from facteur.engine.inputs.pdf import EmbeddedFile
from facteur.engine.model import Attachment

DATA_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")
MAX_XML_BYTES = 20_000_000
MAX_XMP_BYTES = 1_000_000
# The namespaces of the XMP extension schemas that describe the embedded invoice.
FACTURX_XMP = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"  # Factur-X 1.0, ZUGFeRD 2.1 and later
ZUGFERD2_XMP = "urn:zugferd:pdfa:CrossIndustryDocument:invoice:2p0#"  # ZUGFeRD 2.0
ZUGFERD1_XMP = "urn:ferd:pdfa:CrossIndustryDocument:invoice:1p0#"  # ZUGFeRD 1.0
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_SCHEMAS = (FACTURX_XMP, ZUGFERD2_XMP, ZUGFERD1_XMP)


@dataclass(frozen=True)
class Xmp:
    """The properties of a PDF's XMP metadata that say what it is: the PDF/A
    identification and the invoice extension schema (`schema` is its
    namespace, "" when the packet has none); None for an absent property."""

    pdfa_part: str | None = None
    pdfa_conformance: str | None = None
    schema: str = ""
    document_type: str | None = None
    document_file_name: str | None = None
    version: str | None = None
    conformance_level: str | None = None


def data_file(files: tuple[EmbeddedFile, ...]) -> EmbeddedFile | None:
    """The embedded invoice XML: by its standard name, else by its content; None for a plain PDF."""
    by_name = {f.name.lower(): f for f in reversed(files)}
    for name in DATA_NAMES:
        if name in by_name:
            return by_name[name]
    for f in files:
        parsed = _parsed(f)
        if isinstance(parsed, etree._Element) and formats.of(parsed) is not None:
            return f
    return None


def not_invoices(files: tuple[EmbeddedFile, ...]) -> list[tuple[EmbeddedFile, str]]:
    """The embedded XML files of a PDF in which `data_file` found no invoice,
    each with what it is (in French, for the messages that name it)."""
    found = []
    for f in files:
        parsed = _parsed(f)
        if isinstance(parsed, UnsafeXml):
            found.append((f, f"un XML illisible ({parsed.finding.message})"))
        elif parsed is not None:
            found.append((f, _describe(parsed)))
    return found


def supporting(files: tuple[EmbeddedFile, ...], data: EmbeddedFile | None) -> list[Attachment]:
    """The other embedded files, as supporting documents (PJ type 02)."""
    return [attachments.supporting(f.name, f.content, f.mime_type, f.description) for f in files if f is not data]


def read_xmp(xmp: bytes) -> Xmp | None:
    """The properties of the XMP packet, or None when the PDF has none (or it
    cannot be read as XML). Each property may be written as an element or as an
    attribute of its rdf:Description: both are read, whatever the rdf:about.

    Read here with facteur's safe XML parser: the factur-x library writes XMP
    but reads none, and pypdf's XmpInformation (`pdfaid_part`, `get_element`)
    only looks at descriptions whose rdf:about is empty, where Acrobat and
    others write a uuid."""
    if not xmp.strip():
        return None
    try:
        root = parse_xml(xmp, "XMP metadata", MAX_XMP_BYTES)
    except UnsafeXml:
        return None
    schema = next((ns for ns in _SCHEMAS if _uses(root, ns)), "")
    return Xmp(
        pdfa_part=_value(root, PDFAID, "part"),
        pdfa_conformance=_value(root, PDFAID, "conformance"),
        schema=schema,
        document_type=_value(root, schema, "DocumentType") if schema else None,
        document_file_name=_value(root, schema, "DocumentFileName") if schema else None,
        version=_value(root, schema, "Version") if schema else None,
        conformance_level=_value(root, schema, "ConformanceLevel") if schema else None,
    )


def xmp_level(xmp: bytes) -> str | None:
    """The conformance level the PDF's XMP metadata declares, as written (upper
    case, spaces folded), or None when it declares none (or cannot be read)."""
    read = read_xmp(xmp)
    return read.conformance_level.upper() if read and read.conformance_level else None


def _descriptions(root: etree._Element):
    return root.iter(f"{{{_RDF}}}Description")


def _uses(root: etree._Element, namespace: str) -> bool:
    """Whether the packet states any property in `namespace` (element or attribute)."""
    prefix = f"{{{namespace}}}"
    return any(isinstance(e.tag, str) and e.tag.startswith(prefix) for e in root.iter()) or any(
        key.startswith(prefix) for holder in _descriptions(root) for key in holder.keys()
    )


def _value(root: etree._Element, namespace: str, name: str) -> str | None:
    """The value of the property `name` in `namespace`, element or attribute,
    spaces folded; None when absent or empty."""
    tag = f"{{{namespace}}}{name}"
    written = [" ".join("".join(found.itertext()).split()) for found in root.iter(tag)]
    written += [" ".join(holder.get(tag, "").split()) for holder in _descriptions(root)]
    return next((text for text in written if text), None)


def _parsed(f: EmbeddedFile) -> etree._Element | UnsafeXml | None:
    """The embedded file parsed safely when its bytes are XML (whatever its
    name), the refusal when they cannot be, None when they are not XML."""
    if detect.sniff(f.content) is not detect.Kind.XML:
        return None
    try:
        return parse_xml(f.content, f.name, MAX_XML_BYTES)
    except UnsafeXml as refused:
        return refused


def _describe(root: etree._Element) -> str:
    qname = etree.QName(root)
    where = f" dans l'espace de noms {qname.namespace}" if qname.namespace else " sans espace de noms"
    return f"un XML d'élément racine {qname.localname}{where}, qui n'est pas une facture"
