"""Format detection from the bytes, never from the file name.

A flow is first sniffed by its magic numbers (lot archive, PDF, XML); an XML
document is then classified by its root element and namespace into a Chorus Pro
syntax code, through the registry of formats (`formats`). Names lie (`invoice.xml` holding a zip, `.pdf` holding UBL), bytes
do not.
"""

from __future__ import annotations

import re
from enum import Enum

from lxml import etree

from facteur.engine.inputs import formats
from facteur.engine.messages import Message, say
from facteur.engine.model import Syntax

CPP_STATUT = "CPPStatut"


class Kind(str, Enum):
    EMPTY = "empty"
    XML = "xml"
    PDF = "pdf"
    ZIP = "zip"
    GZIP = "gzip"
    TAR = "tar"
    UNKNOWN = "unknown"


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_MARKUP = re.compile(rb"[ \t\n\r\x0b\x0c]*<")  # the whitespace bytes.strip() skips, then markup


def sniff(content: bytes) -> Kind:
    """What the bytes are, by their first bytes (without copying the content:
    a flow is sniffed at each step that needs its kind, and may weigh megabytes)."""
    if not content or content.isspace():
        return Kind.EMPTY
    if content.startswith(b"%PDF-"):
        return Kind.PDF
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return Kind.ZIP
    if content.startswith(b"\x1f\x8b"):
        return Kind.GZIP
    if content[257:262] == b"ustar":
        return Kind.TAR
    if content.startswith(_BOMS) or _MARKUP.match(content):
        return Kind.XML
    return Kind.UNKNOWN


def classify(root: etree._Element) -> tuple[Syntax, str | Message]:
    """The syntax of a parsed XML document, and what was seen, for messages."""
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag == CPP_STATUT:
        return Syntax.STATUS, "CPPStatut"
    fmt = formats.of(root)
    if fmt is not None and not fmt.only_inside:
        return fmt.syntax, etree.QName(tag).localname
    return Syntax.UNKNOWN, fmt.only_inside if fmt is not None else _describe(tag)


def _describe(tag: str) -> Message:
    if not tag:
        return say("detect-no-element")
    qname = etree.QName(tag)
    if qname.namespace:
        return say("detect-root-in-namespace", root=qname.localname, namespace=qname.namespace)
    return say("detect-root", root=qname.localname)
