"""Hostile PDFs and lots are refused whole, quickly and with a clear finding:
archives that expand without bound or point outside themselves, PDFs with a
broken cross-reference table, streams that expand without bound, encryption,
and a PDF that takes longer to read than the configured deadline."""

from __future__ import annotations

import io
import json
import re
import shutil
import struct
import tarfile
import time
import zipfile
import zlib

import pytest
from helpers import (
    REPO,
    Spec,
    assemble,
    blocking_codes,
    cii,
    facturx_pdf,
    only_flow,
    text_pdf,
    ubl,
)
from pypdf import PdfReader, PdfWriter


def _tar(members: list[tuple[tarfile.TarInfo, bytes]], compress: bool = True) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if compress else "w") as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return buffer.getvalue()


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _link(name: str, target: str, kind: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, b""


@pytest.mark.parametrize(
    "members, code",
    [
        ([_file("../../etc/cron.d/evil.xml", b"<x/>")], "FCT-LOT-PATH"),
        ([_file("ok.xml", ubl(Spec("T-1"))), _file("a/../../evil.xml", b"<x/>")], "FCT-LOT-PATH"),
        ([_link("passwd.xml", "/etc/passwd", tarfile.SYMTYPE)], "FCT-LOT-LINK"),
        ([_file("a.xml", ubl(Spec("T-2"))), _link("b.xml", "a.xml", tarfile.LNKTYPE)], "FCT-LOT-LINK"),
    ],
    ids=["dot-dot", "dot-dot-in-folder", "symlink", "hard-link"],
)
def test_tar_with_escaping_paths_or_links_is_refused_whole(hub, members, code):
    _, result = hub.process(hub.drop("lot.tar.gz", _tar(members)))
    flow = only_flow(result)
    assert flow["status"] == "93" and blocking_codes(flow) == [code] and flow["accepted"] == 0


def test_lot_of_more_than_500_documents_is_refused(hub):
    members = [_file(f"f{n}.xml", b"<x/>") for n in range(501)]
    _, result = hub.process(hub.drop("many.tar", _tar(members, compress=False)))
    assert blocking_codes(only_flow(result)) == ["FCT-LOT-TOO-MANY"]


def test_lot_expanding_beyond_1_gb_is_refused(hub):
    chunk = b"\0" * 19_000_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for n in range(55):
            archive.writestr(f"scan-{n}.pdf", chunk)
    assert len(buffer.getvalue()) < 10_000_000
    _, result = hub.process(hub.drop("big.zip", buffer.getvalue()))
    assert blocking_codes(only_flow(result)) == ["FCT-LOT-TOO-BIG"]


def _flate_stream(dictionary: bytes, data: bytes) -> bytes:
    packed = zlib.compress(data, 9)
    return dictionary[:-2] + b" /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"


def _page_pdf(content_stream: bytes, extra: list[bytes] | None = None, catalog_extra: bytes = b"") -> bytes:
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            content_stream,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            *(extra or []),
        ]
    )


def _truncated_xref(document: bytes) -> bytes:
    """The table announces six entries and lists two."""
    start = document.rindex(b"xref\n0 ")
    rows = b"xref\n0 6\n0000000000 65535 f \n0000000015 00000 n \n"
    return document[:start] + rows + b"trailer" + document.split(b"trailer")[1]


def _misplaced_startxref(document: bytes) -> bytes:
    """The table is said to start in the middle of a page object."""
    return re.sub(rb"startxref\n\d+", b"startxref\n120", document)


@pytest.mark.parametrize("damage", [_truncated_xref, _misplaced_startxref], ids=["truncated", "misplaced"])
def test_pdf_with_a_broken_cross_reference_table_is_refused(hub, damage):
    document = damage(text_pdf(["Facture FA-1", "Total TTC : 12,00 €"]))
    _, result = hub.process(hub.drop("broken.pdf", document))
    flow = only_flow(result)
    assert blocking_codes(flow) == ["FCT-PDF-CORRUPT"] and "broken.pdf" in flow["findings"][0]["message"]


def test_pdf_whose_page_stream_expands_without_bound_is_refused(hub):
    bomb = _flate_stream(b"<< >>", b"BT /F1 10 Tf (x) Tj ET " * 20_000_000)  # 460 MB of drawing
    started = time.monotonic()
    _, result = hub.process(hub.drop("bomb.pdf", _page_pdf(bomb)))
    assert blocking_codes(only_flow(result)) == ["FCT-PDF-LIMIT"]
    assert time.monotonic() - started < 30


def test_pdf_whose_embedded_file_expands_without_bound_is_refused(hub):
    contents = b"<< /Length 0 >>\nstream\n\nendstream"
    embedded = _flate_stream(b"<< /Type /EmbeddedFile >>", b"\0" * 300_000_000)
    extra = [
        b"<< /Type /Filespec /F (factur-x.xml) /UF (factur-x.xml) /EF << /F 7 0 R >> >>",
        embedded,
    ]
    document = _page_pdf(contents, extra, b"/Names << /EmbeddedFiles << /Names [(factur-x.xml) 6 0 R] >> >> ")
    _, result = hub.process(hub.drop("attachment-bomb.pdf", document))
    assert blocking_codes(only_flow(result)) == ["FCT-PDF-LIMIT"]


def _object_stream_pdf(padding: int) -> bytes:
    """A PDF 1.5 whose page tree (object 2) lives in a compressed object stream,
    found through a cross-reference stream, followed by `padding` spaces."""
    pages, index = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", b"2 0 "
    packed = zlib.compress(index + pages + b" " * padding, 9)
    out, offsets = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), {}
    for number, body in (
        (1, b"<< /Type /Catalog /Pages 2 0 R >>"),
        (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"),
        (4, b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (len(index), len(packed))
         + packed + b"\nendstream"),
    ):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[5] = len(out)
    rows = [(0, 0, 65535), (1, offsets[1], 0), (2, 4, 0), (1, offsets[3], 0), (1, offsets[4], 0), (1, offsets[5], 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out += b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table)
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[5]
    return bytes(out)


def test_pdf_whose_object_stream_expands_without_bound_is_refused(hub):
    _, readable = hub.process(hub.drop("small.pdf", _object_stream_pdf(10)))
    assert blocking_codes(only_flow(readable)) == ["FCT-PDF-NO-TEXT"]  # read, and found empty
    _, result = hub.process(hub.drop("objstm-bomb.pdf", _object_stream_pdf(300_000_000)))
    assert blocking_codes(only_flow(result)) == ["FCT-PDF-LIMIT"]


def test_encrypted_pdf_is_refused(hub):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(["Facture"]))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    _, result = hub.process(hub.drop("locked.pdf", out.getvalue()))
    assert blocking_codes(only_flow(result)) == ["FCT-PDF-ENCRYPTED"]


def test_a_pdf_read_beyond_the_deadline_is_refused_and_the_next_flow_is_not_affected(hub, tmp_path):
    config = tmp_path / "facteur.toml"
    shutil.copy(REPO / "config" / "directory.toml", tmp_path / "directory.toml")
    config.write_text("[limits]\nmax_pdf_seconds = 0.000001\n", "utf-8")
    slow = hub.drop("slow.pdf", facturx_pdf(cii(Spec("T-3")), ["Facture T-3"]))
    xml = hub.drop("next.xml", ubl(Spec("T-4")))
    _, out = hub.run("process", str(slow), str(xml), "--sender", "DEMO01", "--json", "--config", str(config))
    flows = {flow["name"]: flow for flow in json.loads(out)["flows"]}
    assert blocking_codes(flows["slow.pdf"]) == ["FCT-PDF-TIMEOUT"]
    assert flows["next.xml"]["status"] == "90"
