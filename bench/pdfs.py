"""PDFs for the tests, the samples and the benchmark: a printed invoice (text
only, as an invoicing system's PDF export lays it out) and a Factur-X PDF (that
printout with the CII embedded by the factur-x library, as PDF/A-3).

The text PDF is written by hand, object by object with an exact
cross-reference table, so that it is a well-formed PDF that strict readers
accept and so that the tests can also break it on purpose.
"""

from __future__ import annotations

import io

from facturx import generate_from_binary
from pypdf import PdfReader, PdfWriter

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
LEADING = 14


def _escape(line: str) -> bytes:
    """A PDF literal string in WinAnsi (cp1252), so French accents print."""
    raw = line.encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def text_pdf(lines: list[str], columns: list[list[str]] | None = None) -> bytes:
    """A one-page PDF printing `lines` top to bottom in Helvetica 10 pt.

    `columns`, when given, prints extra blocks side by side from x = 320, the
    way an invoice puts the buyer's address right of the seller's."""
    stream = [b"BT /F1 10 Tf %d TL 50 %d Td" % (LEADING, PAGE_HEIGHT - 60)]
    for line in lines:
        stream.append(b"(" + _escape(line) + b") Tj T*")
    stream.append(b"ET")
    for index, block in enumerate(columns or []):
        stream.append(b"BT /F1 10 Tf %d TL %d %d Td" % (LEADING, 320, PAGE_HEIGHT - 60 - index * 120))
        for line in block:
            stream.append(b"(" + _escape(line) + b") Tj T*")
        stream.append(b"ET")
    content = b"\n".join(stream)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>" % (PAGE_WIDTH, PAGE_HEIGHT),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    return assemble(objects)


def assemble(objects: list[bytes]) -> bytes:
    """A PDF file from its numbered objects (1 is the catalog), with its xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def facturx_pdf(xml: bytes, lines: list[str], attachments: dict[str, bytes] | None = None) -> bytes:
    """A Factur-X PDF/A-3: the printout of `lines` with `xml` embedded (and
    `attachments`, name -> bytes, as further embedded files)."""
    extra = {name: {"filedata": data} for name, data in (attachments or {}).items()}
    return generate_from_binary(text_pdf(lines), xml, check_xsd=False, attachments=extra or None)


def embed(pdf: bytes, files: dict[str, bytes]) -> bytes:
    """`pdf` with `files` (name -> bytes) added as embedded files, with pypdf and
    without any Factur-X check: for PDFs whose embedded data is wrong on purpose."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    for name, data in files.items():
        writer.add_attachment(name, data)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
