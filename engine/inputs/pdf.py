"""Reading a PDF that came from outside: its embedded files and, when it carries
no data, its text.

A PDF is a program for a renderer as much as a document, so it is read with
pypdf under limits much tighter than pypdf's defaults (an invoice never needs a
75 MB stream): every decompression, array, dictionary and page tree is bounded,
a broken cross-reference table is refused rather than rebuilt by guesswork
(`strict`), and an encrypted file is refused (the hub must be able to read and
forward it). Whatever pypdf raises on a hostile file becomes one `PdfRefused`
with a stable code; nothing here lets a parser error escape as a traceback.

Bounds on sizes do not bound time (a PDF can make a pure-Python parser loop
over millions of small objects), so reading also has a deadline: a real-time
alarm (SIGALRM) interrupts pypdf wherever it is. The pipeline runs in the main
thread of its process (the CLI, or a worker of `facteur run`), where signals
are delivered; called from another thread, reading has the size bounds only.
"""

from __future__ import annotations

import contextlib
import io
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from facteur.engine.errors import PdfRefused
from facteur.engine.inputs.layout import Layout, read as read_layout
from facteur.engine.messages import Message, say

if TYPE_CHECKING:  # pypdf is imported where a PDF is read: 0.06 s of every start, for processes that read none
    from pypdf import PdfReader

# Invoices are a few pages with a logo; an attachment may be a scanned annex.
MAX_STREAM_BYTES = 20_000_000
MAX_PAGES = 200
MAX_TEXT_CHARS = 2_000_000
TEXT_PAGES = 2  # pages read for text at each end of a PDF
_LIMITS = dict(
    maximum_declared_stream_length=MAX_STREAM_BYTES,
    array_based_stream_maximum_output_length=MAX_STREAM_BYTES,
    array_maximum_element_count=50_000,
    dictionary_maximum_element_count=10_000,
    jbig2_maximum_output_length=MAX_STREAM_BYTES,
    lzw_maximum_output_length=MAX_STREAM_BYTES,
    run_length_maximum_output_length=MAX_STREAM_BYTES,
    zlib_maximum_output_length=MAX_STREAM_BYTES,
    zlib_maximum_recovery_input_length=1_000_000,
    brotli_maximum_output_length=MAX_STREAM_BYTES,
    image_maximum_buffer_size=MAX_STREAM_BYTES,
    stream_filters_maximum_length=4,
    stream_decoding_work_maximum_length=4 * MAX_STREAM_BYTES,
    stream_parsing_work_maximum_count=1_000_000,
    xmp_maximum_input_length=1_000_000,
    xmp_maximum_element_count=10_000,
    outline_maximum_entries=10_000,
    outline_maximum_depth=20,
    page_tree_maximum_entries=10_000,
    page_tree_maximum_depth=20,
    page_tree_maximum_page_entries=100_000,
    form_fields_maximum_entries=10_000,
    form_fields_maximum_depth=20,
    named_destinations_maximum_entries=10_000,
    named_destinations_maximum_depth=20,
    xform_maximum_invocations_per_extraction=500,
    xfa_decoding_work_maximum_length=MAX_STREAM_BYTES,
    jbig2dec_binary=None,
)

logging.getLogger("pypdf").setLevel(logging.ERROR)
T = TypeVar("T")


@dataclass(frozen=True)
class EmbeddedFile:
    """A file embedded in the PDF (the Factur-X XML, or a supporting document)."""

    name: str
    content: bytes
    mime_type: str = ""
    description: str = ""
    relationship: str = ""  # its /AFRelationship as written (Data, Source, Alternative...), "" when absent
    associated: bool = False  # referenced from the catalog's /AF array (PDF/A-3 associated file)


@dataclass(frozen=True)
class PdfContents:
    """What facteur reads from a PDF: its embedded files, its text when none of
    them is the invoice's data (a plain PDF, whose data must be recognised from
    the text), and what the Factur-X container rules look at (XMP metadata,
    output intents)."""

    files: tuple[EmbeddedFile, ...]
    text: str
    pages: int
    xmp: bytes = b""  # the document's XMP metadata packet, where Factur-X declares its profile
    output_intents: tuple[str, ...] = ()  # the /S of each catalog /OutputIntents entry (GTS_PDFA1 for PDF/A)


def _refuse(code: str, message: Message) -> PdfRefused:
    return PdfRefused(code, message, layer="pdf")


def read(
    content: bytes,
    name: str,
    seconds: float = 1.0,
    finds_data: Callable[[tuple[EmbeddedFile, ...]], object] | None = None,
) -> PdfContents:
    """The embedded files of the PDF and its text, read within `seconds`; or
    PdfRefused. The text is skipped only when `finds_data` finds the invoice's
    data among the embedded files (`embedded.data_file`, which looks at their
    content, not at their names): any other PDF may have to be read from its text."""

    def contents(reader: PdfReader) -> PdfContents:
        files = tuple(_embedded(reader))
        has_data = finds_data is not None and finds_data(files) is not None
        return PdfContents(
            files, "" if has_data else _text(reader), len(reader.pages), _xmp(reader), _output_intents(reader)
        )

    return _with_reader(content, name, contents, seconds)


def text_of(content: bytes, name: str, seconds: float = 1.0) -> str:
    """The text of any PDF, data or not (to measure recognition on Factur-X PDFs); or PdfRefused."""
    return _with_reader(content, name, _text, seconds)


def layout_of(content: bytes, name: str, seconds: float = 1.0) -> Layout:
    """The positioned text of a PDF (`layout.py`), read within `seconds`; or PdfRefused."""
    return _with_reader(content, name, read_layout, seconds)


class _OutOfTime(BaseException):
    """Raised by the alarm; a BaseException, so that no `except Exception` in pypdf swallows it."""


@contextlib.contextmanager
def _deadline(seconds: float):
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def ring(signum, frame):
        raise _OutOfTime()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _with_reader(content: bytes, name: str, action: Callable[[PdfReader], T], seconds: float) -> T:
    """`action` on a strict pypdf reader of `content`, under facteur's limits and
    deadline, with everything pypdf may raise turned into one PdfRefused."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PdfReadError, PyPdfError

    try:
        with _deadline(seconds), apply_configuration(**_LIMITS):
            reader = PdfReader(io.BytesIO(content), strict=True)
            if reader.is_encrypted:
                raise _refuse("FCT-PDF-ENCRYPTED", say("pdf-encrypted", name=name))
            pages = len(reader.pages)
            if pages > MAX_PAGES:
                raise _refuse("FCT-PDF-LIMIT", say("pdf-pages", name=name, pages=pages, limit=MAX_PAGES))
            return action(reader)
    except PdfRefused:
        raise
    except _OutOfTime:
        raise _refuse(
            "FCT-PDF-TIMEOUT",
            say("pdf-timeout", name=name, seconds=f"{seconds:g}"),
        ) from None
    except LimitReachedError as err:
        raise _refuse("FCT-PDF-LIMIT", say("pdf-limit", name=name, reason=err)) from None
    except FileNotDecryptedError:
        raise _refuse("FCT-PDF-ENCRYPTED", say("pdf-encrypted", name=name)) from None
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError,
            RecursionError, UnicodeError, OverflowError, ArithmeticError) as err:
        detail = " ".join(str(err).split())[:300] or type(err).__name__
        raise _refuse("FCT-PDF-CORRUPT", say("pdf-corrupt", name=name, reason=detail)) from None


def _embedded(reader: PdfReader):
    associated = _associated(reader)
    for entry in reader.attachment_list:
        spec = entry.pdf_object
        relationship = spec.get("/AFRelationship")
        yield EmbeddedFile(
            name=str(entry.name),
            content=bytes(entry.content),
            mime_type=_mime(entry.subtype),
            description=str(entry.description or ""),
            relationship=str(relationship).lstrip("/") if relationship is not None else "",
            associated=bool(_identities(spec) & associated),
        )


def _associated(reader: PdfReader) -> set[tuple[int, int]]:
    """What the catalog's /AF array references: its file specifications and
    their embedded file streams, by object number. A producer may write the
    name tree's file specification and the /AF one as two objects for the same
    embedded stream (python-factur-x did): the file is associated all the same."""
    found = reader.trailer["/Root"].get("/AF")
    entries = found.get_object() if found is not None else []
    identities: set[tuple[int, int]] = set()
    for entry in entries if isinstance(entries, list) else []:
        spec = entry.get_object()
        if isinstance(spec, dict):
            identities |= _identities(spec)
    return identities


def _identities(spec: dict) -> set[tuple[int, int]]:
    """A file specification's object number and those of its embedded streams (/EF)."""
    from pypdf.generic import IndirectObject

    streams = spec.get("/EF")
    streams = streams.get_object() if streams is not None else {}
    objects = [spec, *((streams.raw_get(key) for key in streams) if isinstance(streams, dict) else ())]
    references = (o if isinstance(o, IndirectObject) else getattr(o, "indirect_reference", None) for o in objects)
    return {(r.idnum, r.generation) for r in references if r is not None}


def _output_intents(reader: PdfReader) -> tuple[str, ...]:
    found = reader.trailer["/Root"].get("/OutputIntents")
    entries = found.get_object() if found is not None else []
    intents = (entry.get_object() for entry in (entries if isinstance(entries, list) else []))
    return tuple(str(intent.get("/S", "")).lstrip("/") for intent in intents if isinstance(intent, dict))


def _xmp(reader: PdfReader) -> bytes:
    metadata = reader.trailer["/Root"].get("/Metadata")
    return metadata.get_object().get_data() if metadata is not None else b""


def _mime(subtype) -> str:
    """PDF writes a MIME type as a name, with '/' escaped as #2F: /application#2Fpdf."""
    if not subtype:
        return ""
    return str(subtype).lstrip("/").replace("#2F", "/").replace("#2f", "/")


def _text(reader: PdfReader) -> str:
    """The text of the first and last pages in layout mode, which keeps a label
    and its value on one line the way they are printed; bounded in length.

    An invoice prints its header on its first page and its totals on its last;
    the pages between hold lines, which a plain PDF's pivot does not carry.
    Reading only the ends bounds what a long PDF costs (a 23-page document of
    the corpus took 5 s whole, under a second by its ends)."""
    count = len(reader.pages)
    wanted = sorted({*range(min(TEXT_PAGES, count)), *range(max(count - TEXT_PAGES, 0), count)})
    parts: list[str] = []
    size = 0
    for index in wanted:
        chunk = reader.pages[index].extract_text(extraction_mode="layout")
        parts.append(chunk)
        size += len(chunk)
        if size > MAX_TEXT_CHARS:
            break
    return "\n".join(parts)[:MAX_TEXT_CHARS]
