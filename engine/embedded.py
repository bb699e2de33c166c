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
"""

from __future__ import annotations

from . import attachments
from .model import Attachment
from .pdf import EmbeddedFile

DATA_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")


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
